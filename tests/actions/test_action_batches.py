"""Actions raised and reviews minuted in batches (as an import writes a meeting) follow the
rules of the one-row services: numbers, owners, body, reopened approval, the audit trail."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, ActionOwner, ActionStatus, ActionUpdate
from actions.services import (
    ActionChange,
    ActionError,
    NewAction,
    action_create,
    action_delete,
    action_review_build,
    action_review_delete,
    action_review_update,
    action_reviews_record_batch,
    action_reviews_remove_batch,
    action_reviews_update_batch,
    actions_create_batch,
    actions_update_batch,
)
from meetings.models import Meeting, Organisation
from scrutiny.audit import entries
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


def test_reviews_update_their_actions_once_and_record_each_status_change():
    """Recording reviews updates their actions in one statement (a new version each, the status
    of those whose status moved), and the audit trail keeps every status change and nothing
    for an action whose status stayed."""
    board = BoardFactory()
    role = RoleFactory(body=board.body)
    earlier = [
        action_create(board=board, text=f"Action {n}", owners=[role], raised_at=None, by=None)
        for n in range(3)
    ]
    versions = [Action.objects.get(pk=a.pk).version for a in earlier]
    meeting = _approved_meeting(board)
    statuses = [ActionStatus.CLOSED, "", ActionStatus.IN_PROGRESS]
    reviews = [
        action_review_build(action=action, meeting=meeting, text="Done.", status=status)
        for action, status in zip(earlier, statuses, strict=True)
    ]
    with CaptureQueriesContext(connection) as queries:
        action_reviews_record_batch(reviews=reviews, by=None)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "actions_action"')]
    assert len(updates) == 1
    stored = [Action.objects.get(pk=a.pk) for a in earlier]
    assert [a.status for a in stored] == [ActionStatus.CLOSED, ActionStatus.OPEN, "in_progress"]
    assert [a.version for a in stored] == [v + 1 for v in versions]
    changes = [
        [(c.field, c.old, c.new) for e in entries(a.history.all()) for c in e.changes]
        for a in earlier
    ]
    assert changes == [
        [("status", "open", "closed")],
        [],
        [("status", "open", "in_progress")],
    ]


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


def _reviewed(board, role, count: int = 2):
    """Approved minutes with `count` earlier actions reviewed at them."""
    meeting = _approved_meeting(board)
    item = AgendaItemFactory(meeting=meeting)
    actions = [
        action_create(board=board, text=f"Action {n}", owners=[role], raised_at=None, by=None)
        for n in range(count)
    ]
    reviews = action_reviews_record_batch(
        reviews=[
            action_review_build(action=a, meeting=meeting, item=item, text="Under way.")
            for a in actions
        ],
        by=None,
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.APPROVED)
    return meeting, [ActionUpdate.objects.get(pk=r.pk) for r in reviews]


@pytest.mark.parametrize(
    ("change", "reopens"),
    [
        ({"text": "Done."}, True),
        ({"status": ActionStatus.COMPLETED}, True),
        ({"summary": "As printed"}, True),
        ({"reported_on": datetime.date(2001, 1, 1)}, False),  # not printed
    ],
)
def test_changed_reviews_reopen_approved_minutes_as_one_review_changed_does(change, reopens):
    """The batch service (the editor's save) and the one-review service (the admin's) reopen
    approved minutes for the same changes, and the statuses follow the history alike."""
    board = BoardFactory()
    role = RoleFactory(body=board.body)
    alone, (single, _other) = _reviewed(board, role)
    together, batch = _reviewed(board, role)
    for name, value in change.items():
        setattr(single, name, value)
        for review in batch:
            setattr(review, name, value)
    action_review_update(review=single, by=None)
    action_reviews_update_batch(reviews=batch, by=None)
    expected = Meeting.Status.DRAFT if reopens else Meeting.Status.APPROVED
    assert [Meeting.objects.get(pk=m.pk).status for m in (alone, together)] == [expected] * 2
    statuses = {Action.objects.get(pk=r.action_id).status for r in [single, *batch]}
    wanted = change.get("status", ActionStatus.OPEN)
    assert statuses == {wanted}
    assert ActionUpdate.history.filter(history_type="~").count() == 3


def test_a_review_moved_to_another_meeting_reopens_both_minutes():
    board = BoardFactory()
    role = RoleFactory(body=board.body)
    first, reviews = _reviewed(board, role)
    second = _approved_meeting(board)
    for review in reviews:
        review.meeting, review.item = second, None
    action_reviews_update_batch(reviews=reviews, by=None)
    assert {Meeting.objects.get(pk=m.pk).status for m in (first, second)} == {Meeting.Status.DRAFT}


def test_removed_reviews_reopen_approved_minutes_as_one_removed_does():
    board = BoardFactory()
    role = RoleFactory(body=board.body)
    alone, (single, _other) = _reviewed(board, role)
    together, batch = _reviewed(board, role)
    done = action_reviews_record_batch(
        reviews=[
            action_review_build(action=r.action, meeting=together, text="Done.", status="completed")
            for r in batch
        ],
        by=None,
    )
    Meeting.objects.filter(pk=together.pk).update(status=Meeting.Status.APPROVED)
    action_review_delete(review=single, by=None)
    action_reviews_remove_batch(
        reviews=list(ActionUpdate.objects.filter(pk__in=[r.pk for r in [*batch, *done]])), by=None
    )
    assert [Meeting.objects.get(pk=m.pk).status for m in (alone, together)] == [
        Meeting.Status.DRAFT
    ] * 2
    assert not ActionUpdate.objects.filter(meeting=together).exists()
    # The statuses are worked out again from what is left (nothing: open, as raised).
    assert {Action.objects.get(pk=r.action_id).status for r in batch} == {ActionStatus.OPEN}
    assert ActionUpdate.history.filter(history_type="-").count() == 5


def test_a_review_batch_costs_the_same_statements_to_change_or_remove_two_or_twenty():
    board = BoardFactory()
    role = RoleFactory(body=board.body)

    def statements(count: int) -> int:
        _meeting, reviews = _reviewed(board, role, count)
        for review in reviews:
            review.text = "Done."
        with CaptureQueriesContext(connection) as queries:
            action_reviews_update_batch(reviews=reviews, by=None)
            action_reviews_remove_batch(
                reviews=list(ActionUpdate.objects.filter(pk__in=[r.pk for r in reviews])),
                by=None,
            )
        return len(queries)

    assert statements(20) == statements(2)


def test_changed_actions_in_a_batch_are_checked_first_and_reopen_their_minutes_once():
    board = BoardFactory(action_prefix="PPB")
    role, other = RoleFactory(body=board.body), RoleFactory(body=board.body)
    meeting = _approved_meeting(board)
    actions = actions_create_batch(
        board=board,
        actions=[NewAction(text=f"A{n}", owners=[role], raised_at=meeting) for n in range(3)],
        by=None,
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.APPROVED)
    actions[0].text, actions[2].text = "Changed", "  "
    with pytest.raises(ActionError, match="Write what the action is") as refused:
        actions_update_batch(changes=[ActionChange(action=a) for a in actions], by=None)
    assert refused.value.row == 2
    assert Action.objects.get(pk=actions[0].pk).text == "A0"
    actions[2].text = "Fine"
    changes = [ActionChange(action=a, owners=[other]) for a in actions]
    actions_update_batch(changes=changes, by=None)
    assert {Action.objects.get(pk=a.pk).owners_display() for a in actions} == {other.abbrev}
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.DRAFT
    assert ActionOwner.history.filter(history_type="-").count() == 3


@pytest.mark.postgres
def test_the_actions_table_keeps_room_for_each_actions_next_version(require_postgres):
    """Reviews give actions new versions: PostgreSQL keeps a fifth of each page of the actions
    table free, so that a new version is written beside the old without touching the indexes
    when no indexed column changed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'actions_action'")
        options = cursor.fetchone()[0]
    assert "fillfactor=80" in options
