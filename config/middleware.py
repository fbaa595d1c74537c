"""Language: Vietnamese unless the user chose English with the switcher (a cookie); the browser's
Accept-Language is not followed, so an English-language browser does not get a half-translated interface."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than ``MAX_REQUEST_BYTES`` before anything reads it (413 with a page).

    Django caps form fields in memory (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams uploaded files to disk whatever
    their size: a 20 MB "material" was read in full before the form's 10 MB check. The declared Content-Length is
    checked here; a body sent without one (chunked) is cut at the proxy, whose limit the README's deployment sets.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            from django.shortcuts import render  # imported here: only this rare answer renders

            limit = settings.MAX_REQUEST_BYTES // (1024 * 1024)
            return render(request, "413.html", {"limit": limit}, status=413)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """A signed-in user's pages (rosters, minutes, reports) are never kept by the browser's or a proxy's cache: after
    logging out on a shared computer, Back must not show them again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
