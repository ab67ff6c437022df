"""Every list page answers in a fixed number of queries, however long its list."""

import pytest
from django.urls import reverse

from actions.services import action_create, action_review_record
from minutes.services import meeting_publish
from tests.factories import AgendaItemFactory, BoardFactory, MeetingFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _published_meetings(board, count: int, role) -> None:
    start = board.meetings.count()
    for n in range(count):
        meeting = MeetingFactory(board=board)
        item = AgendaItemFactory(meeting=meeting, position=0)
        action = action_create(
            board=board,
            text=f"Action {start + n}",
            owners=[role],
            raised_at=meeting,
            by=None,
            item=item,
        )
        action_review_record(action=action, meeting=meeting, text="Started.", by=None, item=item)
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
