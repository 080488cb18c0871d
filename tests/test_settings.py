"""Settings come from the environment; a bad value stops start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "treatytrack.example.org",
    "EMAIL_URL": "smtp://mail.example.org:587?tls=1",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args, **env):
    # The browser tests' async-safety switch is for the test process only.
    ignored = {*PRODUCTION, "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_defaults_give_a_working_local_set_up():
    result = manage("check")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"DEBUG": "false", "ALLOWED_HOSTS": "x"}, "SECRET_KEY must be set when DEBUG is off"),
        (
            {"DATABASE_URL": "mysql://db/treatytrack"},
            "DATABASE_URL must point at PostgreSQL or SQLite",
        ),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"CACHE_URL": "memcached://cache"}, "CACHE_URL must be empty"),
        ({"EMAIL_URL": "mail.example.org"}, "EMAIL_URL must be empty, console:// or smtp://"),
        # Production with no mail server would write password-reset links into its logs.
        ({**PRODUCTION, "EMAIL_URL": ""}, "EMAIL_URL must be set when DEBUG is off"),
        ({"PASSWORD_RESET_LIMIT": "0"}, "PASSWORD_RESET_LIMIT"),
        (
            {"SECURE_HSTS_SECONDS": "a year", **PRODUCTION},
            "SECURE_HSTS_SECONDS must be a whole number",
        ),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_without_mail_prints_it_only_when_told_to():
    code = "from django.conf import settings as s; print(s.MAILERS['default']['BACKEND'])"
    result = manage(
        "shell", "--no-imports", "-c", code, **{**PRODUCTION, "EMAIL_URL": "console://"}
    )
    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend", result.stderr
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend", result.stderr


def test_production_cookies_are_secure_and_hsts_is_on():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0)"
    )
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.split() == ["True", "True", "True", "True"], result.stderr


def test_a_redis_cache_url_selects_djangos_redis_cache_that_gives_up_on_a_silent_redis():
    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])"
    result = manage("shell", "--no-imports", "-c", code, CACHE_URL="redis://127.0.0.1:6379/1")
    assert result.stdout.strip() == "treatytrack.caching.RedisCache", result.stderr
