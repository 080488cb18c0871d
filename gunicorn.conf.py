"""Gunicorn, the production server: `make serve`, or `gunicorn -c gunicorn.conf.py`.

Configured from the environment like the app (README, "Running in production"):

- BIND (default 127.0.0.1:8000): where to listen; 0.0.0.0:8000 behind a proxy on
  another machine.
- WEB_CONCURRENCY (default: the number of CPU cores): worker processes. Each
  renders pages on its own core; more than the cores buys nothing but memory.
- WEB_THREADS (default 4): threads a worker, so that a request waiting for
  PostgreSQL or Redis does not hold up the others. Each thread keeps a database
  connection: machines x workers x threads must stay under PostgreSQL's
  max_connections (100 by default).
- LOG_FORMAT, LOG_LEVEL: as the app's; JSON lines on stdout unless DEBUG is on.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of 1 or more, not {raw!r}.")
    return int(raw)


wsgi_app = "treatytrack.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = _positive("WEB_CONCURRENCY", os.cpu_count() or 2)
# Threads: keep-alive connections from a proxy, and requests overlapping their waits.
worker_class = "gthread"
threads = _positive("WEB_THREADS", 4)

# Managed by signals (HUP reloads, TERM stops): no control socket, whose fixed
# path in $HOME two servers on one machine would fight over.
control_socket_disable = True
# Load the app once, before forking: workers start at once and share its memory.
preload_app = True
# A worker silent for 30 s is killed and replaced; on a restart (SIGHUP) or stop
# (SIGTERM), workers get 30 s to finish the requests they have.
timeout = 30
graceful_timeout = 30
# Idle keep-alive connections (from a proxy) are closed after 5 s.
keepalive = 5
# A thread rendering a page holds Python's lock for at most 50 ms before another may take
# it (Python's default: 5 ms). The threads wait on PostgreSQL, Redis and the network with
# the lock released, so this only spaces out the switches between threads that all compute:
# at 5 ms, eight pages rendering at once each cost twice the CPU of one alone (caches
# refilled at every switch), and half as many were served (docs/performance.md).
sys.setswitchinterval(0.05)
# Workers are not replaced after so many requests (max_requests): nothing is
# known to leak, each process's cache of pages is bounded, and a new worker would
# start with it empty.


def when_ready(server):
    """In the master, before the workers fork: what Django would load on a first request,
    the URLs and so every view module, shared by the workers."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views


loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
_debug = os.environ.get("DEBUG", "true").strip().lower() in {"1", "true", "yes", "on"}
if os.environ.get("LOG_FORMAT", "text" if _debug else "json") == "json":
    # One request a line: method, path, status, duration... (treatytrack/logging.py).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "treatytrack.logging.JsonFormatter"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"level": "INFO", "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.error": {
                "level": loglevel.upper(),
                "handlers": ["stdout"],
                "propagate": False,
            },
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }
else:
    accesslog = "-"
    access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
