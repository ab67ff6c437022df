"""Who changed access, and when: appointments, person-account links, board settings, superuser
and group changes, and imports with their operator (issue 10). Edits to people, posts, boards
and appointments are not silently overwritten by a second editor."""

import getpass
import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from meetings.models import Appointment, Attendance, Board, Person, Role
from scrutiny.groups import APPROVER
from tests.admin_pages import page_data, split_datetimes
from tests.factories import AppointmentFactory, BoardFactory, PersonFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _save(client, url, **changes):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {**page_data(page), **changes})


def test_appointment_changes_are_recorded_with_who(client, administrator):
    appointment = AppointmentFactory()
    client.force_login(administrator)
    url = reverse("admin:meetings_appointment_change", args=[appointment.pk])
    assert _save(client, url, kind="acting").status_code == 302
    latest = appointment.history.order_by("-history_date").first()
    assert latest.kind == "acting"
    assert latest.history_user == administrator


def test_linking_a_person_to_an_account_is_recorded(client, administrator, member):
    person = PersonFactory()
    client.force_login(administrator)
    url = reverse("admin:meetings_person_change", args=[person.pk])
    assert _save(client, url, user=str(member.pk)).status_code == 302
    latest = person.history.order_by("-history_date").first()
    assert latest.user_id == member.pk
    assert latest.history_user == administrator


def test_board_settings_are_recorded(client, administrator):
    board = BoardFactory()
    client.force_login(administrator)
    url = reverse("admin:meetings_board_change", args=[board.pk])
    assert _save(client, url, public_exempt_titles="").status_code == 302
    latest = board.history.order_by("-history_date").first()
    assert latest.public_exempt_titles is False
    assert latest.history_user == administrator


def test_superuser_and_group_changes_are_recorded(admin_client, admin_user, clerk):
    url = reverse("admin:auth_user_change", args=[clerk.pk])
    page = admin_client.get(url)
    data = split_datetimes(page_data(page), "date_joined")
    approvers = Group.objects.get(name=APPROVER)
    data.update(is_superuser="on", groups=[*data["groups"], str(approvers.pk)])
    assert admin_client.post(url, data).status_code == 302
    records = clerk.history.order_by("-history_date")
    assert records.first().is_superuser
    assert records.first().history_user == admin_user
    assert approvers.pk in [g.group_id for g in records.first().groups.all()]


DOC = {
    "format": "scrutiny.meeting/1",
    "organisation": "Office of the Police and Crime Commissioner for Gwent",
    "board": {"name": "Strategy and Performance Board", "action_prefix": "SPB"},
    "meeting": {"date": "2016-05-10"},
    "roles": [{"abbrev": "HoSPC", "title": "Head of Strategy"}],
    "attendance": [{"name": "Mrs E Ackland", "role": "HoSPC", "status": "present"}],
    "items": [{"title": "Welcome"}],
}


@pytest.mark.parametrize("by", ["clerk", None])
def test_imports_record_their_operator(tmp_path, clerk, by):
    path = tmp_path / "meeting.json"
    path.write_text(json.dumps(DOC), encoding="utf-8")
    call_command("import_meeting", str(path), *(["--by", by] if by else []), stdout=StringIO())
    record = Attendance.history.get()
    if by:
        assert record.history_user == clerk
    else:
        assert record.history_user is None
        assert record.history_change_reason == f"command run by {getpass.getuser()}"


@pytest.mark.parametrize(
    ("model", "factory", "field", "value"),
    [
        (Person, PersonFactory, "name", "Mrs A Second"),
        (Role, RoleFactory, "title", "Second title"),
        (Board, BoardFactory, "name", "Second name"),
        (Appointment, AppointmentFactory, "kind", "acting"),
    ],
)
def test_a_second_editor_does_not_overwrite_the_first(
    client, administrator, model, factory, field, value
):
    record = factory()
    client.force_login(administrator)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    first = page_data(client.get(url))
    second = page_data(client.get(url))
    changed = {"name": "Mrs A First", "title": "First title", "kind": "temporary"}[
        "name" if field == "name" else field
    ]
    if model is Board:
        changed = "First name"
    assert client.post(url, {**first, field: changed}).status_code == 302
    response = client.post(url, {**second, field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved changes" in page
    assert value in page
    record.refresh_from_db()
    assert getattr(record, field) == changed
