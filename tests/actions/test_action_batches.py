"""Actions raised and reviews minuted in batches (as an import writes a meeting) follow the
rules of the one-row services: numbers, owners, body, reopened approval, the audit trail."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, ActionStatus, ActionUpdate
from actions.services import (
    ActionError,
    NewAction,
    action_create,
    action_delete,
    action_review_build,
    action_reviews_record_batch,
    actions_create_batch,
)
from meetings.models import Meeting, Organisation
from tests.factories import AgendaItemFactory, BoardFactory, MeetingFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _approved_meeting(board):
    return MeetingFactory(board=board, status=Meeting.Status.APPROVED)


def test_a_batch_numbers_owns_records_and_reopens_the_minutes_once():
    board = BoardFactory(action_prefix="PPB")
    meeting = _approved_meeting(board)
    item = AgendaItemFactory(meeting=meeting)
    hospc, dcc = RoleFactory(body=board.body, abbrev="HoSPC"), RoleFactory(body=board.body)
    raised = [
        NewAction(text="Report back", owners=[hospc, dcc], raised_at=meeting, item=item),
        NewAction(text="Printed", owners=[hospc], raised_at=meeting, item=item, number=60),
        NewAction(text="Next", owners=[dcc], raised_at=meeting, item=item),
    ]
    actions = actions_create_batch(board=board, actions=raised, by=None)
    # The printed number is taken first; the others get the board's next numbers in order.
    assert [a.ref for a in actions] == ["PPB 61", "PPB 60", "PPB 62"]
    first = Action.objects.get(pk=actions[0].pk)
    assert first.owners_display() == actions[0].owners_display()
    assert [o.role.abbrev for o in first.owners.all()] == ["HoSPC", dcc.abbrev]
    assert Action.history.filter(board_id=board.pk, history_type="+").count() == 3
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT
    # The counter moved on past every number the batch issued.
    later = action_create(board=board, text="Later", owners=[hospc], raised_at=None, by=None)
    assert later.ref == "PPB 63"


def test_a_batch_refuses_the_row_that_breaks_a_rule_and_writes_nothing():
    board = BoardFactory(action_prefix="SPB")
    role = RoleFactory(body=board.body)
    gone = action_create(
        board=board, text="Mistake", owners=[role], raised_at=None, by=None, number=7
    )
    action_delete(action=gone, by=None)
    batch = [
        NewAction(text="Fine", owners=[role], raised_at=None),
        NewAction(text="Reused", owners=[role], raised_at=None, number=7),
    ]
    with pytest.raises(ActionError, match="SPB 7 was issued before and deleted") as refused:
        actions_create_batch(board=board, actions=batch, by=None)
    assert refused.value.row == 1
    assert not Action.objects.filter(board=board).exists()

    other = RoleFactory(body=Organisation.objects.create(name="Another body"))
    with pytest.raises(ActionError, match="belongs to Another body") as refused:
        actions_create_batch(
            board=board,
            actions=[
                NewAction(text="Fine", owners=[role], raised_at=None),
                NewAction(text="Elsewhere", owners=[other], raised_at=None),
            ],
            by=None,
        )
    assert refused.value.row == 1
    assert not Action.objects.filter(board=board).exists()


def test_reviews_in_a_batch_set_statuses_and_reopen_the_minutes():
    board = BoardFactory()
    role = RoleFactory(body=board.body)
    earlier = [
        action_create(board=board, text=f"Action {n}", owners=[role], raised_at=None, by=None)
        for n in range(3)
    ]
    meeting = _approved_meeting(board)
    item = AgendaItemFactory(meeting=meeting)
    reviews = [
        action_review_build(
            action=action, meeting=meeting, item=item, text="Done.", status=status, position=n
        )
        for n, (action, status) in enumerate(
            zip(earlier, [ActionStatus.COMPLETED, "", ActionStatus.IN_PROGRESS], strict=True)
        )
    ]
    action_reviews_record_batch(reviews=reviews, by=None)
    statuses = [Action.objects.get(pk=a.pk).status for a in earlier]
    assert statuses == [ActionStatus.COMPLETED, ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
    assert ActionUpdate.history.filter(history_type="+", meeting_id=meeting.pk).count() == 3
    assert all(r.reported_on == meeting.held_on for r in reviews)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


def test_a_review_batch_refuses_progress_without_text_and_names_the_row():
    board = BoardFactory()
    action = action_create(
        board=board, text="One", owners=[RoleFactory(body=board.body)], raised_at=None, by=None
    )
    meeting = MeetingFactory(board=board)
    reviews = [
        action_review_build(action=action, meeting=meeting, text="Said."),
        action_review_build(action=action, meeting=meeting, text="  "),
    ]
    with pytest.raises(ActionError, match="Write the progress") as refused:
        action_reviews_record_batch(reviews=reviews, by=None)
    assert refused.value.row == 1
    assert not ActionUpdate.objects.filter(action=action).exists()


def test_a_batch_costs_the_same_statements_for_two_actions_or_twenty():
    board = BoardFactory()
    role = RoleFactory(body=board.body)
    meeting = MeetingFactory(board=board, held_on=datetime.date(2020, 1, 1))

    def statements(count: int) -> int:
        batch = [NewAction(text=f"A{n}", owners=[role], raised_at=meeting) for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            actions = actions_create_batch(board=board, actions=batch, by=None)
        reviews = [action_review_build(action=a, meeting=meeting, text="Noted.") for a in actions]
        with CaptureQueriesContext(connection) as more:
            action_reviews_record_batch(reviews=reviews, by=None)
        return len(queries) + len(more)

    assert statements(20) == statements(2)
