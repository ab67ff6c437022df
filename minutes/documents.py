"""The published documents of a meeting: contexts (pure), HTML (templates), PDF (scrutiny.pdf)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meetings.models import AgendaItem, Meeting, Organisation, split_paragraphs
from minutes.content import MinutesContent, QuestionView, minutes_content
from scrutiny.languages import in_language
from scrutiny.pdf import render_pdf

# A document is in English ("en"), in Welsh ("cy"), or bilingual ("en+cy": Welsh first, then
# English, each part marked with its language). The HTML lang of each: WeasyPrint writes it as
# the PDF's /Lang, and a passage in the other language as its own /Lang.
ENGLISH, WELSH, BILINGUAL = "en", "cy", "en+cy"
LANG_TAGS = {ENGLISH: "en-GB", WELSH: "cy", BILINGUAL: "cy"}


def document_languages(body: Organisation) -> list[str]:
    """The documents a body publishes: English, and for a Welsh body Welsh beside it, or one
    bilingual document instead of the two where the body chose that."""
    if not body.welsh:
        return [ENGLISH]
    if body.bilingual_documents:
        return [BILINGUAL]
    return [ENGLISH, WELSH]


def meeting_name(meeting: Meeting, language: str = ENGLISH) -> str:
    with translation.override(language):
        when = date_format(meeting.held_on, "j F Y")
    board, _lang = in_language(meeting.board, "name", language)
    title, _lang = in_language(meeting, "title", language)
    return f"{board} {when}" + (f" ({title})" if title else "")


def document_title(meeting: Meeting, kind: str, language: str = ENGLISH) -> str:
    language = WELSH if language == BILINGUAL else language
    name = meeting_name(meeting, language)
    with translation.override(language):
        if kind == "questions":
            return _("Questions and responses: %(meeting)s") % {"meeting": name}
        if kind == "agenda":
            return _("Agenda: %(meeting)s") % {"meeting": name}
        return _("Minutes: %(meeting)s") % {"meeting": name}


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "").replace('"', "").replace("<", "").replace("\n", " ") + '"'


def page_css() -> str:
    """The page furniture CSS prints (page numbers, the not-for-publication line), in the
    language of the document: CSS content cannot be marked for translation, so it is built
    here from the catalogue's wording."""
    label = _("Page %(n)s of %(total)s")
    before, rest = label.split("%(n)s", 1)
    middle, after = rest.split("%(total)s", 1)
    page = " ".join(
        [_css_string(before), "counter(page)", _css_string(middle), "counter(pages)"]
        + ([_css_string(after)] if after else [])
    )
    not_for_publication = _css_string(_("NOT FOR PUBLICATION"))
    return (
        f"@page {{ @bottom-center {{ content: {page}; }} }}\n"
        f"@page full {{ @top-right {{ content: {not_for_publication}; }} }}"
    )


def _parts(language: str) -> list[str]:
    return [WELSH, ENGLISH] if language == BILINGUAL else [language]


def _content_in(
    content: MinutesContent | None, meeting: Meeting, *, public: bool, language: str
) -> MinutesContent:
    """A snapshot already built in this language, or a new one."""
    if content is not None and content.language == language:
        return content
    return minutes_content(meeting, public=public, language=language)


def minutes_html(
    meeting: Meeting,
    *,
    public: bool,
    language: str = ENGLISH,
    draft_at: datetime.datetime | None = None,
    content: MinutesContent | None = None,
) -> str:
    """The whole HTML document the minutes PDF is made from; a preview (`draft_at`, when it
    was made) is marked as a draft on every page. `content` reuses a snapshot in its language."""
    parts = [
        {
            "lang_tag": LANG_TAGS[part],
            "body": minutes_fragment(meeting, public=public, language=part, content=content),
        }
        for part in _parts(language)
    ]
    with translation.override(WELSH if language == BILINGUAL else language):
        return render_to_string(
            "documents/minutes.html",
            {
                "parts": parts,
                "public": public,
                "body": meeting.board.body,
                "lang_tag": LANG_TAGS[language],
                "bilingual": language == BILINGUAL,
                "title": document_title(meeting, "minutes", language),
                "page_css": page_css(),
                "draft_at": draft_at,
            },
        )


def minutes_fragment(
    meeting: Meeting,
    *,
    public: bool,
    language: str = ENGLISH,
    content: MinutesContent | None = None,
) -> str:
    """The same minutes as a fragment for a web page."""
    with translation.override(language):
        return render_to_string(
            "documents/_minutes_body.html",
            {
                "minutes": _content_in(content, meeting, public=public, language=language),
                "language": language,
            },
        )


@dataclass
class QuestionRow:
    title: str
    title_lang: str = ""
    withheld: bool = False
    show_title: bool = True
    reason: str = ""
    reason_lang: str = ""
    note: str = ""
    note_lang: str = ""
    questions: list[QuestionView] = field(default_factory=list)


def _question_row(node, language: str) -> QuestionRow | None:
    item: AgendaItem = node.item
    item_title, item_title_lang = in_language(item, "title", language)
    papers = [in_language(paper, "title", language) for paper in node.papers]
    if papers:
        title = "; ".join(text for text, _lang in papers)
        langs = {lang for _text, lang in papers}
        title_lang = langs.pop() if len(langs) == 1 else ""
    else:
        title, title_lang = item_title, item_title_lang
    if node.withheld:
        reason, reason_lang = in_language(item, "exempt_reason", language)
        return QuestionRow(
            title=item_title,
            title_lang=item_title_lang,
            withheld=True,
            show_title=node.show_title,
            reason=reason,
            reason_lang=reason_lang,
        )
    if node.questions:
        for q in node.questions:
            q.question_paragraphs = split_paragraphs(q.question)
            q.response_paragraphs = split_paragraphs(q.response)
        return QuestionRow(title=title, title_lang=title_lang, questions=node.questions)
    if node.papers:
        return QuestionRow(title=title, title_lang=title_lang)
    return None


def has_questions_document(meeting: Meeting) -> bool:
    """A questions-and-responses record exists for a meeting that considered papers or
    questions, or whose clerk marked an item as part of that record."""
    return meeting.items.filter(
        Q(papers__isnull=False) | Q(questions__isnull=False) | Q(in_questions_record=True)
    ).exists()


def _question_rows(
    meeting: Meeting, *, public: bool, language: str, content: MinutesContent | None = None
) -> list[QuestionRow]:
    content = _content_in(content, meeting, public=public, language=language)
    rows: list[QuestionRow] = []

    def walk(nodes):
        for node in nodes:
            # Only the questions record: items that carry questions, items whose papers were
            # considered without any, and items the clerk marked as part of it ("No comments
            # were raised"; a 1.0 file's notes are marked at import). Never another minute.
            row = _question_row(node, language)
            if row is None and not node.withheld and node.item.in_questions_record:
                title, title_lang = in_language(node.item, "title", language)
                note, note_lang = in_language(node.item, "minutes", language)
                row = QuestionRow(
                    title=title, title_lang=title_lang, note=note.strip(), note_lang=note_lang
                )
            if row is not None:
                rows.append(row)
            if not node.withheld:
                walk(node.children)

    walk(content.items)
    return rows


def questions_context(
    meeting: Meeting,
    *,
    public: bool,
    language: str = ENGLISH,
    content: MinutesContent | None = None,
) -> dict:
    parts = []
    for part in _parts(language):
        rows = _question_rows(meeting, public=public, language=part, content=content)
        intro, intro_lang = in_language(meeting, "questions_intro", part)
        with translation.override(part):
            body = render_to_string(
                "documents/_questions_body.html",
                {
                    "meeting": meeting,
                    "rows": rows,
                    "language": part,
                    "intro": split_paragraphs(intro),
                    "intro_lang": intro_lang,
                    # "26th November 2019" in English; Welsh dates take no ordinal suffix.
                    "held_format": "j F Y" if part == WELSH else "jS F Y",
                },
            )
        parts.append({"lang_tag": LANG_TAGS[part], "body": body, "rows": rows})
    return {
        "meeting": meeting,
        "body": meeting.board.body,
        "parts": parts,
        "rows": parts[0]["rows"],
        "public": public,
        "lang_tag": LANG_TAGS[language],
        "bilingual": language == BILINGUAL,
        "title": document_title(meeting, "questions", language),
        "page_css": page_css(),
    }


def questions_html(
    meeting: Meeting,
    *,
    public: bool,
    language: str = ENGLISH,
    draft_at: datetime.datetime | None = None,
    content: MinutesContent | None = None,
) -> str:
    with translation.override(WELSH if language == BILINGUAL else language):
        context = questions_context(meeting, public=public, language=language, content=content)
        return render_to_string("documents/questions.html", {**context, "draft_at": draft_at})


def render_minutes_pdf(
    meeting: Meeting,
    *,
    public: bool,
    language: str = ENGLISH,
    draft_at: datetime.datetime | None = None,
    content: MinutesContent | None = None,
) -> bytes:
    """The minutes as PDF; `draft_at` marks a preview, `content` reuses a built snapshot."""
    return render_pdf(
        minutes_html(meeting, public=public, language=language, draft_at=draft_at, content=content)
    )


def render_questions_pdf(
    meeting: Meeting,
    *,
    public: bool,
    language: str = ENGLISH,
    draft_at: datetime.datetime | None = None,
    content: MinutesContent | None = None,
) -> bytes:
    return render_pdf(
        questions_html(
            meeting, public=public, language=language, draft_at=draft_at, content=content
        )
    )


def agenda_snapshot(meeting: Meeting) -> list[dict]:
    """The public agenda: numbered items (an exempt one by title only where the board allows
    it, with the reason), each public item's public papers, and the Welsh twins of those texts
    (`title_cy`, `reason_cy`) where the clerk wrote them. Built from what the public minutes
    show, so an agenda never shows more than the minutes would."""
    rows: list[dict] = []
    with translation.override(ENGLISH):
        exempt_label = str(_("Exempt item"))
    with translation.override(WELSH):
        exempt_label_cy = str(_("Exempt item"))

    def walk(nodes, depth):
        for node in nodes:
            item = node.item
            row = {
                "id": item.pk,
                "number": item.number,
                "depth": depth,
                "title": item.title if node.show_title else exempt_label,
                "title_cy": item.title_cy if node.show_title else exempt_label_cy,
                "exempt": node.withheld,
                "reason": item.exempt_reason if node.withheld else "",
                "reason_cy": item.exempt_reason_cy if node.withheld else "",
                "papers": [],
            }
            if not node.withheld:
                for paper in node.papers:
                    if paper.exempt:
                        continue  # never to the public, not even its title
                    entry = {
                        "id": paper.pk,
                        "title": paper.title,
                        "title_cy": paper.title_cy,
                        "author": paper.author,
                    }
                    if paper.file_id:
                        entry |= {
                            "file": paper.file_id,
                            "size": paper.file.size,
                            "pages": paper.file.pages,
                        }
                    row["papers"].append(entry)
            rows.append(row)
            if not node.withheld:
                walk(node.children, depth + 1)

    walk(minutes_content(meeting, public=True).items, 0)
    return rows


def agenda_in_language(items: list[dict], language: str) -> list[dict]:
    """A published agenda's items as a page or document in `language` prints them: each text
    in that language, or the English with `*_lang` "en" where it has no Welsh twin."""
    shown = []
    for item in items:
        title, title_lang = in_language(item, "title", language)
        reason, reason_lang = in_language(item, "reason", language)
        papers = []
        for paper in item.get("papers", []):
            paper_title, paper_lang = in_language(paper, "title", language)
            papers.append(paper | {"title": paper_title, "title_lang": paper_lang})
        shown.append(
            item
            | {
                "title": title,
                "title_lang": title_lang,
                "reason": reason,
                "reason_lang": reason_lang,
                "papers": papers,
            }
        )
    return shown


def agenda_only_in_english(items: list[dict]) -> bool:
    """Whether a published agenda has no Welsh text at all (an agenda published before Welsh
    agendas, or one nobody translated): a Welsh page says so plainly."""
    return not any(item.get("title_cy") and not item.get("exempt") for item in items) and not any(
        paper.get("title_cy") for item in items for paper in item.get("papers", [])
    )


def agenda_html(meeting: Meeting, items: list[dict], language: str = ENGLISH) -> str:
    """The agenda as the first part of the agenda pack: in English, in Welsh, or bilingual
    (Welsh, then English, each part marked with its language)."""
    parts = []
    for part in _parts(language):
        with translation.override(part):
            parts.append(
                {
                    "lang_tag": LANG_TAGS[part],
                    "body": render_to_string(
                        "documents/_agenda_body.html",
                        {
                            "meeting": meeting,
                            "items": agenda_in_language(items, part),
                            "language": part,
                        },
                    ),
                }
            )
    with translation.override(WELSH if language == BILINGUAL else language):
        return render_to_string(
            "documents/agenda.html",
            {
                "meeting": meeting,
                "parts": parts,
                "lang_tag": LANG_TAGS[language],
                "bilingual": language == BILINGUAL,
                "title": document_title(meeting, "agenda", language),
                "page_css": page_css(),
            },
        )
