"""Conditional GET for the public pages and the open data: ETag, Last-Modified, 304.

A response's validator is built from what its output depends on, never from the
output itself (rendering it would cost what a 304 saves):

- the verified actions behind it: their count and their newest `updated_at`
  (verifying, editing or withdrawing one changes one or the other), read in
  the same query that fetches the treaty or participant (`with_fingerprint`);
- today's New York date, for what shows the status as of today: it moves at
  New York midnight with no action changing;
- the treaty's or participant's own row (an edited clause changes the status);
- the language, the full path with its query string, the variant (a page, or
  which fragment of it) and, for HTML pages, the signed-in user (the header
  shows who is signed in).

Not in it: the participants' reference data (names, groups), which changes with
`load_defaults`, and the code; the daily pages pick such changes up at New York
midnight at the latest.
"""

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.text import compress_string
from django.utils.translation import get_language

from ratifications.models import Action, Treaty
from ratifications.rules import UN_HEADQUARTERS, today_in_new_york
from states.models import Participant
from treatytrack import caching
from treatytrack.http import personal, shareable

_VERIFIED = Q(actions__state=Action.State.VERIFIED)


def with_fingerprint(queryset):
    """Treaties or participants annotated with their verified actions' count and newest change."""
    return queryset.annotate(
        verified_actions=Count("actions", filter=_VERIFIED),
        verified_changed=Max("actions__updated_at", filter=_VERIFIED),
    )


def treaty_with_fingerprint(slug: str) -> Treaty | None:
    """The treaty with this slug, annotated as by `with_fingerprint`: one query."""
    return _with_fingerprint(Treaty, "slug", slug, own_actions=True)


def participant_with_fingerprint_of_all(iso3: str) -> Participant | None:
    """The participant, annotated with the fingerprint of every verified action: one query.

    For its page, which shows its status on every treaty it acted on: each
    depends on the other participants' actions there.
    """
    return _with_fingerprint(Participant, "iso3", iso3, own_actions=False)


def _with_fingerprint(model, field: str, value: str, *, own_actions: bool):
    """One row by a unique field, with `verified_actions` and `verified_changed`.

    Written out in SQL, and on PostgreSQL prepared once a connection, because
    every public request runs it: building it through the ORM costs the app,
    and planning it costs PostgreSQL, several times what running it does
    (docs/performance.md).
    """
    sql, name = _fingerprint_sql(model, field, own_actions)
    params = [Action.State.VERIFIED.value, Action.State.VERIFIED.value, value]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS:
            _prepare(cursor, name, sql)
            cursor.execute(f"EXECUTE {name} (%s, %s, %s)", params)
        else:
            cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    *values, count, changed = row
    instance = model.from_db(
        connection.alias, [f.attname for f in model._meta.concrete_fields], values
    )
    if isinstance(changed, str):
        # SQLite answers MAX() of a timestamp in text, in UTC.
        changed = dt.datetime.fromisoformat(changed).replace(tzinfo=dt.UTC)
    instance.verified_actions, instance.verified_changed = count, changed
    return instance


@functools.cache
def _fingerprint_sql(model, field: str, own_actions: bool) -> tuple[str, str]:
    """The query, and the name it is prepared under."""
    quote = connection.ops.quote_name
    action = Action._meta
    owner = action.get_field(model._meta.model_name)
    verified = (
        f"FROM {quote(action.db_table)} a WHERE a.{quote(action.get_field('state').column)} = %s"
    )
    if own_actions:
        verified += f" AND a.{quote(owner.column)} = o.{quote(model._meta.pk.column)}"
    columns = ", ".join(f"o.{quote(f.column)}" for f in model._meta.concrete_fields)
    changed = quote(action.get_field("updated_at").column)
    sql = (
        f"SELECT {columns}, (SELECT COUNT(*) {verified}), (SELECT MAX(a.{changed}) {verified}) "
        f"FROM {quote(model._meta.db_table)} o WHERE o.{quote(field)} = %s"
    )
    name = f"treatytrack_{model._meta.model_name}_{'own' if own_actions else 'all'}_fingerprint"
    return sql, name


def _prepare(cursor, name: str, sql: str) -> None:
    """PREPARE the statement on this database connection, once (again after a reconnection).

    On the driver's own cursor: part of setting the connection up, like the time
    zone Django sets on it, not one of a request's queries.
    """
    raw = cursor.connection
    prepared = getattr(connection, "_treatytrack_prepared", (None, set()))
    if prepared[0] is not raw:
        prepared = (raw, set())
        connection._treatytrack_prepared = prepared
    if name not in prepared[1]:
        first, *rest = sql.split("%s")
        numbered = first + "".join(f"${n}{part}" for n, part in enumerate(rest, 1))
        cursor.cursor.execute(f"PREPARE {name} (text, text, text) AS {numbered}")
        prepared[1].add(name)


@dataclass(frozen=True)
class Fingerprint:
    """What a set of verified actions looks like to a cache."""

    count: int
    changed: dt.datetime | None
    # The values of the row the actions belong to, when there is one.
    row: str = ""

    @classmethod
    def of(cls, annotated) -> "Fingerprint":
        """From a row annotated by `with_fingerprint`."""
        return cls(annotated.verified_actions, annotated.verified_changed, _values(annotated))


def _values(instance) -> str:
    return repr(tuple(getattr(instance, f.attname) for f in instance._meta.concrete_fields))


@dataclass(frozen=True)
class Validators:
    """The ETag and Last-Modified of one response."""

    fingerprint: Fingerprint
    # Whether the output shows the status as of today (the default as_of).
    daily: bool = True
    # Whether the output is an HTML page, whose header depends on who is signed in.
    per_user: bool = False

    def etag(self, request: HttpRequest, *, variant: str = "page", path: str = "") -> str:
        """The ETag of `path` (default: this request's) rendered as `variant`."""
        parts = [
            variant,
            path or request.get_full_path(),
            get_language() or "",
            str(request.user.pk or "") if self.per_user else "",
            today_in_new_york().isoformat() if self.daily else "",
            str(self.fingerprint.count),
            self.fingerprint.changed.isoformat() if self.fingerprint.changed else "",
            self.fingerprint.row,
        ]
        # Weak: the same content may be sent compressed or not.
        return "W/" + quote_etag(hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32])

    def last_modified(self) -> int | None:
        """As a timestamp: the newest change, or New York midnight if the output is daily."""
        moments = [self.fingerprint.changed] if self.fingerprint.changed else []
        if self.daily:
            midnight = dt.datetime.combine(today_in_new_york(), dt.time(), tzinfo=UN_HEADQUARTERS)
            moments.append(midnight)
        return int(max(moments).timestamp()) if moments else None


# Anonymous visitors' copies may be kept by shared caches (a CDN) and browsers for
# 30 seconds, then served stale for 30 more while one request revalidates: a spike
# of readers costs the app about one request a minute per page and cache, and a
# verified change reaches every reader within a minute. Anything else revalidates
# every time (no-cache): a 304 costs one cheap query. docs/performance.md.
PUBLIC = {"public": True, "max_age": 30, "stale_while_revalidate": 30}
PRIVATE = {"private": True, "no_cache": True}
# What a cached response keeps of its headers; the middleware adds the rest per request.
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Encoding", "Content-Length")


def respond(
    request: HttpRequest,
    validators: Validators,
    render: Callable[[], HttpResponse],
    *,
    variant: str = "page",
) -> HttpResponse:
    """304 when the client's copy is current; otherwise the response, rendered once.

    An anonymous visitor's response is the same for every anonymous visitor with
    the same language and encoding: it is kept under its ETag, which changes
    whenever its data do, and served from there to the next one (compressed once,
    when the client takes gzip). Signed-in visitors' pages are rendered each time.
    """
    etag = validators.etag(request, variant=variant)
    last_modified = validators.last_modified()
    shared = shareable(request)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        key = _response_key(request, etag) if shared else None
        response = _cached_response(key) if key else None
        if response is None:
            response = render()
            if response.status_code != 200:
                return response
            if _accepts_gzip(request) and not response.streaming:
                _compress(response)
            if key and not personal(request, response):
                caching.set(key, _cacheable(response))
    response.headers["ETag"] = etag
    if last_modified is not None:
        # Replaces the syndication framework's own, which only sees the listed items.
        response.headers["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, **(PUBLIC if shared else PRIVATE))
    # A page shows who is signed in, and its language may come from a cookie; the
    # open data are the same for everyone, in the language the client accepts.
    vary = ("Cookie",) if validators.per_user else ()
    patch_vary_headers(response, (*vary, "Accept-Language", "Accept-Encoding"))
    return response


def _response_key(request: HttpRequest, etag: str) -> str:
    # The ETag holds the path, the variant, the language and the data; absolute
    # links in the body hold the scheme and host.
    encoding = "gzip" if _accepts_gzip(request) else "identity"
    return f"response:{request.scheme}://{request.get_host()}:{encoding}:{etag}"


def _accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def _compress(response: HttpResponse) -> None:
    # With Django's random padding against BREACH-style guessing, as GZipMiddleware does.
    response.content = compress_string(response.content, max_random_bytes=100)
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(response.content))


def _cacheable(response: HttpResponse) -> tuple[bytes, dict]:
    return response.content, {name: response[name] for name in _KEPT_HEADERS if name in response}


def _cached_response(key: str) -> HttpResponse | None:
    found = caching.get(key)
    if found is None:
        return None
    content, headers = found
    return HttpResponse(content, headers=headers)
