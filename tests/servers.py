"""Real production servers for the tests that need them: gunicorn, DEBUG off, on loopback.

Used by tests/test_multiprocess.py and tests/test_soak.py. They run against the test
database (a transactional test commits what the servers must see) and a Redis
database of the tests' own, under a key prefix of each test's own, so that two
engineers' test runs on one machine never read each other's entries.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# Redis for the tests: another database number than the app's default (0).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def redis_cache(prefix: str | None = None) -> dict:
    """CACHES for a test on Redis, under a key prefix nobody else uses."""
    return {
        "default": {
            "BACKEND": "treatytrack.caching.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix or f"test-{uuid.uuid4().hex}",
        }
    }


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A key prefix of the test's own on the tests' Redis, emptied afterwards."""
    prefix = f"test-{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def database_url() -> str:
    """The test database, as the servers' DATABASE_URL: they must see what the test commits."""
    settings = connection.settings_dict
    assert connection.vendor == "postgresql", (
        "Several app processes share one database: this test needs PostgreSQL "
        "(DATABASE_URL), not the in-memory SQLite of the fallback."
    )
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def collect_static(directory: Path) -> None:
    """What `make serve` does first: hashed, compressed static files, which DEBUG off needs."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=_environment({"STATIC_ROOT": str(directory)}),
        check=True,
        timeout=120,
    )


def _environment(extra: dict) -> dict:
    # The test process's own settings must not leak into the server's.
    ignored = {"DATABASE_URL", "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    clean = {key: value for key, value in os.environ.items() if key not in ignored}
    return {
        **clean,
        "DEBUG": "false",
        "SECRET_KEY": "tests-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no redirect to HTTPS.
        "SECURE_SSL_REDIRECT": "false",
        "LOG_FORMAT": "json",
        # DEBUG off needs a mail server, or to be told there is none.
        "EMAIL_URL": "console://",
        **extra,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    static_root: Path, log: Path, *, cache_prefix: str, workers: int = 1, cache_url: str = REDIS_URL
) -> Iterator[str]:
    """A gunicorn with gunicorn.conf.py, until the block ends however it ends: its address.
    Its cache is the tests' Redis, or `cache_url` ("": each process's memory)."""
    port = free_port()
    env = _environment(
        {
            "DATABASE_URL": database_url(),
            "CACHE_URL": cache_url,
            "CACHE_KEY_PREFIX": cache_prefix,
            "STATIC_ROOT": str(static_root),
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
        }
    )
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_it_answers(process, port, log)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_it_answers(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn stopped:\n{log.read_text()}")
        try:
            if Client(f"127.0.0.1:{port}").get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer within a minute:\n{log.read_text()}")


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class Client:
    """A visitor with cookies, over plain HTTP (the servers' Secure cookies included)."""

    def __init__(self, address: str):
        host, port = address.split(":")
        self.host, self.port = host, int(port)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, headers=None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict) -> Response:
        """A form, with the CSRF token of the cookie a GET set (as a browser's form has)."""
        form = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, form.encode(), headers)

    def sign_in(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        response = self.post("/accounts/login/", {"username": username, "password": password})
        assert response.status == 302, response.body.decode()
