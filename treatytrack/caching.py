"""HTTP caching: the public pages' validators, headers and copies (docs/performance.md).

A `@public` view answers alike every reader with the same parameters (those it understands),
language, variant and encoding, on the same New York day, revision of the record and release:
its key, from which `CacheMiddleware` answers 304 or serves anonymous readers a kept copy.
"""

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.gzip import re_accepts_gzip
from django.urls import Resolver404, get_resolver
from django.utils import autoreload, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.csp import CSP
from django.utils.http import http_date, quote_etag
from django.views.decorators.csp import csp_override
from redis.exceptions import RedisError

from ratifications.models import Revision
from ratifications.rules import UN_HEADQUARTERS, today_in_new_york

log = logging.getLogger(__name__)

# What visitors type cannot grow the cache: copies with parameters, a revision and day.
KEPT_WITH_PARAMETERS = 1000
# A copy names its revision and day, so it is never stale: this lets unused ones go.
TIMEOUT = 60 * 60
# Who is signed in, and the one-time messages of the last action, make a page personal.
_PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
# A copy goes to every reader: no nonce in its policy (its scripts are the site's own).
SHARED_POLICY = {
    **settings.SECURE_CSP,
    "script-src": [s for s in settings.SECURE_CSP["script-src"] if s != CSP.NONCE],
}


# Under `runserver` (DEBUG) the code and the templates change without a new release: each
# process, and each edit it is told of, starts a new generation of keys and so of ETags.
_generation = [time.time_ns() if settings.DEBUG else 0]


@receiver(autoreload.file_changed)
def _new_generation(sender, **kwargs):
    _generation[0] = time.time_ns()  # returns None: Django's own receivers decide on reloading


@dataclass(frozen=True)
class Public:
    """What a public view's answer depends on, besides the revision, the day and the release."""

    params: tuple[str, ...] = ()
    # Open data answers an unknown parameter with 400; a page ignores it.
    refuse_unknown: bool = False
    # In the reader's language (open data is in English); showing who is signed in (a page).
    translated: bool = True
    per_user: bool = True
    # The request headers that choose a variant (an htmx fragment), and its name.
    vary: tuple[str, ...] = ()
    variant: Callable[[HttpRequest], str] | None = None

    def key(self, request: HttpRequest, revision: int, **other) -> str:
        """This request's key, or another `query`'s or `variant`'s."""
        query = other.get("query")
        if query is None:
            query = _understood(request, self.params)
        language = translation.get_language_from_request(request) if self.translated else "en"
        gzip = bool(re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")))
        # The scheme and host too: a page may hold absolute links.
        where = (request.scheme, request.get_host(), request.path, language, gzip)
        variant = other.get("variant", self.variant(request) if self.variant else "")
        parts = (settings.RELEASE, _generation[0], revision, today_in_new_york(), *where, variant)
        return repr((*parts, sorted(query.items())))

    def own(self, request: HttpRequest) -> bool:
        return self.per_user and _signed_in(request)


def public(**declared):
    """Mark a view as public: `@public(params=("as_of",), ...)`, as `Public` declares."""

    def mark(view):
        view = csp_override(SHARED_POLICY)(view)
        view.public = Public(**declared)
        return view

    return mark


def etag_for(request: HttpRequest, **other) -> str:
    """The ETag the middleware gives another answer of this request's view (for a poll)."""
    spec, revision = request.public
    return _etag(request, spec.key(request, revision.number, **other), spec.own(request))


class CacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        spec = _public(request)
        if spec is not None:
            try:
                revision = Revision.heard()
            except DatabaseError:
                # Nothing to key by: the view answers (open data: JSON 503), uncached.
                return _private_unless_said(self.get_response(request))
            request.public = (spec, revision)
        if spec is None or (spec.refuse_unknown and set(request.GET) - set(spec.params)):
            # Not a public page, or open data asked what it does not know: the view says 400.
            return _private_unless_said(self.get_response(request))
        query = _understood(request, spec.params)
        key = spec.key(request, revision.number, query=query)
        own = spec.own(request)
        etag = _etag(request, key, own)
        midnight = dt.datetime.combine(today_in_new_york(), dt.time(), tzinfo=UN_HEADQUARTERS)
        modified = int(max(midnight, revision.changed_at or midnight).timestamp())
        response = get_conditional_response(request, etag=etag, last_modified=modified)
        if response is None and not own:
            response = cache.get(f"page:{etag}")
        if response is None:
            # The view sees what the key holds, and nothing else.
            understood = QueryDict(mutable=True)
            for name, values in query.items():
                understood.setlist(name, values)
            request.GET, request.META["QUERY_STRING"] = understood, understood.urlencode()
            response = self.get_response(request)
            if response.status_code != 200:
                return _private_unless_said(response)
            if not (own or response.cookies or response.streaming) and _room(request, revision):
                # As Django's own cache middleware keeps it: the response, pickled whole.
                cache.set(f"page:{etag}", response, TIMEOUT)
        response.headers["ETag"], response.headers["Last-Modified"] = etag, http_date(modified)
        if _signed_in(request) or response.cookies:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            # Shared caches (a CDN) and browsers may keep it 30 s, then serve it 30 s more
            # while asking again: a spike of readers costs about a request a minute a page.
            patch_cache_control(response, public=True, max_age=30, stale_while_revalidate=30)
        vary = ("Accept-Language", "Cookie") if spec.translated else ()
        patch_vary_headers(response, ("Accept-Encoding", *vary, *spec.vary))
        return response


def _private_unless_said(response: HttpResponse) -> HttpResponse:
    if "Cache-Control" not in response:
        patch_cache_control(response, private=True, no_store=True)
    return response


def _public(request: HttpRequest) -> Public | None:
    if request.method not in ("GET", "HEAD"):
        return None
    try:
        return getattr(get_resolver().resolve(request.path_info).func, "public", None)
    except Resolver404:
        return None


def _signed_in(request: HttpRequest) -> bool:
    return any(name in request.COOKIES for name in _PERSONAL_COOKIES)


def _understood(request: HttpRequest, params: tuple[str, ...]) -> dict[str, list[str]]:
    """The parameters the view understands, each with its values (none blank), in order."""
    query = {name: [v.strip() for v in request.GET.getlist(name)] for name in params}
    return {name: [v for v in values if v] for name, values in query.items() if any(values)}


def _etag(request: HttpRequest, key: str, own: bool) -> str:
    # A signed-in reader's page shows who it is: its ETag is its session's own.
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "") if own else ""
    return quote_etag(hashlib.md5(f"{key}{session}".encode(), usedforsecurity=False).hexdigest())


def _room(request: HttpRequest, revision: Revision) -> bool:
    """Whether one more copy may be kept: always without parameters, else within the count
    (a count that two processes may both pass by one: a bound, not a ledger)."""
    if not request.GET:
        return True
    counter = f"kept:{revision.number}:{today_in_new_york()}"
    kept = cache.get(counter, 0)
    cache.set(counter, kept + 1, TIMEOUT)
    return kept < KEPT_WITH_PARAMETERS


class RedisCache(DjangoRedisCache):
    """Django's, giving up on a Redis that does not answer: after a call fails (refused, or no
    answer in the socket timeout), reads miss and writes are dropped for `PAUSE` seconds."""

    PAUSE = 30
    _paused_until = 0.0

    def _ask(self, method, default, *args):
        if time.monotonic() < RedisCache._paused_until:
            return default
        try:
            return method(*args)
        except (RedisError, OSError) as error:
            RedisCache._paused_until = time.monotonic() + self.PAUSE
            log.warning("The shared cache did not answer (%s); left alone %ss.", error, self.PAUSE)
            return default

    def get(self, key, default=None, version=None):
        return self._ask(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._ask(super().set, None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._ask(super().add, False, key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        # Paused: as if the key had expired (callers start counting again).
        if (found := self._ask(super().incr, None, key, delta, version)) is None:
            raise ValueError(f"{key!r} is not in the cache.")
        return found
