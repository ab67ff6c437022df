"""The public actions log of a board (/boards/<slug>/actions/): what live publications printed,
50 a page, filtered by status and year, with owners' post titles, due dates, the latest progress
minuted in public and links to the meetings."""

import datetime
import re

import pytest
from django.urls import reverse

from actions.models import ActionStatus
from minutes.services import meeting_publish, meeting_withdraw
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    ActionUpdateFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def board():
    return BoardFactory(name="Policing Performance Board", slug="ppb", action_prefix="PPB")


def publish(meeting):
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    return meeting


def raise_action(meeting, item, number, text, *, due=None, status=ActionStatus.OPEN, role=None):
    action = ActionFactory(
        board=meeting.board,
        number=number,
        text=text,
        due_on=due,
        status=status,
        raised_at_meeting=meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action, role=role or RoleFactory(body=meeting.board.body))
    return action


def review(action, meeting, item, text):
    return ActionUpdateFactory(
        action=action, meeting=meeting, item=item, reported_on=meeting.held_on, text=text
    )


def log(client, board, **params):
    response = client.get(reverse("minutes:board-actions", args=[board.slug]), params)
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<th scope="row" class="text-nowrap">([^<]+)</th>', body)


def test_each_action_shows_owners_titles_due_date_latest_progress_and_its_meetings(client, board):
    hospc = RoleFactory(
        body=board.body, abbrev="HoSPC", title="Head of Strategy, Performance and Change"
    )
    first = MeetingFactory(board=board, held_on=datetime.date(2014, 3, 13))
    item = AgendaItemFactory(meeting=first, number="1", title="Hate crime")
    action = raise_action(
        first,
        item,
        60,
        "Present the hate crime research at a future board",
        due=datetime.date(2014, 6, 30),
        role=hospc,
    )
    publish(first)
    second = MeetingFactory(board=board, held_on=datetime.date(2014, 5, 8))
    review_item = AgendaItemFactory(meeting=second, number="2", title="Action review")
    review(action, second, review_item, "On the agenda for July.")
    publish(second)

    html = log(client, board)
    assert rows(html) == ["PPB 60"]
    assert "Present the hate crime research at a future board" in html
    assert "Head of Strategy, Performance and Change (HoSPC)" in html
    assert "30 Jun 2014" in html
    assert "On the agenda for July." in html
    assert f'href="{first.get_absolute_url()}">Raised on 13 March 2014' in html
    assert f'href="{second.get_absolute_url()}">Minuted on 8 May 2014' in html


def test_fifty_a_page_newest_first(client, board):
    meeting = MeetingFactory(board=board)
    item = AgendaItemFactory(meeting=meeting)
    for number in range(1, 121):
        raise_action(meeting, item, number, f"Action number {number}")
    publish(meeting)

    assert rows(log(client, board)) == [f"PPB {n}" for n in range(120, 70, -1)]
    third = log(client, board, page=3)
    assert rows(third) == [f"PPB {n}" for n in range(20, 0, -1)]
    assert "Page 3 of 3" in third
    assert (
        client.get(reverse("minutes:board-actions", args=[board.slug]), {"page": 4}).status_code
        == 404
    )


def test_filters_by_status_and_year_and_keeps_them_across_pages(client, board):
    old = MeetingFactory(board=board, held_on=datetime.date(2018, 11, 30))
    item = AgendaItemFactory(meeting=old)
    raise_action(old, item, 1, "Closed in 2018", status=ActionStatus.CLOSED)
    raise_action(old, item, 2, "Open since 2018")
    publish(old)
    new = MeetingFactory(board=board, held_on=datetime.date(2019, 11, 26))
    item = AgendaItemFactory(meeting=new)
    for number in range(3, 60):
        raise_action(new, item, number, f"Open since 2019, {number}")
    publish(new)

    assert rows(log(client, board, year=2018)) == ["PPB 2", "PPB 1"]
    assert rows(log(client, board, status="closed")) == ["PPB 1"]
    assert rows(log(client, board, status="open", year=2018)) == ["PPB 2"]
    first_page = log(client, board, status="open")
    assert 'href="?status=open&amp;page=2"' in first_page
    assert rows(log(client, board, status="open", page=2)) == [f"PPB {n}" for n in range(9, 1, -1)]
    # A value that is not offered is said to be wrong, and the list is not filtered by it.
    bad = log(client, board, status="lost")
    assert 'aria-invalid="true"' in bad
    assert len(rows(bad)) == 50


def test_an_action_raised_at_a_draft_meeting_shows_only_its_ref_and_public_progress(client, board):
    draft = MeetingFactory(board=board, held_on=datetime.date(2020, 1, 1))
    action = raise_action(draft, AgendaItemFactory(meeting=draft), 7, "Unapproved draft wording")
    reviewing = MeetingFactory(board=board, held_on=datetime.date(2020, 2, 2))
    review(action, reviewing, AgendaItemFactory(meeting=reviewing), "Work has started.")
    publish(reviewing)

    html = log(client, board)
    assert rows(html) == ["PPB 7"]
    assert "Unapproved draft wording" not in html
    assert "Work has started." in html
    assert "Not published: only the progress minuted in public is shown." in html
    assert draft.get_absolute_url() not in html


def test_an_action_known_only_from_a_review_shows_as_the_review_printed_it(client, board):
    """Carried forward (its meeting never recorded) or raised at an unpublished meeting: the
    public log shows the summary, owners and due date the published review printed."""
    action = ActionFactory(board=board, number=3, text="Live wording", carried_forward=True)
    reviewing = MeetingFactory(board=board, held_on=datetime.date(2018, 11, 30))
    update = review(action, reviewing, AgendaItemFactory(meeting=reviewing), "Completed.")
    update.summary = "Wording as the review printed it"
    update.printed_owners = ["ACC"]
    update.printed_due_on = datetime.date(2018, 12, 31)
    update.save()
    publish(reviewing)

    html = log(client, board)
    assert "Wording as the review printed it" in html
    assert "Live wording" not in html
    assert "31 Dec 2018" in html
    assert "<td>ACC</td>" in html


def test_withdrawal_takes_away_at_once_what_that_publication_alone_made_public(
    client, board, approver
):
    raising = MeetingFactory(board=board, held_on=datetime.date(2020, 1, 1))
    action = raise_action(raising, AgendaItemFactory(meeting=raising), 8, "Name of an officer")
    publish(raising)
    reviewing = MeetingFactory(board=board, held_on=datetime.date(2020, 2, 2))
    review(action, reviewing, AgendaItemFactory(meeting=reviewing), "Reported back.")
    publish(reviewing)
    assert "Name of an officer" in log(client, board)

    meeting_withdraw(meeting=raising, by=approver, reason="Personal data")
    html = log(client, board)
    assert "Name of an officer" not in html
    assert rows(html) == ["PPB 8"]  # the review in live minutes still reports its progress
    assert "Reported back." in html

    meeting_withdraw(meeting=reviewing, by=approver, reason="Personal data")
    # The board has nothing published now: no log, as no board page.
    response = client.get(reverse("minutes:board-actions", args=[board.slug]))
    assert response.status_code == 404
    assert "PPB 8" not in response.content.decode()


def test_the_log_shows_the_published_wording_not_a_later_edit(client, board):
    meeting = MeetingFactory(board=board)
    action = raise_action(meeting, AgendaItemFactory(meeting=meeting), 9, "As approved")
    publish(meeting)
    action.text = "Edited after publication"
    action.save()
    html = log(client, board)
    assert "As approved" in html
    assert "Edited after publication" not in html


def test_query_count_does_not_grow_with_the_log(client, board, django_assert_max_num_queries):
    meeting = MeetingFactory(board=board)
    item = AgendaItemFactory(meeting=meeting)
    later = MeetingFactory(board=board)
    later_item = AgendaItemFactory(meeting=later)
    for number in range(1, 61):
        action = raise_action(meeting, item, number, f"Action {number}")
        review(action, later, later_item, f"Progress {number}")
    publish(meeting)
    publish(later)
    with django_assert_max_num_queries(8):
        log(client, board)


def test_publications_made_before_the_log_kept_raised_and_titles_still_build_it():
    """Stored rows from before: {id, ref, text, owners as one string}; an action counts as
    raised where the meeting is the one that raised it, otherwise only its ref is public."""
    from minutes.actions_log import build_log, legacy_rows

    old = [
        (
            1,
            datetime.date(2018, 11, 30),
            [{"id": 10, "ref": "SPB 4", "text": "T", "owners": "A / B"}],
        ),
        (
            2,
            datetime.date(2019, 1, 30),
            [{"id": 11, "ref": "SPB 2", "text": "Elsewhere", "owners": "C"}],
        ),
    ]
    assert legacy_rows(old) == {10, 11}
    entries = build_log(old, {(10, 1), (11, 99)})
    assert entries[10]["text"] == "T"
    assert entries[10]["owners"] == [{"label": "A", "title": ""}, {"label": "B", "title": ""}]
    assert entries[10]["raised_at_meeting_id"] == 1
    assert "text" not in entries[11]
    assert entries[11]["number"] == 2


def test_a_board_that_has_published_nothing_has_no_actions_log(client):
    silent = BoardFactory(name="Silent Scrutiny Board", slug="silent")
    MeetingFactory(board=silent, held_on=datetime.date(2020, 1, 1))
    response = client.get(reverse("minutes:board-actions", args=[silent.slug]))
    assert response.status_code == 404
    assert "Silent Scrutiny Board" not in response.content.decode()


def test_the_log_wears_its_bodys_identity_and_names_the_board_in_welsh(client):
    body = OrganisationFactory(
        name="Dyfed-Powys OPCC", slug="dyfed", welsh=True, footer_text="Dyfed-Powys footer"
    )
    board = BoardFactory(body=body, name="Policing Board", name_cy="Bwrdd Plismona", slug="ppb")
    meeting = MeetingFactory(board=board, held_on=datetime.date(2020, 1, 1))
    AgendaItemFactory(meeting=meeting, title="Welcome", title_cy="Croeso", minutes="")
    publish(meeting)
    page = log(client, board)
    assert "Dyfed-Powys footer" in page
    assert f'href="{reverse("minutes:body-home", args=[body.slug])}"' in page
    welsh = client.get("/cy" + reverse("minutes:board-actions", args=[board.slug])[3:])
    assert "Bwrdd Plismona" in welsh.content.decode()
