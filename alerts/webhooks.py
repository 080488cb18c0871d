"""Calling a webhook: the signature, and the addresses a call may go to.

A plain module without the database. A URL is resolved once, every address it has
is checked, and the call connects to a checked address: a name that resolves to a
public address when checked and a private one when called (DNS rebinding) reaches
nothing it should not. Redirects are not followed, for the same reason.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

# What the receiver reads at most of the answer: only its status matters.
ANSWER_BYTES = 64 * 1024


class Refused(ValueError):
    """A URL no call goes to; the message says why."""


class CallFailed(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the HMAC-SHA256, keyed with the secret, of `<timestamp>.<body>`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def check(url: str, *, allow_private: bool) -> list[str]:
    """The addresses a call to `url` may connect to; Refused if none may be called."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("This is not a URL.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("A webhook URL starts with https:// (or http://) and names a host.")
    if parts.username or parts.password:
        raise Refused("A webhook URL carries no user name or password: the secret signs each call.")
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(f"{parts.hostname} has no address.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not allow_private:
        for address in addresses:
            if not _public(address):
                raise Refused(
                    f"{parts.hostname} is a private, loopback or reserved address ({address}): "
                    "webhooks go to the public Internet only."
                )
    return addresses


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def post(url: str, body: bytes, headers: dict, *, timeout: float, allow_private: bool) -> int:
    """POST `body` to `url`; the status if 2xx, else CallFailed (with the status if any)."""
    addresses = check(url, allow_private=allow_private)
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    connection = (_PinnedTLS if secure else _Pinned)(
        parts.hostname, parts.port or (443 if secure else 80), addresses[0], timeout
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(ANSWER_BYTES)
    except (OSError, http.client.HTTPException) as error:
        raise CallFailed(f"{type(error).__name__}: {error}") from error
    finally:
        connection.close()
    if not 200 <= answer.status < 300:
        raise CallFailed(f"HTTP {answer.status} {answer.reason}", answer.status)
    return answer.status


class _Pinned(http.client.HTTPConnection):
    """A connection to the host's checked address, whatever its name resolves to now."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self):
        raw = socket.create_connection((self.address, self.port), self.timeout)
        # The certificate is checked against the name in the URL.
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
