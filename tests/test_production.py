"""The README's production steps, run as an operator would: DEBUG off and the documented
variables, migrate (which creates the staff groups), collectstatic, then a real gunicorn on
127.0.0.1 with a worker process, fetched over HTTP, then stopped (issue 10: every page was a
500 because collectstatic stopped on Bootstrap's missing source map)."""

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

BIN = Path(sys.executable).parent
HOST = "scrutiny.example.org"


@pytest.fixture
def production(tmp_path):
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")
        },
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'scrutiny.sqlite3'}",
        "EMAIL_HOST": "smtp.example.org",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    return env, tmp_path


def manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    # The TLS-terminating proxy in front says the request came over HTTPS.
    connection.request("GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def wait_until_serving(server, port):
    deadline = time.monotonic() + 120  # a bound on waiting for start-up, not a measurement
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not start listening")


# Its own SQLite in subprocesses, whatever DATABASE_URL says: `make test` runs it once.
@pytest.mark.engine_independent
@pytest.mark.slow
def test_the_readme_production_steps_serve_pages_static_files_and_headers(production):
    env, tmp_path = production
    manage(env, "migrate", "--no-input")
    groups = manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth.models import Group; "
        "print(sorted(Group.objects.values_list('name', flat=True)))",
    )
    assert groups.strip() == "['Administrator', 'Approver', 'Clerk', 'Force lead', 'Member']"
    manage(env, "collectstatic", "--no-input")
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    manage(env, "check", "--deploy", "--fail-level", "WARNING")

    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "scrutiny.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(server, port)
        status, headers, _body = get(port, "/")
        assert (status, headers["location"]) == (302, "/en/")  # the visitor's language
        status, headers, body = get(port, "/en/")
        assert status == 200, body[:2000]
        assert "Strict-Transport-Security".lower() in headers
        assert headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        css = manifest["css/scrutiny.css"]
        assert f"/static/{css}".encode() in body

        status, headers, body = get(port, f"/static/{css}")
        assert status == 200
        assert "immutable" in headers["cache-control"]
        status, _headers, _body = get(
            port, f"/static/{manifest['vendor/bootstrap/bootstrap.bundle.min.js']}"
        )
        assert status == 200

        status, headers, body = get(port, "/accounts/login/")
        assert status == 200
        assert b'name="otp_token"' in body
        status, headers, _body = get(port, "/actions/")
        assert status == 302
        assert headers["location"].startswith("/accounts/login/")
        status, _headers, body = get(port, "/en/no-such-page/")
        assert status == 404
        assert b"Traceback" not in body
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "Booting worker" in err
