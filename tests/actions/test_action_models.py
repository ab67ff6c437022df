"""The action register's model rules: numbers once per board, an owner is a post or a person,
the status from the history, what a person owns, overdue and outstanding."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from actions.models import Action, ActionOwner, ActionStatus
from actions.services import (
    ActionError,
    action_create,
    action_refresh_status,
    board_allocate_action_number,
)
from tests.factories import (
    ActionFactory,
    ActionUpdateFactory,
    AppointmentFactory,
    BoardFactory,
    PersonFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db


def test_action_numbers_are_unique_per_board():
    board = BoardFactory()
    ActionFactory(board=board, number=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(board=board, number=60)
    ActionFactory(board=BoardFactory(), number=60)  # another board may have its own 60


def test_an_owner_is_a_post_or_a_person_not_both():
    action = ActionFactory()
    person = PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionOwner.objects.create(action=action, role=RoleFactory(), person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionOwner.objects.create(action=action)


def test_next_free_number_is_never_reused():
    board = BoardFactory()
    first = action_create(board=board, text="One", owners=[RoleFactory()], raised_at=None, by=None)
    second = action_create(board=board, text="Two", owners=[RoleFactory()], raised_at=None, by=None)
    assert (first.number, second.number) == (1, 2)
    second.delete()
    third = action_create(
        board=board, text="Three", owners=[RoleFactory()], raised_at=None, by=None
    )
    assert third.number == 3
    assert third.ref == f"{board.action_prefix} 3"


def test_a_printed_number_moves_the_counter_on_and_cannot_be_taken_twice():
    board = BoardFactory()
    action_create(
        board=board, text="Printed", owners=[RoleFactory()], number=60, raised_at=None, by=None
    )
    assert board_allocate_action_number(board=board) == 61
    with pytest.raises(ActionError, match="already exists"):
        action_create(
            board=board, text="Again", owners=[RoleFactory()], number=60, raised_at=None, by=None
        )


def test_status_follows_the_latest_update_that_set_one():
    action = ActionFactory()
    ActionUpdateFactory(action=action, reported_on=datetime.date(2019, 1, 1), status="completed")
    ActionUpdateFactory(action=action, reported_on=datetime.date(2019, 2, 1), status="")
    ActionUpdateFactory(action=action, reported_on=datetime.date(2018, 1, 1), status="in_progress")
    action_refresh_status(action=action)
    assert action.status == ActionStatus.COMPLETED


def test_actions_owned_through_a_post_follow_the_post():
    role = RoleFactory(abbrev="HoSPC")
    before, after = PersonFactory(name="Mrs E Ackland"), PersonFactory(name="Mr A Successor")
    AppointmentFactory(
        person=before,
        role=role,
        start_on=datetime.date(2018, 1, 1),
        end_on=datetime.date(2019, 12, 31),
    )
    AppointmentFactory(person=after, role=role, start_on=datetime.date(2020, 1, 1))
    action = action_create(
        board=BoardFactory(body=role.body), text="Review", owners=[role], raised_at=None, by=None
    )
    personal = action_create(
        board=action.board, text="Personal", owners=[after], raised_at=None, by=None
    )
    in_2018 = Action.objects.owned_by(before, on=datetime.date(2018, 11, 30))
    assert list(in_2018) == [action]
    assert not Action.objects.owned_by(before, on=datetime.date(2020, 6, 1)).exists()
    now = Action.objects.owned_by(after, on=datetime.date(2020, 6, 1))
    assert set(now) == {action, personal}
    assert list(after.roles_on(datetime.date(2020, 6, 1))) == [role]


def test_overdue_and_outstanding():
    board = BoardFactory()
    today = datetime.date(2020, 1, 10)
    late = ActionFactory(board=board, due_on=datetime.date(2020, 1, 9))
    done = ActionFactory(board=board, due_on=datetime.date(2020, 1, 9), status="completed")
    closed = ActionFactory(board=board, status="closed")
    assert late.is_overdue(today)
    assert not done.is_overdue(today)
    assert list(Action.objects.overdue(today)) == [late]
    assert set(Action.objects.outstanding()) == {late, done}
    assert closed not in Action.objects.outstanding()
