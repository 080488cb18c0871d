"""HTTP behind caches and proxies: who may store a response, and who the client is.

The public pages and data tell shared caches (a CDN, a caching proxy) that an
anonymous visitor's copy may be kept for a short while (`ratifications.conditional`).
Everything here makes sure that nothing personal is ever marked so.
"""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# The cookies whose presence can make a page personal: who is signed in (and the
# CSRF token a signed-in page carries), and the one-time messages of the last action.
_PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)


def shareable(request: HttpRequest) -> bool:
    """Whether the answer to this request may go to a shared cache, before it is rendered.

    An anonymous read: no session, no pending messages. A request with a session
    cookie counts as signed in without asking the database.
    """
    return request.method in ("GET", "HEAD") and not any(
        name in request.COOKIES for name in _PERSONAL_COOKIES
    )


def personal(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether a rendered response carries something of this visitor's own.

    A cookie it sets, or a CSRF token it used (a form for a POST: a language
    switcher, say); the token must match the visitor's own cookie.
    """
    return bool(response.cookies) or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


class CacheControlMiddleware:
    """The safety net under every response's Cache-Control.

    A response that says nothing about caching gets `private, no-store`: the
    workspaces, the sign-in page and its CSRF token, the error pages. One marked
    public is downgraded to `private, no-cache` (its validators still work) when it
    turns out personal: sent to a signed-in visitor, setting a cookie, or carrying
    a CSRF token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "")
        if not cache_control:
            patch_cache_control(response, private=True, no_store=True)
        elif "public" in cache_control and (not shareable(request) or personal(request, response)):
            del response["Cache-Control"]
            patch_cache_control(response, private=True, no_cache=True)
        return response


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
