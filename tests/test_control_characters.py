"""Text pasted from Word carries control characters (a manual line break is \\x0b, a page break
\\x0c; a broken paste \\x00 or \\x01). They never reach the record: wherever text enters it
(the editor, the admin, the importer, the force lead's progress form, a raw update), each
becomes a space; tab, line feed and carriage return are kept."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action
from actions.services import action_create
from meetings.models import AgendaItem, Meeting, Person, Role
from tests.admin_pages import page_data
from tests.factories import ActionFactory, ActionOwnerFactory, AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PASTED = "Police\x0bHQ\x0c Cwmbran\x01\x7f\x00\tend\r\nnext"
STORED = "Police HQ  Cwmbran   \tend\r\nnext"


def test_the_editor_stores_pasted_text_without_control_characters(client, clerk):
    meeting = MeetingFactory(venue="Room 1")
    client.force_login(clerk)
    data = {
        "details-held_on": meeting.held_on.isoformat(),
        "details-title": meeting.title,
        "details-start_time": "10:00",
        "details-end_time": "",
        "details-venue": "Police\x0bHQ\x0c Cwmbran\x01",
        "details-chair_role": "",
        "details-chair": "",
        "details-chair_note": meeting.chair_note,
        "details-minute_taker": meeting.minute_taker,
        "details-lock_version": meeting.version,
    }
    url = reverse("editor:details", kwargs={"pk": meeting.pk})
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.venue == "Police HQ  Cwmbran "


def test_the_admin_stores_pasted_text_without_control_characters(client, clerk):
    item = AgendaItemFactory()
    action = ActionFactory(
        board=item.meeting.board, raised_at_meeting=item.meeting, raised_at_item=item
    )
    ActionOwnerFactory(action=action)
    client.force_login(clerk)
    url = reverse("admin:actions_action_change", args=[action.pk])
    data = page_data(client.get(url))
    data["text"] = "Review\x0bcustody\x0c staffing\x02"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    action.refresh_from_db()
    assert action.text == "Review custody  staffing "


def test_the_importer_stores_text_without_control_characters(tmp_path):
    path = Path(settings.BASE_DIR) / "fixtures" / "dyfed-powys-ppb-2014-03-13.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["meeting"]["venue"] = "Police\x0bHQ\x0c"
    target = tmp_path / "meeting.json"
    target.write_text(json.dumps(doc), encoding="utf-8")
    call_command("import_meeting", str(target), stdout=StringIO())
    assert Meeting.objects.get().venue == "Police HQ "


def test_the_force_leads_progress_is_stored_without_control_characters(client, force_lead):
    post = Role.objects.get(abbrev="HoSPC")
    meeting = MeetingFactory(board__body=post.body)
    action = action_create(
        board=meeting.board, text="Review demand", owners=[post], raised_at=meeting, by=None
    )
    client.force_login(force_lead)
    response = client.post(
        reverse("actions:action-update-create", args=[action.pk]),
        {"text": "Evaluation\x0breceived\x0c from\x01Swansea", "version": action.version},
    )
    assert response.status_code == 302
    assert action.updates.get().text == "Evaluation received  from Swansea"
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Evaluation received  from Swansea" in page


def test_a_write_around_the_services_is_cleaned_too(db):
    """A raw update, a bulk insert: the database never holds a control character (PostgreSQL
    refuses a NUL outright)."""
    item = AgendaItemFactory()
    AgendaItem.objects.filter(pk=item.pk).update(minutes=PASTED)
    item.refresh_from_db()
    assert item.minutes == STORED
    (person,) = Person.objects.bulk_create([Person(body=item.meeting.board.body, name="Mr\x0bX")])
    assert person.name == "Mr X"
    assert Person.objects.get(pk=person.pk).name == "Mr X"
    action = ActionFactory(board=item.meeting.board, text="Done\x0c")
    assert action.text == "Done "
    assert Action.objects.get(pk=action.pk).text == "Done "
