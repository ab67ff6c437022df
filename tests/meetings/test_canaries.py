"""Canaries: a unique string planted in everything the public must never see (exempt items,
restricted responses, drafts, approved but unpublished minutes, an unpublished correction, a
withdrawn meeting), then looked for in every public PDF (its text, every object and stream, its
metadata), in an anonymous crawl of the whole public site, and at the addresses of what is not
published. The full record must print each one, so a canary that is never found proves nothing
until it has been seen where it belongs."""

import datetime
import re
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urldefrag, urljoin, urlsplit
from uuid import uuid4

import pikepdf
import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone, translation

from actions.models import Action
from meetings.models import Meeting, Paper, PublishedDocument
from meetings.services import meeting_start_correction
from minutes.documents import has_questions_document, render_minutes_pdf, render_questions_pdf
from minutes.services import (
    meeting_approve,
    meeting_publish,
    meeting_withdraw,
    preview_request,
)
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    ActionUpdateFactory,
    AgendaItemFactory,
    AttendanceFactory,
    BoardFactory,
    MeetingFactory,
    QuestionFactory,
)

# Only the tests that read the PDFs themselves render them with WeasyPrint; the crawls read
# the documents' text through the fake renderer (what each page and URL serves is their concern).
pytestmark = pytest.mark.django_db

NEVER_FOLLOWED = ("/admin/", "/accounts/")
MAX_PAGES = 500


# --- Planting ------------------------------------------------------------------------------


@dataclass
class Site:
    """The planted site: each canary with the meeting whose full record prints it."""

    canaries: dict[str, tuple[str, Meeting]] = field(default_factory=dict)
    live: list[Meeting] = field(default_factory=list)
    unpublished: dict[str, Meeting] = field(default_factory=dict)
    corrected: Meeting | None = None
    private_action: Action | None = None
    _numbers: int = 0

    def plant(self, label: str, meeting: Meeting) -> str:
        # No hyphen: a line may break after one, and the text would no longer match.
        value = f"CANARY{uuid4().hex[:12]}"
        self.canaries[label] = (value, meeting)
        return value

    def next_number(self) -> int:
        self._numbers += 1
        return self._numbers

    def action(self, meeting, item, text):
        action = ActionFactory(
            board=meeting.board,
            number=self.next_number(),
            text=text,
            raised_at_meeting=meeting,
            raised_at_item=item,
        )
        ActionOwnerFactory(action=action)
        return action

    def found_in(self, text: str) -> list[str]:
        """Labels of the canaries in a text, whatever its case and line breaks."""
        flat = "".join(text.split()).casefold()
        return [label for label, (value, _m) in self.canaries.items() if value.casefold() in flat]


def publish(meeting: Meeting) -> Meeting:
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    return meeting


def _published_with_exempt_items(site: Site, board) -> Meeting:
    soon = timezone.localdate() + datetime.timedelta(days=30)
    # A date of its own: the factory's sequence of dates would in time reach the board's others.
    meeting = MeetingFactory(
        board=board,
        held_on=datetime.date(2020, 2, 2),
        next_meeting_on=soon,
        next_meeting_venue="Police Headquarters",
    )
    AttendanceFactory(meeting=meeting, person__name="Mrs P Kelly")
    open_item = AgendaItemFactory(
        meeting=meeting, number="1", title="Budget Bid", minutes="The budget was discussed."
    )
    QuestionFactory(item=open_item, question="How many officers?", response="1,342 officers.")
    QuestionFactory(
        item=open_item,
        question="Explain the stop search ratio",
        response=site.plant("restricted response", meeting),
        restricted=True,
    )
    public_action = site.action(meeting, open_item, "Publish the budget")
    exempt = AgendaItemFactory(
        meeting=meeting,
        number="2",
        title="Exempt Report",  # the board publishes exempt titles
        minutes=site.plant("exempt item minutes", meeting),
        exempt=True,
        exempt_reason="Exempt under paragraph 7",
    )
    Paper.objects.create(item=exempt, title=site.plant("exempt item paper", meeting))
    QuestionFactory(
        item=exempt,
        question=site.plant("exempt item question", meeting),
        response=site.plant("exempt item response", meeting),
    )
    site.private_action = site.action(
        meeting, exempt, site.plant("action raised under an exempt item", meeting)
    )
    ActionUpdateFactory(
        action=public_action,
        meeting=meeting,
        item=exempt,
        reported_on=meeting.held_on,
        text=site.plant("progress reported under an exempt item", meeting),
    )
    sub = AgendaItemFactory(
        meeting=meeting,
        parent=exempt,
        number="2.1",
        title=site.plant("sub-item title of an exempt item", meeting),
        minutes=site.plant("sub-item minutes of an exempt item", meeting),
    )
    site.action(meeting, sub, site.plant("action under a sub-item of an exempt item", meeting))
    # Agenda items nest as deep as the minutes number them: 2 > 2.1 > a > i.
    detail = AgendaItemFactory(meeting=meeting, parent=sub, number="a", title="Detail")
    deeper = AgendaItemFactory(meeting=meeting, parent=detail, number="i", title="More detail")
    site.action(meeting, deeper, site.plant("action four levels under an exempt item", meeting))
    return publish(meeting)


def _published_reviewing_a_private_action(site: Site, board) -> Meeting:
    """A later meeting reviews, under an open item, an action raised in private: the review
    table prints its ref and the progress minuted in public, never the action's own text."""
    meeting = MeetingFactory(board=board, held_on=datetime.date(2030, 1, 15))
    review_item = AgendaItemFactory(meeting=meeting, number="1", title="Action Review")
    ActionUpdateFactory(
        action=site.private_action,
        meeting=meeting,
        item=review_item,
        reported_on=meeting.held_on,
        text="Completed and closed.",
    )
    summarised = site.action(meeting, review_item, "Report the outturn")
    ActionUpdateFactory(
        action=summarised,
        meeting=meeting,
        item=review_item,
        reported_on=meeting.held_on,
        summary="Report the outturn to the board",  # a summary makes the reviews a table
        text="On the agenda for March.",
    )
    return publish(meeting)


def _published_with_hidden_exempt_title(site: Site) -> Meeting:
    board = BoardFactory(
        name="Joint Audit Committee", slug="jac", action_prefix="JAC", public_exempt_titles=False
    )
    meeting = MeetingFactory(board=board)
    AgendaItemFactory(meeting=meeting, number="1", title="Internal Audit", minutes="Noted.")
    AgendaItemFactory(
        meeting=meeting,
        number="2",
        title=site.plant("exempt title on a board that hides them", meeting),
        minutes="Discussed in private.",
        exempt=True,
        exempt_reason="Exempt under paragraph 3",
    )
    return publish(meeting)


def _draft(site: Site, board) -> Meeting:
    later = timezone.localdate() + datetime.timedelta(days=31)
    meeting = MeetingFactory(board=board, held_on=datetime.date(2020, 3, 3))
    meeting.title = site.plant("draft meeting title", meeting)
    meeting.next_meeting_on = later
    meeting.next_meeting_venue = site.plant("draft next meeting venue", meeting)
    meeting.save()
    item = AgendaItemFactory(
        meeting=meeting,
        title=site.plant("draft item title", meeting),
        minutes=site.plant("draft minutes", meeting),
    )
    site.action(meeting, item, site.plant("action of a draft meeting", meeting))
    return meeting


def _approved(site: Site, board, approver) -> Meeting:
    meeting = MeetingFactory(board=board, held_on=datetime.date(2020, 4, 4))
    item = AgendaItemFactory(
        meeting=meeting, title="Finance", minutes=site.plant("approved minutes", meeting)
    )
    site.action(meeting, item, site.plant("action of an approved meeting", meeting))
    return meeting_approve(meeting=meeting, by=approver)


def _corrected(site: Site, board) -> Meeting:
    """Published as version 1, then edited: the correction is not yet published."""
    meeting = MeetingFactory(board=board, held_on=datetime.date(2020, 5, 5))
    item = AgendaItemFactory(
        meeting=meeting, number="1", title="Finance Monitoring", minutes="Spending is on budget."
    )
    action = site.action(meeting, item, "Report the outturn")
    publish(meeting)
    later = timezone.localdate() + datetime.timedelta(days=32)
    meeting.title = site.plant("title changed in a correction", meeting)
    meeting.next_meeting_on = later
    meeting.next_meeting_venue = site.plant("next venue changed in a correction", meeting)
    meeting.save()
    item.minutes = site.plant("minutes changed in a correction", meeting)
    item.save()
    action.text = site.plant("action text changed in a correction", meeting)
    action.save()
    site.action(meeting, item, site.plant("action added in a correction", meeting))
    meeting_start_correction(meeting=meeting)
    return meeting


def _withdrawn(site: Site, board, approver) -> Meeting:
    later = timezone.localdate() + datetime.timedelta(days=33)
    meeting = MeetingFactory(board=board, held_on=datetime.date(2020, 6, 6), next_meeting_on=later)
    meeting.next_meeting_venue = site.plant("withdrawn meeting next venue", meeting)
    meeting.save()
    item = AgendaItemFactory(
        meeting=meeting, title="Estates", minutes=site.plant("withdrawn minutes", meeting)
    )
    site.action(meeting, item, site.plant("action of a withdrawn meeting", meeting))
    publish(meeting)
    meeting_withdraw(meeting=meeting, by=approver, reason="Published in error")
    return meeting


def _reviews_of_unpublished_actions(
    site: Site, board, approver, draft: Meeting, approved: Meeting
) -> Meeting:
    """A published meeting reviews, under an open item, an action raised at a draft meeting and
    one raised at a meeting withdrawn after the review was published, and, under no item
    ("Progress on earlier actions"), one raised at a meeting approved but not published. No
    action's own text may reach the public through the review or the board's actions log: only
    their refs and the progress minuted in public."""
    raising = MeetingFactory(board=board, held_on=datetime.date(2021, 1, 11))
    item = AgendaItemFactory(meeting=raising, number="1", title="Estates", minutes="Noted.")
    withdrawn_action = site.action(
        raising, item, site.plant("action of a meeting withdrawn after its review", raising)
    )
    publish(raising)
    reviewing = MeetingFactory(board=board, held_on=datetime.date(2021, 2, 22))
    review_item = AgendaItemFactory(meeting=reviewing, number="1", title="Action Review")
    ActionUpdateFactory(
        action=withdrawn_action,
        meeting=reviewing,
        item=review_item,
        reported_on=reviewing.held_on,
        summary="Review the estates strategy",  # as the review printed it
        text="The review is under way.",
    )
    ActionUpdateFactory(
        action=Action.objects.get(raised_at_meeting=draft),
        meeting=reviewing,
        item=review_item,
        reported_on=reviewing.held_on,
        text="Progress on an action of a meeting not yet published.",
    )
    ActionUpdateFactory(
        action=Action.objects.get(raised_at_meeting=approved),
        meeting=reviewing,
        item=None,
        reported_on=reviewing.held_on,
        text="Progress on an action of a meeting approved but not published.",
    )
    publish(reviewing)
    meeting_withdraw(meeting=raising, by=approver, reason="The action named a member of staff")
    site.unpublished["withdrawn after its review"] = raising
    return reviewing


@pytest.fixture
def site(approver) -> Site:
    site = Site()
    board = BoardFactory(name="Strategy and Performance Board", slug="spb", action_prefix="SPB")
    site.live = [
        _published_with_exempt_items(site, board),
        _published_with_hidden_exempt_title(site),
    ]
    site.live.append(_published_reviewing_a_private_action(site, board))
    site.unpublished = {
        "draft": _draft(site, board),
        "approved": _approved(site, board, approver),
        "withdrawn": _withdrawn(site, board, approver),
    }
    site.corrected = _corrected(site, board)
    site.live.append(
        _reviews_of_unpublished_actions(
            site, board, approver, site.unpublished["draft"], site.unpublished["approved"]
        )
    )
    return site


# --- Reading PDFs --------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


UTF16_HEX = re.compile(rb"<FEFF([0-9A-Fa-f\s]*)>")


def _utf16(hex_digits: bytes) -> str:
    digits = b"".join(hex_digits.split())
    if len(digits) % 4:
        return ""
    return bytes.fromhex(digits.decode("ascii")).decode("utf-16-be", "replace")


def _stream_text(stream) -> str:
    try:
        data = stream.read_bytes()
    except pikepdf.PdfError:
        data = stream.read_raw_bytes()
    # Marked content may carry /ActualText or /Alt as UTF-16 hex strings.
    decoded = [_utf16(match.group(1)) for match in UTF16_HEX.finditer(data)]
    return "\n".join([data.decode("latin-1"), data.decode("utf-16-be", "replace"), *decoded])


def _direct_strings(obj, out: list[str]) -> None:
    """Strings and names of one object, not following references to other objects."""
    if isinstance(obj, pikepdf.String | pikepdf.Name):
        out.append(str(obj))
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                _direct_strings(value, out)
    elif isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key, value in obj.items():
            out.append(key)
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                _direct_strings(value, out)


def pdf_internals(pdf: bytes) -> str:
    """Everything a PDF holds besides its page text: every object decompressed, and metadata."""
    parts = [pdf.decode("latin-1")]
    with pikepdf.open(BytesIO(pdf)) as document:
        for obj in document.objects:
            _direct_strings(obj, parts)
            if isinstance(obj, pikepdf.Stream):
                parts.append(_stream_text(obj))
        parts += [f"{key} {value}" for key, value in document.docinfo.items()]
        with document.open_metadata() as xmp:
            parts += [f"{key} {value}" for key, value in xmp.items()]
    return "\n".join(parts)


def pdf_leaks(site: Site, pdf: bytes) -> list[tuple[str, str]]:
    return [("text", label) for label in site.found_in(pdf_text(pdf))] + [
        ("internals", label) for label in site.found_in(pdf_internals(pdf))
    ]


# --- The full record prints every canary ---------------------------------------------------


def full_record_text(meeting: Meeting) -> str:
    texts = [pdf_text(render_minutes_pdf(meeting, public=False))]
    if has_questions_document(meeting):
        texts.append(pdf_text(render_questions_pdf(meeting, public=False)))
    return "\n".join(texts)


@pytest.mark.real_pdf
def test_full_record_prints_every_canary(site):
    meetings = {meeting.pk: meeting for _value, meeting in site.canaries.values()}
    missing = []
    for meeting in meetings.values():
        found = set(site.found_in(full_record_text(meeting)))
        missing += [
            label
            for label, (_v, owner) in site.canaries.items()
            if owner.pk == meeting.pk and label not in found
        ]
    assert missing == []


# --- Public PDFs ---------------------------------------------------------------------------


def live_documents():
    return PublishedDocument.objects.filter(publication__withdrawn_at__isnull=True)


@pytest.mark.real_pdf
def test_public_pdfs_carry_no_canary(site):
    documents = list(live_documents().select_related("publication__meeting"))
    # Two meetings with minutes and questions, and version 1 of the corrected one.
    assert len(documents) >= 3
    leaks = [
        (str(document), where, label)
        for document in documents
        for where, label in pdf_leaks(site, bytes(document.pdf))
    ]
    assert leaks == []


# --- Crawling the public site --------------------------------------------------------------


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def links_of(html: str, base: str) -> list[str]:
    parser = LinkParser()
    parser.feed(html)
    return [urljoin(base, link) for link in parser.links]


def same_site_path(url: str) -> str | None:
    url, _fragment = urldefrag(url)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Crawl:
    visited: dict[str, int] = field(default_factory=dict)
    leaks: list[tuple[str, str, str]] = field(default_factory=list)
    static: set[str] = field(default_factory=set)
    never_followed: set[str] = field(default_factory=set)


def crawl(client, site: Site, start: list[str]) -> Crawl:
    result = Crawl()
    queue = list(start)
    while queue:
        path = queue.pop(0)
        if path in result.visited:
            continue
        assert len(result.visited) < MAX_PAGES, "the crawl does not end"
        response = client.get(path)
        result.visited[path] = response.status_code
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/pdf"):
            texts = {"pdf bytes": response.content.decode("latin-1")}
            texts["pdf text"] = pdf_text(response.content)
        else:
            texts = {"body": response.content.decode("utf-8")}
        result.leaks += [
            (path, where, label) for where, text in texts.items() for label in site.found_in(text)
        ]
        if not content_type.startswith("text/html"):
            continue
        for url in links_of(texts["body"], f"http://testserver{path}"):
            target = same_site_path(url)
            if target is None:
                continue
            if target.startswith("/static/"):
                result.static.add(target)
            elif target.startswith(NEVER_FOLLOWED):
                result.never_followed.add(target)
            elif target not in result.visited:
                queue.append(target)
    return result


def test_anonymous_crawl_of_the_public_site_finds_no_canary(client, site):
    # Pages under /en/; the feeds keep their one unprefixed address (minutes/urls.py).
    feeds = ("meetings.ics", "feed.atom")
    start = ["/en/", "/meetings.ics", *(f"/boards/{b}/{f}" for b in ("spb", "jac") for f in feeds)]
    result = crawl(client, site, start)

    assert {path: status for path, status in result.visited.items() if status != 200} == {}
    # The crawl reached what is published, in English and (through the hreflang alternates)
    # in Welsh: each live meeting and each of its stored PDFs.
    for language in ("en", "cy"):
        with translation.override(language):
            for meeting in [*site.live, site.corrected]:
                assert meeting.get_absolute_url() in result.visited
    with translation.override("en"):
        for document in live_documents():
            assert document.get_absolute_url() in result.visited
    expected = {"/en/boards/spb/", "/en/boards/spb/actions/", "/en/boards/jac/", "/cy/boards/spb/"}
    assert expected <= set(result.visited)
    assert "/accounts/login/" in result.never_followed
    # Static files are served by WhiteNoise, not by the test client: they must exist.
    assert result.static
    assert [path for path in result.static if not finders.find(path.removeprefix("/static/"))] == []
    assert result.leaks == []


def test_admin_redirects_the_public_to_sign_in(client, site):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert site.found_in(response.content.decode()) == []


# --- Addresses of what is not published ----------------------------------------------------


def unpublished_urls(meeting: Meeting, version: int = 1) -> list[str]:
    pk = meeting.pk
    return [
        f"/en/meetings/{pk}/",
        f"/meetings/{pk}/v{version}/minutes.pdf",
        f"/meetings/{pk}/v{version}/questions.pdf",
        *(
            f"/meetings/{pk}/preview/{kind}-{variant}/"
            for kind in ("minutes", "questions")
            for variant in ("public", "full")
        ),
    ]


@pytest.fixture(params=["anonymous", "force_lead"])
def visitor(request, client):
    if request.param == "force_lead":
        client.force_login(request.getfixturevalue("force_lead"))
    return client


def test_unpublished_meetings_are_not_found(visitor, site):
    urls = [url for meeting in site.unpublished.values() for url in unpublished_urls(meeting)]
    urls += unpublished_urls(site.corrected, version=2)[1:]  # its page shows version 1
    urls += [url for meeting in site.live for url in unpublished_urls(meeting)[3:]]  # previews
    # A preview staff asked for: its page and its PDF, full and public.
    for meeting in [*site.unpublished.values(), *site.live]:
        for public in (True, False):
            preview = preview_request(
                meeting=meeting, kind="minutes", public=public, language="en", by=None
            )
            urls += [f"/meetings/{meeting.pk}/preview/{preview.pk}{end}" for end in ("/", ".pdf")]
    responses = {url: visitor.get(url) for url in urls}
    assert {url: r.status_code for url, r in responses.items() if r.status_code != 404} == {}
    leaks = {url: site.found_in(r.content.decode()) for url, r in responses.items()}
    assert {url: labels for url, labels in leaks.items() if labels} == {}


def test_the_action_register_is_not_public(visitor, site):
    actions = Action.objects.filter(raised_at_meeting__isnull=False).order_by("pk")
    urls = ["/actions/", "/actions/export.csv", "/actions/export.xlsx", "/actions/mine/"]
    urls += [f"/actions/{action.pk}/" for action in actions]
    urls += [f"/actions/meetings/{meeting.pk}/" for meeting in site.unpublished.values()]
    responses = {url: visitor.get(url) for url in urls}
    anonymous = not visitor.session.get("_auth_user_id")
    for url, response in responses.items():
        if anonymous:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
        elif url != "/actions/mine/":  # a force lead's own actions: none of the planted ones
            assert response.status_code in (403, 404), url
        assert site.found_in(response.content.decode("utf-8", "replace")) == [], url


def test_error_pages_echo_nothing_sensitive(client, site):
    value, _meeting = site.canaries["draft meeting title"]
    draft = site.unpublished["draft"]
    for url in [
        f"/en/boards/{value}/",
        f"/cy/boards/{value}/",
        f"/{value}/",
        f"/en/meetings/{draft.pk}/?title={value}",
        f"/meetings/{draft.pk}/v1/{value}.pdf",
        f"/meetings/{draft.pk}/v1/{value}.cy.pdf",
        f"/boards/{value}/meetings.ics",
    ]:
        # An address without a language goes to the visitor's language first.
        response = client.get(url, follow=True)
        assert response.status_code == 404, url
        assert site.found_in(response.content.decode()) == [], url
