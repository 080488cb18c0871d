"""Conditional GET for the public pages and the open data: ETag, Last-Modified, 304.

A response's validator is built from what its output depends on, never from the
output itself (rendering it would cost what a 304 saves):

- the verified actions behind it: how many times and when last the treaty's
  changed (TreatyChanges, which database triggers keep: any write that touches
  a verified action counts), read in the same query that fetches the treaty
  (`treaty_with_fingerprint`); for a participant's feed, the count and newest
  `updated_at` of its own (`with_fingerprint`);
- today's New York date, for what shows the status as of today: it moves at
  New York midnight with no action changing;
- the treaty's or participant's own row (an edited clause changes the status);
- the language, the full path with its query string, the variant (a page, or
  which fragment of it) and, for HTML pages, the signed-in user (the header
  shows who is signed in).

- the code, templates and translations (`caching.release()`): a new release's
  pages are never "not modified" against an old one's.

Not in it: the participants' reference data (names, groups), which changes with
`load_defaults`; the daily pages pick such changes up at New York midnight at the
latest.

The same ETag is the key under which an anonymous visitor's response is kept
on the server, and the status cache (ratifications/models.py) is keyed by the
same fingerprint: neither is ever invalidated, a change makes new keys.
Cache-Control: `PUBLIC` below. The design: docs/performance.md.
"""

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.text import compress_string
from django.utils.translation import get_language

from ratifications.models import Action, Revision, Treaty
from ratifications.rules import UN_HEADQUARTERS, today_in_new_york
from states.models import Participant
from treatytrack import caching
from treatytrack.http import personal, shareable

_VERIFIED = Q(actions__review=Action.Review.VERIFIED)


def with_fingerprint(queryset):
    """Participants annotated with the fingerprint of their own verified actions.

    Their count and newest change (`changes`, `changed_at`): for what shows one
    participant's actions only, its feed.
    """
    return queryset.annotate(
        changes=Count("actions", filter=_VERIFIED),
        changed_at=Max("actions__updated_at", filter=_VERIFIED),
    )


def with_changes(treaties):
    """Treaties annotated with their fingerprint: the record's revision."""
    revision = Revision.objects.all()
    return treaties.annotate(
        changes=Coalesce(Subquery(revision.values("number")[:1]), 0),
        changed_at=Subquery(revision.values("changed_at")[:1]),
    )


def treaty_with_fingerprint(slug: str) -> Treaty | None:
    """The treaty with this slug, annotated as by `with_changes`: one query, one row.

    Written out in SQL, and on PostgreSQL prepared once a connection, because
    every public request runs it: building it through the ORM costs the app,
    and planning it costs PostgreSQL, several times what running it does
    (docs/performance.md).
    """
    return _with_fingerprint(Treaty, "slug", slug, own=True)


def participant_with_fingerprint_of_all(iso3: str) -> Participant | None:
    """The participant, annotated with the changes to all verified actions: one query.

    For its page, which shows its status on every treaty it acted on: each
    depends on the other participants' actions there. The sum of every
    treaty's changes, and the latest: as many rows as treaties.
    """
    return _with_fingerprint(Participant, "iso3", iso3, own=False)


def _with_fingerprint(model, field: str, value: str, *, own: bool):
    sql, name = _fingerprint_sql(model, field, own)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS:
            _prepare(cursor, name, sql)
            cursor.execute(f"EXECUTE {name} (%s)", [value])
        else:
            cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    *values, changes, changed_at = row
    fields = model._meta.concrete_fields
    instance = model.from_db(
        connection.alias,
        [f.attname for f in fields],
        [_from_db(field, value) for field, value in zip(fields, values, strict=True)],
    )
    if isinstance(changed_at, str):
        # SQLite answers a timestamp computed in SQL (MAX) as text...
        changed_at = dt.datetime.fromisoformat(changed_at)
    if changed_at is not None and changed_at.tzinfo is None:
        # ...and any timestamp without its zone, which is UTC.
        changed_at = changed_at.replace(tzinfo=dt.UTC)
    instance.changes, instance.changed_at = int(changes), changed_at
    return instance


def _from_db(field, value):
    """A column's value as the ORM would give it (JSON decoded, SQLite's booleans...)."""
    column = field.get_col(field.model._meta.db_table)
    for convert in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
        value = convert(value, column, connection)
    return value


@functools.cache
def _fingerprint_sql(model, field: str, own: bool) -> tuple[str, str]:
    """The query, and the name it is prepared under."""
    quote = connection.ops.quote_name
    revision = quote(Revision._meta.db_table)
    columns = ", ".join(f"o.{quote(f.column)}" for f in model._meta.concrete_fields)
    sql = (
        f"SELECT {columns}, COALESCE((SELECT number FROM {revision} LIMIT 1), 0), "
        f"(SELECT changed_at FROM {revision} LIMIT 1) "
        f"FROM {quote(model._meta.db_table)} o WHERE o.{quote(field)} = %s"
    )
    return sql, f"treatytrack_{model._meta.model_name}_fingerprint"


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
        cursor.cursor.execute(f"PREPARE {name} (text) AS {sql.replace('%s', '$1')}")
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
        """From a row annotated by `with_fingerprint`, `with_changes` or fetched with its own."""
        return cls(annotated.changes, annotated.changed_at, _values(annotated))


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
            caching.release(),
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
