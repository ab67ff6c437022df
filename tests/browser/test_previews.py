"""A clerk previews a meeting's minutes: the render is queued, the page says so and updates
itself when a worker has prepared it."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from tests.browser.test_secretariat import sign_in
from tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_clerk_previews_the_full_minutes_prepared_by_a_worker(
    page, clerk, settings, screenshot, axe
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    meeting = MeetingFactory(created_by=clerk)
    item = AgendaItemFactory(meeting=meeting, title="Budget Bid", minutes="The budget was agreed.")
    sign_in(page, "clerk")
    page.goto(meeting.get_absolute_url())
    page.get_by_role("link", name="Minutes, full (PDF)").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Preview: Minutes, full"
    status = page.get_by_role("status")
    # The link asks for nothing: its page has the button that does.
    assert "No preview of this document has been prepared" in status.inner_text()
    screenshot("preview-not-asked-for")
    assert axe(page) == []
    page.get_by_role("button", name="Prepare the preview").click()
    assert "The preview is being prepared." in status.inner_text()
    assert page.get_by_role("link", name="Check again").is_visible()
    screenshot("preview-queued")
    assert axe(page) == []
    # No worker has taken it two minutes on: the page says so, and what to do.
    with time_machine.travel(datetime.timedelta(minutes=3)):
        page.reload()
        assert "seem not to be running" in status.inner_text()
        screenshot("preview-workers-stopped")
        assert axe(page) == []

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    # No reload: the page asks again by itself.
    opened = page.get_by_role("link", name="Open the preview: Minutes, full (PDF)")
    opened.wait_for()
    assert "The preview is ready." in status.inner_text()
    screenshot("preview-ready")
    assert axe(page) == []
    response = page.request.get(opened.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    item.minutes = "The budget was deferred."
    item.save()
    page.reload()
    assert "This preview is out of date." in status.inner_text()
    assert page.get_by_role("button", name="Prepare a new preview").is_visible()
    screenshot("preview-out-of-date")
    assert axe(page) == []
