"""Before the meeting: announcing it, the calendar feeds, the agenda and papers, the agenda pack,
the Atom feeds of what is published, and each body's own site and identity."""

import datetime
import io
import subprocess
from io import StringIO
from xml.etree import ElementTree

import icalendar
import pikepdf
import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from meetings.admin import OrganisationForm
from meetings.models import AgendaPublication, Meeting, Organisation, Paper
from meetings.services import (
    AnnouncementError,
    meeting_announce,
    meeting_cancel,
    meeting_item_save,
    meeting_update,
    paper_save,
)
from minutes.admin import PaperForm
from minutes.services import (
    PaperError,
    PublicationError,
    agenda_publish,
    agenda_withdraw,
    meeting_approve,
    meeting_publish,
    paper_attach_pdf,
)
from tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    pdf_with_text,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 2, 1)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 2, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def body():
    return OrganisationFactory(
        name="Office of the Police and Crime Commissioner for Gwent",
        slug="gwent",
        display_name="Gwent OPCC",
        contact_email="commissioner@gwent.example",
        footer_text="Police and Crime Commissioner for Gwent, Llanfrechfa Grange",
        privacy_notice_url="https://gwent.example/privacy",
        accessibility_statement="We aim for WCAG 2.2 AA.\n\nReport a problem by email.",
    )


@pytest.fixture
def board(body):
    return BoardFactory(
        body=body,
        name="Strategy and Performance Board",
        slug="spb",
        action_prefix="SPB",
        introduction="The Commissioner holds the Chief Constable to account at this board.",
        default_length=90,
    )


def announce(board, clerk, **changes):
    fields = {
        "board": board,
        "held_on": datetime.date(2027, 2, 28),
        "start_time": datetime.time(10, 0),
        "venue": "Conference Room 1, Police Headquarters",
        "is_public": True,
        "by": clerk,
    } | changes
    return meeting_announce(**fields)


def parsed_calendar(client, url) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def events_of(calendar: icalendar.Calendar) -> list:
    return list(calendar.walk("VEVENT"))


# --- Announcing ----------------------------------------------------------------------------


def test_an_announced_meeting_is_listed_and_in_the_calendar_at_once(client, board, clerk, settings):
    settings.SITE_URL = "https://scrutiny.example"
    meeting = announce(board, clerk)

    for url in ("/en/", "/en/gwent/", "/en/boards/spb/"):
        page = client.get(url).content.decode()
        assert "Forthcoming meetings" in page
        assert "Sunday 28 February 2027, 10:00" in page
        assert "Conference Room 1, Police Headquarters" in page
        assert "Open to the public" in page
        assert meeting.get_absolute_url() in page

    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "The agenda has not been published yet." in page
    for url in ("/meetings.ics", "/boards/spb/meetings.ics", "/gwent/meetings.ics"):
        (event,) = events_of(parsed_calendar(client, url))
        assert event["UID"] == f"meeting-{meeting.pk}@scrutiny.example"


def test_announcing_never_reopens_or_republishes_minutes(board, clerk, approver):
    last = MeetingFactory(board=board, held_on=datetime.date(2027, 1, 10))
    AgendaItemFactory(meeting=last, title="Budget")
    meeting_publish(meeting=last, by=None, check_permission=False)

    announce(board, clerk)

    last.refresh_from_db()
    assert last.status == Meeting.Status.PUBLISHED
    assert list(last.publications.values_list("version", flat=True)) == [1]


def test_a_second_meeting_on_the_same_day_is_refused_with_the_reason(board, clerk):
    announce(board, clerk)
    with pytest.raises(AnnouncementError, match="already has a meeting on that date"):
        announce(board, clerk)
    with pytest.raises(AnnouncementError, match="cannot end before it starts"):
        announce(board, clerk, title="Extra", end_time=datetime.time(9, 0))
    assert Meeting.objects.count() == 1


def test_the_calendar_parses_back_with_timezone_end_uid_and_sequence(client, board, clerk):
    meeting = announce(board, clerk)
    announce(board, clerk, title="Extra", end_time=datetime.time(15, 30), start_time=None)

    calendar = parsed_calendar(client, "/boards/spb/meetings.ics")
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/London"
    first, second = events_of(calendar)
    start, end = first.decoded("DTSTART"), first.decoded("DTEND")
    assert str(start.tzinfo) == "Europe/London"
    assert first["DTSTART"].params["TZID"] == "Europe/London"
    assert (start.hour, start.minute) == (10, 0)
    assert end - start == datetime.timedelta(minutes=90)  # the board's default length
    assert first["SEQUENCE"] == 0
    assert first["STATUS"] == "CONFIRMED"
    assert first["LOCATION"] == "Conference Room 1, Police Headquarters"
    assert second.decoded("DTSTART") == datetime.date(2027, 2, 28)  # no start: all day
    uid = first["UID"]

    meeting.venue = "Room 2"
    meeting_update(meeting=meeting, by=clerk)  # whoever changes it: editor, admin, importer
    (first, _second) = events_of(parsed_calendar(client, "/boards/spb/meetings.ics"))
    assert (first["UID"], first["SEQUENCE"], first["LOCATION"]) == (uid, 1, "Room 2")

    meeting_cancel(meeting=meeting)
    (first, _second) = events_of(parsed_calendar(client, "/boards/spb/meetings.ics"))
    assert (first["UID"], first["SEQUENCE"], first["STATUS"]) == (uid, 2, "CANCELLED")
    page = client.get("/en/boards/spb/").content.decode()
    assert "Cancelled" in page


def test_a_next_meeting_date_replaced_by_a_correction_leaves_the_calendar(client, board, clerk):
    meeting = MeetingFactory(
        board=board, held_on=datetime.date(2027, 1, 10), next_meeting_on=datetime.date(2027, 3, 5)
    )
    AgendaItemFactory(meeting=meeting)
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    meeting.refresh_from_db()
    meeting.next_meeting_on = datetime.date(2027, 3, 12)
    meeting_update(meeting=meeting, by=clerk)
    meeting.refresh_from_db()
    meeting_publish(meeting=meeting, by=None, check_permission=False, note="Date corrected")
    calendar = parsed_calendar(client, reverse("minutes:board-calendar", args=[board.slug]))
    assert [str(event.decoded("dtstart"))[:10] for event in events_of(calendar)] == ["2027-03-12"]


def test_a_change_the_calendar_does_not_show_keeps_the_sequence(board, clerk):
    meeting = announce(board, clerk)
    meeting.chair_note, meeting.minute_taker = "Chaired by the DPCC.", "Mrs N Warren"
    meeting_update(meeting=meeting, by=clerk)
    meeting.refresh_from_db()
    assert meeting.calendar_sequence == 0


def test_the_admin_announces_and_keeps_what_was_typed_when_refused(client, board, clerk):
    client.force_login(clerk)
    url = reverse("admin:meetings_meeting_announce")
    assert client.get(url).status_code == 200
    refused = client.post(
        url, {"board": board.pk, "held_on": "31/02/2027", "venue": "Typed venue XYZ"}
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Enter a valid date" in page
    assert "Typed venue XYZ" in page
    assert not Meeting.objects.exists()

    done = client.post(
        url,
        {
            "board": board.pk,
            "held_on": "28/02/2027",
            "start_time": "10:00",
            "venue": "HQ",
            "is_public": "on",
        },
    )
    meeting = Meeting.objects.get()
    assert done.status_code == 302
    assert meeting.announced_at is not None
    assert meeting.is_public
    # A later edit of the time through the meeting's page is a new calendar revision.
    change = client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    assert "Cancel the meeting" in change.content.decode()


# --- Papers --------------------------------------------------------------------------------


def test_a_paper_is_checked_by_its_content_not_its_name(board, clerk, settings, monkeypatch):
    item = AgendaItemFactory(meeting=announce(board, clerk), title="Finance")
    paper = Paper.objects.create(item=item, title="Outturn report")
    with pytest.raises(PaperError, match="not a PDF"):
        paper_attach_pdf(paper=paper, data=b"<html>not a pdf</html>", by=clerk)
    with pytest.raises(PaperError, match="could not be read"):
        paper_attach_pdf(paper=paper, data=b"%PDF-1.7\nbroken", by=clerk)
    monkeypatch.setattr("minutes.services.PAPER_MAX_BYTES", 100)
    with pytest.raises(PaperError, match="at most 100"):
        paper_attach_pdf(paper=paper, data=pdf_with_text("Outturn"), by=clerk)
    monkeypatch.undo()
    paper.refresh_from_db()
    assert paper.file is None

    stored = paper_attach_pdf(paper=paper, data=pdf_with_text("Outturn", pages=3), by=clerk)
    assert (stored.pages, stored.size > 0) == (3, True)


@pytest.mark.real_pdf
def test_the_paper_form_refuses_a_renamed_file(board, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = PaperForm(
        data={"position": 0, "title": "Report", "author": "", "exempt": ""},
        files={"upload": SimpleUploadedFile("report.pdf", b"MZ\x90\x00 an executable")},
    )
    assert not form.is_valid()
    assert "not a PDF" in str(form.errors["upload"])
    named_oddly = SimpleUploadedFile("report.txt", pdf_with_text("Fine"))
    form = PaperForm(data={"position": 0, "title": "Report"}, files={"upload": named_oddly})
    assert form.is_valid(), form.errors


# --- Agenda and papers ---------------------------------------------------------------------


@pytest.fixture
def agenda_meeting(board, clerk):
    meeting = announce(board, clerk)
    AgendaItemFactory(meeting=meeting, position=1, number="1", title="Apologies", minutes="")
    finance = AgendaItemFactory(
        meeting=meeting, position=2, number="2", title="Finance Outturn", minutes=""
    )
    private = AgendaItemFactory(
        meeting=meeting,
        position=3,
        number="3",
        title="Estates disposal",
        minutes="",
        exempt=True,
        exempt_reason="Commercially sensitive (Schedule 12A, paragraph 3)",
    )
    outturn = Paper.objects.create(item=finance, title="Outturn report 2019/20", author="CFO")
    paper_attach_pdf(paper=outturn, data=pdf_with_text("Outturn text", pages=2), by=clerk)
    appendix = Paper.objects.create(item=finance, title="Secret appendix", exempt=True)
    paper_attach_pdf(paper=appendix, data=pdf_with_text("Appendix text"), by=clerk)
    estates = Paper.objects.create(item=private, title="Estates valuation")
    paper_attach_pdf(paper=estates, data=pdf_with_text("Valuation text"), by=clerk)
    return meeting


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.real_pdf
def test_the_agenda_and_its_papers_are_published_before_the_meeting(
    client, agenda_meeting, approver
):
    agenda = agenda_publish(meeting=agenda_meeting, by=approver)

    page = client.get(agenda_meeting.get_absolute_url()).content.decode()
    assert "Agenda and papers" in page
    assert "Finance Outturn" in page
    assert "Apologies" in page
    # The board allows the titles of exempt items: the title, with the reason.
    assert "Estates disposal" in page
    assert "Commercially sensitive (Schedule 12A, paragraph 3)" in page
    assert "Outturn report 2019/20" in page
    assert "PDF, " in page
    assert "2 pages" in page
    assert "Secret appendix" not in page
    assert "Estates valuation" not in page

    outturn = Paper.objects.get(title="Outturn report 2019/20")
    download = client.get(reverse("minutes:paper", args=[agenda_meeting.pk, outturn.file_id]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "Outturn text" in pdf_text(download.content)
    for title in ("Secret appendix", "Estates valuation"):
        file_id = Paper.objects.get(title=title).file_id
        url = reverse("minutes:paper", args=[agenda_meeting.pk, file_id])
        assert client.get(url).status_code == 404

    pack = client.get(reverse("minutes:agenda-pack", args=[agenda_meeting.pk, 1]))
    assert pack.status_code == 200
    text = pdf_text(pack.content)
    assert "Finance Outturn" in text
    assert "Outturn text" in text
    assert "Appendix text" not in text
    assert "Valuation text" not in text
    agenda.refresh_from_db()
    assert len(PdfReader(io.BytesIO(pack.content)).pages) == agenda.pack_pages
    assert agenda.pack_pages >= 3  # the agenda, then the two-page report
    with pikepdf.open(io.BytesIO(pack.content)) as document:
        assert "/StructTreeRoot" in document.Root  # the agenda's tags are kept
        with document.open_outline() as outline:
            bookmarks = [entry.title for entry in outline.root]
    assert bookmarks == ["Strategy and Performance Board", "Outturn report 2019/20"]
    page = client.get(agenda_meeting.get_absolute_url()).content.decode()
    assert "Agenda pack (PDF, " in page
    assert f"{agenda.pack_pages} pages)" in page


@pytest.mark.real_pdf
def test_an_exempt_item_is_only_exempt_item_where_the_board_withholds_titles(
    client, agenda_meeting, approver
):
    agenda_meeting.board.public_exempt_titles = False
    agenda_meeting.board.save()
    agenda_publish(meeting=agenda_meeting, by=approver)
    page = client.get(agenda_meeting.get_absolute_url()).content.decode()
    assert "Estates disposal" not in page
    assert "Exempt item" in page
    pack = client.get(reverse("minutes:agenda-pack", args=[agenda_meeting.pk, 1]))
    assert "Estates disposal" not in pdf_text(pack.content)


def test_publishing_the_agenda_never_touches_the_minutes(agenda_meeting, approver, clerk):
    agenda_publish(meeting=agenda_meeting, by=approver)
    agenda_meeting.refresh_from_db()
    assert agenda_meeting.status == Meeting.Status.DRAFT
    assert not agenda_meeting.publications.exists()
    with pytest.raises(PublicationError, match="Only an approver"):
        agenda_publish(meeting=agenda_meeting, by=clerk)


def test_the_minutes_start_from_the_agenda(client, agenda_meeting, approver, clerk):
    """The agenda's items are the skeleton the clerk writes the minutes into."""
    agenda_publish(meeting=agenda_meeting, by=approver)
    finance = agenda_meeting.items.get(number="2")
    finance.minutes = "The outturn was noted."
    finance.title = "Finance Outturn (as minuted)"
    finance.save()
    # The published agenda stays as published until it is published again.
    page = client.get(agenda_meeting.get_absolute_url()).content.decode()
    assert "as minuted" not in page
    assert "The outturn was noted." not in page

    meeting_approve(meeting=agenda_meeting, by=approver)
    meeting_publish(meeting=agenda_meeting, by=approver)
    page = client.get(agenda_meeting.get_absolute_url()).content.decode()
    assert "The outturn was noted." in page
    assert "Finance Outturn (as minuted)" in page
    assert "Agenda and papers" in page  # the papers stay available beside the minutes


def test_a_paper_made_exempt_after_publication_is_no_longer_served(
    client, agenda_meeting, approver
):
    agenda_publish(meeting=agenda_meeting, by=approver)
    outturn = Paper.objects.get(title="Outturn report 2019/20")
    url = reverse("minutes:paper", args=[agenda_meeting.pk, outturn.file_id])
    assert client.get(url).status_code == 200
    outturn.exempt = True
    outturn.save()
    assert client.get(url).status_code == 404


@pytest.mark.real_pdf
@pytest.mark.parametrize("made_exempt", ["paper", "item"])
def test_a_paper_made_exempt_after_publication_leaves_the_agenda_pack(
    client, agenda_meeting, approver, clerk, made_exempt
):
    agenda_publish(meeting=agenda_meeting, by=approver)
    outturn = Paper.objects.get(title="Outturn report 2019/20")
    pack_url = reverse("minutes:agenda-pack", args=[agenda_meeting.pk, 1])
    assert "Outturn text" in pdf_text(client.get(pack_url).content)
    if made_exempt == "paper":
        outturn.exempt = True
        paper_save(paper=outturn, by=clerk)
    else:
        item = outturn.item
        item.exempt = True
        item.exempt_reason = "Commercially sensitive (Schedule 12A, paragraph 3)"
        meeting_item_save(item=item, by=clerk)
    # The worker has built the pack again (at once in the tests), without the paper.
    pack = client.get(pack_url)
    assert pack.status_code == 200
    assert "Finance Outturn" in pdf_text(pack.content)
    assert "Outturn text" not in pdf_text(pack.content)


def test_the_pack_holding_a_paper_made_exempt_stops_being_served_before_the_worker_runs(
    client, agenda_meeting, approver, clerk, settings
):
    agenda_publish(meeting=agenda_meeting, by=approver)
    pack_url = reverse("minutes:agenda-pack", args=[agenda_meeting.pk, 1])
    assert client.get(pack_url).status_code == 200
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    outturn = Paper.objects.get(title="Outturn report 2019/20")
    outturn.exempt = True
    paper_save(paper=outturn, by=clerk)
    assert client.get(pack_url).status_code == 404
    page = client.get(agenda_meeting.get_absolute_url()).content.decode()
    assert "being prepared" in page


def test_replacing_a_papers_pdf_keeps_the_file_the_live_agenda_published(
    client, agenda_meeting, approver, clerk
):
    agenda_publish(meeting=agenda_meeting, by=approver)
    outturn = Paper.objects.get(title="Outturn report 2019/20")
    published = outturn.file_id
    replacement = paper_attach_pdf(paper=outturn, data=pdf_with_text("Revised outturn"), by=clerk)
    page = client.get(agenda_meeting.get_absolute_url()).content.decode()
    assert reverse("minutes:paper", args=[agenda_meeting.pk, published]) in page
    download = client.get(reverse("minutes:paper", args=[agenda_meeting.pk, published]))
    assert download.status_code == 200
    # The new file is public once an agenda publishes it.
    new_url = reverse("minutes:paper", args=[agenda_meeting.pk, replacement.pk])
    assert client.get(new_url).status_code == 404
    agenda_publish(meeting=agenda_meeting, by=approver)
    assert client.get(new_url).status_code == 200


def test_a_withdrawn_agenda_takes_its_papers_and_pack_with_it(client, agenda_meeting, approver):
    agenda_publish(meeting=agenda_meeting, by=approver)
    outturn = Paper.objects.get(title="Outturn report 2019/20")
    agenda_withdraw(meeting=agenda_meeting, by=approver)
    assert (
        client.get(reverse("minutes:paper", args=[agenda_meeting.pk, outturn.file_id])).status_code
        == 404
    )
    assert (
        client.get(reverse("minutes:agenda-pack", args=[agenda_meeting.pk, 1])).status_code == 404
    )
    page = client.get(agenda_meeting.get_absolute_url()).content.decode()
    assert "Outturn report" not in page


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_the_agenda_pack_is_built_by_the_background_worker(agenda_meeting, approver, settings):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    agenda = agenda_publish(meeting=agenda_meeting, by=approver)
    agenda.refresh_from_db()
    assert agenda.pack_size is None  # queued, not built in the request
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", stdout=StringIO()
    )
    agenda.refresh_from_db()
    assert agenda.pack_size
    assert agenda.pack_pages >= 3


# --- Atom feeds ----------------------------------------------------------------------------


def feed_entries(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


def test_the_atom_feeds_list_minutes_corrections_and_agendas(client, board, clerk, approver):
    other_body = OrganisationFactory(name="Dyfed-Powys OPCC", slug="dyfed-powys")
    other = MeetingFactory(board=BoardFactory(body=other_body, name="Policing Board"))
    AgendaItemFactory(meeting=other)
    meeting_publish(meeting=other, by=None, check_permission=False)

    held = MeetingFactory(board=board, held_on=datetime.date(2027, 1, 10))
    AgendaItemFactory(meeting=held, title="Budget")
    meeting_publish(meeting=held, by=None, check_permission=False)
    meeting_publish(meeting=held, by=None, check_permission=False, note="Typo")
    coming = announce(board, clerk)
    AgendaItemFactory(meeting=coming, title="Outturn")
    agenda_publish(meeting=coming, by=approver)
    draft = MeetingFactory(board=board, held_on=datetime.date(2027, 1, 20))
    AgendaItemFactory(meeting=draft)

    for url in ("/gwent/feed.atom", "/boards/spb/feed.atom"):
        titles = feed_entries(client, url)
        assert len(titles) == 3
        assert any(t.startswith("Agenda published: Strategy and Performance Board") for t in titles)
        assert any(t.startswith("Correction (version 2)") for t in titles)
        assert any(t.startswith("Minutes published") for t in titles)
        assert not any("Policing Board" in t or "20 January" in t for t in titles)
    assert len(feed_entries(client, "/dyfed-powys/feed.atom")) == 1


# --- The body's own site -------------------------------------------------------------------


def test_a_control_character_pasted_from_word_does_not_break_the_feeds(client, board, approver):
    meeting = MeetingFactory(
        board=board, held_on=datetime.date(2027, 1, 10), title="Budget\x0bReview"
    )
    AgendaItemFactory(meeting=meeting, title="Item\x0cOne")
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    meeting_publish(meeting=meeting, by=None, check_permission=False, note="Page\x0cbreak")
    for url in (
        reverse("minutes:board-feed", args=[board.slug]),
        reverse("minutes:body-feed", args=[board.body.slug]),
    ):
        titles = feed_entries(client, url)
        assert any("Budget Review" in title for title in titles), titles


def test_a_body_has_its_own_home_page_and_never_shows_another_bodys_boards(client, board, clerk):
    announce(board, clerk)
    other_body = OrganisationFactory(name="Police and Crime Panel", slug="panel")
    panel = BoardFactory(
        body=other_body,
        name="Police and Crime Panel meetings",
        slug="pcp",
        introduction="The Panel scrutinises the Commissioner.",
    )
    announce(panel, clerk)
    BoardFactory(body=board.body, name="Silent Board", slug="silent")

    page = client.get("/en/gwent/").content.decode()
    assert "Gwent OPCC: meetings and minutes" in page
    assert "Strategy and Performance Board" in page
    assert "holds the Chief Constable to account" in page
    assert "Police and Crime Panel" not in page
    assert "Silent Board" not in page  # nothing published: not listed
    assert client.get("/en/boards/silent/").status_code == 404
    assert "Police and Crime Commissioner for Gwent, Llanfrechfa Grange" in page
    assert "https://gwent.example/privacy" in page
    assert "commissioner@gwent.example" in page

    panel_page = client.get("/en/panel/").content.decode()
    assert "The Panel scrutinises the Commissioner." in panel_page
    assert "Chief Constable" not in panel_page
    assert "Strategy and Performance Board" not in panel_page
    assert client.get("/en/no-such-body/").status_code == 404


def test_the_accessibility_statement_and_colours_are_the_bodys(client, body):
    page = client.get("/en/gwent/accessibility/").content.decode()
    assert "We aim for WCAG 2.2 AA." in page
    assert "Report a problem by email." in page
    css = client.get("/gwent/identity.css")
    assert css["Content-Type"].startswith("text/css")
    assert "#1d3557" in css.content.decode()
    # A colour written past the form's checks (seven characters fit the column) never injects CSS.
    Organisation.objects.filter(pk=body.pk).update(header_colour="};p{x:0")
    css = client.get("/gwent/identity.css").content.decode()
    assert "p{x:0" not in css
    assert "--body-header:#1d3557;" in css


def form_data(body, **changes) -> dict:
    data = {
        "name": body.name,
        "slug": body.slug,
        "display_name": body.display_name,
        "header_colour": "#1d3557",
        "header_text_colour": "#ffffff",
        "link_colour": "#1d4f91",
    }
    return data | changes


def test_colours_below_aa_contrast_are_refused_with_the_ratio(body):
    form = OrganisationForm(
        data=form_data(body, header_colour="#ffcc00", header_text_colour="#ffffff"),
        instance=body,
    )
    assert not form.is_valid()
    assert "contrast ratio of 1.51:1" in str(form.errors["header_text_colour"])
    form = OrganisationForm(data=form_data(body, link_colour="#7fa7ff"), instance=body)
    assert not form.is_valid()
    assert "WCAG AA needs at least 4.5:1" in str(form.errors["link_colour"])
    assert OrganisationForm(data=form_data(body), instance=body).is_valid()


def _png() -> bytes:
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(png, "PNG")
    return png.getvalue()


def _bomb() -> bytes:
    """A 57-byte PNG that claims to be 50,000 pixels square (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("logo", "alt", "field", "message"),
    [
        (b"<svg onload='alert(1)'></svg>", "Logo", "upload_logo", "not a PNG or JPEG"),
        (_bomb(), "Logo", "upload_logo", "not a PNG or JPEG"),
        (b"\x89PNG" + b"0" * 512 * 1024, "Logo", "upload_logo", "larger than 512 KB"),
        (_png(), "", "logo_alt", "Say what the logo shows"),
    ],
    ids=["svg", "bomb", "too-large", "no-text"],
)
def test_the_body_service_refuses_a_logo_that_is_no_image_or_has_no_text(
    body, logo, alt, field, message
):
    """Every caller that sets a body's logo goes through organisation_save, which checks it."""
    from meetings import reference
    from meetings.services import RecordError

    body.logo_alt = alt
    with pytest.raises(RecordError) as refused:
        reference.organisation_save(organisation=body, by=None, logo=logo)
    assert refused.value.field == field
    assert message in str(refused.value)
    body.refresh_from_db()
    assert not body.logo


def test_a_logo_is_uploaded_and_removed_on_the_bodys_admin_page(client, admin_user, body):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.admin_pages import page_data

    client.force_login(admin_user)
    url = reverse("admin:meetings_organisation_change", args=[body.pk])
    data = page_data(client.get(url))
    svg = SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'></svg>")
    refused = client.post(url, {**data, "upload_logo": svg, "logo_alt": "Gwent OPCC logo"})
    assert refused.status_code == 200
    assert "The file is not a PNG or JPEG image." in refused.content.decode()
    assert 'value="Gwent OPCC logo"' in refused.content.decode()  # what was typed is kept
    body.refresh_from_db()
    assert not body.logo

    png = _png()
    upload = SimpleUploadedFile("logo.png", png)
    refused = client.post(url, {**data, "upload_logo": upload})
    assert refused.status_code == 200
    assert "Say what the logo shows, for people who cannot see it." in refused.content.decode()
    upload.seek(0)
    saved = client.post(url, {**data, "upload_logo": upload, "logo_alt": "Gwent OPCC logo"})
    assert saved.status_code == 302
    body.refresh_from_db()
    assert body.logo_data_uri.startswith("data:image/png;base64,")
    page = client.get("/en/gwent/").content.decode()
    assert 'alt="Gwent OPCC logo"' in page
    logo = client.get("/gwent/logo")
    assert logo["Content-Type"] == "image/png"
    assert logo.content == png

    data = page_data(client.get(url))
    assert client.post(url, {**data, "remove_logo": "on"}).status_code == 302
    body.refresh_from_db()
    assert not body.logo


@pytest.mark.parametrize(
    "slug", ["admin", "search", "api", "secretariat", "i18n", "en", "cy", "boards", "meetings"]
)
def test_a_body_web_address_cannot_take_the_sites_own_paths(body, slug):
    form = OrganisationForm(data=form_data(body, slug=slug), instance=body)
    assert not form.is_valid()
    assert "used by the site itself" in str(form.errors["slug"])
    assert Organisation.objects.get(pk=body.pk).slug == "gwent"
    assert AgendaPublication.objects.count() == 0


# --- Interchange 1.1 -----------------------------------------------------------------------


def test_announcement_and_exempt_papers_round_trip_as_1_1(board, clerk):
    from minutes.interchange.exporter import export_meeting_document
    from minutes.interchange.importer import import_meeting_document

    meeting = announce(board, clerk, is_public=False)
    item = AgendaItemFactory(meeting=meeting, title="Estates")
    Paper.objects.create(item=item, title="Valuation", exempt=True)
    paper_attach_pdf(
        paper=Paper.objects.create(item=item, title="Plan"), data=pdf_with_text("x"), by=clerk
    )
    meeting = meeting_cancel(meeting=meeting)

    document = export_meeting_document(meeting)
    assert document["format"] == "scrutiny.meeting/1.1"
    assert document["meeting"]["public"] is False
    assert document["meeting"]["announced"] is True
    assert document["meeting"]["cancelled"] is True
    papers = document["items"][0]["papers"]
    assert papers == [{"title": "Valuation", "exempt": True}, {"title": "Plan"}]  # no file

    document["meeting"]["date"] = "2027-03-31"
    imported = import_meeting_document(document, source="test.json")
    assert imported.is_public is False
    assert imported.announced_at is not None
    assert imported.cancelled_at is not None
    assert list(Paper.objects.filter(item__meeting=imported).values_list("exempt", flat=True)) == [
        True,
        False,
    ]


def test_a_meeting_that_is_not_announced_still_exports_as_1_0(board):
    from minutes.interchange.exporter import export_meeting_document

    meeting = MeetingFactory(board=board)
    AgendaItemFactory(meeting=meeting)
    assert export_meeting_document(meeting)["format"] == "scrutiny.meeting/1"


def test_public_pages_and_feeds_take_the_same_queries_however_many_meetings(client, board, clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    urls = ["/en/", "/en/gwent/", "/en/boards/spb/", "/gwent/feed.atom", "/gwent/meetings.ics"]

    def add_meetings(start: int, count: int):
        for n in range(start, start + count):
            announce(board, clerk, held_on=datetime.date(2027, 3, 1) + datetime.timedelta(days=n))
            held = MeetingFactory(
                board=board, held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n)
            )
            AgendaItemFactory(meeting=held)
            meeting_publish(meeting=held, by=None, check_permission=False)

    def queries() -> dict[str, int]:
        counts = {}
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts[url] = len(captured)
        return counts

    add_meetings(0, 2)
    few = queries()
    add_meetings(2, 6)
    assert queries() == few
    assert max(few.values()) <= 12
