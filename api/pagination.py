"""Pages of 100 rows (``page``), up to 500 with ``page_size``."""

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
