"""A visitor reads a board's public actions log in a real browser: filters it by status and
year, pages on to page 2 and follows an action to the meeting that raised it; axe finds nothing
at two widths."""

import datetime
import re

import pytest
from django.urls import reverse

from actions.models import ActionStatus
from minutes.services import meeting_publish
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def board():
    """2018: 60 open actions and 5 closed ones, over two meetings; 2019: 10 open ones."""
    board = BoardFactory(name="Policing Performance Board", slug="ppb", action_prefix="PPB")
    acc = RoleFactory(body=board.body, abbrev="ACC", title="Assistant Chief Constable")
    number = 0
    for held_on, open_count, closed_count in (
        (datetime.date(2018, 3, 13), 30, 5),
        (datetime.date(2018, 11, 30), 30, 0),
        (datetime.date(2019, 5, 8), 10, 0),
    ):
        meeting = MeetingFactory(board=board, held_on=held_on)
        item = AgendaItemFactory(meeting=meeting, number="4", title="Performance")
        statuses = [ActionStatus.OPEN] * open_count + [ActionStatus.CLOSED] * closed_count
        for status in statuses:
            number += 1
            action = ActionFactory(
                board=board,
                number=number,
                text=f"Report on performance measure {number}",
                status=status,
                due_on=held_on + datetime.timedelta(days=90),
                raised_at_meeting=meeting,
                raised_at_item=item,
            )
            ActionOwnerFactory(action=action, role=acc)
        meeting_publish(meeting=meeting, by=None, check_permission=False)
    return board


def refs(page) -> list[str]:
    return page.locator("tbody th[scope=row]").all_inner_texts()


def test_a_visitor_filters_pages_and_follows_an_action_to_its_meeting(
    page, live_server, board, axe, screenshot
):
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    page.goto(reverse("minutes:board-actions", kwargs={"slug": board.slug}))
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Actions of the Policing Performance Board"
    )
    assert page.get_by_text("75 actions").is_visible()

    page.get_by_label("Status").select_option(label="Open")
    page.get_by_label("Year raised").select_option(label="2018")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**status=open**")
    assert page.get_by_text("60 actions").is_visible()
    assert refs(page) == [f"PPB {n}" for n in range(65, 35, -1)] + [
        f"PPB {n}" for n in range(30, 10, -1)
    ]
    assert axe(page) == []

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    page.wait_for_url("**page=2**")
    assert page.get_by_text("Page 2 of 2").is_visible()
    assert refs(page) == [f"PPB {n}" for n in range(10, 0, -1)]
    # The filters are kept: still open actions of 2018, still chosen in the form.
    assert page.get_by_label("Status").input_value() == "open"
    assert page.get_by_label("Year raised").input_value() == "2018"
    screenshot("board-actions-log-page-2")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == [], name
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})

    row = page.get_by_role("row", name=re.compile(r"^PPB 1 "))
    assert "Assistant Chief Constable (ACC)" in row.inner_text()
    assert "11 Jun 2018" in row.inner_text()
    row.get_by_role("link", name="Raised on 13 March 2018").click()
    page.wait_for_url(
        f"**{board.meetings.get(held_on=datetime.date(2018, 3, 13)).get_absolute_url()}"
    )
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Minutes of the Policing Performance Board"
    )
    assert page.get_by_text("13 March 2018").first.is_visible()
    assert page.get_by_text("Report on performance measure 1", exact=True).first.is_visible()
