"""Who the client is, behind reverse proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for django-axes' sign-in throttling (AXES_CLIENT_IP_CALLABLE).

    With no proxy, the peer's. Behind PROXY_COUNT reverse proxies that each append
    the address they saw to X-Forwarded-For, the address the outermost one saw:
    counted from the right, since a client may send any X-Forwarded-For it likes.
    """
    remote = request.META.get("REMOTE_ADDR")
    if not settings.PROXY_COUNT:
        return remote
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if len(forwarded) < settings.PROXY_COUNT:
        # Not through the proxies as configured: the peer is all we know.
        return remote
    return forwarded[-settings.PROXY_COUNT]
