"""Hostile text in every text field comes out as inert text on every page, export and PDF;
oversized text is refused with a clear message before it reaches the renderer."""

import csv
import io
import json
import subprocess
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from actions.models import Action, ActionUpdate
from actions.services import action_create
from meetings.models import Meeting, Paper
from minutes.services import meeting_publish
from scrutiny.pdf import RenderError, render_pdf
from tests.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    BoardFactory,
    MeetingFactory,
    PersonFactory,
    QuestionFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

SECRET_MARK = "django-insecure"  # part of the local SECRET_KEY: never on a page
HOSTILE = {
    "script": "<script>alert('x')</script>",
    "event": '<img src=x onerror="alert(1)">',
    "attribute": '" onmouseover="alert(1)" x="',
    "javascript": "javascript:alert(document.cookie)",
    "template": "{{ settings.SECRET_KEY }} {% debug %}",
    "file": '<link rel="stylesheet" href="file:///etc/passwd"> url(file:///etc/hostname)',
    "local": '<img src="http://127.0.0.1:9/probe.png">',
    "control": "bell\x07 escape\x1b[31m vertical\x0b tab",
    "rtl": "\u202egnp.exe\u202c right-to-left override",
    "formula": '=HYPERLINK("http://evil.example","click")',
}


def _publish(meeting):
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    return meeting


@pytest.fixture
def hostile_meeting():
    """A meeting with a hostile string in every text field a clerk or an import can fill."""
    board = BoardFactory(name=f"Board {HOSTILE['script']}", action_prefix="HB")
    role = RoleFactory(body=board.body, abbrev="R1", title=HOSTILE["event"])
    person = PersonFactory(body=board.body, name=HOSTILE["attribute"])
    meeting = MeetingFactory(
        board=board,
        title=HOSTILE["template"],
        venue=HOSTILE["local"],
        chair_note=HOSTILE["rtl"],
        minute_taker=HOSTILE["javascript"],
        next_meeting_venue=HOSTILE["file"],
    )
    AttendanceFactory(meeting=meeting, person=person, role=role, note=HOSTILE["control"])
    item = AgendaItemFactory(
        meeting=meeting,
        number=HOSTILE["script"][:40],
        title=HOSTILE["file"],
        minutes="\n\n".join(HOSTILE.values()),
    )
    Paper.objects.create(item=item, title=HOSTILE["event"], author=HOSTILE["template"])
    QuestionFactory(item=item, question=HOSTILE["local"], response=HOSTILE["script"])
    action = action_create(
        board=board,
        text=HOSTILE["formula"],
        owners=[role, person],
        raised_at=meeting,
        item=item,
        by=None,
    )
    ActionUpdate.objects.create(
        action=action, reported_on=meeting.held_on, text=HOSTILE["control"] + HOSTILE["formula"]
    )
    return _publish(meeting)


def assert_inert_html(content: str):
    assert "<script>alert" not in content
    assert "onerror=" not in content.replace("onerror=&quot;", "")
    assert '<img src="http://127.0.0.1' not in content
    assert '<link rel="stylesheet" href="file:' not in content
    assert SECRET_MARK not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
    assert "{{ settings.SECRET_KEY }}" in content


@pytest.mark.parametrize("viewer", ["public", "clerk"])
def test_pages_show_hostile_text_as_text(client, clerk, hostile_meeting, viewer):
    if viewer == "clerk":
        client.force_login(clerk)
    urls = [
        reverse("home"),
        reverse("minutes:board-detail", args=[hostile_meeting.board.slug]),
        reverse("minutes:board-actions", args=[hostile_meeting.board.slug]),
        reverse("minutes:meeting-detail", args=[hostile_meeting.pk]),
    ]
    if viewer == "clerk":
        action = Action.objects.get()
        urls += [
            reverse("actions:action-list"),
            reverse("actions:action-detail", args=[action.pk]),
            reverse("actions:meeting-action-review", args=[hostile_meeting.pk]),
            reverse("admin:meetings_meeting_change", args=[hostile_meeting.pk]),
        ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "<script>alert" not in content, url
        assert '<img src="http://127.0.0.1' not in content, url
        assert SECRET_MARK not in content, url
    detail = client.get(reverse("minutes:meeting-detail", args=[hostile_meeting.pk]))
    assert_inert_html(detail.content.decode())


def _pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.real_pdf
def test_pdf_shows_hostile_text_literally_and_fetches_nothing(hostile_meeting, monkeypatch):
    refused = []
    from scrutiny import pdf as pdf_module

    original = pdf_module.OwnFilesOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except ValueError:
            refused.append(url)
            raise

    monkeypatch.setattr(pdf_module.OwnFilesOnlyFetcher, "fetch", spy)
    from minutes.documents import render_minutes_pdf

    text = " ".join(_pdf_text(render_minutes_pdf(hostile_meeting, public=False)).split())
    assert "<script>alert('x')</script>" in text
    assert "{{ settings.SECRET_KEY }}" in text
    assert "file:///etc/passwd" in text
    assert SECRET_MARK not in text
    # Markup in user text is never parsed, so nothing was even asked for.
    assert refused == []


def test_the_fetcher_refuses_anything_but_our_files():
    from scrutiny.pdf import OwnFilesOnlyFetcher

    fetcher = OwnFilesOnlyFetcher()
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "data:text/css,body{}",
        "scrutiny-static:/../../scrutiny/settings.py",
    ):
        with pytest.raises(ValueError, match="Refused to fetch|No such document asset"):
            fetcher.fetch(url)
    assert fetcher.fetch("scrutiny-static:/document.css").read().startswith(b"/*")


def test_exports_keep_hostile_text_inert(client, clerk, hostile_meeting):
    client.force_login(clerk)
    csv_response = client.get(reverse("actions:action-export-csv"))
    body = csv_response.content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(body)))[1]
    assert row[2] == "'" + HOSTILE["formula"]  # Action
    # Latest progress: its control characters never reached the record (spaces instead).
    assert row[12].startswith("bell  escape [31m vertical  tab")
    xlsx = client.get(reverse("actions:action-export-xlsx"))
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))[1]
    assert values[2] == "'" + HOSTILE["formula"]


def test_calendar_escapes_a_hostile_venue(client, hostile_meeting):
    import datetime

    Meeting.objects.filter(pk=hostile_meeting.pk).update(next_meeting_on=datetime.date(2099, 1, 1))
    hostile_meeting.refresh_from_db()
    hostile_meeting.status = Meeting.Status.APPROVED
    meeting_publish(meeting=hostile_meeting, by=None, check_permission=False, note="Date set")
    body = client.get(reverse("minutes:calendar")).content.decode()
    assert "BEGIN:VEVENT" in body
    unfolded = body.replace("\r\n ", "")
    assert 'LOCATION;LANGUAGE=en:<link rel="stylesheet" href="file:///etc/passwd">' in unfolded
    assert "\nX-" not in unfolded.split("BEGIN:VEVENT")[1]


FIVE_MB = "x" * (5 * 1024 * 1024)


def test_a_five_megabyte_minute_is_refused_in_the_admin_and_kept(client, clerk):
    item = AgendaItemFactory()
    client.force_login(clerk)
    url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
    prefixes = [f.formset.prefix for f in client.get(url).context["inline_admin_formsets"]]
    data = {
        "lock_version": item.version,
        "meeting": item.meeting_id,
        "position": 0,
        "title": item.title,
        "minutes": FIVE_MB,
    }
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ensure this value has at most 200000 characters (it has 5242880)." in content
    item.refresh_from_db()
    assert len(item.minutes) < 1000


def test_a_five_megabyte_update_is_refused_on_the_action_page(client, force_lead):
    from meetings.models import Role

    role = Role.objects.get(abbrev="HoSPC")
    action = action_create(
        board=BoardFactory(body=role.body), text="Do it", owners=[role], raised_at=None, by=None
    )
    client.force_login(force_lead)
    response = client.post(
        reverse("actions:action-update-create", args=[action.pk]),
        {"text": FIVE_MB, "version": action.version},
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 50000 characters" in response.content.decode()
    assert not action.updates.exists()


def test_a_five_megabyte_import_is_refused_at_its_path(tmp_path):
    example = json.loads(
        (
            __import__("pathlib").Path(__file__).parent.parent
            / "fixtures"
            / "gwent-spb-2019-11-26.json"
        ).read_text()
    )
    example["items"][0]["questions"][0]["response"] = FIVE_MB
    path = tmp_path / "big.json"
    path.write_text(json.dumps(example))
    with pytest.raises(CommandError, match=r"items\[0\]\.questions\[0\]\.response: longer than"):
        call_command("import_meeting", str(path), stdout=StringIO())
    assert not Meeting.objects.exists()


@pytest.mark.real_pdf
def test_the_renderer_refuses_a_document_too_large_before_rendering():
    with pytest.raises(RenderError, match="too large"):
        render_pdf("<p>" + "x" * 9_000_000 + "</p>")


LONG_DOCUMENT = (
    '<html lang="en-GB"><title>T</title>'
    + "<p>"
    + "word " * 300
    + "</p>" * 1
    + ("<h2>Item</h2><p>" + "word " * 300 + "</p>") * 400
    + "</html>"
)


@pytest.mark.parametrize("in_a_thread", [False, True])
@pytest.mark.real_pdf
def test_a_render_that_takes_too_long_is_stopped_in_any_thread(in_a_thread):
    import threading

    raised = []

    def attempt():
        try:
            render_pdf(LONG_DOCUMENT, seconds=0.3)
        except RenderError as exc:
            raised.append(str(exc))

    if in_a_thread:  # as under runserver or a threaded web worker
        thread = threading.Thread(target=attempt)
        thread.start()
        thread.join()
    else:
        attempt()
    assert raised == ["Rendering took longer than 0.3 seconds and was stopped."]


@pytest.mark.real_pdf
def test_a_render_that_needs_too_much_memory_is_stopped():
    with pytest.raises(RenderError, match="within 150 MB|limit 150 MB|more than 150 MB"):
        render_pdf(LONG_DOCUMENT, memory_mb=150)
    # and the renderer goes on working afterwards
    assert render_pdf('<html lang="en-GB"><title>T</title><p>ok</p></html>').startswith(b"%PDF")
