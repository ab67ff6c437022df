"""Writes to the action register: numbering, creation, owners and progress."""

import datetime
import secrets
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from actions import exports
from actions.filters import ActionFilter
from actions.models import (
    OUTSTANDING,
    Action,
    ActionExport,
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
    paragraph: int | None = None,
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
                status=status,
                initial_status=status,
                due_on=due_on,
                raised_at_meeting=raised_at_meeting,
                raised_at_item=raised_at_item,
                raised_on=raised_on,
                carried_forward=carried_forward,
                position=position,
                paragraph=paragraph,
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
