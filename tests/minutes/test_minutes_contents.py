"""The content of many meetings read at once (minutes_contents, as generate_data publishes) is
the content of each read alone (minutes_content, as the public page and the PDFs read it): the
same minutes printed, in English and Welsh, public and not."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Attendance, Departure, Meeting, Paper
from minutes.actions_log import snapshot_rows
from minutes.content import minutes_content, minutes_contents
from minutes.documents import minutes_fragment
from minutes.services import meetings_publish_generated, publication_snapshot, publication_snapshots
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    ActionUpdateFactory,
    AgendaItemFactory,
    AttendanceFactory,
    BoardFactory,
    MeetingFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db

PRIVATE = "Seize the assets of the suspect"
UNPUBLISHED = "Brief members on the draft estates plan"
WITHHELD = "The names of the officers under investigation"


def _meetings() -> list[Meeting]:
    """Three meetings of a Welsh body's board and one of another body: a published meeting
    with an exempt item (an action raised in private, a sub-item), a restricted response and
    Welsh texts; a draft meeting raising an action; a later meeting reviewing all three
    actions (one under no item), with attendance and a departure."""
    board = BoardFactory(body__welsh=True, public_exempt_titles=True, action_prefix="PPB")
    first = MeetingFactory(board=board, held_on=datetime.date(2025, 1, 9))
    AttendanceFactory(meeting=first, person__name="Mrs P Kelly")
    AttendanceFactory(meeting=first, person__name="Mr J Curley", status=Attendance.Status.APOLOGIES)
    open_item = AgendaItemFactory(
        meeting=first,
        position=1,
        number="1",
        title="Budget Bid",
        title_cy="Cais am Gyllideb",
        minutes="We noted the bid.\n\nThe CFO advised on costs.",
        minutes_cy="Nodwyd y cais.",
    )
    Paper.objects.create(item=open_item, title="Budget Report", title_cy="Adroddiad Cyllideb")
    QuestionFactory(item=open_item, question="How many officers?", response="1,342 officers.")
    QuestionFactory(
        item=open_item, position=2, question="Who is suspended?", response=WITHHELD, restricted=True
    )
    raised = ActionFactory(
        board=board,
        text="Publish the budget",
        text_cy="Cyhoeddi'r gyllideb",
        raised_at_meeting=first,
        raised_at_item=open_item,
        due_on=datetime.date(2025, 3, 1),
    )
    ActionOwnerFactory(action=raised, role__abbrev="CFO")
    exempt = AgendaItemFactory(
        meeting=first,
        position=2,
        number="2",
        title="Operation Falcon",
        exempt=True,
        exempt_reason="Paragraph 7",
    )
    AgendaItemFactory(meeting=first, parent=exempt, position=3, number="2.1", title="Sub item")
    private = ActionFactory(
        board=board, text=PRIVATE, raised_at_meeting=first, raised_at_item=exempt
    )
    ActionOwnerFactory(action=private, role__abbrev="HoC")

    draft = MeetingFactory(board=board, held_on=datetime.date(2025, 2, 13))
    draft_item = AgendaItemFactory(meeting=draft, position=1, number="1", title="Estates")
    unpublished = ActionFactory(
        board=board, text=UNPUBLISHED, raised_at_meeting=draft, raised_at_item=draft_item
    )

    later = MeetingFactory(board=board, held_on=datetime.date(2025, 3, 13))
    AttendanceFactory(meeting=later, person__name="Ms A Warren")
    log = AgendaItemFactory(meeting=later, position=1, number="1", title="Action Log")
    Departure.objects.create(item=log, name="Mr J Curley")
    for position, action in enumerate([raised, private, unpublished]):
        # One summary prints the reviews as a table, with each action's summary.
        ActionUpdateFactory(
            action=action,
            meeting=later,
            item=log,
            position=position,
            text=f"Progress on {action.number}",
            text_cy=f"Cynnydd ar {action.number}",
            summary="The budget, as summarised" if action == raised else "",
        )
    ActionUpdateFactory(action=raised, meeting=later, item=None, text="Reported by email")

    other = MeetingFactory(board=BoardFactory(), held_on=datetime.date(2025, 3, 20))
    AgendaItemFactory(meeting=other, position=1, number="1", title="Fleet")

    meetings_publish_generated(
        meetings=[first],
        by=None,
        published_at=lambda m: datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC),
    )
    return [first, draft, later, other]


@pytest.mark.parametrize("public", [True, False])
@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_content_of_many_meetings_is_the_content_of_each(public, language):
    meetings = _meetings()
    together = minutes_contents(meetings, public=public, language=language)
    printed = []
    for meeting, content in zip(meetings, together, strict=True):
        alone = minutes_content(meeting, public=public, language=language)
        html = minutes_fragment(meeting, public=public, language=language, content=content)
        assert html == minutes_fragment(meeting, public=public, language=language, content=alone)
        assert snapshot_rows(content, welsh=True) == snapshot_rows(alone, welsh=True)
        printed.append(html)
    # The rules were at work: what the public may not see is left out of both.
    later = printed[2]
    assert ("An action raised in a private session." in later) is public
    assert ("An action of a meeting whose minutes are not published." in later) is public
    assert (PRIVATE in later) is not public
    assert (UNPUBLISHED in later) is not public
    assert (WITHHELD in printed[0]) is not public
    assert "Reported by email" in later
    if language == "cy":
        assert "Cais am Gyllideb" in printed[0]


def test_the_snapshots_of_many_meetings_are_the_snapshot_of_each():
    """generate_data stores what publication would: the page, its actions and its passages,
    in English and, for a Welsh body, in Welsh."""
    meetings = _meetings()[1:]
    for together in publication_snapshots(meetings):
        alone = publication_snapshot(together.meeting)
        assert together.html == alone.html
        assert together.html_cy == alone.html_cy
        assert together.actions == alone.actions
        assert [(t.kind, t.number, t.language, t.title, t.text) for t in together.texts] == [
            (t.kind, t.number, t.language, t.title, t.text) for t in alone.texts
        ]
    assert publication_snapshots(meetings)[1].html_cy  # the Welsh body's meeting, in Welsh


def test_the_content_of_more_meetings_is_read_in_no_more_queries():
    meetings = _meetings()
    with CaptureQueriesContext(connection) as fewer:
        minutes_contents(meetings[:3], public=True)
    with CaptureQueriesContext(connection) as many:
        minutes_contents(meetings, public=True)
    assert len(many.captured_queries) == len(fewer.captured_queries)
