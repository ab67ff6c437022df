"""Settings come from the environment; production refuses to start without what it needs."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3Y-q9Zx" * 7,
    "ALLOWED_HOSTS": "scrutiny.example.org",
    "DATABASE_URL": "postgresql://scrutiny@db.example.org/scrutiny",
    "EMAIL_HOST": "smtp.example.org",
}

# Each test starts Django in a subprocess with an environment of its own: make test runs it once.
pytestmark = pytest.mark.engine_independent


def start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_start():
    result = start(PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_HOST"])
def test_production_fails_loudly_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = start(env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_a_weak_secret_key_is_refused():
    result = start({**PRODUCTION, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be a random string" in result.stderr


@pytest.mark.parametrize("key", ["a7Q-" * 11, "ab" * 30, "django-insecure-" + "k3Y-" * 10])
def test_a_secret_key_that_check_deploy_refuses_is_refused_at_start(key):
    """A 40-49 character key was allowed by the README and failed `check --deploy` (issue 10)."""
    result = start({**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY must be a random string of 50 characters or more" in result.stderr


def test_proxy_count_sets_where_sign_in_throttling_reads_the_address():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_IPWARE_PROXY_COUNT, s.AXES_IPWARE_META_PRECEDENCE_ORDER)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={
            **clean,
            **PRODUCTION,
            "PROXY_COUNT": "1",
            "DJANGO_SETTINGS_MODULE": "scrutiny.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "1 ('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR')", result.stderr


def test_a_bad_boolean_is_an_error_not_false():
    result = start({"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_database_url_must_be_sqlite_or_postgresql():
    result = start({"DATABASE_URL": "mysql://localhost/x"})
    assert result.returncode != 0
    assert "DATABASE_URL must start with sqlite:/// or postgresql://" in result.stderr
