"""The clerk marks an item as part of the questions and responses record (format 1.1's
`in_questions_record`): the record prints it with its minute as the note, whatever its length;
an unmarked item's minute stays out."""

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from meetings import services
from meetings.models import AgendaItem, Meeting
from minutes.documents import has_questions_document, questions_html
from minutes.interchange import InterchangeError
from minutes.interchange.exporter import export_meeting_document
from minutes.interchange.importer import import_meeting_document, validate_document
from tests.admin_pages import page_data
from tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db

QUESTIONS = Path(settings.BASE_DIR) / "fixtures" / "gwent-spb-2019-11-26.json"
LONG_NOTE = "No comments were raised. " + "The committee noted the report in full. " * 8
MINUTE = "The Chief Executive presented the plan. " * 8


def _document(*, marked: bool) -> dict:
    data = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    data["format"] = "scrutiny.meeting/1.1"
    data["meeting"]["status"] = "draft"
    data["items"].append({"title": "Police and Crime Plan refresh", "minutes": MINUTE})
    item = {"title": "Annual Governance Statement", "minutes": LONG_NOTE}
    if marked:
        item["in_questions_record"] = True
    data["items"].append(item)
    return data


def test_a_marked_item_is_printed_in_the_questions_record_and_round_trips():
    data = _document(marked=True)
    meeting = import_meeting_document(copy.deepcopy(data))
    html = questions_html(meeting, public=True)
    assert "Annual Governance Statement" in html
    assert "The committee noted the report in full." in html  # longer than a one-line note
    assert "Police and Crime Plan refresh" not in html
    assert "The Chief Executive presented the plan." not in html

    exported = export_meeting_document(meeting)
    assert exported["format"] == "scrutiny.meeting/1.1"
    marked = [item for item in exported["items"] if item.get("in_questions_record")]
    assert [item["title"] for item in marked] == ["Annual Governance Statement"]


def test_without_the_mark_the_long_minute_stays_out_and_the_export_is_1_0():
    meeting = import_meeting_document(_document(marked=False))
    html = questions_html(meeting, public=True)
    assert "Annual Governance Statement" not in html
    assert "The committee noted the report in full." not in html
    assert export_meeting_document(meeting)["format"] == "scrutiny.meeting/1"


def test_a_1_0_file_cannot_mark_an_item():
    data = _document(marked=True)
    data["format"] = "scrutiny.meeting/1"
    with pytest.raises(InterchangeError, match="in_questions_record"):
        validate_document(data)


def test_a_meeting_with_only_a_marked_item_has_a_questions_record():
    item = AgendaItemFactory(meeting=MeetingFactory(), minutes="No comments were raised.")
    assert not has_questions_document(item.meeting)
    item.in_questions_record = True
    services.meeting_item_save(item=item, by=None)
    assert has_questions_document(item.meeting)


def test_marking_an_item_is_a_change_to_approved_minutes(client, clerk):
    item = AgendaItemFactory(meeting=MeetingFactory(status=Meeting.Status.APPROVED))
    client.force_login(clerk)
    url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
    data = page_data(client.get(url)) | {"in_questions_record": "on"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert AgendaItem.objects.get(pk=item.pk).in_questions_record
    assert Meeting.objects.get(pk=item.meeting_id).status == Meeting.Status.DRAFT


SHORT_NOTE = "No comments were raised."


def test_an_unmarked_one_line_note_is_not_printed_whatever_its_siblings():
    """One rule for the record: items with questions or papers, and items marked. A short note
    beside an item with questions is printed only when marked."""
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, position=1, title="Questions")
    services.question_save(
        question=services.Question(
            item=meeting.items.get(), question="How many officers?", response="Forty."
        ),
        by=None,
    )
    AgendaItemFactory(meeting=meeting, position=2, title="Estates", minutes=SHORT_NOTE)
    html = questions_html(meeting, public=True)
    assert "How many officers?" in html
    assert "Estates" not in html
    assert SHORT_NOTE not in html


def test_a_1_0_file_gets_its_notes_marked_at_import_and_prints_and_exports_the_same():
    """A 1.0 file cannot mark an item: the importer marks, by the rule 1.0 records were printed
    by, an item without sub-items whose whole minute is one short paragraph beside an item with
    questions or papers; the export is 1.0 again and says the same."""
    data = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    assert data["format"] == "scrutiny.meeting/1"
    data["meeting"]["status"] = "draft"
    data["items"].append({"title": "Annual Governance Statement", "minutes": SHORT_NOTE})
    data["items"].append({"title": "Police and Crime Plan refresh", "minutes": MINUTE})
    meeting = import_meeting_document(copy.deepcopy(data))
    item = meeting.items.get(title="Annual Governance Statement")
    assert item.in_questions_record
    assert not meeting.items.get(title="Police and Crime Plan refresh").in_questions_record
    html = questions_html(meeting, public=True)
    assert "Annual Governance Statement" in html
    assert SHORT_NOTE in html
    assert "The Chief Executive presented the plan." not in html
    exported = export_meeting_document(meeting)
    assert exported["format"] == "scrutiny.meeting/1"
    assert not any("in_questions_record" in spec for spec in exported["items"])
