"""The layout keys of version 1.1 (board wording and Action column, the questions record's
introduction, a restricted response's public reason, the paragraph that raised an action)
import, print and export again; a meeting without them still exports as 1.0."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from meetings.models import Board, Meeting, Question
from minutes.interchange import FORMAT_1_0, FORMAT_1_1, InterchangeError
from minutes.interchange.importer import import_meeting_document
from tests.interchange import normalise

pytestmark = pytest.mark.django_db

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "gwent-spb-2019-11-26.json"
REASON = "Details have been provided to the OPCC; the document is restricted under the DPA."


def export(prefix: str, date: str) -> dict:
    out = StringIO()
    call_command("export_meeting", prefix, date, stdout=out)
    return json.loads(out.getvalue())


def first_action(items):
    for item in items:
        if item.get("actions"):
            return item["actions"][0]
        found = first_action(item.get("items", []))
        if found:
            return found
    return None


def with_layout(document: dict) -> dict:
    document = copy.deepcopy(document)
    document["format"] = FORMAT_1_1
    document["board"].update(question_label="Findings", response_label="Update", action_column=True)
    document["meeting"]["questions_intro"] = "Questions not reached were sent to the force."
    for item in document["items"]:
        for question in item.get("questions", []):
            if question.get("restricted"):
                question["restricted_reason"] = REASON
    action = first_action(document["items"])
    if action is None:
        document["roles"].append({"abbrev": "ACC", "title": "Assistant Chief Constable"})
        document["items"][0]["actions"] = [{"text": "Report back", "owners": ["ACC"]}]
        action = document["items"][0]["actions"][0]
    action["paragraph"] = 1
    return document


def test_the_layout_keys_round_trip():
    original = json.loads(SOURCE.read_text(encoding="utf-8"))
    assert any(q.get("restricted") for i in original["items"] for q in i.get("questions", []))
    document = with_layout(original)
    meeting = import_meeting_document(document)
    board = Board.objects.get(pk=meeting.board_id)
    assert (board.question_label, board.response_label, board.action_column) == (
        "Findings",
        "Update",
        True,
    )
    assert Meeting.objects.get(pk=meeting.pk).questions_intro.startswith("Questions not")
    assert Question.objects.filter(item__meeting=meeting, restricted_reason=REASON).exists()
    exported = export(document["board"]["action_prefix"], document["meeting"]["date"])
    assert exported["format"] == FORMAT_1_1
    assert normalise(exported) == normalise(document, numbered_like=exported)


def test_a_meeting_without_them_still_exports_as_1_0():
    original = json.loads(SOURCE.read_text(encoding="utf-8"))
    import_meeting_document(original)
    exported = export(original["board"]["action_prefix"], original["meeting"]["date"])
    assert exported["format"] == FORMAT_1_0


def test_a_1_0_file_with_a_layout_key_is_refused():
    document = json.loads(SOURCE.read_text(encoding="utf-8"))
    document["format"] = FORMAT_1_0
    document["meeting"]["questions_intro"] = "Not in 1.0"
    with pytest.raises(InterchangeError) as refused:
        import_meeting_document(document)
    assert "questions_intro" in str(refused.value)
    assert not Meeting.objects.exists()


def test_an_action_paragraph_must_be_a_positive_number():
    document = with_layout(json.loads(SOURCE.read_text(encoding="utf-8")))
    first_action(document["items"])["paragraph"] = 0
    with pytest.raises(InterchangeError) as refused:
        import_meeting_document(document)
    assert "paragraph" in str(refused.value)


def test_the_bodys_time_style_round_trips():
    """How the body writes times was a setting outside the file: an export imported elsewhere
    printed "13:00" for a body that writes "1.00pm"."""
    from minutes.documents import minutes_fragment

    document = json.loads(SOURCE.read_text(encoding="utf-8"))
    document["format"] = FORMAT_1_1
    document["time_style"] = "12h"
    document["meeting"]["start"] = "13:00"
    meeting = import_meeting_document(document)
    meeting = Meeting.objects.select_related("board__body").get(pk=meeting.pk)
    assert meeting.board.body.time_style == "12h"
    assert "1.00pm" in minutes_fragment(meeting, public=True)
    exported = export(document["board"]["action_prefix"], document["meeting"]["date"])
    assert exported["format"] == FORMAT_1_1
    assert exported["time_style"] == "12h"
    assert normalise(exported) == normalise(document, numbered_like=exported)


def test_the_24_hour_clock_is_the_default_and_is_not_written():
    original = json.loads(SOURCE.read_text(encoding="utf-8"))
    meeting = import_meeting_document(original)
    assert meeting.board.body.time_style == "24h"
    exported = export(original["board"]["action_prefix"], original["meeting"]["date"])
    assert "time_style" not in exported
    assert exported["format"] == FORMAT_1_0


def test_a_time_style_is_refused_in_a_1_0_file_and_must_be_known():
    document = json.loads(SOURCE.read_text(encoding="utf-8"))
    document["time_style"] = "12h"
    with pytest.raises(InterchangeError) as refused:
        import_meeting_document(document)
    assert "time_style" in str(refused.value)
    document["format"] = FORMAT_1_1
    document["time_style"] = "noon"
    with pytest.raises(InterchangeError) as refused:
        import_meeting_document(document)
    assert "time_style" in str(refused.value)
    assert not Meeting.objects.exists()
