"""The home, board and meeting pages, and what each kind of visitor may see on them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.services import meeting_start_correction
from minutes.services import meeting_publish
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    AttendanceFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a"


@pytest.fixture
def board():
    return BoardFactory(name="Strategy and Performance Board", slug="spb", action_prefix="SPB")


def publish(meeting):
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    return meeting


@pytest.fixture
def published(board):
    meeting = MeetingFactory(board=board)
    AttendanceFactory(meeting=meeting, person__name="Mrs P Kelly")
    open_item = AgendaItemFactory(meeting=meeting, number="4", title="Budget Bid")
    QuestionFactory(item=open_item, question="How many officers?", response="1,342.")
    QuestionFactory(
        item=open_item,
        question="Explain the stop search ratio",
        response=f"Personal details {CANARY}",
        restricted=True,
    )
    exempt = AgendaItemFactory(
        meeting=meeting,
        number="7",
        title="Exempt Report",
        minutes=f"Secret minutes {CANARY}",
        exempt=True,
        exempt_reason="Exempt under section 7",
    )
    AgendaItemFactory(meeting=meeting, parent=exempt, title=f"Sub {CANARY}")
    action = ActionFactory(
        board=board,
        number=5,
        text=f"Private action {CANARY}",
        raised_at_meeting=meeting,
        raised_at_item=exempt,
    )
    ActionOwnerFactory(action=action)
    public_action = ActionFactory(
        board=board,
        number=6,
        text="Publish the budget",
        raised_at_meeting=meeting,
        raised_at_item=open_item,
    )
    ActionOwnerFactory(action=public_action, role__abbrev="CFO")
    return publish(meeting)


@pytest.fixture
def draft(board):
    meeting = MeetingFactory(board=board, title=f"Draft {CANARY}")
    AgendaItemFactory(meeting=meeting, title=f"Draft item {CANARY}")
    return meeting


def test_home_lists_boards_and_published_meetings(public, published, draft):
    response = public.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Strategy and Performance Board" in content
    assert published.held_on.strftime("%-d %B %Y") in content
    assert CANARY not in content


def test_home_counts_only_meetings_with_published_minutes_for_staff_too(
    client, clerk, published, draft, board
):
    """Staff see drafts and announced meetings listed, but the count says "with minutes"."""
    MeetingFactory(board=board, announced_at=timezone.now())
    client.force_login(clerk)
    content = client.get(reverse("home")).content.decode()
    assert "1 meeting with minutes" in content
    assert "3 meetings with minutes" not in content


def test_anonymous_visitor_cannot_reach_a_draft(public, draft):
    response = public.get(reverse("minutes:meeting-detail", args=[draft.pk]))
    assert response.status_code == 404
    assert CANARY not in response.content.decode()
    board_page = public.get(reverse("minutes:board-detail", args=["spb"])).content.decode()
    assert CANARY not in board_page


def test_public_page_withholds_exempt_items_and_restricted_responses(public, published):
    response = public.get(reverse("minutes:meeting-detail", args=[published.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Mrs P Kelly" in content
    assert "Budget Bid" in content
    assert "1,342." in content
    assert "Explain the stop search ratio" in content
    assert "A response was given and has been withheld from publication." in content
    assert "Exempt Report" in content  # the board publishes exempt titles
    assert "Exempt under section 7" in content
    assert "SPB 6" in content
    assert "Publish the budget" in content
    assert "SPB 5" not in content
    assert CANARY not in content
    assert "Not for publication" not in content


def test_board_may_hide_exempt_titles(public, published):
    published.board.public_exempt_titles = False
    published.board.save()
    meeting_start_correction(meeting=published)
    meeting_publish(meeting=published, by=None, check_permission=False, note="Titles hidden")
    content = public.get(reverse("minutes:meeting-detail", args=[published.pk])).content.decode()
    assert "Exempt Report" not in content
    assert "Exempt item" in content


def test_clerk_sees_the_full_record_marked_not_for_publication(client, clerk, published, draft):
    client.force_login(clerk)
    content = client.get(reverse("minutes:meeting-detail", args=[published.pk])).content.decode()
    assert "Not for publication" in content
    assert f"Secret minutes {CANARY}" in content
    assert f"Personal details {CANARY}" in content
    assert f"Private action {CANARY}" in content
    assert client.get(reverse("minutes:meeting-detail", args=[draft.pk])).status_code == 200
    assert f"Draft {CANARY}" in client.get(reverse("home")).content.decode()


def test_force_lead_sees_only_the_public_record(client, force_lead, published, draft):
    client.force_login(force_lead)
    content = client.get(reverse("minutes:meeting-detail", args=[published.pk])).content.decode()
    assert CANARY not in content
    assert client.get(reverse("minutes:meeting-detail", args=[draft.pk])).status_code == 404


def test_hostile_text_is_shown_as_text(client, clerk, board):
    meeting = MeetingFactory(board=board)
    AgendaItemFactory(
        meeting=meeting,
        title="<script>alert(1)</script>",
        minutes="{{ settings.SECRET_KEY }} <img src=x onerror=alert(1)>",
    )
    publish(meeting)
    content = client.get(reverse("minutes:meeting-detail", args=[meeting.pk])).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<img src=x" not in content
    assert "{{ settings.SECRET_KEY }}" in content


def test_a_phone_reader_can_jump_from_the_top_to_the_pdfs(public, published):
    """On a narrow screen the downloads come after the whole minutes: a link leads there."""
    page = public.get(published.get_absolute_url()).content.decode()
    jump = page.index('href="#downloads-heading"')
    assert jump < page.index('<article class="minutes">')
    assert 'id="downloads-heading"' in page


def test_cached_pages_show_a_renamed_body_and_board_at_once(client):
    body = OrganisationFactory(name="Gwent OPCC", slug="gwent", footer_text="Old footer")
    board = BoardFactory(body=body, name="Strategy Board", slug="spb")
    meeting = MeetingFactory(board=board)
    AgendaItemFactory(meeting=meeting)
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    url = meeting.get_absolute_url()
    assert "Strategy Board" in client.get(url).content.decode()
    assert "Gwent OPCC" in client.get("/en/").content.decode()
    board.name = "Scrutiny Board"
    board.save()
    body.name = "Office of the Commissioner for Gwent"
    body.footer_text = "New footer"
    body.save()
    page = client.get(url).content.decode()
    assert "Scrutiny Board" in page
    assert "New footer" in page
    assert "Office of the Commissioner for Gwent" in client.get("/en/").content.decode()


def test_home_reads_only_the_five_latest_meetings_a_board_lists(client, clerk, board):
    """The home pages list each board's five latest meetings: the others are never read from
    the database (at 120,000 actions every board's meetings made the page take a second)."""
    from unittest import mock

    from meetings.models import Meeting

    meetings = [
        MeetingFactory(board=board, held_on=timezone.localdate().replace(year=2020, month=m))
        for m in range(1, 9)
    ]
    client.force_login(clerk)  # staff see every meeting listed, drafts too
    read = []
    original = Meeting.from_db.__func__

    def counting(cls, db, field_names, values, **kwargs):
        read.append(values[0])
        return original(cls, db, field_names, values, **kwargs)

    with mock.patch.object(Meeting, "from_db", classmethod(counting)):
        content = client.get(reverse("home")).content.decode()
    latest = sorted(meetings, key=lambda m: m.held_on, reverse=True)
    for meeting in latest[:5]:
        assert meeting.held_on.strftime("%-d %B %Y") in content
    for meeting in latest[5:]:
        assert meeting.held_on.strftime("%-d %B %Y") not in content
    assert set(read) <= {m.pk for m in latest[:5]}, "meetings read that the page never lists"


def test_home_cards_list_the_five_latest_meetings_in_order_same_day_ones_by_title(public, board):
    """Each card lists its board's five latest published meetings, latest first, two on the
    same day by title; a board with fewer lists them all; drafts are never listed publicly."""
    day = timezone.localdate().replace(year=2021, month=3, day=1)
    for month, title in [(1, ""), (2, ""), (3, "Beta"), (3, "Alpha"), (4, ""), (5, ""), (6, "")]:
        meeting = MeetingFactory(board=board, held_on=day.replace(month=month), title=title)
        publish(meeting)
    MeetingFactory(board=board, held_on=day.replace(month=7), title=f"Draft {CANARY}")
    small = BoardFactory(name="Audit Committee", slug="audit", action_prefix="AC")
    publish(MeetingFactory(board=small, held_on=day.replace(month=2), title="Only"))
    content = public.get(reverse("home")).content.decode()
    card = content[content.index("Strategy and Performance Board") :]
    card = card[: card.index("</section>")]
    shown = ["1 June 2021", "1 May 2021", "1 April 2021", "Alpha", "Beta"]
    positions = [card.index(text) for text in shown]
    assert positions == sorted(positions)
    assert "February 2021" not in card
    assert "January 2021" not in card
    assert CANARY not in content
    assert "Only" in content[content.index("Audit Committee") :]


@pytest.mark.parametrize("persona", ["public", "clerk"])
def test_home_reads_as_many_times_for_many_boards_and_meetings(
    client, clerk, persona, django_assert_num_queries
):
    """The home page asks the database the same number of questions however many boards and
    meetings there are (at 100 boards and 12,000 meetings it read every meeting)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if persona == "clerk":
        client.force_login(clerk)

    def grow(boards, meetings):
        for b in range(boards):
            board = BoardFactory()
            for m in range(meetings):
                held_on = timezone.localdate().replace(year=2020 - m, month=1 + b % 12, day=1)
                publish(MeetingFactory(board=board, held_on=held_on))
            MeetingFactory(board=board)  # a draft

    grow(1, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("home")).status_code == 200
    grow(4, 7)
    with django_assert_num_queries(len(few)):
        content = client.get(reverse("home")).content.decode()
    assert content.count('class="board-card') == 5
