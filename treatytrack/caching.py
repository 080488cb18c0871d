"""A cache of values that never change under their key.

Each key names its content: a treaty's status by a fingerprint of the verified
actions and clauses it was computed from, a public response by its ETag (which
holds the same fingerprint). When the data change, the request that reads the new
fingerprint asks for a new key; nothing is ever invalidated, old keys expire.

So a value may be copied anywhere: each process keeps one in memory (`local`) in
front of the cache all processes share (`default`: Redis when CACHE_URL says so).
And no answer depends on the cache: if Redis stops answering, the app logs it
and computes what it needs itself.
"""

import functools
import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import caches
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# A day: today's keys hold today's date; what changed is asked for under a new key.
TIMEOUT = 60 * 60 * 24
# What a page is made from besides the data: the code, the templates, the
# translations and the static files' names.
_CODE = ("accounts", "depositary", "imports", "missions", "ratifications", "states", "treatytrack")
_SUFFIXES = {".py", ".html", ".txt", ".mo"}


@functools.cache
def release() -> str:
    """A digest of the code this process runs, part of every key and every ETag.

    So a new release reads none of the entries an old one wrote (a page with
    another template, a status of another shape), even while both run during a
    rolling deploy, and clients' copies of the old pages are not "not modified".
    """
    digest = hashlib.sha256(django.get_version().encode())
    base = Path(settings.BASE_DIR)
    files = [
        path
        for root in (*_CODE, "templates", "locale")
        for path in (base / root).rglob("*")
        if path.suffix in _SUFFIXES and "migrations" not in path.parts
    ]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    for path in sorted(files) + ([manifest] if manifest.exists() else []):
        digest.update(
            str(path.relative_to(base) if path.is_relative_to(base) else path.name).encode()
        )
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def get_many(keys: Iterable[str]) -> dict:
    keys = list(keys)
    if not keys:
        return {}
    version = release()
    found = caches["local"].get_many(keys, version=version)
    missing = [key for key in keys if key not in found]
    if missing:
        try:
            shared = caches["default"].get_many(missing, version=version)
        except (RedisError, OSError) as error:
            log.warning("The shared cache did not answer: %s", error)
            shared = {}
        if shared:
            caches["local"].set_many(shared, TIMEOUT, version=version)
            found |= shared
    return found


def get(key: str):
    return get_many([key]).get(key)


def set_many(values: dict) -> None:
    if not values:
        return
    version = release()
    caches["local"].set_many(values, TIMEOUT, version=version)
    try:
        caches["default"].set_many(values, TIMEOUT, version=version)
    except (RedisError, OSError) as error:
        log.warning("The shared cache did not answer: %s", error)


def set(key: str, value) -> None:
    set_many({key: value})
