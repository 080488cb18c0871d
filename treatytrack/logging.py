"""Logs as JSON lines, one object a record, for whatever collects the app's stdout.

Used by Django's logging (settings.LOGGING) and by gunicorn's (gunicorn.conf.py),
so that the request log and the app's own messages arrive in one format.
"""

import datetime as dt
import json
import logging

# What every LogRecord carries; anything else came from `extra=` and is logged too.
_STANDARD = {*vars(logging.makeLogRecord({})), "message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry |= _request(record.args)
        else:
            entry["message"] = record.getMessage()
        entry |= {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _request(atoms: dict) -> dict:
    """One request from gunicorn's access log, whose arguments are its "atoms".

    Chosen atoms only: the others include every request header, cookies too.
    """
    entry = {
        "method": atoms["m"],
        "path": atoms["U"],
        "query": atoms["q"],
        "status": int(atoms["s"]),
        "duration_ms": round(atoms["D"] / 1000, 3),
        "bytes": atoms["B"],
        "remote_addr": atoms["h"],
        "user_agent": atoms["a"],
    }
    # Behind a proxy the remote address is the proxy's (README, "Running in production").
    forwarded = atoms.get("{x-forwarded-for}i")
    if forwarded and forwarded != "-":
        entry["forwarded_for"] = forwarded
    return entry
