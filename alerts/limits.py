"""The subscription pages' limits (treatytrack/throttling.py, as the password reset's): per
client address, and per e-mail address for what sends mail, addresses kept as digests only."""

import functools
import hashlib

from django.conf import settings
from django.shortcuts import render
from django.utils.module_loading import import_string

from treatytrack.throttling import one_more


def _one_more(key: str) -> int:
    return one_more(key, settings.ALERTS_LIMIT_WINDOW)


# Reading a page is counted apart, and allowed this many times as often as changing
# something: each change is followed by a page to read, and some by a few.
READS_PER_CHANGE = 4


def too_many(request) -> bool:
    """Count this request from its client; whether the client is over its limit."""
    client = import_string(settings.AXES_CLIENT_IP_CALLABLE)(request)
    if request.method == "POST":
        return _one_more(f"alerts:address:{client}") > settings.ALERTS_REQUEST_LIMIT
    reads = settings.ALERTS_REQUEST_LIMIT * READS_PER_CHANGE
    return _one_more(f"alerts:reads:{client}") > reads


def too_many_mails(email: str) -> bool:
    """Count one more mail asked for this address; whether it is over its limit."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return _one_more(f"alerts:email:{digest}") > settings.ALERTS_MAIL_LIMIT


def too_many_calls(token: str) -> bool:
    """Count one more call of a one-click link; whether it is over the client limit."""
    return _one_more(f"alerts:link:{token}") > settings.ALERTS_REQUEST_LIMIT


def throttled(request):
    minutes = int(settings.ALERTS_LIMIT_WINDOW.total_seconds() // 60)
    return render(request, "alerts/throttled.html", {"minutes": minutes}, status=429)


def limited(view):
    """Every change counts against its client's limit, and every page reached by a token
    too (else it could be asked for token after token); beyond it, 429 and nothing done.
    The form itself is read freely: a mission's whole network may share one address."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if (request.method == "POST" or "token" in kwargs) and too_many(request):
            return throttled(request)
        return view(request, *args, **kwargs)

    return wrapped
