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

import logging
from collections.abc import Iterable

from django.core.cache import caches
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# A day: today's keys hold today's date; what changed is asked for under a new key.
TIMEOUT = 60 * 60 * 24


def get_many(keys: Iterable[str]) -> dict:
    keys = list(keys)
    if not keys:
        return {}
    found = caches["local"].get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        try:
            shared = caches["default"].get_many(missing)
        except (RedisError, OSError) as error:
            log.warning("The shared cache did not answer: %s", error)
            shared = {}
        if shared:
            caches["local"].set_many(shared, TIMEOUT)
            found |= shared
    return found


def get(key: str):
    return get_many([key]).get(key)


def set_many(values: dict) -> None:
    if not values:
        return
    caches["local"].set_many(values, TIMEOUT)
    try:
        caches["default"].set_many(values, TIMEOUT)
    except (RedisError, OSError) as error:
        log.warning("The shared cache did not answer: %s", error)


def set(key: str, value) -> None:
    set_many({key: value})
