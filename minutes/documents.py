"""The published documents of a meeting: contexts (pure), HTML (templates), PDF (scrutiny.pdf)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meetings.models import AgendaItem, Meeting, split_paragraphs
from minutes.content import MinutesContent, QuestionView, minutes_content
from scrutiny.pdf import render_pdf


def document_title(meeting: Meeting, kind: str) -> str:
    when = date_format(meeting.held_on, "j F Y")
    name = f"{meeting.board.name} {when}" + (f" ({meeting.title})" if meeting.title else "")
    if kind == "questions":
        return _("Questions and responses: %(meeting)s") % {"meeting": name}
    if kind == "agenda":
        return _("Agenda: %(meeting)s") % {"meeting": name}
    return _("Minutes: %(meeting)s") % {"meeting": name}


def minutes_html(
    meeting: Meeting,
    *,
    public: bool,
    draft_at: datetime.datetime | None = None,
    content: MinutesContent | None = None,
) -> str:
    """The whole HTML document the minutes PDF is made from; a preview (`draft_at`, when it
    was made) is marked as a draft on every page."""
    return render_to_string(
        "documents/minutes.html",
        {
            "minutes": content or minutes_content(meeting, public=public),
            "title": document_title(meeting, "minutes"),
            "draft_at": draft_at,
        },
    )


def minutes_fragment(
    meeting: Meeting, *, public: bool, content: MinutesContent | None = None
) -> str:
    """The same minutes as a fragment for a web page."""
    return render_to_string(
        "documents/_minutes_body.html",
        {"minutes": content or minutes_content(meeting, public=public)},
    )


@dataclass
class QuestionRow:
    title: str
    withheld: bool = False
    show_title: bool = True
    reason: str = ""
    note: str = ""
    questions: list[QuestionView] = field(default_factory=list)


def _question_row(node) -> QuestionRow | None:
    item: AgendaItem = node.item
    title = "; ".join(p.title for p in node.papers) or item.title
    if node.withheld:
        return QuestionRow(
            title=item.title, withheld=True, show_title=node.show_title, reason=item.exempt_reason
        )
    if node.questions:
        for q in node.questions:
            q.question_paragraphs = split_paragraphs(q.question)
            q.response_paragraphs = split_paragraphs(q.response)
        return QuestionRow(title=title, questions=node.questions)
    if node.papers:
        return QuestionRow(title=title)
    return None


NOTE_MAX = 200  # characters: "For noting.", "Noted.", never a minute


def _is_note(node) -> bool:
    """The item's whole minute is one short paragraph: a note, as the record prints it."""
    return len(node.paragraphs) == 1 and len(node.paragraphs[0]) <= NOTE_MAX


def _in_record(node, siblings) -> bool:
    """The clerk marked the item as part of the questions record; or, in records that could not
    say so (format 1.0), it is a one-line note beside an item with questions or papers."""
    if node.item.in_questions_record:
        return True
    return (
        not node.children
        and _is_note(node)
        and any(sibling.papers or sibling.questions for sibling in siblings)
    )


def has_questions_document(meeting: Meeting) -> bool:
    """A questions-and-responses record exists for a meeting that considered papers or
    questions, or whose clerk marked an item as part of that record."""
    return meeting.items.filter(
        Q(papers__isnull=False) | Q(questions__isnull=False) | Q(in_questions_record=True)
    ).exists()


def questions_context(
    meeting: Meeting, *, public: bool, content: MinutesContent | None = None
) -> dict:
    content = content or minutes_content(meeting, public=public)
    rows: list[QuestionRow] = []

    def walk(nodes):
        for node in nodes:
            # Only the questions record: items that carry questions, items whose papers were
            # considered without any ("No comments were raised"), and beside them an item whose
            # whole minute is a one-line note ("For noting."). Never an item's minute text.
            row = _question_row(node)
            if row is None and not node.withheld and _in_record(node, nodes):
                row = QuestionRow(title=node.item.title, note=node.item.minutes.strip())
            if row is not None:
                rows.append(row)
            if not node.withheld:
                walk(node.children)

    walk(content.items)
    return {
        "meeting": meeting,
        "rows": rows,
        "public": public,
        "title": document_title(meeting, "questions"),
        "intro": split_paragraphs(meeting.questions_intro),
    }


def questions_html(
    meeting: Meeting,
    *,
    public: bool,
    draft_at: datetime.datetime | None = None,
    content: MinutesContent | None = None,
) -> str:
    context = questions_context(meeting, public=public, content=content)
    return render_to_string("documents/questions.html", {**context, "draft_at": draft_at})


def render_minutes_pdf(
    meeting: Meeting,
    *,
    public: bool,
    draft_at: datetime.datetime | None = None,
    content: MinutesContent | None = None,
) -> bytes:
    """The minutes as PDF; `draft_at` marks a preview, `content` reuses a built snapshot."""
    return render_pdf(minutes_html(meeting, public=public, draft_at=draft_at, content=content))


def render_questions_pdf(
    meeting: Meeting,
    *,
    public: bool,
    draft_at: datetime.datetime | None = None,
    content: MinutesContent | None = None,
) -> bytes:
    return render_pdf(questions_html(meeting, public=public, draft_at=draft_at, content=content))


def agenda_snapshot(meeting: Meeting) -> list[dict]:
    """The public agenda: numbered items (an exempt one by title only where the board allows
    it, with the reason), each public item's public papers. Built from what the public minutes
    show, so an agenda never shows more than the minutes would."""
    rows: list[dict] = []

    def walk(nodes, depth):
        for node in nodes:
            item = node.item
            row = {
                "id": item.pk,
                "number": item.number,
                "depth": depth,
                "title": item.title if node.show_title else str(_("Exempt item")),
                "exempt": node.withheld,
                "reason": item.exempt_reason if node.withheld else "",
                "papers": [],
            }
            if not node.withheld:
                for paper in node.papers:
                    if paper.exempt:
                        continue  # never to the public, not even its title
                    entry = {"id": paper.pk, "title": paper.title, "author": paper.author}
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


def agenda_html(meeting: Meeting, items: list[dict]) -> str:
    """The agenda as the first part of the agenda pack."""
    return render_to_string(
        "documents/agenda.html",
        {"meeting": meeting, "items": items, "title": document_title(meeting, "agenda")},
    )
