"""Rules of a meeting's own record that every page and command shares."""

import hashlib

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext

from meetings.models import AgendaItem, Attendance, Meeting, Person, Question


def meeting_start_correction(*, meeting: Meeting) -> None:
    """Editing approved or published minutes makes them a draft again: the approval was of the
    text before the edit. The public keeps any published version until the corrected minutes
    are approved and published as the next version."""
    if meeting.status != Meeting.Status.DRAFT:
        meeting.status = Meeting.Status.DRAFT
        meeting.approved_at = None
        meeting.approved_by = None
        meeting.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])


def reopen_minutes(request, meetings) -> None:
    """Edited minutes that were approved or published become a draft again (a correction)."""
    pks = {meeting.pk for meeting in meetings if meeting is not None}
    reopened = list(Meeting.objects.filter(pk__in=pks).exclude(status=Meeting.Status.DRAFT))
    for meeting in reopened:
        meeting_start_correction(meeting=meeting)
    if reopened:
        messages.warning(
            request,
            gettext(
                "These minutes were changed, so they are a draft again: they need approval "
                "before the change is published."
            ),
        )


class RecordConflict(Exception):
    """Someone else saved this part of the record after the user opened it; nothing was saved."""

    def __init__(self, current):
        super().__init__(gettext("Someone else saved this after you opened it."))
        self.current = current


class RecordError(Exception):
    """A change to a meeting's record that cannot be made, with a message for the user."""


def _lock_row(model, pk: int, expected_version: int | None):
    current = model.objects.select_for_update().get(pk=pk)
    if expected_version is not None and current.version != expected_version:
        raise RecordConflict(current)
    return current


@transaction.atomic
def meeting_update(*, meeting: Meeting, changes: dict, expected_version: int | None) -> Meeting:
    """Change fields of a meeting's own row; a real change reopens approved minutes."""
    locked = _lock_row(Meeting, meeting.pk, expected_version)
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    locked.full_clean(exclude=["board", "named_roles", "named_people"])
    locked.version += 1
    locked.save()
    meeting_start_correction(meeting=locked)
    return locked


def section_fingerprint(rows) -> str:
    """A short digest of what a section showed, to refuse saving over someone else's save in
    sections whose rows carry no version of their own (attendance, reviews)."""
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def attendance_fingerprint(meeting: Meeting) -> str:
    return section_fingerprint(
        meeting.attendance.order_by("position", "pk").values_list(
            "pk",
            "person_id",
            "role_id",
            "organisation_id",
            "status",
            "arrival_time",
            "departure_time",
            "note",
        )
    )


@transaction.atomic
def attendance_save(*, meeting: Meeting, rows: list[dict], expected_fingerprint: str | None):
    """Replace a meeting's attendance with rows in order. A row names a person by `person` or by
    a typed `name` (found or created in the board's body, remembered with its post)."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if expected_fingerprint is not None and attendance_fingerprint(locked) != expected_fingerprint:
        raise RecordConflict(list(locked.attendance.select_related("person", "role")))
    body = locked.board.body
    existing = {row.pk: row for row in locked.attendance.all()}
    kept, changed = set(), False
    for position, data in enumerate(rows):
        person = data.get("person")
        if person is None:
            name = data["name"].strip()
            person, _created = Person.objects.get_or_create(
                body=body, name=name, defaults={"organisation": data.get("organisation")}
            )
        organisation = data.get("organisation")
        owners = [person.body_id, data["role"].body_id if data.get("role") else body.pk]
        owners.append(organisation.body.pk if organisation else body.pk)
        if any(owner != body.pk for owner in owners):
            raise RecordError(
                gettext("Choose people, posts and organisations of %(body)s.") % {"body": body}
            )
        row = existing.get(data.get("pk")) or Attendance(meeting=locked)
        values = {
            "position": position,
            "person": person,
            "role": data.get("role"),
            "organisation": data.get("organisation"),
            "status": data["status"],
            "arrival_time": data.get("arrival_time"),
            "departure_time": data.get("departure_time"),
            "note": data.get("note", ""),
        }
        if row.pk is None or any(getattr(row, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            changed = True
        kept.add(row.pk)
    for pk, row in existing.items():
        if pk not in kept:
            row.delete()
            changed = True
    if changed:
        meeting_start_correction(meeting=locked)
    return locked


@transaction.atomic
def meeting_item_save(
    *,
    meeting: Meeting,
    item: AgendaItem | None,
    changes: dict,
    expected_version: int | None,
) -> AgendaItem:
    """Add an agenda item, or change one; a real change reopens approved minutes."""
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    if item is None:
        parent = changes.get("parent")
        if parent is not None and parent.meeting_id != meeting.pk:
            raise RecordError(gettext("The parent item belongs to another meeting."))
        siblings = AgendaItem.objects.filter(meeting=meeting, parent=parent)
        last = siblings.order_by("-position").values_list("position", flat=True).first()
        locked = AgendaItem(meeting=meeting, position=(last or 0) + 1 if last is not None else 0)
        changed = list(changes)
    else:
        locked = _lock_row(AgendaItem, item.pk, expected_version)
        changed = [name for name, value in changes.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        locked.version += 1
    for name in changed:
        setattr(locked, name, changes[name])
    locked.full_clean(exclude=["meeting", "parent"])
    locked.save()
    meeting_start_correction(meeting=meeting)
    return locked


@transaction.atomic
def meeting_item_move(*, item: AgendaItem, direction: str) -> AgendaItem:
    """Move an item up or down among its siblings, or in (under the item above) and out."""
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    item = AgendaItem.objects.get(pk=item.pk)
    siblings = list(AgendaItem.objects.filter(meeting=meeting, parent=item.parent_id))
    index = next(i for i, other in enumerate(siblings) if other.pk == item.pk)
    if direction in ("up", "down"):
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(siblings):
            return item
        siblings[index], siblings[target] = siblings[target], siblings[index]
    elif direction == "in":
        if index == 0:
            raise RecordError(gettext("The first item cannot go under the one above it."))
        new_parent = siblings[index - 1]
        last = new_parent.children.order_by("-position").first()
        item.parent = new_parent
        item.position = last.position + 1 if last else 0
        item.save(update_fields=["parent", "position"])
        siblings.pop(index)
    elif direction == "out":
        if item.parent_id is None:
            raise RecordError(gettext("The item is already at the top level."))
        parent = item.parent
        outer = list(AgendaItem.objects.filter(meeting=meeting, parent=parent.parent_id))
        siblings.pop(index)
        at = next(i for i, other in enumerate(outer) if other.pk == parent.pk) + 1
        item.parent = parent.parent
        outer.insert(at, item)
        _renumber_positions(outer)
    else:
        raise RecordError(gettext("Unknown move."))
    _renumber_positions(siblings)
    meeting_start_correction(meeting=meeting)
    return item


def _renumber_positions(items: list[AgendaItem]) -> None:
    for position, other in enumerate(items):
        other.position = position
        other.save(update_fields=["position", "parent"])


@transaction.atomic
def meeting_item_delete(*, item: AgendaItem) -> None:
    """Delete an agenda item with its sub-items, questions, papers and departures; an item that
    raised actions stays until they are moved or deleted."""
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    try:
        item.delete()
    except ProtectedError:
        raise RecordError(
            gettext("Actions were raised under this item: move or delete them first.")
        ) from None
    meeting_start_correction(meeting=meeting)


@transaction.atomic
def meeting_items_renumber(*, meeting: Meeting) -> None:
    """Number the agenda as printed: 1, 2, 3 at the top, 3.1, 3.2 beneath."""
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk"))
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)

    def walk(parent_id, prefix):
        for n, item in enumerate(children.get(parent_id, []), start=1):
            number = f"{prefix}{n}"
            if item.number != number:
                item.number = number
                item.version += 1
                item.save(update_fields=["number", "version"])
            walk(item.pk, number + ".")

    walk(None, "")
    meeting_start_correction(meeting=meeting)


@transaction.atomic
def question_save(*, item: AgendaItem, question: Question | None, changes: dict) -> Question | None:
    """Add, change or (with no question text) delete a question put on an item."""
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    responder = changes.get("responder")
    if responder is not None and responder.body_id != meeting.board.body_id:
        raise RecordError(gettext("The responder is a post of another body."))
    if question is None:
        if not changes.get("question", "").strip():
            return None
        last = item.questions.order_by("-position").first()
        question = Question(item=item, position=last.position + 1 if last else 0)
        changed = list(changes)
    elif not changes.get("question", "").strip():
        question.delete()
        meeting_start_correction(meeting=meeting)
        return None
    else:
        changed = [name for name, value in changes.items() if getattr(question, name) != value]
        if not changed:
            return question
    for name in changed:
        setattr(question, name, changes[name])
    question.full_clean(exclude=["item"])
    question.save()
    meeting_start_correction(meeting=meeting)
    return question
