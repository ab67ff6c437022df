"""The minutes and questions-and-responses PDFs of the demo files and the shared example: what
they print (read back with pdftotext), how they are tagged, and how their pages are laid out."""

import json
import re
import subprocess
from dataclasses import dataclass, field
from io import BytesIO, StringIO
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.formats import date_format

from actions.models import Action, ActionUpdate
from meetings.models import Meeting
from minutes.documents import render_minutes_pdf, render_questions_pdf
from tests.fake_pdf import rendering_faked

# One worker runs the module, so each source is imported and rendered once per run, not once
# per worker (pyproject's `--dist loadgroup`).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.real_pdf,
    pytest.mark.xdist_group("documents_rendered_once"),
]

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
EXAMPLE = FIXTURES / "dyfed-powys-ppb-2014-03-13.json"
SOURCES = sorted(FIXTURES.glob("*.json"))
QUESTIONS_SOURCE = FIXTURES / "gwent-spb-2019-11-26.json"
VARIANTS = ["public", "full"]
WITHHELD = "A response was given and has been withheld from publication."
A4_POINTS = (595.28, 841.89)


def pdf_text(pdf: bytes, *, page: int | None = None, mode: str = "-layout") -> str:
    pages = ["-f", str(page), "-l", str(page)] if page is not None else []
    result = subprocess.run(
        ["pdftotext", mode, *pages, "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def squashed(text: str) -> str:
    """Headings print in capitals, and long lines wrap at spaces, hyphens and slashes: compare
    the text without its whitespace, whatever its case."""
    return "".join(text.split()).casefold()


PAGE_FURNITURE = re.compile(
    r"^\f?(Page \d+ of \d+|Report title Question Force response|NOT FOR PUBLICATION"
    r"|.+ – \d{1,2} [A-Z][a-z]+ \d{4}( NOT FOR PUBLICATION)?)$"  # the running header
)


def without_page_furniture(text: str) -> str:
    """A cell that runs over a page break is interrupted by the footer and the repeated head."""
    return "\n".join(line for line in text.splitlines() if not PAGE_FURNITURE.match(line.strip()))


def has_exempt_ancestor(item) -> bool:
    return item is not None and item.is_exempt_in_effect()


@dataclass
class Rendered:
    """One source file, imported and rendered once for the whole module."""

    data: dict
    meeting: Meeting
    refs: list[str]
    minutes: dict[str, bytes]
    questions: dict[str, bytes] = field(default_factory=dict)
    _texts: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def text(self, variant: str, *, kind: str = "minutes", mode: str = "-layout") -> str:
        key = (kind, variant, mode)
        if key not in self._texts:
            pdf = (self.minutes if kind == "minutes" else self.questions)[variant]
            text = pdf_text(pdf, mode=mode)
            self._texts[key] = without_page_furniture(text) if mode == "-raw" else text
        return self._texts[key]


_RENDERED: dict[str, Rendered] = {}


def _import_and_render(source: Path) -> Rendered:
    data = json.loads(source.read_text(encoding="utf-8"))
    with rendering_faked():  # the documents read here are the ones rendered below
        call_command("import_meeting", str(source), stdout=StringIO())
    meeting = Meeting.objects.select_related("board__body").get(
        board__action_prefix=data["board"]["action_prefix"],
        held_on=data["meeting"]["date"],
        title=data["meeting"].get("title", ""),
    )
    raised = Action.objects.filter(raised_at_meeting=meeting).select_related(
        "board", "raised_at_item__parent__parent"
    )
    reviewed = ActionUpdate.objects.filter(meeting=meeting).select_related(
        "action__board", "item__parent__parent"
    )
    refs = [a.ref for a in raised if not has_exempt_ancestor(a.raised_at_item)]
    refs += [u.action.ref for u in reviewed if not has_exempt_ancestor(u.item)]
    rendered = Rendered(
        data=data,
        meeting=meeting,
        refs=refs,
        minutes={v: render_minutes_pdf(meeting, public=v == "public") for v in VARIANTS},
    )
    if source == QUESTIONS_SOURCE:
        rendered.questions = {
            v: render_questions_pdf(meeting, public=v == "public") for v in VARIANTS
        }
    return rendered


def rendered(source: Path) -> Rendered:
    """Import and render a source on first use; later tests reuse the PDFs."""
    if source.name not in _RENDERED:
        _RENDERED[source.name] = _import_and_render(source)
    return _RENDERED[source.name]


def source_id(source: Path) -> str:
    return source.stem


def top_level_titles(doc: Rendered, variant: str) -> list[str]:
    hide_exempt = variant == "public" and not doc.meeting.board.public_exempt_titles
    return [item["title"] for item in doc.data["items"] if not (hide_exempt and item.get("exempt"))]


def report_rows(data: dict) -> list[dict]:
    """The rows the questions document prints: one per top-level item, titled by its papers."""
    return [
        {
            "title": "; ".join(p["title"] for p in item.get("papers", [])) or item["title"],
            "papers": item.get("papers", []),
            "questions": item.get("questions", []),
        }
        for item in data["items"]
    ]


def test_sources_include_every_fixture_and_the_example():
    assert len(SOURCES) >= 3
    assert EXAMPLE in SOURCES
    assert QUESTIONS_SOURCE in SOURCES


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("source", SOURCES, ids=source_id)
def test_minutes_name_every_attendee(source, variant):
    doc = rendered(source)
    text = squashed(doc.text(variant))
    missing = [a["name"] for a in doc.data["attendance"] if squashed(a["name"]) not in text]
    assert missing == []


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("source", SOURCES, ids=source_id)
def test_minutes_show_every_top_level_item_title(source, variant):
    doc = rendered(source)
    text = squashed(doc.text(variant))
    titles = top_level_titles(doc, variant)
    assert titles
    assert [t for t in titles if squashed(t) not in text] == []


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("source", SOURCES, ids=source_id)
def test_minutes_show_every_action_ref_of_open_items(source, variant):
    doc = rendered(source)
    text = squashed(doc.text(variant))
    assert [ref for ref in doc.refs if squashed(ref) not in text] == []


def test_example_minutes_have_actions_to_check():
    """The ref checks above are not vacuous: the example raises and reviews PPB 50 to 70."""
    doc = rendered(EXAMPLE)
    assert {f"PPB {n}" for n in range(50, 71)} <= set(doc.refs)


def test_example_public_minutes_show_every_expected_string():
    doc = rendered(EXAMPLE)
    expected = [
        line.strip()
        for line in EXAMPLE.with_suffix(".expect.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    text = squashed(doc.text("public"))
    assert expected
    assert [s for s in expected if squashed(s) not in text] == []


# The questions document is a three-column table: with -layout, the lines of neighbouring cells
# interleave, so a cell's text is read in content order (-raw), where each cell stays together
# apart from the footer and repeated table head of a page break, which are taken out.


@pytest.mark.parametrize("variant", VARIANTS)
def test_questions_document_shows_every_report_title(variant):
    doc = rendered(QUESTIONS_SOURCE)
    text = squashed(doc.text(variant, kind="questions", mode="-raw"))
    titles = [row["title"] for row in report_rows(doc.data)]
    assert len(titles) == len(doc.data["items"])
    assert [t for t in titles if squashed(t) not in text] == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_questions_document_says_no_comments_for_reports_without_questions(variant):
    doc = rendered(QUESTIONS_SOURCE)
    text = squashed(doc.text(variant, kind="questions", mode="-raw"))
    quiet = [r["title"] for r in report_rows(doc.data) if r["papers"] and not r["questions"]]
    assert quiet
    assert text.count(squashed("No comments were raised.")) == len(quiet)
    for title in quiet:
        assert squashed(f"{title} No comments were raised.") in text


def restricted_question(data: dict) -> dict:
    (question,) = [
        q for item in data["items"] for q in item.get("questions", []) if q.get("restricted")
    ]
    assert question["question"].startswith("Stop Search")
    return question


def test_public_questions_document_withholds_the_restricted_response():
    doc = rendered(QUESTIONS_SOURCE)
    question = restricted_question(doc.data)
    text = squashed(doc.text("public", kind="questions", mode="-raw"))
    assert squashed(question["question"]) in text
    assert squashed(f"{question['question']} {WITHHELD}") in text
    assert squashed(question["response"]) not in text
    for fragment in ("Data Protection Act", "contains personal information"):
        assert squashed(fragment) not in squashed(doc.text("public", kind="questions"))


def test_full_questions_document_prints_the_restricted_response():
    doc = rendered(QUESTIONS_SOURCE)
    question = restricted_question(doc.data)
    text = squashed(doc.text("full", kind="questions", mode="-raw"))
    assert squashed(f"{question['question']} {question['response']}") in text
    assert squashed(WITHHELD) not in text


@pytest.mark.parametrize("variant", VARIANTS)
def test_questions_document_prints_the_other_responses(variant):
    doc = rendered(QUESTIONS_SOURCE)
    text = squashed(doc.text(variant, kind="questions", mode="-raw"))
    responses = [
        q["response"]
        for item in doc.data["items"]
        for q in item.get("questions", [])
        if q.get("response") and not q.get("restricted")
    ]
    assert responses
    # Paragraphs of a response print one after another; compare each paragraph.
    paragraphs = [p for r in responses for p in r.split("\n") if p.strip()]
    assert [p for p in paragraphs if squashed(p) not in text] == []


def document_pdfs() -> list[tuple[Path, str, str]]:
    cases = [(source, "minutes", variant) for source in SOURCES for variant in VARIANTS]
    return cases + [(QUESTIONS_SOURCE, "questions", variant) for variant in VARIANTS]


def document_id(case) -> str:
    source, kind, variant = case
    return f"{source.stem}-{kind}-{variant}"


def pdf_of(case) -> tuple[Rendered, bytes]:
    source, kind, variant = case
    doc = rendered(source)
    return doc, (doc.minutes if kind == "minutes" else doc.questions)[variant]


@pytest.mark.parametrize("case", document_pdfs(), ids=document_id)
def test_pdf_is_tagged_with_language_and_a_title_naming_board_and_date(case):
    doc, pdf = pdf_of(case)
    with pikepdf.open(BytesIO(pdf)) as document:
        root = document.Root
        assert "/MarkInfo" in root
        assert bool(root.MarkInfo.get("/Marked")) is True
        assert "/StructTreeRoot" in root
        assert "/K" in root.StructTreeRoot
        assert str(root.get("/Lang")) == "en-GB"
        titles = [str(document.docinfo.get("/Title", ""))]
        with document.open_metadata() as xmp:
            titles.append(str(xmp.get("dc:title", "")))
    board = doc.meeting.board.name
    when = date_format(doc.meeting.held_on, "j F Y")
    assert any(board in title and when in title for title in titles), titles


@pytest.mark.parametrize("case", document_pdfs(), ids=document_id)
def test_pdf_pages_are_a4_and_numbered(case):
    _doc, pdf = pdf_of(case)
    with pikepdf.open(BytesIO(pdf)) as document:
        boxes = [[float(v) for v in page.MediaBox] for page in document.pages]
    assert boxes
    for box in boxes:
        width, height = box[2] - box[0], box[3] - box[1]
        assert width == pytest.approx(A4_POINTS[0], abs=1), box
        assert height == pytest.approx(A4_POINTS[1], abs=1), box
    total = len(boxes)
    for number in range(1, total + 1):
        assert squashed(f"Page {number} of {total}") in squashed(pdf_text(pdf, page=number))


@pytest.mark.parametrize("case", document_pdfs(), ids=document_id)
def test_full_pdf_says_not_for_publication_on_every_page_and_public_never(case):
    _source, _kind, variant = case
    _doc, pdf = pdf_of(case)
    with pikepdf.open(BytesIO(pdf)) as document:
        total = len(document.pages)
    if variant == "full":
        for number in range(1, total + 1):
            assert "NOT FOR PUBLICATION" in pdf_text(pdf, page=number), f"page {number}"
    else:
        assert squashed("not for publication") not in squashed(pdf_text(pdf))


def test_a_paragraph_of_dashed_lines_prints_as_a_list_and_stays_escaped(db):
    from minutes.documents import minutes_fragment
    from tests.factories import AgendaItemFactory, MeetingFactory

    meeting = MeetingFactory()
    AgendaItemFactory(
        meeting=meeting,
        title="Budget",
        minutes="The service could overcome:\n\n- Collaborative working;\n- <script>x</script>\n\n"
        "A line\n- not a list",
    )
    html = minutes_fragment(meeting, public=False)
    assert (
        '<ul class="minute bullets" role="list"><li>- Collaborative working;</li>'
        "<li>- &lt;script&gt;x&lt;/script&gt;</li></ul>" in html
    )
    assert '<p class="minute">A line<br>- not a list</p>' in html
    text = pdf_text(render_minutes_pdf(meeting, public=False))
    assert "- Collaborative working;" in text
    assert "- <script>x</script>" in text
