"""The meetings the publication tests work on: prepared by the clerk, approved, published,
published twice."""

import pytest

from meetings.models import Paper
from minutes.services import (
    meeting_approve,
    meeting_publish,
)
from scrutiny.groups import APPROVER, ensure_groups
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    AttendanceFactory,
    BoardFactory,
    MeetingFactory,
    QuestionFactory,
    UserFactory,
)
from tests.minutes.publication.helpers import CORRECTED, HELD_ON, ORIGINAL, correct  # noqa: F401


@pytest.fixture
def board():
    return BoardFactory(name="Strategy and Performance Board", slug="spb", action_prefix="SPB")


@pytest.fixture
def prepared(board, clerk):
    """Draft minutes the clerk entered: an item with a paper, a question and an action."""
    meeting = MeetingFactory(board=board, held_on=HELD_ON, created_by=clerk)
    AttendanceFactory(meeting=meeting, person__name="Mrs P Kelly")
    item = AgendaItemFactory(meeting=meeting, number="1", title="Budget Bid", minutes=ORIGINAL)
    Paper.objects.create(item=item, title="Budget Report")
    QuestionFactory(item=item, question="How many officers?", response="1,342 officers.")
    action = ActionFactory(
        board=board,
        number=1,
        text="Publish the budget",
        raised_at_meeting=meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action, role__abbrev="CFO")
    return meeting


@pytest.fixture
def approved(prepared, approver):
    return meeting_approve(meeting=prepared, by=approver)


@pytest.fixture
def published(approved, approver):
    meeting_publish(meeting=approved, by=approver)
    return approved


@pytest.fixture
def withdrawer():
    """A second approver, so that the name on the withdrawal is not the approver's."""
    user = UserFactory(username="withdrawer", is_staff=True)
    user.groups.add(ensure_groups()[APPROVER])
    return user


@pytest.fixture
def published_twice(published, approver):
    correct(published)
    meeting_approve(meeting=published, by=approver)
    meeting_publish(meeting=published, by=approver, note="Corrected the decision")
    return published
