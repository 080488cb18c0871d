"""Logs as JSON lines: the app's messages and gunicorn's request log in one format."""

import json
import logging
import sys

import pytest

from tests.test_settings import PRODUCTION, manage
from treatytrack.logging import JsonFormatter


def formatted(record: logging.LogRecord) -> dict:
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


def test_a_message_is_one_json_object_with_its_level_logger_and_extras():
    record = logging.makeLogRecord(
        {"name": "ratifications", "levelname": "WARNING", "msg": "Treaty %s", "args": ("x",)}
    )
    record.treaty = "hanoi-convention"
    entry = formatted(record)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "ratifications"
    assert entry["message"] == "Treaty x"
    assert entry["treaty"] == "hanoi-convention"
    assert entry["time"].endswith("+00:00")


def test_an_exception_is_logged_with_its_traceback():
    try:
        raise ValueError("the depositary's records")
    except ValueError:
        record = logging.makeLogRecord({"name": "django.request", "exc_info": sys.exc_info()})
    assert "ValueError: the depositary's records" in formatted(record)["exception"]


def test_a_request_in_gunicorns_log_has_method_path_status_and_duration():
    # What gunicorn's access logger is given: the request's "atoms", headers included.
    atoms = {
        "m": "GET",
        "U": "/api/v1/treaties/hanoi-convention/status",
        "q": "as_of=2026-01-01",
        "s": "200",
        "D": 3456,
        "B": 1509,
        "h": "10.0.0.2",
        "a": "curl/8",
        "{x-forwarded-for}i": "203.0.113.7",
        "{cookie}i": "sessionid=secret",
    }
    # (A LogRecord given one mapping as its arguments keeps the mapping itself.)
    record = logging.makeLogRecord(
        {"name": "gunicorn.access", "levelname": "INFO", "msg": "%(h)s", "args": atoms}
    )
    entry = formatted(record)
    assert entry | {"time": "-"} == {
        "time": "-",
        "level": "INFO",
        "logger": "gunicorn.access",
        "method": "GET",
        "path": "/api/v1/treaties/hanoi-convention/status",
        "query": "as_of=2026-01-01",
        "status": 200,
        "duration_ms": 3.456,
        "bytes": 1509,
        "remote_addr": "10.0.0.2",
        "user_agent": "curl/8",
        "forwarded_for": "203.0.113.7",
    }
    assert "secret" not in json.dumps(entry)


@pytest.mark.parametrize(("env", "handler"), [({}, "json"), ({"LOG_FORMAT": "text"}, "text")])
def test_production_logs_json_unless_told_otherwise(env, handler):
    code = (
        "from django.conf import settings as s; "
        "print(s.LOGGING['handlers']['console']['formatter'])"
    )
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION, **env)
    assert result.stdout.strip() == handler, result.stderr


def test_an_unknown_log_format_stops_start_up():
    result = manage("check", LOG_FORMAT="xml")
    assert "LOG_FORMAT must be json or text" in result.stderr


def test_with_debug_on_a_line_of_djangos_own_is_printed_once():
    code = "import logging; logging.getLogger('django.request').warning('Not Found: /x')"
    result = manage("shell", "--no-imports", "-c", code, DEBUG="true", LOG_FORMAT="text")
    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).count("Not Found: /x") == 1
