import functools
import secrets

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request):
    """200 when the app and its database answer; 503 otherwise (for load balancers).

    The shared cache is reported but never fails the check: the app answers
    correctly without it (treatytrack/caching.py), only slower, and a load
    balancer that took every app process out over a cache outage would turn a
    slowdown into an outage.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "cache": _cache_health()})


def _cache_health() -> str:
    """Whether the cache keeps what it is given (a Redis that stopped answering does not)."""
    token = secrets.token_hex(8)
    cache.set("healthz", token, 10)
    return "ok" if cache.get("healthz") == token else "unreachable"


@require_safe
def trivial(request):
    """The benchmark's yardstick: the whole middleware stack and nothing else.

    Served only when BENCH_TRIVIAL_VIEW is on (bench/README.md).
    """
    return HttpResponse(b"ok", content_type="text/plain")


def _in_the_visitors_language(view):
    """Django's error view, in the language LocaleMiddleware would choose (cookie, then
    Accept-Language), even when the error came before that middleware ran: the cache
    middleware, ahead of it, is the first to read the database (a database that is down
    fails there) and to look at the request. Reading the headers needs no database."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(translation.get_language_from_request(request)):
            return view(request, *args, **kwargs)

    return wrapped


# templates/400.html and templates/500.html; the 500 page has an empty context.
bad_request = _in_the_visitors_language(defaults.bad_request)
server_error = _in_the_visitors_language(defaults.server_error)
