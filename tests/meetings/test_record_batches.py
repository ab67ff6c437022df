"""The batch services the importer writes through apply the rules of the one-row services:
depth, exemption reasons, approval reopening, history, and no clearing under actions."""

import datetime

import pytest

from meetings import services
from meetings.models import AgendaItem, Meeting, Paper
from scrutiny.audit import recorded_as
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _nested(meeting, depth: int) -> list[AgendaItem]:
    items, parent = [], None
    for n in range(depth):
        parent = AgendaItem(meeting=meeting, parent=parent, title=f"Level {n + 1}")
        items.append(parent)
    return items


def test_a_batch_is_written_with_history_and_reopens_approved_minutes():
    meeting = MeetingFactory(status=Meeting.Status.APPROVED)
    items = _nested(meeting, 3)
    paper = Paper(item=items[2], title="Budget Report")
    with recorded_as(reason="import by the operator"):
        services.meeting_record_create(meeting=meeting, items=items, papers=[paper], by=None)
    assert [i.parent_id for i in items] == [None, items[0].pk, items[1].pk]
    assert paper.pk is not None
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.DRAFT
    history = AgendaItem.history.filter(meeting_id=meeting.pk)
    assert history.count() == 3
    assert set(history.values_list("history_change_reason", flat=True)) == {
        "import by the operator"
    }


def test_meetings_created_in_a_batch_have_history_and_their_preparer_cannot_approve():
    board = BoardFactory()
    chair = RoleFactory(body=board.body)
    clerk = UserFactory()
    meetings = [
        Meeting(board=board, held_on=datetime.date(2025, month, 10), chair_role=chair)
        for month in (1, 2, 3)
    ]
    with recorded_as(user=clerk):
        services.meetings_create_batch(meetings=meetings, by=clerk)
    stored = Meeting.objects.filter(board=board).order_by("held_on")
    assert [m.pk for m in stored] == [m.pk for m in meetings]
    assert {m.created_by for m in stored} == {clerk}
    for meeting in stored:
        assert list(meeting.changed_since_approval_by.all()) == [clerk]
    history = Meeting.history.filter(board_id=board.pk, history_type="+")
    assert history.count() == 3
    assert {h.history_user for h in history} == {clerk}


def test_a_batch_of_meetings_with_a_chair_of_another_body_writes_nothing():
    board = BoardFactory()
    meetings = [
        Meeting(board=board, held_on=datetime.date(2025, 1, 10)),
        Meeting(
            board=board,
            held_on=datetime.date(2025, 2, 10),
            chair=PersonFactory(body=OrganisationFactory(name="Another body")),
        ),
    ]
    with pytest.raises(services.RecordError, match="belongs to"):
        services.meetings_create_batch(meetings=meetings, by=None)
    assert not Meeting.objects.filter(board=board).exists()


def test_a_batch_too_deep_or_exempt_without_reason_writes_nothing():
    meeting = MeetingFactory()
    with pytest.raises(services.RecordError, match="levels deep"):
        services.meeting_record_create(
            meeting=meeting, items=_nested(meeting, services.MAX_ITEM_DEPTH + 1), by=None
        )
    exempt = AgendaItem(meeting=meeting, title="Estates", exempt=True)
    with pytest.raises(services.RecordError, match="reason for the exemption"):
        services.meeting_record_create(meeting=meeting, items=[exempt], by=None)
    assert not AgendaItem.objects.filter(meeting=meeting).exists()


def test_clearing_a_record_refuses_items_with_actions_under_them():
    item = AgendaItemFactory(meeting=MeetingFactory())
    ActionFactory(board=item.meeting.board, raised_at_meeting=item.meeting, raised_at_item=item)
    with pytest.raises(services.RecordError, match="Actions were raised or reviewed"):
        services.meeting_record_clear(meeting=item.meeting, by=None)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_published_status_is_never_set_by_hand():
    meeting = MeetingFactory()
    with pytest.raises(services.RecordError, match="only by publishing"):
        services.meeting_set_status(meeting=meeting, status=Meeting.Status.PUBLISHED, by=None)
    services.meeting_set_status(meeting=meeting, status=Meeting.Status.APPROVED, by=None)
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.APPROVED
