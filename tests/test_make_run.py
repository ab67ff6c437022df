"""The README's first command, `make run`, as a newcomer runs it: migrate a SQLite database, load
the demo, print the demo users, serve the site with the task worker beside it (which publishes
the demo's imported minutes), and stop cleanly."""

import http.client
import os
import signal
import subprocess
import time

import pytest
from django.conf import settings

from tests.test_production import free_port


def fetch(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


def wait_for(check, what: str, server, seconds: int = 180):
    deadline = time.monotonic() + seconds  # a bound on waiting, not a measurement
    while time.monotonic() < deadline:
        assert server.poll() is None, f"make run stopped while waiting for {what}"
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"make run: no {what} after {seconds} s")


# Its own SQLite in subprocesses, whatever DATABASE_URL says: `make test` runs it once.
@pytest.mark.engine_independent
@pytest.mark.slow
def test_make_run_serves_the_demo_with_its_minutes_and_a_meeting_to_come(tmp_path):
    port = free_port()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECRET_KEY")
        },
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    log = tmp_path / "make-run.log"
    with log.open("w") as out:
        # `make test` has made the virtual environment already: `-o` keeps make from redoing it.
        server = subprocess.Popen(
            ["make", "-o", ".venv/.installed", "run", f"PORT={port}"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: fetch(port, "/en/")[0] == 200, "home page", server)
        printed = log.read_text()
        assert "Demo users (password for all: scrutiny-demo)" in printed
        assert "clerk" in printed
        assert "forcelead" in printed

        def published():
            return "30 November 2018" in fetch(port, "/en/")[1]

        wait_for(published, "minutes published by the task worker", server)
        home = fetch(port, "/en/")[1]
        assert "Forthcoming meetings" in home
        assert "No meetings have been announced." not in home
        status, welsh = fetch(port, "/cy/")
        assert status == 200
        assert 'lang="cy"' in welsh
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    printed = log.read_text()
    assert "Traceback" not in printed, printed[-3000:]
