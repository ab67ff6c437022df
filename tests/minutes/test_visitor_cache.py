"""Visitors' copies of the board page, a body's home page and the board's actions log are
cached, and a publication, a withdrawal, an announcement or a change of status shows at once:
never a stale page, never anything withdrawn."""

import datetime
import functools

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.services import action_close, action_create
from meetings.services import meeting_announce
from minutes.services import meeting_publish, meeting_withdraw
from scrutiny.public_cache import after_commit as _AFTER_COMMIT
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


# Answered before the middleware stack (scrutiny.public_cache) ------------------------------

KEPT = {
    **PAGES,
    "actions log": lambda board: reverse("minutes:board-actions", args=[board.slug]),
    "meeting": lambda board: board.meetings.get(publications__isnull=False).get_absolute_url(),
}


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("page", KEPT.values(), ids=KEPT.keys())
def test_a_kept_page_is_answered_with_the_headers_it_was_drawn_with(
    client, board, page, language, django_assert_num_queries
):
    _published(board, datetime.date(2024, 3, 13), "Review the estates plan.")
    url = page(board).replace("/en/", f"/{language}/", 1)
    drawn = client.get(url)
    assert drawn.status_code == 200
    assert drawn["Content-Language"] == language
    assert "Content-Security-Policy" in drawn
    # One read of the record's generation and one of the cache (in memory here): no session,
    # no view, no other query.
    with django_assert_num_queries(1):
        kept = client.get(url)
    assert kept.content == drawn.content
    # The test client adds no Date; every other header is the one the page was drawn with.
    assert sorted(kept.headers.items()) == sorted(drawn.headers.items())


def test_a_visitor_with_a_session_gets_the_kept_copy_without_the_page_being_drawn(
    client, board, django_assert_max_num_queries
):
    _published(board, datetime.date(2024, 3, 13), "Review the estates plan.")
    url = reverse("minutes:board-detail", args=[board.slug])
    drawn = client.get(url)
    session = client.session  # e.g. a visitor who chose a language: a session, no sign-in
    session["chosen"] = "yes"
    session.save()
    with django_assert_max_num_queries(3):  # the session, the generation, the user (none)
        again = client.get(url)
    assert again.content == drawn.content
    assert again["Content-Language"] == "en"


def test_a_force_lead_signed_in_is_never_served_nor_kept_as_a_visitors_copy(
    client, board, force_lead
):
    meeting, _action = _published(board, datetime.date(2024, 3, 13), "Review the estates plan.")
    url = meeting.get_absolute_url()
    visitor = client.get(url).content.decode()
    assert "Sign out" not in visitor
    client.force_login(force_lead)
    lead = client.get(url)
    assert "Sign out" in lead.content.decode()
    assert "no-store" in lead["Cache-Control"]
    client.logout()
    assert "Sign out" not in client.get(url).content.decode()


def _tables_read(queries) -> set[str]:
    import re

    found = set()
    for query in queries:
        found.update(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"]))
    return found


@pytest.mark.parametrize("page", KEPT.values(), ids=KEPT.keys())
def test_every_table_a_kept_page_reads_gives_a_new_generation_when_written(client, board, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scrutiny import public_cache

    meeting, _action = _published(board, datetime.date(2024, 3, 13), "Review the estates plan.")
    coming = timezone.localdate() + datetime.timedelta(days=20)
    MeetingFactory(board=board, held_on=coming, status="announced")
    url = page(board)
    with CaptureQueriesContext(connection) as drawn:
        assert client.get(url).status_code == 200
    read = _tables_read(drawn.captured_queries) - {public_cache.TABLE}
    assert read <= public_cache.watched_tables(), read - public_cache.watched_tables()


def test_a_write_gives_a_new_generation_at_commit_once_a_transaction(
    client, board, approver, django_capture_on_commit_callbacks, monkeypatch
):
    from scrutiny import public_cache

    first, _action = _published(board, datetime.date(2024, 3, 13), "Review the estates plan.")
    url = first.get_absolute_url()
    assert client.get(url).status_code == 200
    monkeypatch.setattr(public_cache, "after_commit", _AFTER_COMMIT)  # as in production
    before = public_cache.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        meeting_withdraw(meeting=first, by=approver, reason="Published in error")
        # Not yet committed: the generation others read is the one before.
        assert public_cache.generation() == before
    # Many rows written (publication, meeting, actions log), one new generation at commit.
    assert len([c for c in callbacks if isinstance(c, functools.partial)]) == 1
    assert public_cache.generation() != before
    assert client.get(url).status_code == 404


def test_rows_written_with_their_history_in_one_statement_give_a_new_generation(
    board, django_capture_on_commit_callbacks, monkeypatch
):
    """On PostgreSQL a batch of rows and their history rows are one statement that starts
    `WITH new AS (INSERT INTO …`: the watch of writes sees the table it writes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actions.models import Action
    from scrutiny import public_cache
    from scrutiny.audit import bulk_create_recorded

    monkeypatch.setattr(public_cache, "after_commit", _AFTER_COMMIT)  # as in production
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        bulk_create_recorded(
            [Action(board=board, number=n, text=f"Action {n}") for n in (1, 2)], Action
        )
    if connection.vendor == "postgresql":
        assert queries[0]["sql"].startswith('WITH new AS (INSERT INTO "actions_action"')
    assert len([c for c in callbacks if isinstance(c, functools.partial)]) == 1
