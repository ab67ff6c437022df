"""The Welsh twins of what a visitor reads of a body and a board: the body's footer,
accessibility statement and logo text, the board's introduction and its own words for question
and response, a restricted response's public reason, the questions record's introduction and the
next meeting's note. Shown on Welsh pages and in Welsh documents (the English, marked as
English, where no twin exists), entered in the admin and the editor, carried by format 1.1."""

import datetime
import json
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions.services import action_create, action_review_record
from meetings.models import Board, Meeting, Organisation, Question
from minutes.documents import render_minutes_pdf, render_questions_pdf
from minutes.welsh import untranslated
from tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    RoleFactory,
)
from tests.i18n.test_bilingual import BILINGUAL

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


@pytest.fixture
def body():
    return OrganisationFactory(
        name="Dyfed-Powys OPCC",
        name_cy="Comisiynydd Heddlu a Throseddu Dyfed-Powys",
        slug="dyfed-powys",
        welsh=True,
        logo=PNG,
        logo_type="image/png",
        logo_alt="Dyfed-Powys Police and Crime Commissioner",
        logo_alt_cy="Comisiynydd Heddlu a Throseddu Dyfed-Powys (logo)",
        footer_text="The Commissioner's office, Llangunnor",
        footer_text_cy="Swyddfa'r Comisiynydd, Llangynnwr",
        accessibility_statement="We aim to meet WCAG 2.2 AA.",
        accessibility_statement_cy="Ein nod yw bodloni WCAG 2.2 AA.",
    )


@pytest.fixture
def board(body):
    """A board the public sees (it has announced a meeting)."""
    board = BoardFactory(
        body=body,
        name="Policing Performance Board",
        name_cy="Bwrdd Perfformiad Plismona",
        slug="ppb",
        introduction="Holds the Chief Constable to account.",
        introduction_cy="Yn dwyn y Prif Gwnstabl i gyfrif.",
        question_label="Findings",
        question_label_cy="Canfyddiadau",
        response_label="Update",
        response_label_cy="Diweddariad",
    )
    MeetingFactory(board=board, announced_at=timezone.now(), title="")
    return board


def test_welsh_pages_show_the_bodys_and_boards_welsh_texts(client, board):
    response = client.get("/cy/boards/ppb/")
    welsh = response.content.decode()
    assert response.status_code == 200, welsh[-3000:]
    assert "Yn dwyn y Prif Gwnstabl i gyfrif." in welsh
    assert "Swyddfa&#x27;r Comisiynydd, Llangynnwr" in welsh
    assert 'alt="Comisiynydd Heddlu a Throseddu Dyfed-Powys (logo)"' in welsh
    for english in ("Holds the Chief", "Llangunnor", "Dyfed-Powys Police and Crime"):
        assert english not in welsh
    assert ' lang="en"' not in welsh.split("<main", 1)[1]  # no English island left

    english = client.get("/en/boards/ppb/").content.decode()
    assert "Holds the Chief Constable to account." in english
    assert "The Commissioner&#x27;s office, Llangunnor" in english
    assert 'alt="Dyfed-Powys Police and Crime Commissioner"' in english
    assert "Yn dwyn" not in english

    statement = client.get("/cy/dyfed-powys/accessibility/").content.decode()
    assert "Ein nod yw bodloni WCAG 2.2 AA." in statement
    assert "We aim to meet" not in statement
    home = client.get("/cy/dyfed-powys/").content.decode()
    assert "Yn dwyn y Prif Gwnstabl i gyfrif." in home


def test_the_forthcoming_meetings_are_listed_in_welsh(client, board):
    soon = timezone.localdate() + datetime.timedelta(days=10)
    MeetingFactory(
        board=board, held_on=soon, announced_at=timezone.now(), title="Budget", title_cy="Cyllideb"
    )
    MeetingFactory(
        board=board,
        held_on=soon + datetime.timedelta(days=1),
        announced_at=timezone.now(),
        title="Estates",
    )
    for path in ("/cy/", "/cy/dyfed-powys/", "/cy/boards/ppb/"):
        listing = client.get(path).content.decode()
        listing = listing.split('id="forthcoming-heading"', 1)[1].split("</section>", 1)[0]
        assert "Cyllideb" in listing, path
        assert "Budget" not in listing, path
        assert '<span lang="en">Estates</span>' in listing, path
        if path != "/cy/boards/ppb/":
            assert "Bwrdd Perfformiad Plismona" in listing, path
            assert "Policing Performance Board" not in listing, path


def test_a_text_without_its_welsh_is_english_marked_as_english(client, body, board):
    Organisation.objects.filter(pk=body.pk).update(
        footer_text_cy="", accessibility_statement_cy="", logo_alt_cy=""
    )
    Board.objects.filter(pk=board.pk).update(introduction_cy="")
    welsh = client.get("/cy/boards/ppb/").content.decode()
    assert '<p class="lead"><span lang="en">Holds the Chief Constable to account.</span>' in welsh
    assert '<span lang="en">The Commissioner&#x27;s office, Llangunnor</span>' in welsh
    assert 'alt="Dyfed-Powys Police and Crime Commissioner" lang="en"' in welsh
    statement = client.get("/cy/dyfed-powys/accessibility/").content.decode()
    assert '<div lang="en"><p>We aim to meet WCAG 2.2 AA.</p></div>' in statement


@pytest.fixture
def meeting(board):
    meeting = MeetingFactory(
        board=board,
        questions_intro="Questions not reached were answered in writing.",
        questions_intro_cy="Atebwyd yn ysgrifenedig y cwestiynau na chyrhaeddwyd.",
        next_meeting_note="Subject to confirmation.",
        next_meeting_note_cy="Yn amodol ar gadarnhad.",
    )
    meeting.next_meeting_on = meeting.held_on.replace(year=meeting.held_on.year + 1)
    meeting.save()
    item = AgendaItemFactory(meeting=meeting, number="1", title="Custody", title_cy="Y ddalfa")
    Question.objects.create(
        item=item,
        number="1",
        question="How many detainees?",
        question_cy="Faint o garcharorion?",
        response="Details held back.",
        response_cy="Manylion wedi'u dal yn ôl.",
        restricted=True,
        restricted_reason="Details have been provided to the OPCC.",
        restricted_reason_cy="Rhoddwyd y manylion i Swyddfa'r Comisiynydd.",
    )
    return meeting


@pytest.mark.real_pdf
def test_welsh_documents_print_the_boards_and_meetings_welsh_texts(meeting):
    questions = pdf_text(render_questions_pdf(meeting, public=True, language="cy"))
    for welsh in [
        "Canfyddiadau",
        "Atebwyd yn ysgrifenedig y cwestiynau na chyrhaeddwyd.",
        "Rhoddwyd y manylion i Swyddfa'r Comisiynydd.",
    ]:
        assert welsh in questions, welsh
    for english in ["Findings", "Questions not reached", "Details have been provided"]:
        assert english not in questions
    assert "Manylion wedi" not in questions  # restricted: never the response itself

    minutes = pdf_text(render_minutes_pdf(meeting, public=True, language="cy"))
    assert "Yn amodol ar gadarnhad." in minutes
    assert "Canfyddiadau" in minutes
    assert "Diweddariad" in minutes
    assert "Subject to confirmation" not in minutes
    english = pdf_text(render_minutes_pdf(meeting, public=True))
    assert "Subject to confirmation." in english
    assert "Findings" in english


def test_the_clerk_sees_the_new_twins_missing(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(next_meeting_note_cy="", questions_intro_cy="")
    Question.objects.update(restricted_reason_cy="")
    meeting.refresh_from_db()
    missing = untranslated(meeting)
    assert "Meeting: next meeting note" in missing
    assert "Meeting: introduction to the questions record" in missing
    assert "Item 1, question 1: public reason for the restriction" in missing


def test_progress_on_earlier_actions_is_printed_in_welsh_and_checked_before_publication(
    board, clerk
):
    earlier = MeetingFactory(board=board, held_on=datetime.date(2020, 1, 1))
    meeting = MeetingFactory(board=board, held_on=datetime.date(2020, 2, 1))
    AgendaItemFactory(meeting=meeting, title="Welcome", title_cy="Croeso", minutes="")
    action = action_create(
        board=board,
        text="Report on hate crime",
        text_cy="Adrodd ar droseddau casineb",
        owners=[RoleFactory(body=board.body, abbrev="DoF")],
        raised_at=earlier,
        by=clerk,
    )
    review = action_review_record(by=clerk, action=action, meeting=meeting, text="Under way.")
    assert f"{action.ref}, progress: text" in untranslated(meeting, public=True)

    review.text_cy = "Ar y gweill."
    review.save()
    assert untranslated(meeting, public=True) == []
    welsh = pdf_text(render_minutes_pdf(meeting, public=False, language="cy"))
    assert "Ar y gweill." in welsh
    assert "Under way." not in welsh
    assert "Adrodd ar droseddau casineb" in welsh


def test_the_editor_takes_the_next_meetings_note_in_welsh(client, clerk, meeting):
    client.force_login(clerk)
    page = client.get(reverse("editor:meeting-edit", kwargs={"pk": meeting.pk})).content.decode()
    assert 'name="next-next_meeting_note_cy"' in page
    response = client.post(
        reverse("editor:next", kwargs={"pk": meeting.pk}),
        {
            "next-next_meeting_on": meeting.next_meeting_on.isoformat(),
            "next-next_meeting_start": "",
            "next-next_meeting_venue": "",
            "next-next_meeting_note": "Subject to confirmation.",
            "next-next_meeting_note_cy": "Dros dro.",
            "next-lock_version": meeting.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.next_meeting_note_cy == "Dros dro."


def test_the_admin_edits_the_bodys_welsh_texts(client, admin_user, body):
    client.force_login(admin_user)
    url = reverse("admin:meetings_organisation_change", args=[body.pk])
    page = client.get(url).content.decode()
    for name in ("footer_text_cy", "accessibility_statement_cy", "logo_alt_cy", "name_cy"):
        assert f'name="{name}"' in page, name
    board_page = client.get(reverse("admin:meetings_board_add")).content.decode()
    for name in ("introduction_cy", "question_label_cy", "response_label_cy"):
        assert f'name="{name}"' in board_page, name


def test_the_new_twins_round_trip_through_format_1_1(tmp_path):
    document = json.loads(BILINGUAL.read_text(encoding="utf-8"))
    document["board"] |= {
        "question_label": "Findings",
        "question_label_cy": "Canfyddiadau",
        "response_label": "Update",
        "response_label_cy": "Diweddariad",
    }
    document["meeting"] |= {
        "questions_intro": "Answered in writing.",
        "questions_intro_cy": "Atebwyd yn ysgrifenedig.",
        "next_meeting": {"date": "2014-04-10", "note": "Provisional.", "note_cy": "Dros dro."},
    }
    document["items"][3]["items"][0]["questions"] = [
        {
            "question": "How many?",
            "question_cy": "Faint?",
            "response": "Withheld.",
            "response_cy": "Wedi'i atal.",
            "restricted": True,
            "restricted_reason": "Restricted under the DPA.",
            "restricted_reason_cy": "Cyfyngedig dan y Ddeddf Diogelu Data.",
        }
    ]
    path = tmp_path / "meeting.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    call_command("import_meeting", str(path), stdout=StringIO())
    meeting = Meeting.objects.select_related("board").get()
    assert meeting.board.question_label_cy == "Canfyddiadau"
    assert meeting.next_meeting_note_cy == "Dros dro."
    assert Question.objects.get().restricted_reason_cy.startswith("Cyfyngedig")

    out = StringIO()
    call_command("export_meeting", "PPB", "2014-03-13", stdout=out)
    exported = json.loads(out.getvalue())
    assert exported["format"] == "scrutiny.meeting/1.1"
    assert exported["board"]["question_label_cy"] == "Canfyddiadau"
    assert exported["board"]["response_label_cy"] == "Diweddariad"
    assert exported["meeting"]["questions_intro_cy"] == "Atebwyd yn ysgrifenedig."
    assert exported["meeting"]["next_meeting"]["note_cy"] == "Dros dro."
    question = exported["items"][3]["items"][0]["questions"][0]
    assert question["restricted_reason_cy"] == "Cyfyngedig dan y Ddeddf Diogelu Data."


def test_the_1_0_schema_refuses_the_new_twins():
    from minutes.interchange import InterchangeError
    from minutes.interchange.importer import validate_document

    document = {
        "format": "scrutiny.meeting/1",
        "organisation": "Gwent OPCC",
        "board": {"name": "Strategy Board", "action_prefix": "SPB"},
        "meeting": {"date": "2014-03-13", "questions_intro_cy": "Cyflwyniad"},
        "roles": [],
        "attendance": [],
        "items": [],
    }
    with pytest.raises(InterchangeError) as refused:
        validate_document(document)
    assert "questions_intro_cy" in str(refused.value)
    validate_document(document | {"format": "scrutiny.meeting/1.1"})
