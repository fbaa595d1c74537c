"""The rate limit of calls made with an API token: ``API_TOKEN_RATE`` a token (600 a minute unless set), counted in
the ``throttle`` cache. The pages and the browser's calls (session) are not limited: they are people.

Over the limit the answer is 429 with ``Retry-After``, in Vietnamese."""

from django.core.cache import caches
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"
    cache = caches["throttle"]

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None  # not a token's call
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


def throttled_message(wait: float | None) -> str:
    if wait is None:
        return _("Khóa API đã gọi quá nhiều lần: hãy chờ một lúc rồi gọi lại.")
    return _("Khóa API đã gọi quá nhiều lần: hãy chờ {seconds} giây rồi gọi lại.").format(seconds=int(wait + 0.999))
