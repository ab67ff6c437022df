"""What the server and the task worker print: each line once (make run shows both)."""

import io
import logging
import sys

import pytest
from django.conf import settings
from django.utils.log import configure_logging


@pytest.fixture
def console():
    """Django's logging as the settings configure it, with its console on a buffer."""
    buffer = io.StringIO()
    real_stderr = sys.stderr
    sys.stderr = buffer
    try:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
        yield buffer
    finally:
        sys.stderr = real_stderr
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("name", ["django.tasks", "django.utils.autoreload", "django.request"])
def test_a_log_line_of_the_server_or_the_worker_is_printed_once(settings, console, name, debug):
    settings.DEBUG = debug
    logging.getLogger(name).warning("Task id=1 state=SUCCESSFUL")

    assert console.getvalue().count("Task id=1 state=SUCCESSFUL") == 1
