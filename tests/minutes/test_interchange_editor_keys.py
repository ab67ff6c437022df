"""Format 1.1 keys of the meeting editor: board members, due "by a meeting", the body as owner.
A 1.1 file with them imports and exports back to the same values; 1.0 files are untouched."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from actions.models import Action
from meetings.models import BoardMembership
from minutes.interchange import InterchangeError
from minutes.interchange.exporter import export_meeting_document
from minutes.interchange.importer import import_meeting_document, validate_document
from tests.interchange import normalise

pytestmark = pytest.mark.django_db

GWENT = Path(settings.BASE_DIR) / "fixtures" / "gwent-spb-2018-11-30.json"


@pytest.fixture(autouse=True)
def _fake_renderer(monkeypatch):
    monkeypatch.setattr("minutes.documents.render_pdf", lambda html, **limits: b"%PDF-fake")


def document_1_1() -> dict:
    data = json.loads(GWENT.read_text(encoding="utf-8"))
    data["format"] = "scrutiny.meeting/1.1"
    data["meeting"]["status"] = "draft"
    data["board"]["members"] = [
        {"name": "Ms E Thomas", "role": "DPCC", "from": "2016-05-12"},
        {"name": "Mrs S Curley", "role": "CEX", "from": "2016-05-12", "to": "2020-03-31"},
        {"name": "Mr N Newmember", "organisation": "Staff Associations"},
    ]
    item = next(item for item in data["items"] if item.get("actions"))
    item["actions"].append(
        {
            "text": "OPCC to schedule a visit",
            "owners": [],
            "owned_by_body": True,
            "due_by": "next_meeting",
        }
    )
    item["actions"].append(
        {
            "text": "Report at the meeting of March",
            "owners": ["CC"],
            "due_by": "meeting",
            "due": "2019-03-05",
        }
    )
    return data


def test_editor_keys_import_and_export_back_to_the_same_values():
    original = document_1_1()
    meeting = import_meeting_document(copy.deepcopy(original), source="test")
    members = BoardMembership.objects.filter(board=meeting.board).order_by("position")
    assert [(m.person.name, m.role.abbrev if m.role else None) for m in members] == [
        ("Ms E Thomas", "DPCC"),
        ("Mrs S Curley", "CEX"),
        ("Mr N Newmember", None),
    ]
    body_owned = Action.objects.get(text="OPCC to schedule a visit")
    assert body_owned.owned_by_body
    assert body_owned.due_kind == "next_meeting"
    assert "no named owner" in body_owned.owners_display()
    by_meeting = Action.objects.get(text="Report at the meeting of March")
    assert by_meeting.due_display() == "By the meeting of 5 March 2019"
    exported = export_meeting_document(meeting)
    assert exported["format"] == "scrutiny.meeting/1.1"
    validate_document(exported)
    assert normalise(exported) == normalise(original, numbered_like=exported)


def test_the_1_0_schema_refuses_the_new_keys_and_1_0_files_still_export_as_1_0():
    data = document_1_1()
    data["format"] = "scrutiny.meeting/1"
    with pytest.raises(InterchangeError):
        validate_document(data)
    call_command("import_meeting", str(GWENT), stdout=StringIO())
    out = StringIO()
    call_command("export_meeting", "SPB", "2018-11-30", stdout=out)
    assert json.loads(out.getvalue())["format"] == "scrutiny.meeting/1"


def test_an_unknown_post_of_a_member_is_refused_with_its_place():
    data = document_1_1()
    data["board"]["members"][0]["role"] = "NOPE"
    with pytest.raises(InterchangeError, match=r"board\.members\[0\]\.role"):
        import_meeting_document(data, source="test")
