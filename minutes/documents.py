"""The published documents of a meeting: contexts (pure), HTML (templates), PDF (scrutiny.pdf)."""

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meetings.models import AgendaItem, Meeting, split_paragraphs
from minutes.content import QuestionView, minutes_content
from scrutiny.pdf import render_pdf


def document_title(meeting: Meeting, kind: str) -> str:
    when = date_format(meeting.held_on, "j F Y")
    name = f"{meeting.board.name} {when}" + (f" ({meeting.title})" if meeting.title else "")
    if kind == "questions":
        return _("Questions and responses: %(meeting)s") % {"meeting": name}
    return _("Minutes: %(meeting)s") % {"meeting": name}


def minutes_html(meeting: Meeting, *, public: bool, content=None) -> str:
    """The whole HTML document the minutes PDF is made from."""
    return render_to_string(
        "documents/minutes.html",
        {
            "minutes": content or minutes_content(meeting, public=public),
            "title": document_title(meeting, "minutes"),
        },
    )


def minutes_fragment(meeting: Meeting, *, public: bool, content=None) -> str:
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


def has_questions_document(meeting: Meeting) -> bool:
    """A questions-and-responses record exists for a meeting that considered papers or questions."""
    return (
        meeting.items.filter(papers__isnull=False).exists()
        or meeting.items.filter(questions__isnull=False).exists()
    )


def questions_context(meeting: Meeting, *, public: bool, content=None) -> dict:
    content = content or minutes_content(meeting, public=public)
    rows: list[QuestionRow] = []

    def walk(nodes):
        for node in nodes:
            row = _question_row(node)
            if row is None and not node.withheld and node.paragraphs and not node.children:
                # An item with neither papers nor questions but a note ("For noting.").
                if any(sibling.papers or sibling.questions for sibling in nodes):
                    row = QuestionRow(title=node.item.title, note=node.item.minutes)
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
    }


def questions_html(meeting: Meeting, *, public: bool, content=None) -> str:
    return render_to_string(
        "documents/questions.html", questions_context(meeting, public=public, content=content)
    )


def render_minutes_pdf(meeting: Meeting, *, public: bool) -> bytes:
    return render_pdf(minutes_html(meeting, public=public))


def render_questions_pdf(meeting: Meeting, *, public: bool) -> bytes:
    return render_pdf(questions_html(meeting, public=public))
