"""The address a request came from, for the login throttle (django-axes): behind ``TRUSTED_PROXY_COUNT`` reverse
proxies, the entry that many places from the right of ``X-Forwarded-For``; with none, the socket's ``REMOTE_ADDR``.

Each proxy appends the address it received the connection from, so the right-most entries are written by our own
proxies and can be trusted, while anything to their left was sent by the client and can be forged. Behind the TLS
proxy of the documented deployment every request's ``REMOTE_ADDR`` is the proxy: without this, five wrong passwords
from anyone locked an account for everyone.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        # Not through all our proxies (a request straight to the app server): its own socket address.
        return remote
    return hops[-count]
