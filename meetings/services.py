"""The write path of a meeting's own record: the meeting, its attendance, items, papers,
questions and departures.

Every change goes through one of these services, whoever makes it (the secretariat pages, the
meeting editor, the importer, commands, tests). Each one runs in a transaction, refuses what
does not belong to the meeting's body, and applies the rule that a change to what the minutes
print reopens their approval (`meeting_reopen_approval`, docs/adr/0005-correction-rule.md).

The services that save a row take the instance with the caller's changes already set on it
(a ModelForm's `save(commit=False)`, or attributes set by hand) and decide from the stored row
what changed, so no caller has to say which fields it touched.
"""

import dataclasses
import datetime
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import (
    AgendaItem,
    Appointment,
    Attendance,
    Board,
    Departure,
    Meeting,
    Organisation,
    Paper,
    Person,
    Question,
    Role,
)
from meetings.signals import papers_withheld
from scrutiny.audit import bulk_create_recorded
from scrutiny.transactions import atomic


class RecordError(Exception):
    """A change to a meeting's record that cannot be made, with a message for the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class RecordConflict(RecordError):
    """Someone else saved the record after the user opened it."""


def with_welsh_twins(model: type[models.Model], fields: tuple[str, ...]) -> tuple[str, ...]:
    """The printed fields with the Welsh twin of each (`<field>_cy`) where the model has one:
    the Welsh documents print the twins, so a change to one reopens approval as its English
    does, and a new twin cannot be forgotten here."""
    names = {field.name for field in model._meta.get_fields()}
    twins = tuple(f"{name}_cy" for name in fields if f"{name}_cy" in names)
    return fields + tuple(twin for twin in twins if twin not in fields)


# What the minutes print of each row: a change to one of these fields is a change to the minutes
# and reopens their approval. Status, approval, audit and version fields are not printed.
PRINTED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    model: with_welsh_twins(model, fields)
    for model, fields in {
        Meeting: (
            "board",
            "held_on",
            "title",
            "start_time",
            "end_time",
            "venue",
            "chair",
            "chair_role",
            "chair_note",
            "minute_taker",
            "next_meeting_on",
            "next_meeting_start",
            "next_meeting_venue",
            "next_meeting_note",
            "questions_intro",
        ),
        Attendance: (
            "meeting",
            "position",
            "person",
            "role",
            "organisation",
            "status",
            "arrival_time",
            "departure_time",
            "note",
        ),
        AgendaItem: (
            "meeting",
            "parent",
            "position",
            "number",
            "title",
            "minutes",
            "exempt",
            "exempt_reason",
            "in_questions_record",
        ),
        Paper: ("item", "position", "title", "author"),
        Question: (
            "item",
            "position",
            "number",
            "question",
            "asked_by",
            "response",
            "responder",
            "restricted",
            "restricted_reason",
        ),
        Departure: ("item", "position", "name", "left_at"),
    }.items()
}

MAX_ITEM_DEPTH = 6
"""How deep items nest: 1 is an item, 2 a sub-item (2.1), 3 a sub-sub-item (2.1.a), and so on.
The real minutes use three levels; the pages and documents are built for this many."""


def meeting_start_correction(*, meeting: Meeting) -> None:
    """Approved or published minutes become a draft again: the approval was of the text before
    the edit. The public keeps any published version until the corrected minutes are approved
    and published as the next version."""
    if meeting.status != Meeting.Status.DRAFT:
        meeting.status = Meeting.Status.DRAFT
        meeting.approved_at = None
        meeting.approved_by = None
        meeting.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])


_reopened: ContextVar[list[Meeting] | None] = ContextVar("reopened", default=None)


@contextmanager
def reopened_minutes() -> Iterator[list[Meeting]]:
    """Collect the minutes that the services called inside the block reopened, so that a page
    can say so ("These minutes were changed, so they are a draft again")."""
    token = _reopened.set([])
    try:
        yield _reopened.get()
    finally:
        _reopened.reset(token)


# No savepoint of its own: it raises no error a caller would catch and carry on after, and it
# runs inside every other service (an import writes hundreds of rows through them).
@transaction.atomic(savepoint=False)
def meeting_reopen_approval(*, meetings: Iterable[Meeting | None], by) -> list[Meeting]:
    """What these minutes print was changed by `by`: approved or published minutes become a
    draft again, and `by` is recorded as having changed them since their last approval, so they
    cannot approve that change themselves. Returns the meetings that were reopened."""
    pks = {meeting.pk for meeting in meetings if meeting is not None and meeting.pk}
    reopened = []
    for meeting in Meeting.objects.select_for_update().filter(pk__in=pks).order_by("pk"):
        if by is not None and getattr(by, "pk", None):
            meeting.changed_since_approval_by.add(by)
        if meeting.status != Meeting.Status.DRAFT:
            meeting_start_correction(meeting=meeting)
            reopened.append(meeting)
    collected = _reopened.get()
    if collected is not None:
        collected.extend(reopened)
    return reopened


def _printed_change(instance: models.Model, stored: models.Model | None) -> bool:
    if stored is None:
        return True
    fields = PRINTED_FIELDS[type(instance)]
    return any(
        getattr(instance, instance._meta.get_field(name).attname)
        != getattr(stored, instance._meta.get_field(name).attname)
        for name in fields
    )


def _stored(instance: models.Model, expected_version: int | None) -> models.Model | None:
    """The row as stored, locked; a stale `expected_version` is refused. Counts the save."""
    if instance.pk is None:
        return None
    model = type(instance)
    stored = model.objects.select_for_update().filter(pk=instance.pk).first()
    if stored is None:
        raise RecordError(
            _("This %(thing)s was deleted by someone else.") % {"thing": model._meta.verbose_name}
        )
    if hasattr(stored, "version"):
        if expected_version is not None and stored.version != expected_version:
            raise RecordConflict(
                _(
                    "Someone else saved changes to this %(thing)s after you opened it, so your "
                    "changes were not saved. What you typed is kept: open it again to see their "
                    "changes, then apply yours."
                )
                % {"thing": model._meta.verbose_name}
            )
        instance.version = stored.version + 1
    return stored


def _body_of(meeting: Meeting) -> Organisation:
    return meeting.board.body


def require_in_body(body: Organisation, record, field: str) -> None:
    """A person, post or group of another body is never part of this body's record."""
    if record is None:
        return
    if isinstance(record, Organisation):
        ok = record.pk == body.pk or record.parent_id == body.pk
    else:
        ok = record.body_id == body.pk
    if not ok:
        raise RecordError(
            _("%(record)s belongs to %(other)s, not to %(body)s.")
            % {
                "record": str(record),
                "other": str(
                    record.body
                    if not isinstance(record, Organisation)
                    else (record.parent or record)
                ),
                "body": body.name,
            },
            field=field,
        )


def _require_body_scope(body: Organisation, **records) -> None:
    for field, record in records.items():
        require_in_body(body, record, field)


def meeting_create(
    *,
    meeting: Meeting,
    by,
    named_roles: Iterable[Role] | None = None,
    named_people: Iterable[Person] | None = None,
) -> Meeting:
    """Record a new meeting (its details set on the instance), prepared by `by`, who therefore
    cannot approve its minutes."""
    if meeting.pk is not None:
        raise RecordError(_("This meeting already exists."))
    if by is not None and getattr(by, "pk", None):
        meeting.created_by = by
    return meeting_update(
        meeting=meeting, by=by, named_roles=named_roles, named_people=named_people
    )


@atomic
def meetings_create_batch(*, meetings: list[Meeting], by) -> list[Meeting]:
    """`meeting_create` for several new meetings at once (a board's generated years), naming
    no posts or people, by the same rules: every meeting is checked before any is written;
    then one insert with its history rows (ADR 0002), in the list's order; `by` prepared them
    all (and so cannot approve their minutes)."""
    for meeting in meetings:
        if meeting.pk is not None:
            raise RecordError(_("This meeting already exists."))
        _require_body_scope(_body_of(meeting), chair=meeting.chair, chair_role=meeting.chair_role)
        if by is not None and getattr(by, "pk", None):
            meeting.created_by = by
    bulk_create_recorded(meetings, Meeting)
    meeting_reopen_approval(meetings=meetings, by=by)
    return meetings


@atomic
def meeting_update(
    *,
    meeting: Meeting,
    by,
    named_roles: Iterable[Role] | None = None,
    named_people: Iterable[Person] | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Save a meeting's own details (set on the instance); a printed change reopens approval.
    The posts and people named in the text are replaced when given."""
    body = _body_of(meeting)
    _require_body_scope(body, chair=meeting.chair, chair_role=meeting.chair_role)
    named_roles = None if named_roles is None else list(named_roles)
    named_people = None if named_people is None else list(named_people)
    for record in [*(named_roles or []), *(named_people or [])]:
        require_in_body(body, record, "named_roles" if isinstance(record, Role) else "named_people")
    stored = _stored(meeting, expected_version)
    if stored is not None and stored.board_id != meeting.board_id:
        _require_board_move(meeting, stored)
    changed = _printed_change(meeting, stored)
    calendar_changed = stored is not None and any(
        getattr(stored, name) != getattr(meeting, name) for name in CALENDAR_FIELDS
    )
    if stored is not None:
        # Status and approval move only through approval, publication and this rule.
        meeting.status = stored.status
        meeting.approved_at, meeting.approved_by_id = stored.approved_at, stored.approved_by_id
    meeting.save()
    for related, records in (
        (meeting.named_roles, named_roles),
        (meeting.named_people, named_people),
    ):
        if records is None:
            continue
        if stored is None:
            related.add(*records)  # a new meeting names nothing yet
        elif set(records) != set(related.all()):
            related.set(records)
            changed = True
    if changed and stored is None and meeting.status == Meeting.Status.DRAFT:
        # A new draft, just written: nothing to reopen (and no row to lock that anyone else
        # sees); whoever prepared it cannot approve it.
        if by is not None and getattr(by, "pk", None):
            meeting.changed_since_approval_by.add(by)
    elif changed and meeting_reopen_approval(meetings=[meeting], by=by):
        meeting.status, meeting.approved_at, meeting.approved_by = Meeting.Status.DRAFT, None, None
    if calendar_changed:
        _calendar_revised(meeting)
    return meeting


def _require_board_move(meeting: Meeting, stored: Meeting) -> None:
    """A meeting moves to another board of the same body only while it raised no action: an
    action's number belongs to its board."""
    if stored.board.body_id != meeting.board.body_id:
        raise RecordError(
            _("A meeting cannot move to a board of another body."),
            field="board",
        )
    if stored.actions_raised.exists():
        raise RecordError(
            _("This meeting raised actions numbered on its board, so it cannot change board."),
            field="board",
        )


@atomic
def attendance_save(*, attendance: Attendance, by) -> Attendance:
    """Add or change who attended; the person, post and group must be of the meeting's body."""
    _require_body_scope(
        _body_of(attendance.meeting),
        person=attendance.person,
        role=attendance.role,
        organisation=attendance.organisation,
    )
    stored = _stored(attendance, None)
    changed = _printed_change(attendance, stored)
    attendance.save()
    if changed:
        meeting_reopen_approval(meetings=[attendance.meeting, _was(stored, "meeting")], by=by)
    return attendance


@atomic
def attendance_delete(*, attendance: Attendance, by) -> None:
    meeting = attendance.meeting
    attendance.delete()
    meeting_reopen_approval(meetings=[meeting], by=by)


def _was(stored, field: str):
    return getattr(stored, field) if stored is not None else None


def item_depth(item: AgendaItem) -> int:
    """1 for an item, 2 for a sub-item, and so on."""
    depth, parent = 1, item.parent
    while parent is not None:
        depth, parent = depth + 1, parent.parent
    return depth


@atomic
def meeting_item_save(*, item: AgendaItem, by, expected_version: int | None = None) -> AgendaItem:
    """Add or change an agenda item (its minute text, exemption, place in the agenda).

    A sub-item belongs to its parent's meeting; items nest at most MAX_ITEM_DEPTH deep. An item
    moved to another meeting changes the minutes of both."""
    if item.parent_id is not None:
        if item.parent.meeting_id != item.meeting_id:
            raise RecordError(
                _("A sub-item belongs to the meeting of the item it is under."), field="parent"
            )
        if item.pk is not None and _is_under(item.parent, item):
            raise RecordError(_("An item cannot be under itself."), field="parent")
        if item_depth(item) > MAX_ITEM_DEPTH:
            raise RecordError(
                _("Items nest at most %(n)s levels deep.") % {"n": MAX_ITEM_DEPTH},
                field="parent",
            )
    if item.exempt and not item.exempt_reason.strip():
        raise RecordError(
            _("An exempt item needs the reason for the exemption."), field="exempt_reason"
        )
    stored = _stored(item, expected_version)
    if stored is not None and stored.meeting_id != item.meeting_id:
        if _body_of(stored.meeting).pk != _body_of(item.meeting).pk:
            raise RecordError(
                _("An item cannot move to a meeting of another body."), field="meeting"
            )
        if _has_actions(item) or item.children.exists():
            raise RecordError(
                _(
                    "This item has actions, reviews or sub-items of its meeting, so it cannot "
                    "move to another meeting."
                ),
                field="meeting",
            )
    changed = _printed_change(item, stored)
    item.save()
    if changed:
        meeting_reopen_approval(meetings=[item.meeting, _was(stored, "meeting")], by=by)
    if stored is not None and (
        (item.exempt and not stored.exempt)
        or item.parent_id != stored.parent_id
        or item.meeting_id != stored.meeting_id
    ):
        papers_withheld.send(sender=AgendaItem, meeting=stored.meeting)
    return item


def _has_actions(item: AgendaItem) -> bool:
    """Actions raised or reviewed under the item or any item below it."""
    items, level = {item.pk}, {item.pk}
    while level:
        level = set(AgendaItem.objects.filter(parent__in=level).values_list("pk", flat=True))
        items |= level
    return (
        AgendaItem.objects.filter(pk__in=items)
        .filter(models.Q(actions__isnull=False) | models.Q(action_reviews__isnull=False))
        .exists()
    )


def _is_under(candidate: AgendaItem, item: AgendaItem) -> bool:
    node = candidate
    while node is not None:
        if node.pk == item.pk:
            return True
        node = node.parent
    return False


@atomic
def meeting_item_delete(*, item: AgendaItem, by) -> None:
    """Delete an item with its sub-items, papers, questions and departures. An item under which
    actions were raised is refused: the actions are deleted or moved first."""
    meeting = item.meeting
    if _has_actions(item):
        raise RecordError(
            _(
                "Actions were raised or reviewed under this item or its sub-items: delete them "
                "or move them to another item first."
            )
        )
    item.delete()
    meeting_reopen_approval(meetings=[meeting], by=by)
    papers_withheld.send(sender=AgendaItem, meeting=meeting)


def _item_child_save(instance, *, by, responder: Role | None = None):
    if responder is not None:
        require_in_body(_body_of(instance.item.meeting), responder, "responder")
    stored = _stored(instance, None)
    if stored is not None and stored.item.meeting_id != instance.item.meeting_id:
        raise RecordError(_("This cannot move to another meeting."), field="item")
    changed = _printed_change(instance, stored)
    instance.save()
    if changed:
        meeting_reopen_approval(meetings=[instance.item.meeting], by=by)
    if (
        isinstance(instance, Paper)
        and stored is not None
        and ((instance.exempt and not stored.exempt) or instance.item_id != stored.item_id)
    ):
        papers_withheld.send(sender=Paper, meeting=instance.item.meeting)
    return instance


def _item_child_delete(instance, *, by) -> None:
    meeting = instance.item.meeting
    instance.delete()
    meeting_reopen_approval(meetings=[meeting], by=by)
    if isinstance(instance, Paper):
        papers_withheld.send(sender=Paper, meeting=meeting)


@atomic
def question_save(*, question: Question, by) -> Question:
    """Add or change a question and its response; the responder is a post of the body."""
    return _item_child_save(question, by=by, responder=question.responder)


@atomic
def question_delete(*, question: Question, by) -> None:
    _item_child_delete(question, by=by)


@atomic
def paper_save(*, paper: Paper, by) -> Paper:
    """Add or change a paper considered under an item."""
    return _item_child_save(paper, by=by)


@atomic
def paper_delete(*, paper: Paper, by) -> None:
    _item_child_delete(paper, by=by)


@atomic
def departure_save(*, departure: Departure, by) -> Departure:
    """Add or change a departure minuted under an item."""
    return _item_child_save(departure, by=by)


@atomic
def departure_delete(*, departure: Departure, by) -> None:
    _item_child_delete(departure, by=by)


# Batches: a whole meeting's record written at once (the importer), the same rules as the
# services above, in a few statements whatever the number of rows -------------------------------


def _require_in_meeting_body(meeting: Meeting, record, field: str) -> None:
    # Compares ids (no query per row); the full check builds the message when one is refused.
    if record is None:
        return
    body_id = meeting.board.body_id
    if isinstance(record, Organisation):
        ok = body_id in (record.pk, record.parent_id)
    else:
        ok = record.body_id == body_id
    if not ok:
        require_in_body(_body_of(meeting), record, field)


def _check_item(item: AgendaItem, meeting: Meeting) -> None:
    """The rules of `meeting_item_save` for a new item, without a query."""
    if item.meeting is not meeting and item.meeting_id != meeting.pk:
        raise RecordError(_("An item belongs to the meeting it is added to."), field="meeting")
    if item.parent is not None and item.parent.meeting is not meeting:
        if item.parent.meeting_id != meeting.pk:
            raise RecordError(
                _("A sub-item belongs to the meeting of the item it is under."), field="parent"
            )
    if item_depth(item) > MAX_ITEM_DEPTH:
        raise RecordError(
            _("Items nest at most %(n)s levels deep.") % {"n": MAX_ITEM_DEPTH}, field="parent"
        )
    if item.exempt and not item.exempt_reason.strip():
        raise RecordError(
            _("An exempt item needs the reason for the exemption."), field="exempt_reason"
        )


def meeting_record_create(
    *,
    meeting: Meeting,
    attendance: list[Attendance] = (),
    items: list[AgendaItem] = (),
    papers: list[Paper] = (),
    questions: list[Question] = (),
    departures: list[Departure] = (),
    by,
) -> None:
    """Add attendance and new items with their papers, questions and departures to a meeting,
    as `attendance_save`, `meeting_item_save` and the others would one by one: the person, post
    and group of a row and a question's responder are of the meeting's body, a sub-item may
    name a parent of the same list (parents first), items nest at most MAX_ITEM_DEPTH deep, an
    exempt item gives its reason. Everything is checked before anything is written; then one
    insert per kind of row (and per level of items), each with its history (ADR 0002)."""
    record = MeetingRecord(
        meeting=meeting,
        attendance=list(attendance),
        items=list(items),
        papers=list(papers),
        questions=list(questions),
        departures=list(departures),
    )
    meetings_record_create_batch(records=[record], by=by)


@dataclasses.dataclass(kw_only=True)
class MeetingRecord:
    """A meeting's new rows, as `meeting_record_create` takes them."""

    meeting: Meeting
    attendance: list[Attendance] = dataclasses.field(default_factory=list)
    items: list[AgendaItem] = dataclasses.field(default_factory=list)
    papers: list[Paper] = dataclasses.field(default_factory=list)
    questions: list[Question] = dataclasses.field(default_factory=list)
    departures: list[Departure] = dataclasses.field(default_factory=list)


def _check_record(record: MeetingRecord, levels: dict[int, list[AgendaItem]]) -> None:
    """The rules of `meeting_record_create` for one meeting's rows, without a query; its items
    are added to `levels` by depth."""
    meeting = record.meeting
    for row in record.attendance:
        if row.pk is not None:
            raise RecordError(_("This attendance is already recorded."))
        row.meeting = meeting
        _require_in_meeting_body(meeting, row.person, "person")
        _require_in_meeting_body(meeting, row.role, "role")
        _require_in_meeting_body(meeting, row.organisation, "organisation")
    new = {id(item) for item in record.items}
    for item in record.items:
        if item.pk is not None:
            raise RecordError(_("This item already exists."))
        if item.parent is not None and item.parent.pk is None and id(item.parent) not in new:
            raise RecordError(
                _("A sub-item is added with, or after, the item it is under."), field="parent"
            )
        _check_item(item, meeting)
        levels.setdefault(item_depth(item), []).append(item)
    for rows in (record.papers, record.questions, record.departures):
        for row in rows:
            if row.item.pk is None and id(row.item) not in new:
                raise RecordError(_("This cannot move to another meeting."), field="item")
            if row.item.meeting is not meeting and row.item.meeting_id != meeting.pk:
                raise RecordError(_("This cannot move to another meeting."), field="item")
    for question in record.questions:
        _require_in_meeting_body(meeting, question.responder, "responder")


def meetings_record_create_batch(*, records: list[MeetingRecord], by) -> None:
    """`meeting_record_create` for several meetings at once (a board's generated years), by the
    same rules: every meeting's rows are checked before any is written; then one insert per
    kind of row (and per level of items) for all of them, each with its history (ADR 0002);
    the minutes of the meetings given rows reopen once."""
    levels: dict[int, list[AgendaItem]] = {}
    for record in records:
        _check_record(record, levels)
    _records_insert(records, levels, by)


@transaction.atomic(savepoint=False)  # everything was checked: nothing here raises RecordError
def _records_insert(records: list[MeetingRecord], levels: dict, by) -> None:
    attendance = [row for record in records for row in record.attendance]
    if attendance:
        bulk_create_recorded(attendance, Attendance)
    for depth in sorted(levels):
        # A sub-item's parent got its id in the level above; bulk_create reads it from there.
        bulk_create_recorded(levels[depth], AgendaItem)
    for model, kind in ((Paper, "papers"), (Question, "questions"), (Departure, "departures")):
        rows = [row for record in records for row in getattr(record, kind)]
        if rows:
            bulk_create_recorded(rows, model)
    changed = [
        record.meeting
        for record in records
        if record.attendance
        or record.items
        or record.papers
        or record.questions
        or record.departures
    ]
    if changed:
        meeting_reopen_approval(meetings=changed, by=by)


@atomic
def meeting_record_clear(*, meeting: Meeting, by) -> None:
    """Remove a meeting's attendance and items (with their papers, questions and departures),
    to write its record again. Items under which actions were raised or reviewed are refused,
    as by `meeting_item_delete`: the actions are moved off them first."""
    items = AgendaItem.objects.filter(meeting=meeting)
    if items.filter(
        models.Q(actions__isnull=False) | models.Q(action_reviews__isnull=False)
    ).exists():
        raise RecordError(
            _(
                "Actions were raised or reviewed under this item or its sub-items: delete them "
                "or move them to another item first."
            )
        )
    items.delete()
    meeting.attendance.all().delete()
    meeting_reopen_approval(meetings=[meeting], by=by)


def meeting_set_status(*, meeting: Meeting, status: str, by) -> Meeting:
    """Record the status the minutes had elsewhere, once their record is whole (an import of
    minutes approved elsewhere): draft or approved. Minutes become published only through
    publication."""
    if status not in (Meeting.Status.DRAFT, Meeting.Status.APPROVED):
        raise RecordError(_("Minutes become published only by publishing them."), field="status")
    # One statement, which locks the row itself.
    meeting.updated_at = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(status=status, updated_at=meeting.updated_at)
    meeting.status = status
    return meeting


@atomic
def appointment_grant(
    *, person: Person, role: Role, start_on: datetime.date | None, kind: str, by
) -> tuple[Appointment, bool]:
    """`person` holds `role` from `start_on`: this opens the post's actions to their account,
    so only an administrator (or `grant_role`) gives it. A post is held by a person of its own
    body. Returns the appointment and whether it is new; one already current that day is kept.
    """
    if person.body_id != role.body_id:
        require_in_body(role.body, person, "person")
    existing = (
        Appointment.objects.current(start_on or datetime.date.min)
        .filter(person=person, role=role)
        .order_by("start_on")
        .first()
    )
    if existing is not None:
        return existing, False
    return Appointment.objects.create(person=person, role=role, start_on=start_on, kind=kind), True


class AnnouncementError(Exception):
    """An announcement that cannot be made or changed, and why."""


# What calendar programs show of a meeting: a change to any of them is a new calendar revision.
CALENDAR_FIELDS = ("held_on", "title", "start_time", "end_time", "venue", "venue_cy", "is_public")


@atomic
def meeting_announce(
    *,
    board: Board,
    held_on: datetime.date,
    start_time: datetime.time | None,
    end_time: datetime.time | None = None,
    venue: str = "",
    venue_cy: str = "",
    is_public: bool = True,
    title: str = "",
    by,
) -> Meeting:
    """A meeting to come, listed under "Forthcoming meetings" and in the calendar feeds at once.

    It is a meeting of its own, with no minutes: announcing never touches another meeting's
    minutes (the "next meeting" of published minutes is only what they print).
    """
    if held_on is None:
        raise AnnouncementError(_("Give the date of the meeting."))
    if start_time and end_time and end_time < start_time:
        raise AnnouncementError(_("The meeting cannot end before it starts."))
    if Meeting.objects.filter(board=board, held_on=held_on, title=title).exists():
        raise AnnouncementError(
            _("%(board)s already has a meeting on that date with that title.")
            % {"board": board.name}
        )
    return Meeting.objects.create(
        board=board,
        held_on=held_on,
        title=title,
        start_time=start_time,
        end_time=end_time,
        venue=venue,
        venue_cy=venue_cy,
        is_public=is_public,
        announced_at=timezone.now(),
        created_by=by,
    )


@atomic
def meeting_announce_existing(*, meeting: Meeting) -> Meeting:
    """Announce a meeting already in the record (entered before it was announced)."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.cancelled_at is not None:
        raise AnnouncementError(_("A cancelled meeting cannot be announced."))
    if locked.announced_at is None:
        locked.announced_at = timezone.now()
        locked.save(update_fields=["announced_at", "updated_at"])
    return locked


def _calendar_revised(meeting: Meeting) -> None:
    """After an announced meeting's date, time, venue or openness changed (meeting_update, whoever
    calls it): a new revision, so calendar programs replace what they hold."""
    if meeting.announced_at is None:
        return
    Meeting.objects.filter(pk=meeting.pk).update(calendar_sequence=F("calendar_sequence") + 1)
    meeting.refresh_from_db(fields=["calendar_sequence"])


@atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """The meeting will not take place: it stays listed, marked cancelled, and calendars that
    hold it are told so."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.cancelled_at is not None:
        raise AnnouncementError(_("This meeting is already cancelled."))
    if locked.publications.exists():
        raise AnnouncementError(_("A meeting with published minutes took place."))
    locked.cancelled_at = timezone.now()
    locked.calendar_sequence += 1
    locked.save(update_fields=["cancelled_at", "calendar_sequence", "updated_at"])
    return locked


# The meeting editor's sections ---------------------------------------------------------------


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


@atomic
def meeting_attendance_save(
    *, meeting: Meeting, rows: list[dict], expected_fingerprint: str | None, by
) -> None:
    """Save a meeting's whole attendance as the editor's grid shows it, in order. A row names a
    person (`person`) or a name typed once (`name`), found or added in the board's body and
    remembered with the group they are listed under. Rows left out are removed."""
    locked = Meeting.objects.select_for_update().select_related("board__body").get(pk=meeting.pk)
    if expected_fingerprint is not None and attendance_fingerprint(locked) != expected_fingerprint:
        raise RecordConflict(
            _(
                "Someone else saved the attendance after you opened it, so your changes were "
                "not saved. What you typed is kept."
            )
        )
    body = _body_of(locked)
    existing = {row.pk: row for row in locked.attendance.all()}
    user = by if getattr(by, "pk", None) else None
    # People typed by name: found, or added with their history, in a few statements by the
    # body's reference service, remembered with the group they are listed under.
    typed = [
        (data["name"].strip(), data.get("organisation"))
        for data in rows
        if data.get("person") is None
    ]
    for _name, organisation in typed:
        _require_body_scope(body, organisation=organisation)
    people = {}
    if typed:
        from meetings.reference import people_ensure  # which builds on this module

        people = people_ensure(body=body, people=typed, by=user)
    kept, added = set(), []
    for position, data in enumerate(rows):
        person = data.get("person") or people[data["name"].strip()]
        row = existing.get(data.get("pk")) or Attendance(meeting=locked)
        wanted = {
            "position": position,
            "person_id": person.pk,
            "role_id": getattr(data.get("role"), "pk", None),
            "organisation_id": getattr(data.get("organisation"), "pk", None),
            "status": data["status"],
            "arrival_time": data.get("arrival_time"),
            "departure_time": data.get("departure_time"),
            "note": data.get("note", ""),
        }
        if row.pk is not None and all(getattr(row, k) == v for k, v in wanted.items()):
            kept.add(row.pk)  # unchanged: nothing to save (a grid save sends every row)
            continue
        for name, value in wanted.items():
            setattr(row, name, value)
        if row.pk is None:
            # New rows go in together, checked as attendance_save checks one.
            _require_body_scope(
                body, person=person, role=data.get("role"), organisation=data.get("organisation")
            )
            if user is not None:
                row._history_user = user
            added.append(row)
            continue
        attendance_save(attendance=row, by=by)
        kept.add(row.pk)
    if added:
        bulk_create_recorded(added, Attendance)
        meeting_reopen_approval(meetings=[locked], by=by)
    for pk, row in existing.items():
        if pk not in kept:
            attendance_delete(attendance=row, by=by)


@atomic
def meeting_item_move(*, item: AgendaItem, direction: str, by) -> AgendaItem:
    """Move an item up or down among its siblings, in (under the item above it) or out (after
    its parent); every item whose place changes is saved through `meeting_item_save`."""
    Meeting.objects.select_for_update().get(pk=item.meeting_id)
    item = AgendaItem.objects.select_related("parent").get(pk=item.pk)
    siblings = list(AgendaItem.objects.filter(meeting=item.meeting_id, parent=item.parent_id))
    index = next(i for i, other in enumerate(siblings) if other.pk == item.pk)
    moved = [siblings]
    if direction in ("up", "down"):
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(siblings):
            return item
        siblings[index], siblings[target] = siblings[target], siblings[index]
    elif direction == "in":
        if index == 0:
            raise RecordError(_("The first item cannot go under the one above it."))
        new_parent = siblings[index - 1]  # the item above
        siblings.pop(index)
        children = list(new_parent.children.all()) + [item]
        item.parent = new_parent
        moved.append(children)
    elif direction == "out":
        if item.parent_id is None:
            raise RecordError(_("The item is already at the top level."))
        parent = item.parent
        siblings.pop(index)
        outer = list(AgendaItem.objects.filter(meeting=item.meeting_id, parent=parent.parent_id))
        at = next(i for i, other in enumerate(outer) if other.pk == parent.pk) + 1
        item.parent = parent.parent
        outer.insert(at, item)
        moved.append(outer)
    else:
        raise RecordError(_("Unknown move."))
    for group in moved:
        for position, other in enumerate(group):
            current = item if other.pk == item.pk else other
            if current.position != position or current is item:
                current.position = position
                meeting_item_save(item=current, by=by)
    return item


@atomic
def meeting_items_renumber(*, meeting: Meeting, by) -> None:
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
                meeting_item_save(item=item, by=by)
            walk(item.pk, number + ".")

    walk(None, "")
