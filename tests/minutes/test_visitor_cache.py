"""Visitors' copies of the board page, a body's home page and the board's actions log are
cached, and a publication, a withdrawal, an announcement or a change of status shows at once:
never a stale page, never anything withdrawn."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.services import action_close, action_create
from meetings.services import meeting_announce
from minutes.services import meeting_publish, meeting_withdraw
from tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def board():
    body = OrganisationFactory(name="Office of the PCC for Gwent", slug="gwent")
    return BoardFactory(body=body, name="Strategy and Performance Board", slug="spb")


def _published(board, held_on: datetime.date, action_text: str):
    meeting = MeetingFactory(board=board, held_on=held_on)
    item = AgendaItemFactory(meeting=meeting, position=1, number="1", title="Estates")
    action = action_create(
        board=board,
        text=action_text,
        owners=[RoleFactory(body=board.body)],
        raised_at=meeting,
        by=None,
        item=item,
    )
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    return meeting, action


def _link(meeting) -> str:
    return f'href="{reverse("minutes:meeting-detail", args=[meeting.pk])}"'


PAGES = {
    "board": lambda board: reverse("minutes:board-detail", args=[board.slug]),
    "body home": lambda board: reverse("minutes:body-home", args=[board.body.slug]),
    "home": lambda board: reverse("home"),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_a_listing_shows_a_publication_and_a_withdrawal_at_once(
    client, board, approver, page, django_assert_max_num_queries
):
    url = page(board)
    first, _action = _published(board, datetime.date(2024, 3, 13), "Review the estates plan.")
    fresh = client.get(url)
    assert _link(first) in fresh.content.decode()
    # The same page again comes from the cache, in fewer queries than drawing it.
    with django_assert_max_num_queries(5):
        again = client.get(url)
    assert again.content == fresh.content

    second, _action = _published(board, datetime.date(2024, 4, 10), "Cost the fleet.")
    content = client.get(url).content.decode()
    assert _link(first) in content
    assert _link(second) in content

    meeting_withdraw(meeting=first, by=approver, reason="Published in error")
    content = client.get(url).content.decode()
    assert _link(first) not in content
    assert _link(second) in content


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_a_listing_shows_an_announced_meeting_at_once(client, board, clerk, page):
    _published(board, datetime.date(2024, 3, 13), "Review the estates plan.")
    url = page(board)
    client.get(url)
    coming = timezone.localdate() + datetime.timedelta(days=20)
    meeting = meeting_announce(
        board=board, held_on=coming, start_time=datetime.time(10), venue="Room 4", by=clerk
    )
    assert _link(meeting) in client.get(url).content.decode()


def test_a_board_page_is_cached_per_board_and_a_rename_shows_at_once(client, board):
    other = BoardFactory(body=board.body, name="Joint Audit Committee", slug="jac")
    _published(board, datetime.date(2024, 3, 13), "Review the estates plan.")
    _published(other, datetime.date(2024, 3, 14), "Audit the fleet.")
    spb = client.get(reverse("minutes:board-detail", args=["spb"])).content.decode()
    jac = client.get(reverse("minutes:board-detail", args=["jac"])).content.decode()
    assert "Strategy and Performance Board" in spb
    assert "Joint Audit Committee" in jac
    board.name = "Police Performance Board"
    board.save()
    spb = client.get(reverse("minutes:board-detail", args=["spb"])).content.decode()
    assert "Police Performance Board" in spb


def test_the_actions_log_shows_a_publication_a_status_and_a_withdrawal_at_once(
    client, board, approver, django_assert_max_num_queries
):
    url = reverse("minutes:board-actions", args=[board.slug])
    first, action = _published(board, datetime.date(2024, 3, 13), "Review the estates plan.")
    page = client.get(url).content.decode()
    assert "Review the estates plan." in page
    with django_assert_max_num_queries(6):
        assert client.get(url).content.decode() == page

    _second, _other = _published(board, datetime.date(2024, 4, 10), "Cost the fleet.")
    page = client.get(url).content.decode()
    assert "Cost the fleet." in page
    assert "status-closed" not in page

    action_close(action=action, by=approver, on=datetime.date(2024, 4, 10))
    assert "status-closed" in client.get(url).content.decode()

    meeting_withdraw(meeting=first, by=approver, reason="Published in error")
    page = client.get(url).content.decode()
    assert "Review the estates plan." not in page
    assert "Cost the fleet." in page


def test_a_signed_in_user_is_never_served_a_visitors_copy(client, board, clerk):
    _published(board, datetime.date(2024, 3, 13), "Review the estates plan.")
    url = reverse("minutes:board-detail", args=[board.slug])
    visitor = client.get(url).content.decode()
    client.force_login(clerk)
    staff = client.get(url).content.decode()
    assert staff != visitor
    assert "Sign out" in staff
    assert "Sign out" not in visitor
