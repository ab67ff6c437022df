"""Minutes and questions laid out as the bodies publish them: running header, the chair with
their post, the minute taker, times as the body writes them, the Action column, the Due column,
a public reason for a restricted response, the questions record's introduction and wording."""

import datetime
import html
import re
import subprocess

import pytest

from minutes.documents import minutes_fragment, render_minutes_pdf, render_questions_pdf
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    AttendanceFactory,
    MeetingFactory,
    PersonFactory,
    QuestionFactory,
    RoleFactory,
)
from tests.meetings.test_documents import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]

LONG = "\n\n".join(
    f"Paragraph {n} of the budget discussion. " + "The board discussed the budget. " * 12
    for n in range(1, 25)
)


@pytest.fixture
def gwent():
    meeting = MeetingFactory(
        board__name="Strategy and Performance Board",
        board__action_prefix="SPB",
        board__body__name="Office of the Police and Crime Commissioner for Gwent",
        held_on=datetime.date(2018, 11, 30),
        start_time=datetime.time(13, 0),
        end_time=datetime.time(15, 30),
        minute_taker="Mrs N Warren",
    )
    body = meeting.board.body
    pcc = RoleFactory(body=body, abbrev="PCC", title="Police and Crime Commissioner")
    meeting.chair = PersonFactory(body=body, name="Mr J Cuthbert")
    meeting.chair_role = pcc
    meeting.save()
    AttendanceFactory(
        meeting=meeting, person=meeting.chair, role=pcc, arrival_time=datetime.time(13, 15)
    )
    item = AgendaItemFactory(
        meeting=meeting,
        number="2",
        title="Minutes",
        minutes="The DPCC requested an update on mental health.\n\n"
        "The DPCC requested an update on Domestic Violence Protection Notices.\n\n"
        "We noted the good work of DCI Maloney.",
    )
    for number, paragraph, abbrev, due in ((60, 1, "ACC", None), (61, 2, "HoSPC", 2019)):
        action = ActionFactory(
            board=meeting.board,
            number=number,
            text=f"Update on item {number}",
            raised_at_meeting=meeting,
            raised_at_item=item,
            paragraph=paragraph,
            due_on=datetime.date(due, 1, 31) if due else None,
        )
        ActionOwnerFactory(action=action, role=RoleFactory(body=body, abbrev=abbrev))
    AgendaItemFactory(meeting=meeting, number="3", title="Budget Bid", minutes=LONG)
    return meeting


def test_the_heading_names_the_chair_with_their_post_and_the_minute_taker(gwent):
    text = pdf_text(render_minutes_pdf(gwent, public=True))
    assert "Mr J Cuthbert, Police and Crime Commissioner (PCC)" in text
    assert "Minute taker" in text
    assert "Mrs N Warren" in text


def test_continuation_pages_carry_a_running_header(gwent):
    pdf = render_minutes_pdf(gwent, public=True)
    running = "Strategy and Performance Board – 30 November 2018"
    assert running not in pdf_text(pdf, page=1)
    assert running in pdf_text(pdf, page=2)


def test_times_as_the_body_writes_them(gwent):
    assert "13:00 – 15:30" in pdf_text(render_minutes_pdf(gwent, public=True))
    body = gwent.board.body
    body.time_style = "12h"
    body.save()
    gwent.refresh_from_db()
    text = pdf_text(render_minutes_pdf(gwent, public=True))
    assert "1.00pm – 3.30pm" in text
    assert "arrived 1.15pm" in text


def test_the_action_column_stands_beside_the_paragraph_that_raised_it(gwent):
    html = minutes_fragment(gwent, public=True)
    assert "with-action-column" not in html  # off unless the board prints one
    board = gwent.board
    board.action_column = True
    board.save()
    gwent.refresh_from_db()
    text = pdf_text(render_minutes_pdf(gwent, public=True))
    lines = text.splitlines()

    def line_of(fragment):
        return next(n for n, line in enumerate(lines) if fragment in line)

    # Each owner is on (or just under) its paragraph's first line, not on a line of its own.
    assert line_of("ACC") - line_of("update on mental health") in (0, 1, 2)
    assert line_of("HoSPC") - line_of("Domestic Violence Protection") in (0, 1, 2)
    assert "Action SPB 60:" not in text  # the text itself is in the action summary


def test_the_action_summary_has_a_due_column_when_dates_exist(gwent):
    text = pdf_text(render_minutes_pdf(gwent, public=True))
    assert "Due" in text
    assert "31 Jan 2019" in text
    gwent.actions_raised.update(due_on=None)
    assert "31 Jan" not in pdf_text(render_minutes_pdf(gwent, public=True))
    assert ">Due<" not in minutes_fragment(gwent, public=True)


@pytest.fixture
def questions():
    meeting = MeetingFactory(
        board__name="Monthly Assurance Meeting",
        board__question_label="Findings",
        board__response_label="Update",
        questions_intro="Due to the limited time at the board, questions were sent to Gwent "
        "Police after the meeting.\n\nPlease note: this document is published with the minutes.",
    )
    item = AgendaItemFactory(meeting=meeting, title="Stop Search Monitoring Report")
    QuestionFactory(item=item, question="Explain the ratio.", response="Everything is fine.")
    QuestionFactory(
        item=item,
        question="Explain the disparity.",
        response="Names of officers.",
        restricted=True,
        restricted_reason="Details have been provided to the OPCC; the document is restricted "
        "under the Data Protection Act.",
    )
    return meeting


def test_the_questions_record_has_its_introduction_and_the_boards_wording(questions):
    text = pdf_text(render_questions_pdf(questions, public=True), mode="-raw")
    assert "Due to the limited time at the board" in text
    assert "Please note: this document is published with the minutes." in text
    assert "Findings" in text
    assert "Update" in text
    assert "Force response" not in text
    minutes = pdf_text(render_minutes_pdf(questions, public=True), mode="-raw")
    assert "Findings:" in minutes
    assert "Update:" in minutes


def test_a_restricted_response_prints_its_public_reason(questions):
    public = pdf_text(render_questions_pdf(questions, public=True), mode="-raw")
    flat = " ".join(public.split())
    assert "the document is restricted under the Data Protection Act." in flat
    assert "Names of officers" not in flat
    assert "withheld from publication" not in flat
    full = " ".join(pdf_text(render_questions_pdf(questions, public=False), mode="-raw").split())
    assert "Names of officers" in full


def png(colour="navy") -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), colour).save(buffer, "PNG")
    return buffer.getvalue()


def images_with_alt(pdf: bytes) -> tuple[int, list[str]]:
    """How many images the document holds, and the text alternatives of the tagged figures."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        images = sum(
            1
            for obj in document.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        )
        alts = [
            str(obj.get("/Alt"))
            for obj in document.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Alt") is not None
        ]
    return images, alts


def test_the_bodys_logo_heads_the_documents_with_its_text_alternative(gwent, questions):
    from minutes.documents import minutes_html, questions_html
    from scrutiny.pdf import render

    assert images_with_alt(render_minutes_pdf(gwent, public=True))[0] == 0  # no logo, no image
    for meeting in (gwent, questions):
        body = meeting.board.body
        body.logo, body.logo_type, body.logo_alt = png(), "image/png", "Gwent OPCC logo"
        body.save()
        meeting.refresh_from_db()
    rendered = render(minutes_html(gwent, public=True))
    assert rendered.refused == []
    assert images_with_alt(rendered.pdf) == (1, ["Gwent OPCC logo"])
    rendered = render(questions_html(questions, public=True))
    assert rendered.refused == []
    assert images_with_alt(rendered.pdf) == (1, ["Gwent OPCC logo"])
    # The web page shows the logo in the site header, not inside the stored minutes.
    assert "data:image" not in minutes_fragment(gwent, public=True)


@pytest.mark.parametrize(
    "url",
    [
        "data:text/css,body{}",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "data:image/png,notbase64",
        "data:image/png;base64,%%%",
        "data:text/html;base64,PHA+",
    ],
)
def test_the_fetcher_serves_no_other_inline_data(url):
    from scrutiny.pdf import OwnFilesOnlyFetcher

    fetcher = OwnFilesOnlyFetcher()
    with pytest.raises(ValueError, match="Refused"):
        fetcher.fetch(url)
    assert fetcher.refused


def footer_words(pdf: bytes) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's words in the bottom margin, with their boxes (pdftotext -bbox)."""
    result = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    )
    pages = []
    for page in re.findall(r"<page .*?</page>", result.stdout.decode(), flags=re.S):
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        words = [
            (html.unescape(text), *map(float, box))
            for *box, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                r"(.*?)</word>",
                page,
            )
        ]
        pages.append([w for w in words if w[2] > height - 22 * 72 / 25.4])  # the margin
    return pages


@pytest.mark.parametrize(
    ("kind", "made"),
    [
        ("minutes", datetime.datetime(2026, 12, 1, 10, 45)),
        ("minutes", datetime.datetime(2026, 9, 30, 23, 59)),
        ("questions", datetime.datetime(2026, 9, 30, 23, 59)),
    ],
)
def test_the_draft_mark_never_runs_into_the_page_number(kind, made):
    """The draft mark stood at the bottom left, the page number in the middle: the mark's time
    ran into it ("made 1 December 2026 10:45 Page 1 of 3"), and a longer date pushed "3" of
    "Page 1 of 3" onto a line of its own."""
    meeting = MeetingFactory()
    item = AgendaItemFactory(meeting=meeting, title="Budget", minutes=LONG)
    QuestionFactory(item=item, question="Why? " * 400, response="Because. " * 400)
    render = render_minutes_pdf if kind == "minutes" else render_questions_pdf
    pdf = render(meeting, public=False, draft_at=made)

    pages = footer_words(pdf)
    assert len(pages) >= 2
    mark = f"DRAFT – not approved, made {made:%-d %B %Y %H:%M}"
    for number, words in enumerate(pages, start=1):
        assert mark in " ".join(word[0] for word in words)
        at = next(n for n, word in enumerate(words) if word[0] == "Page")
        page_number = words[at : at + 4]
        assert " ".join(word[0] for word in page_number) == f"Page {number} of {len(pages)}"
        assert len({word[2] for word in page_number}) == 1, "the page number is on one line"
        left, top, bottom = page_number[0][1], page_number[0][2], page_number[0][4]
        for word, _x0, y0, x1, y1 in words[:at] + words[at + 4 :]:
            if y0 < bottom and top < y1:  # beside the page number, on its line
                assert x1 + 5 * 72 / 25.4 <= left, f"{word!r} is within 5 mm of the page number"


@pytest.mark.parametrize(
    ("style", "language", "expected"),
    [
        ("12h", "en", "DRAFT – not approved, made 1 December 2026 1.05pm"),
        ("24h", "en", "DRAFT – not approved, made 1 December 2026 13:05"),
        ("12h", "cy", "DRAFFT – heb ei gymeradwyo, gwnaed 1 Rhagfyr 2026 1.05pm"),
        ("24h", "cy", "DRAFFT – heb ei gymeradwyo, gwnaed 1 Rhagfyr 2026 13:05"),
    ],
)
@pytest.mark.parametrize("kind", ["minutes", "questions"])
def test_the_draft_mark_writes_its_time_as_the_body_does(kind, style, language, expected):
    """The draft mark printed "13:05" for a body that writes "1.05pm" everywhere else."""
    meeting = MeetingFactory(board__body__time_style=style)
    item = AgendaItemFactory(meeting=meeting, title="Budget", minutes="Noted.")
    QuestionFactory(item=item, question="Why?", response="Because.")
    render = render_minutes_pdf if kind == "minutes" else render_questions_pdf
    made = datetime.datetime(2026, 12, 1, 13, 5)
    pdf = render(meeting, public=False, language=language, draft_at=made)
    assert expected in " ".join(pdf_text(pdf, mode="-raw").split())
