"""Every list page answers in a fixed number of queries, however long its list."""

import pytest
from django.urls import reverse

from actions.services import (
    action_create,
    action_link,
    action_report_progress,
    action_review_record,
)
from meetings.models import Board
from minutes.services import meeting_publish
from tests.factories import AgendaItemFactory, BoardFactory, MeetingFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _raised_and_reviewed(board, role, text: str):
    """An action raised under an item of a new meeting, and reviewed there."""
    meeting = MeetingFactory(board=board)
    item = AgendaItemFactory(meeting=meeting, position=0)
    action = action_create(
        board=board, text=text, owners=[role], raised_at=meeting, by=None, item=item
    )
    action_review_record(action=action, meeting=meeting, text="Started.", by=None, item=item)
    return action


def _published_meetings(board, count: int, role) -> None:
    start = board.meetings.count()
    for n in range(count):
        action = _raised_and_reviewed(board, role, f"Action {start + n}")
        meeting = action.raised_at_meeting
        meeting_publish(meeting=meeting, by=None, check_permission=False)


@pytest.fixture
def board():
    return BoardFactory(slug="spb")


@pytest.mark.parametrize(
    ("url", "ceiling"),
    [
        (lambda board: reverse("home"), 8),
        (lambda board: reverse("minutes:board-detail", args=[board.slug]), 8),
        (lambda board: reverse("minutes:board-actions", args=[board.slug]), 10),
    ],
    ids=["home", "board", "board actions"],
)
def test_public_list_pages_in_a_fixed_number_of_queries(
    client, board, url, ceiling, django_assert_max_num_queries
):
    role = RoleFactory(body=board.body)
    _published_meetings(board, 2, role)
    with django_assert_max_num_queries(ceiling) as few:
        assert client.get(url(board)).status_code == 200
    _published_meetings(board, 6, role)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(board)).status_code == 200


def test_a_meetings_action_review_in_a_fixed_number_of_queries(
    client, clerk, board, django_assert_max_num_queries
):
    role = RoleFactory(body=board.body)
    later = MeetingFactory(board=board)
    item = AgendaItemFactory(meeting=later)

    def reviewed(count: int) -> None:
        for n in range(count):
            action = action_create(
                board=board, text=f"Earlier {n}", owners=[role], raised_at=None, by=None
            )
            action_review_record(action=action, meeting=later, text="Done.", by=None, item=item)

    client.force_login(clerk)
    url = reverse("actions:meeting-action-review", args=[later.pk])
    reviewed(2)
    with django_assert_max_num_queries(16) as few:
        assert client.get(url).status_code == 200
    reviewed(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def _owned_actions(force_lead, count: int, *, start: int = 0) -> list:
    """Actions owned through the force lead's post, each raised at a meeting and reviewed, with
    progress the force lead reported."""
    person = force_lead.person
    role = person.appointments.get().role
    board = Board.objects.filter(body=person.body).first() or BoardFactory(body=person.body)
    actions = []
    for n in range(count):
        action = _raised_and_reviewed(board, role, f"Action {start + n}")
        meeting = action.raised_at_meeting
        action_report_progress(
            action=action,
            text="Draft written.",
            by=force_lead,
            person=person,
            on=meeting.held_on,
        )
        actions.append(action)
    return actions


@pytest.mark.parametrize("page", ["mine", "action"])
def test_the_force_leads_action_pages_in_a_fixed_number_of_queries(
    client, force_lead, page, django_assert_max_num_queries
):
    """My actions" and an action's own page: as many queries with nine actions, each with its
    history, as with one."""
    client.force_login(force_lead)
    first = _owned_actions(force_lead, 1)[0]

    def url():
        if page == "mine":
            return reverse("actions:action-mine")
        return reverse("actions:action-detail", args=[first.pk])

    with django_assert_max_num_queries(30) as few:
        response = client.get(url())
    assert response.status_code == 200
    assert "Action 0" in response.content.decode()
    more = _owned_actions(force_lead, 8, start=1)
    for action in more:
        on = action.raised_at_meeting.held_on
        action_link(action=first, other=action, by=None, on=on)
        action_report_progress(
            action=first, text="More progress.", by=force_lead, person=force_lead.person, on=on
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url())
    assert response.status_code == 200
    if page == "mine":
        assert "Action 8" in response.content.decode()


def test_the_admin_meeting_list_counts_and_dates_meetings_without_reading_their_items(
    client, django_user_model
):
    """Its count, date drill-down and totals read the meetings table alone (at 120,000 actions
    a join with every agenda item made the list take a second); each row still shows its
    number of items."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting)
    AgendaItemFactory(meeting=meeting)
    MeetingFactory(board=meeting.board)
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "x"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:meetings_meeting_changelist"))
    assert response.status_code == 200
    assert '<td class="field-item_count">2</td>' in response.content.decode()
    assert '<td class="field-item_count">0</td>' in response.content.decode()
    counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"] or "MIN(" in q["sql"]]
    assert counts, "the list counted nothing: this test checks nothing"
    assert not [sql for sql in counts if "meetings_agendaitem" in sql]


def test_the_admin_item_list_shows_the_newest_items_first(client, django_user_model):
    older = AgendaItemFactory(title="Budget Bid", position=0)
    newer = AgendaItemFactory(title="Estates Strategy", position=1)
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "x"))
    page = client.get(reverse("admin:meetings_agendaitem_changelist")).content.decode()
    assert older.pk < newer.pk
    assert page.index("Estates Strategy") < page.index("Budget Bid")
