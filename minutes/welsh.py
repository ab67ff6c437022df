"""Which printed texts of a meeting still lack their Welsh twin: shown to the clerk, and checked
before a body that requires Welsh versions publishes."""

from django.utils.translation import gettext as _

from actions.models import Action, ActionUpdate
from meetings.models import Meeting

# The printed texts of each kind of record that carry a Welsh twin (field name, field_cy).
TWINS = {
    "meeting": ["title", "venue", "chair_note", "next_meeting_note", "questions_intro"],
    "item": ["title", "minutes", "exempt_reason"],
    "paper": ["title"],
    "question": ["question", "response"],
    "action": ["text"],
    "progress": ["text", "summary"],
}


def _missing(obj, fields: list[str]) -> list[str]:
    return [
        name for name in fields if getattr(obj, name).strip() and not getattr(obj, f"{name}_cy")
    ]


def untranslated(meeting: Meeting, *, public: bool = False) -> list[str]:
    """Where a text has English and no Welsh, named as the clerk finds it ("Item 2.1: minutes").
    With public=True, only what the public documents print."""
    out: list[str] = []
    labels = {
        "title": _("title"),
        "venue": _("venue"),
        "chair_note": _("chair note"),
        "next_meeting_note": _("next meeting note"),
        "questions_intro": _("introduction to the questions record"),
        "restricted_reason": _("public reason for the restriction"),
        "minutes": _("minutes"),
        "exempt_reason": _("exemption reason"),
        "question": _("question"),
        "response": _("response"),
        "text": _("text"),
        "summary": _("summary"),
    }

    def note(where: str, fields: list[str]) -> None:
        out.extend(f"{where}: {labels[name]}" for name in fields)

    note(_("Meeting"), _missing(meeting, TWINS["meeting"]))
    items = list(meeting.items.prefetch_related("papers", "questions").select_related("parent"))
    for item in items:
        where = _("Item %(number)s") % {"number": item.number or item.title[:40]}
        exempt = item.is_exempt_in_effect()
        if public and exempt:
            fields = ["exempt_reason"] + (["title"] if meeting.board.public_exempt_titles else [])
            note(where, _missing(item, fields))
            continue
        note(where, _missing(item, TWINS["item"]))
        for paper in item.papers.all():
            note(_("%(item)s, paper") % {"item": where}, _missing(paper, TWINS["paper"]))
        for question in item.questions.all():
            fields = ["question"] if public and question.restricted else TWINS["question"]
            if question.restricted:
                fields = [*fields, "restricted_reason"]
            label = _("%(item)s, question %(number)s") % {
                "item": where,
                "number": question.number or question.position,
            }
            note(label, _missing(question, fields))
    exempt_items = {item.pk for item in items if item.is_exempt_in_effect()}
    for action in Action.objects.filter(raised_at_item__meeting=meeting).select_related("board"):
        if public and action.raised_at_item_id in exempt_items:
            continue
        note(action.ref, _missing(action, TWINS["action"]))
    # Under an item, or under none ("Progress on earlier actions"): both are printed. A review
    # under an item is minuted at that item's meeting (a rule the database holds, ADR 0011), so
    # they are the reviews minuted at the meeting: one indexed lookup, where an OR across the
    # items read every progress report (half a second at 120,000 actions).
    reviews = ActionUpdate.objects.filter(meeting=meeting).select_related("action__board")
    for review in reviews:
        if public and review.item_id in exempt_items:
            continue
        note(
            _("%(ref)s, progress") % {"ref": review.action.ref}, _missing(review, TWINS["progress"])
        )
    return out
