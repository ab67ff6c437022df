"""The structure tree of every kind of document: one H1 and no skipped heading level, tables whose
headers say what they head, lists as lists, figures with alternative text, and the language of
the document and of every passage in another language."""

from io import BytesIO, StringIO
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.management import call_command

from meetings.models import Meeting, Question
from minutes.documents import render_minutes_pdf, render_questions_pdf
from tests.fake_pdf import rendering_faked

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
BILINGUAL = (
    Path(settings.BASE_DIR) / "tests" / "fixtures" / "dyfed-powys-ppb-2014-03-13.bilingual.json"
)
HEADINGS = ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6")


def elements(pdf: bytes) -> list[dict]:
    """The structure elements in reading order, each with its type, attributes and children."""
    out = []

    def walk(node, depth):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, depth)
            return
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            return
        attributes = node.get("/A")
        out.append(
            {
                "type": str(node.S),
                "lang": str(node.Lang) if "/Lang" in node else "",
                "alt": str(node.Alt) if "/Alt" in node else "",
                "scope": str(attributes.get("/Scope", "")) if attributes is not None else "",
                "kids": [
                    str(kid.S)
                    for kid in (node.K if isinstance(node.get("/K"), pikepdf.Array) else [])
                    if isinstance(kid, pikepdf.Dictionary) and "/S" in kid
                ],
            }
        )
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid, depth + 1)

    with pikepdf.open(BytesIO(pdf)) as document:
        lang = str(document.Root.Lang)
        walk(document.Root.StructTreeRoot.K, 0)
    return [{"type": "/Document-lang", "lang": lang, "alt": "", "scope": "", "kids": []}, *out]


def check_structure(pdf: bytes, *, lang: str) -> list[str]:
    found = elements(pdf)
    problems = []
    if found[0]["lang"] != lang:
        problems.append(f"document /Lang is {found[0]['lang']!r}, not {lang!r}")
    levels = [HEADINGS.index(e["type"]) + 1 for e in found if e["type"] in HEADINGS]
    if not levels or levels[0] != 1:
        problems.append(f"the first heading is not an H1: {levels[:3]}")
    for before, level in zip(levels, levels[1:], strict=False):
        if level > before + 1:
            problems.append(f"heading level skips from H{before} to H{level}")
    for element in found:
        if element["type"] == "/Table" and not any(
            e["type"] == "/TH" for e in found if e is not element
        ):
            problems.append("a table has no header cells")
        if element["type"] == "/TH" and element["scope"] not in ("/Row", "/Column"):
            problems.append("a table header has no /Scope")
        if element["type"] == "/Figure" and not element["alt"]:
            problems.append("a figure has no alternative text")
        if element["type"] == "/L" and not all(kid == "/LI" for kid in element["kids"]):
            problems.append(f"a list holds more than list items: {element['kids']}")
        if element["type"] == "/LI" and "/LBody" not in element["kids"]:
            problems.append("a list item has no body")
    return problems


@pytest.fixture
def demo():
    files = [*sorted(FIXTURES.glob("gwent-*.json")), BILINGUAL]
    with rendering_faked():  # the documents checked are the ones each test renders
        call_command("import_meeting", *map(str, files), stdout=StringIO())
    meetings = {m.board.action_prefix + str(m.held_on.year): m for m in Meeting.objects.all()}
    # A typed bullet list in a minute, so that lists are checked too.
    item = Meeting.objects.get(board__action_prefix="PPB").items.get(title="Data Quality")
    item.minutes += "\n\n- first point\n- second point"
    item.minutes_cy += "\n\n- pwynt cyntaf\n- ail bwynt"
    item.save()
    return meetings


CASES = [
    ("minutes", "public", "en", "en-GB"),
    ("minutes", "full", "en", "en-GB"),
    ("minutes", "public", "cy", "cy"),
    ("minutes", "public", "en+cy", "cy"),
    ("questions", "public", "en", "en-GB"),
    ("questions", "full", "en", "en-GB"),
    ("questions", "public", "cy", "cy"),
]


@pytest.mark.parametrize(("kind", "variant", "language", "lang"), CASES, ids="-".join)
def test_every_document_kind_has_a_sound_structure_tree(demo, kind, variant, language, lang):
    meetings = list(demo.values())
    if kind == "questions":
        meetings = [m for m in meetings if Question.objects.filter(item__meeting=m).exists()]
    else:
        meetings = [m for m in meetings if m.board.action_prefix == "PPB"] + meetings[:1]
    render = render_minutes_pdf if kind == "minutes" else render_questions_pdf
    assert meetings
    for meeting in meetings:
        pdf = render(meeting, public=variant == "public", language=language)
        assert check_structure(pdf, lang=lang) == [], str(meeting)


def test_the_check_finds_what_is_wrong():
    from scrutiny.pdf import render_pdf

    bad = render_pdf(
        '<html lang="en-GB"><head><title>T</title></head><body><h2>Skipped</h2><h4>Again</h4>'
        "<table><tr><th>Head</th></tr><tr><td>Cell</td></tr></table></body></html>"
    )
    problems = check_structure(bad, lang="cy")
    assert "document /Lang is 'en-GB', not 'cy'" in problems
    assert "the first heading is not an H1: [2, 4]" in problems
    assert "heading level skips from H2 to H4" in problems
    assert "a table header has no /Scope" in problems
