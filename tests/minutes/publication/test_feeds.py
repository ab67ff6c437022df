"""What published minutes feed: the calendar's next meeting and the board's actions log."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.services import meeting_start_correction
from minutes.services import (
    meeting_publish,
)
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


# --- Calendar feed -------------------------------------------------------------------------


def calendar_lines(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode("utf-8")
    assert body.endswith("\r\n")
    lines = body.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    # Unfold continuation lines (RFC 5545, 3.1).
    unfolded: list[str] = []
    for line in lines:
        if line.startswith(" ") and unfolded:
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    return unfolded


def test_calendar_lists_the_next_meeting_from_published_minutes_only(client, board, approver):
    soon = timezone.localdate() + datetime.timedelta(days=14)
    meeting = MeetingFactory(
        board=board,
        next_meeting_on=soon,
        next_meeting_start=datetime.time(10, 0),
        next_meeting_venue="Room 1, Police HQ; Croesyceiliog\nCwmbran",
    )
    AgendaItemFactory(meeting=meeting, title="Budget Bid")
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    MeetingFactory(
        board=BoardFactory(slug="jac"), next_meeting_on=soon, next_meeting_venue="Draft venue"
    )
    # A correction's new venue is not published until the next version is.
    meeting.next_meeting_venue = "Unpublished venue"
    meeting.save()
    meeting_start_correction(meeting=meeting)

    for url in (reverse("minutes:calendar"), reverse("minutes:board-calendar", args=["spb"])):
        lines = calendar_lines(client, url)
        assert lines[0] == "BEGIN:VCALENDAR"
        assert lines[-1] == "END:VCALENDAR"
        assert "VERSION:2.0" in lines
        assert lines.count("BEGIN:VEVENT") == 1
        assert lines.count("END:VEVENT") == 1
        assert f"DTSTART;TZID=Europe/London:{soon:%Y%m%d}T100000" in lines
        assert "LOCATION;LANGUAGE=en:Room 1\\, Police HQ\\; Croesyceiliog\\nCwmbran" in lines
        assert not any("Draft venue" in line or "Unpublished venue" in line for line in lines)

    # A board that has published nothing is not shown to the public, its calendar included.
    assert client.get(reverse("minutes:board-calendar", args=["jac"])).status_code == 404


# --- The board's actions log ---------------------------------------------------------------


def raise_action(meeting, item, number: int, text: str):
    action = ActionFactory(
        board=meeting.board,
        number=number,
        text=text,
        raised_at_meeting=meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action)
    return action


def actions_log(client, board) -> str:
    response = client.get(reverse("minutes:board-actions", args=[board.slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def with_exempt_item(board):
    meeting = MeetingFactory(board=board)
    open_item = AgendaItemFactory(meeting=meeting, number="1", title="Budget Bid")
    exempt = AgendaItemFactory(
        meeting=meeting, number="2", title="Estates", exempt=True, exempt_reason="Paragraph 3"
    )
    raise_action(meeting, open_item, 1, "Publish the budget")
    raise_action(meeting, exempt, 2, "Value the police house privately")
    sub = AgendaItemFactory(meeting=meeting, parent=exempt, number="2.1", title="Valuation")
    raise_action(meeting, sub, 3, "Instruct the surveyor privately")
    return meeting


def test_actions_log_lists_published_actions_but_not_exempt_or_unpublished_ones(
    client, board, with_exempt_item
):
    meeting_publish(meeting=with_exempt_item, by=None, check_permission=False)
    draft = MeetingFactory(board=board)
    raise_action(draft, AgendaItemFactory(meeting=draft), 4, "Draft action not yet agreed")

    content = actions_log(client, board)
    assert "Publish the budget" in content
    assert "SPB 1" in content
    assert "Value the police house privately" not in content
    assert "Instruct the surveyor privately" not in content
    assert "Draft action not yet agreed" not in content


def test_actions_log_leaves_out_actions_however_deep_under_an_exempt_item(
    client, board, with_exempt_item
):
    sub = with_exempt_item.items.get(number="2.1")
    detail = AgendaItemFactory(meeting=with_exempt_item, parent=sub, number="a", title="Detail")
    deeper = AgendaItemFactory(meeting=with_exempt_item, parent=detail, number="i", title="More")
    raise_action(with_exempt_item, deeper, 5, "Brief the buyer privately")
    meeting_publish(meeting=with_exempt_item, by=None, check_permission=False)
    public_minutes = client.get(with_exempt_item.get_absolute_url()).content.decode()
    assert "Brief the buyer privately" not in public_minutes
    assert "Brief the buyer privately" not in actions_log(client, board)


def test_actions_log_shows_what_was_published_not_an_unpublished_correction(
    client, board, with_exempt_item
):
    meeting = with_exempt_item
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    published_action = meeting.actions_raised.get(number=1)
    published_action.text = "Publish the budget and the reserves strategy"
    published_action.save()
    raise_action(meeting, meeting.items.get(number="1"), 6, "Action added in the correction")
    meeting_start_correction(meeting=meeting)

    content = actions_log(client, board)
    assert "Action added in the correction" not in content
    assert "the reserves strategy" not in content
