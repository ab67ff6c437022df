"""The importer's remaining one-by-one writes go in batches: detaching a meeting's actions
before its record is written again, and a board's members, cost the same few statements however
many rows there are (a figure, not a time)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.services import meeting_actions_detach
from meetings.models import BoardMembership
from meetings.reference import board_memberships_ensure
from meetings.services import RecordError
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db


def _detach_statements(count: int) -> int:
    meeting = MeetingFactory()
    item = AgendaItemFactory(meeting=meeting)
    for _ in range(count):
        ActionFactory(board=meeting.board, raised_at_meeting=meeting, raised_at_item=item)
    with CaptureQueriesContext(connection) as queries:
        meeting_actions_detach(meeting=meeting, by=None)
    assert not meeting.actions_raised.exclude(raised_at_item=None).exists()
    assert meeting.actions_raised.count() == count
    return len(queries)


def test_detaching_a_meetings_actions_costs_the_same_however_many():
    assert _detach_statements(6) == _detach_statements(2)


def _members_statements(count: int) -> int:
    board = BoardFactory()
    members = [
        {
            "person": PersonFactory(body=board.body),
            "role": RoleFactory(body=board.body),
            "start_on": None,
            "end_on": None,
            "organisation": None,
            "position": n,
        }
        for n in range(count)
    ]
    with CaptureQueriesContext(connection) as queries:
        board_memberships_ensure(board=board, members=members)
    assert BoardMembership.objects.filter(board=board).count() == count
    # Named again (a later import): nothing more is added.
    board_memberships_ensure(board=board, members=members)
    assert BoardMembership.objects.filter(board=board).count() == count
    return len(queries)


def test_a_boards_members_are_added_in_a_few_statements_however_many():
    assert _members_statements(6) == _members_statements(2)


def test_a_member_of_another_body_is_refused_with_its_row():
    board = BoardFactory()
    members = [
        {"person": PersonFactory(body=board.body), "role": None},
        {"person": PersonFactory(body=OrganisationFactory(name="OPCC for Dyfed")), "role": None},
    ]
    with pytest.raises(RecordError) as refused:
        board_memberships_ensure(board=board, members=members)
    assert refused.value.row == 1
    assert refused.value.field == "name"
    assert not BoardMembership.objects.exists()
