"""Behind reverse proxies: the client's address for sign-in throttling (PROXY_COUNT)."""

import pytest
from django.test import RequestFactory, override_settings

from treatytrack.http import client_ip


def request(forwarded: str | None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/accounts/login/", REMOTE_ADDR="10.0.0.2", **headers)


def test_with_no_proxy_the_client_is_the_peer_whatever_it_claims():
    assert client_ip(request("203.0.113.7")) == "10.0.0.2"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        # nginx appends the address it saw.
        (1, "203.0.113.7", "203.0.113.7"),
        # What the client claimed comes first, and counts for nothing.
        (1, "198.51.100.66, 203.0.113.7", "203.0.113.7"),
        # A CDN, then nginx, which appends the CDN's address.
        (2, "198.51.100.66, 203.0.113.7, 192.0.2.10", "203.0.113.7"),
        # Not through the proxies configured: only the peer is known.
        (2, "203.0.113.7", "10.0.0.2"),
        (1, None, "10.0.0.2"),
    ],
)
def test_behind_proxies_the_client_is_what_the_outermost_proxy_saw(proxies, forwarded, client):
    with override_settings(PROXY_COUNT=proxies):
        assert client_ip(request(forwarded)) == client
