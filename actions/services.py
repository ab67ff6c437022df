"""Writes to the action register: numbering, creation, owners and progress."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from actions.models import (
    OUTSTANDING,
    Action,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    UpdateKind,
)
from meetings.models import AgendaItem, Board, Meeting, Person, Role

Owner = Role | Person


class ActionError(Exception):
    """A change to the register that cannot be made, with a message for the user."""


class ActionConflict(ActionError):
    """Someone else changed the action after the user opened it."""


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


def board_allocate_action_number(*, board: Board) -> int:
    """Take the next free number of the board; the row lock makes concurrent callers queue."""
    with transaction.atomic():
        locked = Board.objects.select_for_update().get(pk=board.pk)
        number = locked.next_action_number
        locked.next_action_number = number + 1
        locked.save(update_fields=["next_action_number"])
    board.next_action_number = number + 1
    return number


def board_reserve_action_number(*, board: Board, number: int) -> None:
    """Record that a number printed elsewhere is taken, so it is never given out again."""
    with transaction.atomic():
        locked = Board.objects.select_for_update().get(pk=board.pk)
        if locked.next_action_number <= number:
            locked.next_action_number = number + 1
            locked.save(update_fields=["next_action_number"])
        board.next_action_number = locked.next_action_number


@transaction.atomic
def action_set_owners(*, action: Action, owners: Iterable[Owner]) -> None:
    """Replace the owners of an action, keeping their order."""
    action.owners.all().delete()
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
    for row in rows:  # one by one, so that the audit trail records each owner (ADR 0002)
        row.save()


@transaction.atomic
def action_create(
    *,
    board: Board,
    text: str,
    owners: Iterable[Owner],
    raised_at_meeting: Meeting | None = None,
    raised_at_item: AgendaItem | None = None,
    number: int | None = None,
    legacy_ref: str = "",
    due_on: datetime.date | None = None,
    status: str = ActionStatus.OPEN,
    raised_on: datetime.date | None = None,
    carried_forward: bool = False,
    position: int = 0,
    text_cy: str = "",
) -> Action:
    """Create an action with the board's next free number, or with a number printed earlier."""
    if number is None:
        number = board_allocate_action_number(board=board)
    else:
        if Action.objects.filter(board=board, number=number).exists():
            raise ActionError(
                _("%(ref)s already exists.") % {"ref": f"{board.action_prefix} {number}"}
            )
        board_reserve_action_number(board=board, number=number)
    try:
        with transaction.atomic():
            action = Action.objects.create(
                board=board,
                number=number,
                legacy_ref=legacy_ref,
                text=text,
                text_cy=text_cy,
                status=status,
                initial_status=status,
                due_on=due_on,
                raised_at_meeting=raised_at_meeting,
                raised_at_item=raised_at_item,
                raised_on=raised_on,
                carried_forward=carried_forward,
                position=position,
            )
    except IntegrityError:
        # Another writer took the printed number between the check and the insert.
        raise ActionError(
            _("%(ref)s already exists.") % {"ref": f"{board.action_prefix} {number}"}
        ) from None
    action_set_owners(action=action, owners=owners)
    return action


def action_refresh_status(*, action: Action) -> None:
    """The status is the one set by the latest update that set one, else the status raised with."""
    latest = (
        action.updates.exclude(status="").order_by("-reported_on", "-created_at", "-pk").first()
    )
    status = latest.status if latest else action.initial_status
    if action.status != status:
        action.status = status
        action.save(update_fields=["status", "updated_at"])


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


@transaction.atomic
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
        action.status not in (ActionStatus.CLOSED, ActionStatus.WITHDRAWN),
        _("%(ref)s is %(status)s: ask the OPCC to reopen it.")
        % {"ref": action.ref, "status": action.get_status_display().lower()},
    )
    return _record(
        action=action,
        kind=UpdateKind.PROGRESS,
        text=text.strip(),
        status=status,
        by=by,
        person=person,
        on=on,
    )


@transaction.atomic
def action_close(
    *, action: Action, note: str = "", by, on: datetime.date, expected_version: int | None = None
) -> ActionUpdate:
    """The OPCC accepts the action as done."""
    _lock(action, expected_version)
    _require(
        action.status in OUTSTANDING,
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


@transaction.atomic
def action_reopen(
    *, action: Action, reason: str, by, on: datetime.date, expected_version: int | None = None
) -> ActionUpdate:
    _lock(action, expected_version)
    _require(bool(reason.strip()), _("Give the reason for reopening the action."))
    _require(
        action.status in (ActionStatus.COMPLETED, ActionStatus.CLOSED, ActionStatus.WITHDRAWN),
        _("%(ref)s is still open.") % {"ref": action.ref},
    )
    return _record(
        action=action,
        kind=UpdateKind.DECISION,
        text=_("Reopened: %(reason)s") % {"reason": reason.strip()},
        status=ActionStatus.IN_PROGRESS,
        by=by,
        on=on,
    )


@transaction.atomic
def action_withdraw(
    *, action: Action, reason: str, by, on: datetime.date, expected_version: int | None = None
) -> ActionUpdate:
    _lock(action, expected_version)
    _require(bool(reason.strip()), _("Give the reason for withdrawing the action."))
    _require(
        action.status != ActionStatus.WITHDRAWN,
        _("%(ref)s is already withdrawn.") % {"ref": action.ref},
    )
    return _record(
        action=action,
        kind=UpdateKind.DECISION,
        text=_("Withdrawn: %(reason)s") % {"reason": reason.strip()},
        status=ActionStatus.WITHDRAWN,
        by=by,
        on=on,
    )


@transaction.atomic
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
    return _record(
        action=action,
        kind=UpdateKind.CHANGE,
        text=_("Owners changed from %(before)s to %(after)s.")
        % {"before": before or _("none"), "after": after},
        by=by,
        on=on,
    )


@transaction.atomic
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
    return _record(
        action=action,
        kind=UpdateKind.CHANGE,
        text=_("Due date changed from %(before)s to %(after)s.")
        % {"before": _long_date(before), "after": _long_date(due_on)},
        by=by,
        on=on,
    )


@transaction.atomic
def action_link(
    *, action: Action, other: Action, by, on: datetime.date, expected_version: int | None = None
) -> ActionUpdate:
    _lock(action, expected_version)
    _require(other.pk != action.pk, _("An action cannot refer to itself."))
    action.see_also.add(other)
    return _record(
        action=action,
        kind=UpdateKind.CHANGE,
        text=_("See %(ref)s.") % {"ref": other.ref},
        by=by,
        on=on,
    )
