"""Writes to the action register: numbering, creation, owners, progress and the review of
actions at meetings.

Every change to an action goes through these services, whoever makes it. What the minutes print
of an action (its ref, text, owners, due date, links, where it was raised, and the progress
minuted at a meeting) is printed by the meeting that raised it and by every meeting that
reviewed it: a change to it reopens the approval of those minutes (`meeting_reopen_approval`).
Progress reported between meetings is not minuted and reopens nothing.
"""

import datetime
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Required, TypedDict, Unpack

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from actions import exports
from actions.filters import ActionFilter
from actions.models import (
    Action,
    ActionExport,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    DueKind,
    UpdateKind,
    numbered,
)
from meetings.models import AgendaItem, Board, Meeting, Person, Role
from meetings.services import RecordError, meeting_reopen_approval, with_welsh_twins
from scrutiny import transactions
from scrutiny.audit import (
    bulk_create_recorded,
    bulk_delete_recorded,
    bulk_update_recorded,
    historical_model,
)
from scrutiny.transactions import atomic

Owner = Role | Person


class ActionError(RecordError):
    """A change to the register that cannot be made, with a message for the user."""


class ActionConflict(ActionError):
    """Someone else changed the action after the user opened it."""


# What the minutes print of an action: a change to one of these (or to its Welsh twin, which the
# Welsh documents print) reopens their approval.
PRINTED_FIELDS = with_welsh_twins(
    Action,
    (
        "board",
        "number",
        "legacy_ref",
        "text",
        "due_on",
        "raised_at_meeting",
        "raised_at_item",
        "position",
        "raised_on",
        "due_kind",
        "owned_by_body",
    ),
)
# What the minutes print of a review (progress minuted at a meeting), with the Welsh twins.
PRINTED_REVIEW_FIELDS = with_welsh_twins(
    ActionUpdate,
    (
        "action",
        "meeting",
        "item",
        "position",
        "text",
        "status",
        "summary",
        "printed_owners",
        "printed_due_on",
        "printed_raised_on",
    ),
)


def action_meetings(action: Action) -> list[Meeting]:
    """The meetings whose minutes print the action: the one that raised it and every one that
    reviewed it."""
    if action.pk is None:
        return [action.raised_at_meeting] if action.raised_at_meeting_id else []
    return list(
        Meeting.objects.filter(
            Q(pk=action.raised_at_meeting_id) | Q(action_updates__action=action)
        ).distinct()
    )


def _reopen(action: Action, by, *also: Meeting | None) -> list[Meeting]:
    return meeting_reopen_approval(meetings=[*action_meetings(action), *also], by=by)


def _refuse_other_body(record, other, body, field: str | None = None) -> None:
    raise ActionError(
        _("%(owner)s belongs to %(other)s, not to %(body)s.")
        % {"owner": record, "other": other, "body": body},
        field=field,
    )


def _require_owners_in_body(board: Board, owners: Iterable[Owner]) -> None:
    for owner in owners:
        if owner.body_id != board.body_id:
            _refuse_other_body(owner, owner.body, board.body)


def _require_links_in_body(action: Action, others: Iterable[Action]) -> None:
    """An action refers ("see also") only to actions of its own body."""
    stray = (
        Action.objects.filter(pk__in=[other.pk for other in others])
        .exclude(board__body_id=action.board.body_id)
        .select_related("board__body")
        .first()
    )
    if stray is not None:
        _refuse_other_body(stray, stray.board.body, action.board.body, "see_also")


def _require_raised_in_board(
    board: Board, meeting: Meeting | None, item: AgendaItem | None
) -> None:
    if meeting is not None and meeting.board_id != board.pk:
        raise ActionError(_("An action is raised at a meeting of its own board."))
    if item is not None and (meeting is None or item.meeting_id != meeting.pk):
        raise ActionError(_("An action is raised under an item of the meeting that raised it."))


def _require_numbers_free(board: Board, numbers: list[int]) -> None:
    """Printed numbers given to new actions: each is not taken by an action of the board, and
    was never issued before either, even to an action since deleted (the audit trail keeps every
    deletion): a number once issued on a board is never issued again. One query however many
    numbers; a refusal names the row (`row`, its index in `numbers`)."""
    if not numbers:
        return
    found = (
        Action.objects.numbered(board, numbers)
        .order_by()
        .annotate(deleted=models.Value(False))
        .values_list("number", "deleted")
        .union(
            numbered(historical_model(Action).objects.filter(history_type="-"), board.pk, numbers)
            .order_by()
            .annotate(deleted=models.Value(True))
            .values_list("number", "deleted"),
            all=True,
        )
    )
    taken, deleted = set(), set()
    for number, was_deleted in found:
        (deleted if was_deleted else taken).add(number)
    seen: set[int] = set()
    for row, number in enumerate(numbers):
        ref = f"{board.action_prefix} {number}"
        if number in taken or number in seen:
            raise _at_row(ActionError(_("%(ref)s already exists.") % {"ref": ref}), row)
        if number in deleted:
            raise _at_row(
                ActionError(
                    _("%(ref)s was issued before and deleted: a number is never issued twice.")
                    % {"ref": ref}
                ),
                row,
            )
        seen.add(number)


def _at_row(error: ActionError, row: int) -> ActionError:
    """A refusal of a batch service names the row it refuses (its index in the batch)."""
    error.row = row
    return error


def _each(rows: Iterable, check: Callable) -> None:
    for row, value in enumerate(rows):
        try:
            check(value)
        except RecordError as exc:
            exc.row = row
            raise


def _lock(action: Action, expected_version: int | None) -> None:
    """Lock the action's row, refuse a stale form, and count this change."""
    current = Action.objects.select_for_update().get(pk=action.pk)
    if expected_version is not None and current.version != expected_version:
        action.version = current.version
        raise ActionConflict(
            _(
                "%(ref)s was changed by someone else after you opened it, so nothing was saved. "
                "What you typed is kept below: read the history, then submit again."
            )
            % {"ref": action.ref}
        )
    action.status, action.due_on = current.status, current.due_on
    action.version = current.version + 1
    Action.objects.filter(pk=action.pk).update(version=action.version)


def board_allocate_action_number(*, board: Board, count: int = 1) -> int:
    """Take the next free number of the board (or the next `count` numbers, returning the
    first); the row lock makes concurrent callers queue."""
    with transaction.atomic(savepoint=False):
        locked = Board.objects.select_for_update().get(pk=board.pk)
        number = locked.next_action_number
        locked.next_action_number = number + count
        locked.save(update_fields=["next_action_number"])
    board.next_action_number = number + count
    transactions.keep(("next action number", board.pk), board.next_action_number)
    return number


def board_reserve_action_number(*, board: Board, number: int) -> None:
    """Record that a number printed elsewhere is taken, so it is never given out again."""
    # In an import's batch, a board whose row it locked and whose next number is already past
    # this one is not locked and read again (each file reserves its numbers, then its new
    # actions theirs).
    known = transactions.kept(("next action number", board.pk))
    if known is not None and known > number:
        board.next_action_number = known
        return
    # No savepoint: nothing here raises an error a caller carries on after.
    with transaction.atomic(savepoint=False):
        locked = Board.objects.select_for_update().get(pk=board.pk)
        if locked.next_action_number <= number:
            locked.next_action_number = number + 1
            locked.save(update_fields=["next_action_number"])
        board.next_action_number = locked.next_action_number
    transactions.keep(("next action number", board.pk), board.next_action_number)


def _owner_keys(owners: Iterable[Owner]) -> list[tuple[str, int]]:
    keys: list[tuple[str, int]] = []
    for owner in owners:
        key = ("role" if isinstance(owner, Role) else "person", owner.pk)
        if key not in keys:
            keys.append(key)
    return keys


@atomic
def action_set_owners(*, action: Action, owners: Iterable[Owner]) -> None:
    """Replace the owners of an action, keeping their order. (Used by the services below: a
    caller outside them uses `action_reassign` or `action_update`, which apply the rules.)"""
    owners = list(owners)
    _require_owners_in_body(action.board, owners)
    current = [
        ("role", o.role_id) if o.role_id else ("person", o.person_id) for o in action.owners.all()
    ]
    if current == _owner_keys(owners):
        return
    _replace_owners([(action, owners)])


def _replace_owners(pairs: list[tuple[Action, list[Owner]]]) -> None:
    """The owners of these actions replaced by the given ones: one delete and one insert
    however many actions, each with its history rows (ADR 0002)."""
    if not pairs:
        return
    old = list(ActionOwner.objects.filter(action__in=[action.pk for action, _owners in pairs]))
    bulk_delete_recorded(old, ActionOwner)
    rows = [row for action, owners in pairs for row in _owner_rows(action, owners)]
    if rows:
        bulk_create_recorded(rows, ActionOwner)
    for action, _owners in pairs:  # owners read before (prefetched) are read again
        getattr(action, "_prefetched_objects_cache", {}).pop("owners", None)


def _owner_rows(action: Action, owners: Iterable[Owner]) -> list[ActionOwner]:
    seen: set[tuple[str, int]] = set()
    rows = []
    for owner in owners:
        key = ("role" if isinstance(owner, Role) else "person", owner.pk)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            ActionOwner(
                action=action,
                position=len(rows),
                role=owner if isinstance(owner, Role) else None,
                person=owner if isinstance(owner, Person) else None,
            )
        )
    return rows


def _add_owners(action: Action, owners: Iterable[Owner]) -> None:
    # In one insert, with a history row for each owner (ADR 0002).
    bulk_create_recorded(_owner_rows(action, owners), ActionOwner)


@dataclass(kw_only=True)
class NewAction:
    """An action to raise, as `action_create` takes it (see there for what each means)."""

    text: str
    owners: list[Owner]
    raised_at: Meeting | None
    item: AgendaItem | None = None
    number: int | None = None
    legacy_ref: str = ""
    due_on: datetime.date | None = None
    status: str = ActionStatus.OPEN
    raised_on: datetime.date | None = None
    carried_forward: bool = False
    position: int = 0
    paragraph: int | None = None
    due_kind: str = DueKind.DATE
    owned_by_body: bool = False
    text_cy: str = ""


@atomic
def action_create(
    *,
    board: Board,
    text: str,
    owners: Iterable[Owner],
    raised_at: Meeting | None,
    by,
    item: AgendaItem | None = None,
    number: int | None = None,
    legacy_ref: str = "",
    due_on: datetime.date | None = None,
    status: str = ActionStatus.OPEN,
    raised_on: datetime.date | None = None,
    carried_forward: bool = False,
    position: int = 0,
    paragraph: int | None = None,
    due_kind: str = DueKind.DATE,
    owned_by_body: bool = False,
    text_cy: str = "",
) -> Action:
    """The one way an action comes to be: raised at a meeting (under one of its items), or
    carried forward from a meeting that is not recorded (`raised_at=None`, `raised_on` the date).

    It may be due by a date, by the next meeting (due on the raising meeting's next date when
    known) or by the meeting of a date (`due_on` that date); the body itself may own it
    (`owned_by_body`, "no named owner") where the minutes name no post.

    It takes the board's next free number, or the number printed earlier (`number`), which must
    never have been issued before. Owners are posts or people of the board's body. Raising an
    action changes the minutes of the meeting that raised it, so their approval reopens."""
    new = NewAction(
        text=text,
        owners=list(owners),
        raised_at=raised_at,
        item=item,
        number=number,
        legacy_ref=legacy_ref,
        due_on=due_on,
        status=status,
        raised_on=raised_on,
        carried_forward=carried_forward,
        position=position,
        paragraph=paragraph,
        due_kind=due_kind,
        owned_by_body=owned_by_body,
        text_cy=text_cy,
    )
    return actions_create_batch(board=board, actions=[new], by=by)[0]


def _check_new_action(board: Board, new: NewAction) -> None:
    """The rules of a new action that need no query (its number is checked apart)."""
    # Each message is built only when a row is refused (a batch checks thousands).
    owners = new.owners = list(new.owners)
    if not new.text.strip():
        raise ActionError(_("Write what the action is."))
    # A carried-forward action may arrive without owners: the review that names it did not.
    if not (owners or new.carried_forward or new.owned_by_body):
        raise ActionError(_("Choose at least one owner: a post or a person."))
    if new.due_kind == DueKind.NEXT_MEETING and new.due_on is None and new.raised_at is not None:
        new.due_on = new.raised_at.next_meeting_on
    if new.due_kind == DueKind.MEETING and new.due_on is None:
        raise ActionError(_("Give the date of the meeting the action is due by."))
    _require_owners_in_body(board, owners)
    _require_raised_in_board(board, new.raised_at, new.item)
    raised = new.raised_at.held_on if new.raised_at is not None else new.raised_on
    if new.due_on is not None and raised is not None and new.due_on < raised:
        raise ActionError(
            _("The due date cannot be before the action was raised (%(date)s).")
            % {"date": _long_date(raised)}
        )


@atomic
def actions_create_batch(*, board: Board, actions: list[NewAction], by) -> list[Action]:
    """Raise several actions of one board at once, by the rules of `action_create`, in a few
    statements however many there are: every action is checked before any is written (a
    refusal names the row it refuses in `row`); the printed numbers are taken first, then the
    others get the board's next numbers in the list's order; one insert of the actions and one
    of their owners, each with its history (ADR 0002); the approval of the meetings that raised
    them reopens once."""
    _each(actions, lambda new: _check_new_action(board, new))
    printed = [new.number for new in actions if new.number is not None]
    try:
        _require_numbers_free(board, printed)
    except ActionError as exc:
        # The row among the printed numbers, as a row of the batch.
        exc.row = [i for i, new in enumerate(actions) if new.number is not None][exc.row]
        raise
    if printed:
        board_reserve_action_number(board=board, number=max(printed))
    unnumbered = [new for new in actions if new.number is None]
    if unnumbered:
        first = board_allocate_action_number(board=board, count=len(unnumbered))
        for offset, new in enumerate(unnumbered):
            new.number = first + offset
    rows = [
        Action(
            board=board,
            number=new.number,
            legacy_ref=new.legacy_ref,
            text=new.text,
            text_cy=new.text_cy,
            status=new.status,
            initial_status=new.status,
            due_on=new.due_on,
            raised_at_meeting=new.raised_at,
            raised_at_item=new.item,
            raised_on=new.raised_on,
            carried_forward=new.carried_forward,
            position=new.position,
            paragraph=new.paragraph,
            due_kind=new.due_kind,
            owned_by_body=new.owned_by_body,
        )
        for new in actions
    ]
    try:
        with atomic():
            bulk_create_recorded(rows, Action)
    except IntegrityError:
        # Another writer took a printed number between the check and the insert.
        raise ActionError(
            _("%(ref)s already exists.")
            % {"ref": ", ".join(f"{board.action_prefix} {n}" for n in printed)}
        ) from None
    # New actions have no owners to replace: one insert for all of them.
    owners = [
        row
        for action, new in zip(rows, actions, strict=True)
        for row in _owner_rows(action, new.owners)
    ]
    if owners:
        bulk_create_recorded(owners, ActionOwner)
    meeting_reopen_approval(meetings=[new.raised_at for new in actions], by=by)
    return rows


@dataclass(kw_only=True)
class ActionChange:
    """An action changed on its instance, as `action_update` takes it (see there)."""

    action: Action
    owners: list[Owner] | None = None
    see_also: list[Action] | None = None
    expected_version: int | None = None
    initial_status: str | None = None
    raised_status: str | None = None


@atomic
def action_update(
    *,
    action: Action,
    by,
    owners: Iterable[Owner] | None = None,
    see_also: Iterable[Action] | None = None,
    expected_version: int | None = None,
    initial_status: str | None = None,
    raised_status: str | None = None,
) -> Action:
    """Save an action's details as set on the instance (text, due date, reference, where it was
    raised), and its owners and links when given. The status is not set here: it moves only
    through the progress history, from the status it was raised with (`initial_status`, given
    only when the minutes that raised it are written again; `raised_status`, the clerk's
    correction of it, moves by the register's rules: `Action.can_become`). A change to what the
    minutes print reopens the approval of the meetings that print it, before and after the
    change."""
    change = ActionChange(
        action=action,
        owners=None if owners is None else list(owners),
        see_also=None if see_also is None else list(see_also),
        expected_version=expected_version,
        initial_status=initial_status,
        raised_status=raised_status,
    )
    return actions_update_batch(changes=[change], by=by)[0]


def _check_change(change: ActionChange, stored: Action) -> None:
    """The rules of a changed action that need no query."""
    action = change.action
    raised_status = change.raised_status
    if raised_status is not None and raised_status != stored.initial_status:
        was = Action(status=stored.initial_status)
        _require(
            was.can_become(raised_status),
            _(
                "%(ref)s was raised %(was)s: it cannot be raised %(status)s (only an outstanding "
                "action is closed or withdrawn; a closed or withdrawn one is reopened)."
            )
            % {
                "ref": stored.ref,
                "was": was.get_status_display().lower(),
                "status": ActionStatus(raised_status).label.lower(),
            },
        )
    if change.expected_version is not None and stored.version != change.expected_version:
        raise ActionConflict(
            _(
                "%(ref)s was changed by someone else after you opened it, so nothing was saved. "
                "What you typed is kept below: read the history, then submit again."
            )
            % {"ref": stored.ref}
        )
    _require(bool(action.text.strip()), _("Write what the action is."))
    if action.board_id != stored.board_id or action.number != stored.number:
        raise ActionError(_("An action keeps its board and its number."))
    _require_raised_in_board(stored.board, action.raised_at_meeting, action.raised_at_item)
    raised = action.raised_date
    _require(
        action.due_on is None or raised is None or action.due_on >= raised,
        _("The due date cannot be before the action was raised (%(date)s).")
        % {"date": _long_date(raised)},
    )
    if change.owners is not None:
        _require(
            bool(change.owners) or action.owned_by_body,
            _("Choose at least one owner: a post or a person."),
        )
        _require_owners_in_body(stored.board, change.owners)
    if change.see_also is not None:
        _require_links_in_body(
            action, [other for other in change.see_also if other.pk != action.pk]
        )


@atomic
def actions_update_batch(*, changes: list[ActionChange], by) -> list[Action]:
    """Save several actions changed on their instances, by the rules of `action_update`, in a
    few statements however many there are: the actions are locked and read in one query, every
    change is checked before any is written (a refusal names the row it refuses in `row`); one
    update with its history rows (ADR 0002); the owners that changed replaced in one delete and
    one insert; the statuses worked out again in one query; the approval of the meetings that
    print a changed action (before and after the change) reopens once. Links (`see_also`) are
    set one action at a time: only the action's own page changes them."""
    for change in changes:
        _require(change.action.pk is not None, _("Use action_create to raise an action."))
    pks = [change.action.pk for change in changes]
    _require(len(set(pks)) == len(pks), _("An action is changed once in a batch."))
    if not changes:
        return []
    stored = (
        Action.objects.select_for_update(of=("self",))
        .select_related("board")
        .order_by("pk")
        .in_bulk(pks)
    )
    _each(changes, lambda change: _check_change(change, stored[change.action.pk]))
    # Where each action was reviewed: the minutes that print it, besides the one raising it.
    reviewed_at: dict[int, set[int]] = {}
    for action_id, meeting_id in (
        ActionUpdate.objects.filter(action__in=pks, meeting__isnull=False)
        .values_list("action_id", "meeting_id")
        .distinct()
    ):
        reviewed_at.setdefault(action_id, set()).add(meeting_id)
    current_owners: dict[int, list[tuple[str, int]]] = {}
    if any(change.owners is not None for change in changes):
        for owner in ActionOwner.objects.filter(action__in=pks).order_by("action_id", "position"):
            key = ("role", owner.role_id) if owner.role_id else ("person", owner.person_id)
            current_owners.setdefault(owner.action_id, []).append(key)
    reopen: set[int] = set()
    now = timezone.now()
    refresh, new_owners = [], []
    for change in changes:
        action, before = change.action, stored[change.action.pk]
        changed = any(
            getattr(action, action._meta.get_field(name).attname)
            != getattr(before, action._meta.get_field(name).attname)
            for name in PRINTED_FIELDS
        )
        action.status = before.status
        initial_status = change.initial_status
        if change.raised_status not in (None, before.initial_status):
            initial_status = change.raised_status
        action.initial_status = initial_status or before.initial_status
        action.version = before.version + 1
        action.updated_at = now
        if action.initial_status != before.initial_status:
            refresh.append(action)
        if change.owners is not None and current_owners.get(action.pk, []) != _owner_keys(
            change.owners
        ):
            new_owners.append((action, change.owners))
            changed = True
        if change.see_also is not None:
            see_also = [other for other in change.see_also if other.pk != action.pk]
            if {a.pk for a in see_also} != set(action.see_also.values_list("pk", flat=True)):
                action.see_also.set(see_also)
                changed = True
        if changed:
            reopen |= {before.raised_at_meeting_id, action.raised_at_meeting_id}
            reopen |= reviewed_at.get(action.pk, set())
    fields = [
        field.name
        for field in Action._meta.concrete_fields
        if not field.primary_key and field.name != "created_at"
    ]
    bulk_update_recorded([change.action for change in changes], Action, fields)
    actions_refresh_status(actions=refresh)
    _replace_owners(new_owners)
    reopen.discard(None)
    if reopen:
        meeting_reopen_approval(meetings=list(Meeting.objects.filter(pk__in=reopen)), by=by)
    return [change.action for change in changes]


@atomic
def action_delete(*, action: Action, by) -> None:
    """Delete an action entered by mistake. One in published minutes (even withdrawn ones) is
    never deleted: it is withdrawn instead. Its number is never issued again."""
    if action.in_published_minutes():
        raise ActionError(
            _(
                "%(ref)s is in published minutes, so it is never deleted: withdraw it on its own "
                "page instead."
            )
            % {"ref": action.ref}
        )
    meetings = action_meetings(action)
    action.delete()
    meeting_reopen_approval(meetings=meetings, by=by)


@atomic
def meeting_actions_detach(*, meeting: Meeting, by) -> None:
    """Before a meeting's record is written again (an import that replaces it): the progress
    minuted at the meeting is deleted (the statuses of its actions worked out again), and the
    actions raised under its items come off them, to be placed under the new items (or
    withdrawn or deleted, through the services)."""
    reviews = list(ActionUpdate.objects.filter(meeting=meeting))
    # As the editor removes them: one delete with its history rows, the statuses at once.
    action_reviews_remove_batch(reviews=reviews, by=by)
    detached = list(Action.objects.filter(raised_at_item__meeting=meeting))
    now = timezone.now()
    for action in detached:
        action.raised_at_item, action.updated_at = None, now
    if detached:
        # One update, with a history row each (ADR 0002).
        bulk_update_recorded(detached, Action, ["raised_at_item", "updated_at"])
    meeting_reopen_approval(meetings=[meeting], by=by)


def action_refresh_status(*, action: Action) -> None:
    """The status is the one set by the latest update that set one, else the status raised with."""
    actions_refresh_status(actions=[action])


class _StatusSet(NamedTuple):
    """What `Action.status_on` reads of an update that set a status."""

    reported_on: datetime.date
    status: str


def actions_refresh_status(*, actions: Iterable[Action], new_version: bool = False) -> None:
    """`action_refresh_status` for several actions, in one query and one update (with its
    history rows) however many there are. With `new_version`, every one of them also takes a
    new version in that same update (a copy of its page opened before is then stale); an
    action whose status did not change gets no history row for it (the audit trail shows no
    change of version)."""
    actions = {action.pk: action for action in actions}
    if not actions:
        return
    latest: dict[int, list[_StatusSet]] = {}
    setting = (
        ActionUpdate.objects.filter(action_id__in_array=list(actions))
        .exclude(status="")
        .order_by("action_id", "-reported_on", "-created_at", "-pk")
        .values_list("action_id", "reported_on", "status")
    )
    for action_id, reported_on, status in setting:
        # The newest first: read as plain values (no model built a row).
        latest.setdefault(action_id, [_StatusSet(reported_on, status)])
    changed = []
    now = timezone.now()
    for pk, action in actions.items():
        status = action.status_on(datetime.date.max, updates=latest.get(pk, []))
        if action.status != status:
            action.status, action.updated_at = status, now
            changed.append(action)
    if new_version:
        _update_statuses_and_versions(list(actions), changed, now)
    elif changed:
        bulk_update_recorded(changed, Action, ["status", "updated_at"])


def _update_statuses_and_versions(pks: list[int], changed: list[Action], now) -> None:
    """One update of these actions: a new version each, and the status (with the time it
    changed) of those in `changed`; then the history rows of those, as they now stand. Each
    update of an action rewrites its row and its search indexes, so one update rather than
    two is half the work."""
    values: dict = {"version": models.F("version") + 1}
    if changed:
        by_status: dict[str, list[int]] = {}
        for action in changed:
            by_status.setdefault(action.status, []).append(action.pk)
        values["status"] = models.Case(
            *(models.When(pk__in_array=ids, then=models.Value(s)) for s, ids in by_status.items()),
            default=models.F("status"),
            output_field=models.CharField(),
        )
        values["updated_at"] = models.Case(
            models.When(pk__in_array=[action.pk for action in changed], then=models.Value(now)),
            default=models.F("updated_at"),
            output_field=models.DateTimeField(),
        )
    with transaction.atomic(savepoint=False):
        Action.objects.filter(pk__in_array=pks).update(**values)
        # No field left to write: only the history rows of the changed, copied from the rows.
        bulk_update_recorded(changed, Action, [])


def _long_date(value: datetime.date | None) -> str:
    return date_format(value, "j F Y") if value else _("none")


def _record(
    *,
    action: Action,
    kind: str,
    text: str,
    status: str = "",
    by=None,
    person: Person | None = None,
    on: datetime.date,
) -> ActionUpdate:
    update = ActionUpdate.objects.create(
        action=action,
        kind=kind,
        reported_on=on,
        text=text,
        status=status,
        reported_by=person,
        created_by=by,
    )
    if status:
        action_refresh_status(action=action)
    return update


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ActionError(message)


@atomic
def action_report_progress(
    *,
    action: Action,
    text: str,
    status: str = "",
    by,
    person: Person | None,
    on: datetime.date,
    expected_version: int | None = None,
) -> ActionUpdate:
    """An owner (or the OPCC on their behalf) reports progress, optionally in progress or done."""
    _lock(action, expected_version)
    _require(bool(text.strip()), _("Write what progress has been made."))
    _require(
        status in ("", ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED),
        _("Progress can only mark an action in progress or completed."),
    )
    _require(
        action.can_report(),
        _("%(ref)s is %(status)s: ask the OPCC to reopen it.")
        % {"ref": action.ref, "status": action.get_status_display().lower()},
    )
    return _record(
        action=action,
        kind=UpdateKind.PROGRESS,
        text=text,
        status=status,
        by=by,
        person=person,
        on=on,
    )


@atomic
def action_close(
    *, action: Action, note: str = "", by, on: datetime.date, expected_version: int | None = None
) -> ActionUpdate:
    """The OPCC accepts the action as done."""
    _lock(action, expected_version)
    _require(
        action.can_close(),
        _("%(ref)s is already %(status)s.")
        % {"ref": action.ref, "status": action.get_status_display().lower()},
    )
    return _record(
        action=action,
        kind=UpdateKind.DECISION,
        text=note.strip() or _("Completion accepted; action closed."),
        status=ActionStatus.CLOSED,
        by=by,
        on=on,
    )


@atomic
def action_reopen(
    *, action: Action, reason: str, by, on: datetime.date, expected_version: int | None = None
) -> ActionUpdate:
    _lock(action, expected_version)
    _require(bool(reason.strip()), _("Give the reason for reopening the action."))
    _require(action.can_reopen(), _("%(ref)s is still open.") % {"ref": action.ref})
    return _record(
        action=action,
        kind=UpdateKind.DECISION,
        text=_("Reopened: %(reason)s") % {"reason": reason.strip()},
        status=ActionStatus.IN_PROGRESS,
        by=by,
        on=on,
    )


@atomic
def action_withdraw(
    *, action: Action, reason: str, by, on: datetime.date, expected_version: int | None = None
) -> ActionUpdate:
    _lock(action, expected_version)
    _require(bool(reason.strip()), _("Give the reason for withdrawing the action."))
    _require(
        action.can_withdraw(),
        _("%(ref)s is %(status)s: only an outstanding action is withdrawn.")
        % {"ref": action.ref, "status": action.get_status_display().lower()},
    )
    return _record(
        action=action,
        kind=UpdateKind.DECISION,
        text=_("Withdrawn: %(reason)s") % {"reason": reason.strip()},
        status=ActionStatus.WITHDRAWN,
        by=by,
        on=on,
    )


@atomic
def action_reassign(
    *,
    action: Action,
    owners: list[Owner],
    by,
    on: datetime.date,
    expected_version: int | None = None,
) -> ActionUpdate:
    _lock(action, expected_version)
    _require(bool(owners), _("Choose at least one owner: a post or a person."))
    before = action.owners_display()
    action_set_owners(action=action, owners=owners)
    after = action.owners_display()
    _reopen(action, by)
    return _record(
        action=action,
        kind=UpdateKind.CHANGE,
        text=_("Owners changed from %(before)s to %(after)s.")
        % {"before": before or _("none"), "after": after},
        by=by,
        on=on,
    )


@atomic
def action_set_due(
    *,
    action: Action,
    due_on: datetime.date | None,
    by,
    on: datetime.date,
    expected_version: int | None = None,
) -> ActionUpdate:
    _lock(action, expected_version)
    raised = action.raised_date
    _require(
        due_on is None or raised is None or due_on >= raised,
        _("The due date cannot be before the action was raised (%(date)s).")
        % {"date": _long_date(raised)},
    )
    before = action.due_on
    action.due_on = due_on
    action.save(update_fields=["due_on", "updated_at"])
    if before != due_on:
        _reopen(action, by)
    return _record(
        action=action,
        kind=UpdateKind.CHANGE,
        text=_("Due date changed from %(before)s to %(after)s.")
        % {"before": _long_date(before), "after": _long_date(due_on)},
        by=by,
        on=on,
    )


@atomic
def action_link(
    *, action: Action, other: Action, by, on: datetime.date, expected_version: int | None = None
) -> ActionUpdate:
    _lock(action, expected_version)
    _require(other.pk != action.pk, _("An action cannot refer to itself."))
    _require_links_in_body(action, [other])
    action.see_also.add(other)
    _reopen(action, by)
    return _record(
        action=action,
        kind=UpdateKind.CHANGE,
        text=_("See %(ref)s.") % {"ref": other.ref},
        by=by,
        on=on,
    )


def _exports_root() -> Path:
    root = Path(settings.EXPORTS_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def action_export_request(*, user, query: str, fmt: str) -> ActionExport:
    """Queue a register export for building in the background; the register offers it when ready.

    The user's exports older than a week are deleted with their files.
    """
    from actions.tasks import build_action_export  # the task module imports this one

    stale = ActionExport.objects.filter(
        requested_by=user, requested_at__lt=timezone.now() - datetime.timedelta(days=7)
    )
    for old in stale:
        if old.file_name:
            (_exports_root() / old.file_name).unlink(missing_ok=True)
    stale.delete()
    export = ActionExport.objects.create(requested_by=user, query=query, format=fmt)
    build_action_export.enqueue(export_id=export.pk)
    return export


def action_export_build(*, export: ActionExport) -> None:
    """Build a queued export into its file: complete, or marked failed with the reason."""
    today = timezone.localdate()
    filterset = ActionFilter(
        QueryDict(export.query),
        queryset=Action.objects.for_register().most_overdue_first(today),
    )
    name = f"{export.pk}-{secrets.token_hex(16)}.{export.format}"
    path = _exports_root() / name
    partial = path.with_suffix(".partial")
    try:
        if not filterset.is_valid():
            raise ActionError(_("The filter of this export is not valid any more."))
        if export.format == ActionExport.Format.CSV:
            with partial.open("w", encoding="utf-8", newline="") as out:
                count = exports.write_csv(out, filterset.qs, today=today)
        else:
            about = exports.about_rows(filterset=filterset, user=export.requested_by)
            with partial.open("wb") as out:
                count = exports.write_xlsx(out, filterset.qs, today=today, about=about)
        partial.rename(path)  # the file is offered only once it is whole
    except Exception as exc:
        partial.unlink(missing_ok=True)
        export.state, export.error = ActionExport.State.FAILED, str(exc) or repr(exc)
        export.finished_at = timezone.now()
        export.save(update_fields=["state", "error", "finished_at"])
        raise
    export.state, export.row_count, export.file_name = ActionExport.State.READY, count, name
    export.finished_at = timezone.now()
    export.save(update_fields=["state", "row_count", "file_name", "finished_at"])


def action_export_path(*, export: ActionExport) -> Path:
    return _exports_root() / export.file_name


_STATUSES = frozenset(ActionStatus.values)


def _review_check(review: ActionUpdate) -> None:
    # Each message is built only when a row is refused (a batch checks thousands).
    meeting, action = review.meeting, review.action
    if not review.text.strip():
        raise ActionError(_("Write the progress."))
    if review.status != "" and review.status not in _STATUSES:
        raise ActionError(_("%(status)s is not a status of an action.") % {"status": review.status})
    if meeting is None:
        _require(review.item_id is None, _("Progress under an item names its meeting."))
        return
    if action.board_id != meeting.board_id and action.board.body_id != meeting.board.body_id:
        raise ActionError(
            _("%(ref)s is an action of %(other)s, not of %(body)s.")
            % {"ref": action.ref, "other": action.board.body, "body": meeting.board.body}
        )
    if review.item_id is not None and review.item.meeting_id != meeting.pk:
        raise ActionError(_("Progress is minuted under an item of the same meeting."))


def _review_prepare(review: ActionUpdate, *, by, new: bool) -> None:
    """Check a review (new or changed) and complete what it leaves out."""
    _review_check(review)
    if review.reported_on is None:
        _require(review.meeting is not None, _("Give the date the progress was reported."))
        review.reported_on = review.meeting.held_on
    if new and by is not None and getattr(by, "pk", None):
        review.created_by = by


def _reviews_saved(
    actions: Iterable[Action], meetings: Iterable[Meeting | None], *, by, reopen: Iterable
) -> None:
    """After reviews were saved or removed: their actions' statuses are worked out again; the
    reviews are also on their actions' pages and their meetings': a copy of either opened
    before the save is stale; the minutes of `reopen` (those whose printed review changed)
    reopen."""
    actions = {action.pk: action for action in actions}
    meetings = [meeting for meeting in meetings if meeting is not None]
    actions_refresh_status(actions=actions.values(), new_version=True)
    Meeting.objects.filter(pk__in={m.pk for m in meetings}).update(version=models.F("version") + 1)
    reopen = [meeting for meeting in reopen if meeting is not None]
    if reopen:
        meeting_reopen_approval(meetings=reopen, by=by)


def _review_save(review: ActionUpdate, *, by) -> ActionUpdate:
    if review.pk is None:
        return action_reviews_record_batch(reviews=[review], by=by)[0]
    return action_reviews_update_batch(reviews=[review], by=by)[0]


@atomic
def action_reviews_record_batch(*, reviews: list[ActionUpdate], by) -> list[ActionUpdate]:
    """Record several new entries of actions' histories at once (progress minuted at a meeting,
    as `action_review_record` builds it), by the same rules, in a few statements however many
    there are: every entry is checked before any is written (a refusal names the row it refuses
    in `row`); one insert with its history rows (ADR 0002); the statuses of their actions
    worked out again in one query; the minutes of their meetings reopen once."""
    for review in reviews:
        _require(review.pk is None, _("Use action_review_update to change a review."))
    _each(reviews, lambda review: _review_prepare(review, by=by, new=True))
    if reviews:
        bulk_create_recorded(reviews, ActionUpdate)
        meetings = [r.meeting for r in reviews]
        _reviews_saved([r.action for r in reviews], meetings, by=by, reopen=meetings)
    return reviews


# What saving a review writes: every field but its id and when it was first recorded.
_REVIEW_FIELDS = [
    field.name
    for field in ActionUpdate._meta.concrete_fields
    if not field.primary_key and field.name != "created_at"
]


@atomic
def action_reviews_update_batch(*, reviews: list[ActionUpdate], by) -> list[ActionUpdate]:
    """Save several entries of actions' histories changed on their instances (as
    `action_review_update` saves one), by the same rules, in a few statements however many
    there are: every entry is checked before any is written (a refusal names the row it
    refuses in `row`); one update with its history rows (ADR 0002); the statuses of their
    actions worked out again in one query; the minutes of the meetings whose printed progress
    changed (the meeting it is at, and the one it moved from) reopen once."""
    for review in reviews:
        _require(review.pk is not None, _("Use action_review_record to minute progress."))
    # Their actions, meetings and items, in a query each (those not read with them).
    models.prefetch_related_objects(reviews, "action", "meeting", "item")
    _each(reviews, lambda review: _review_prepare(review, by=by, new=False))
    if not reviews:
        return reviews
    stored = ActionUpdate.objects.select_related("action", "meeting").in_bulk(
        [review.pk for review in reviews]
    )
    reopen = []
    for review in reviews:
        before = stored[review.pk]
        if any(
            getattr(review, review._meta.get_field(name).attname)
            != getattr(before, review._meta.get_field(name).attname)
            for name in PRINTED_REVIEW_FIELDS
        ):
            reopen += [review.meeting, before.meeting]
    bulk_update_recorded(reviews, ActionUpdate, _REVIEW_FIELDS)
    _reviews_saved(
        [*(r.action for r in reviews), *(b.action for b in stored.values())],
        [*(r.meeting for r in reviews), *(b.meeting for b in stored.values())],
        by=by,
        reopen=reopen,
    )
    return reviews


@atomic
def action_reviews_remove_batch(*, reviews: list[ActionUpdate], by) -> None:
    """Remove several entries of actions' histories (as `action_review_delete` removes one), in
    a few statements however many there are: one delete with a history row each (ADR 0002);
    the statuses of their actions worked out again in one query; the minutes of their meetings
    reopen once."""
    if not reviews:
        return
    models.prefetch_related_objects(reviews, "action", "meeting")
    actions, meetings = [r.action for r in reviews], [r.meeting for r in reviews]
    bulk_delete_recorded(reviews, ActionUpdate)
    _reviews_saved(actions, meetings, by=by, reopen=meetings)


class ReviewFields(TypedDict, total=False):
    """What a review minutes: the action, the meeting and the progress, and optionally the item
    it is under, the status it sets, its order, and what the minutes print of the action."""

    action: Required[Action]
    meeting: Required[Meeting]
    text: Required[str]
    item: AgendaItem | None
    status: str
    position: int
    summary: str
    printed_owners: Iterable[str]
    printed_due_on: datetime.date | None
    printed_raised_on: datetime.date | None
    text_cy: str
    summary_cy: str


def action_review_build(**review: Unpack[ReviewFields]) -> ActionUpdate:
    """A review as `action_review_record` records it, not saved yet: for
    `action_reviews_record_batch`, which records many at once."""
    printed_owners = list(review.pop("printed_owners", ()))
    return ActionUpdate(
        kind=UpdateKind.PROGRESS,
        reported_on=review["meeting"].held_on,
        printed_owners=printed_owners,
        **review,
    )


@atomic
def action_review_record(*, by, **review: Unpack[ReviewFields]) -> ActionUpdate:
    """Progress on an earlier action as minuted at a meeting (its action review), under one of
    the meeting's items or, without one, in the minutes' "Progress on earlier actions" section.
    A status given here sets the action's status as at the meeting's date. The meeting's
    approval reopens."""
    return _review_save(action_review_build(**review), by=by)


@atomic
def action_review_update(*, review: ActionUpdate, by) -> ActionUpdate:
    """Save a review changed on the instance (its text, status, item, summary); the minutes of
    its meeting (and of the meeting it moved from) reopen when what they print changed."""
    _require(review.pk is not None, _("Use action_review_record to minute progress."))
    return _review_save(review, by=by)


@atomic
def action_history_save(*, update: ActionUpdate, by) -> ActionUpdate:
    """Add or correct any entry of an action's history as the secretariat enters it (dated,
    at a meeting or not). Minuted progress follows the review's rules; the status is worked out
    again from the history."""
    return _review_save(update, by=by)


@atomic
def action_review_delete(*, review: ActionUpdate, by) -> None:
    """Remove an entry of an action's history (progress minuted at a meeting or not); the
    action's status is worked out again and the meeting's approval reopens."""
    action_reviews_remove_batch(reviews=[review], by=by)
