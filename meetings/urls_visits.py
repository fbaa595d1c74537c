"""Routes of meetings/visit_views.py (in the `meetings` namespace): the committee member's visits."""

from django.urls import path

from meetings import visit_views

urlpatterns = [
    path("cap-uy/theo-doi/", visit_views.my_cells, name="my_cells"),
    path("sinh-hoat/<int:pk>/toi-da-du/", visit_views.visit_record, name="visit_record"),
    path("du-sinh-hoat/<int:visitor_pk>/bao-cao/", visit_views.visit_report, name="visit_report"),
]
