"""Writes to the action register: numbering, creation, owners and progress."""

import datetime
from collections.abc import Iterable

from django.db import transaction

from actions.models import Action, ActionOwner, ActionStatus
from meetings.models import AgendaItem, Board, Meeting, Person, Role

Owner = Role | Person


class ActionError(Exception):
    """A change to the register that cannot be made, with a message for the user."""


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
    ActionOwner.objects.bulk_create(rows)


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
) -> Action:
    """Create an action with the board's next free number, or with a number printed earlier."""
    if number is None:
        number = board_allocate_action_number(board=board)
    else:
        if Action.objects.filter(board=board, number=number).exists():
            raise ActionError(f"{board.action_prefix} {number} already exists.")
        board_reserve_action_number(board=board, number=number)
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
    )
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
