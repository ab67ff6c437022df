"""The clerk's meeting editor, section by section, through the server: what each save writes,
what a conflict keeps, who may use it, and what the page costs."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action, ActionUpdate
from meetings.models import AgendaItem, Attendance, Meeting, Question
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    AttendanceFactory,
    MeetingFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def load(name: str) -> Meeting:
    path = Path(settings.BASE_DIR) / "fixtures" / name
    call_command("import_meeting", str(path), stdout=StringIO())
    return Meeting.objects.order_by("-pk").first()


@pytest.fixture
def gwent(db):
    return load("gwent-spb-2018-11-30.json")


@pytest.fixture
def signed_in(client, clerk):
    client.force_login(clerk)
    return client


def edit_url(meeting, name="meeting-edit", **kwargs):
    return reverse(f"editor:{name}", kwargs={"pk": meeting.pk, **kwargs})


def test_the_editor_shows_every_section_of_the_meeting(signed_in, gwent):
    response = signed_in.get(edit_url(gwent))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Details",
        "Attendance",
        "Agenda, questions and actions",
        "Review of earlier actions",
        "Next meeting",
    ):
        assert f">{heading}</h2>" in html
    assert "Ms E Thomas" in html
    assert "Chief Constable&#x27;s Budget Bid 2019/20" in html
    assert "SPB " in html
    # The demo 2018 meeting's page stays small (the admin's is 502 KB).
    assert len(response.content) < 150_000, len(response.content)
