"""Requests counted in a window, in the cache (shared by the processes through CACHE_URL's
Redis): the limits of the password reset (accounts) and of the alerts' pages. Signing in is
django-axes' own."""

import datetime as dt

from django.core.cache import cache


def one_more(key: str, window: dt.timedelta) -> int:
    """Count one more request under `key` in the current window; the window's count."""
    seconds = int(window.total_seconds())
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, 1, timeout=seconds)
        return 1
