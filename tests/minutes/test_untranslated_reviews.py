"""The Welsh check of a meeting lists its reviews of earlier actions, under an item or under
none, through the meeting's own index (it read every progress report through the items)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.services import action_create, action_review_record
from minutes.welsh import untranslated
from tests.factories import AgendaItemFactory, BoardFactory, MeetingFactory, RoleFactory

pytestmark = pytest.mark.django_db


def test_the_welsh_check_lists_the_meetings_reviews_under_an_item_or_none(clerk):
    board = BoardFactory(action_prefix="PPB")
    earlier = MeetingFactory(board=board, held_on=datetime.date(2020, 1, 1))
    meeting = MeetingFactory(board=board, held_on=datetime.date(2020, 2, 1))
    later = MeetingFactory(board=board, held_on=datetime.date(2020, 3, 1))
    item = AgendaItemFactory(meeting=meeting, title="Actions", title_cy="Camau", minutes="")
    owner = RoleFactory(body=board.body, abbrev="DoF")
    first, second, third = (
        action_create(
            board=board, text=text, text_cy=text, owners=[owner], raised_at=earlier, by=clerk
        )
        for text in ("Report on hate crime", "Review demand", "Stop and search")
    )
    action_review_record(by=clerk, action=first, meeting=meeting, item=item, text="Under way.")
    action_review_record(by=clerk, action=second, meeting=meeting, text="Done.")
    action_review_record(by=clerk, action=third, meeting=later, text="Elsewhere.")

    with CaptureQueriesContext(connection) as queries:
        missing = untranslated(meeting, public=False)
    assert f"{first.ref}, progress: text" in missing
    assert f"{second.ref}, progress: text" in missing
    assert not any(third.ref in line for line in missing)
    reviews = [q["sql"] for q in queries.captured_queries if "actions_actionupdate" in q["sql"]]
    assert reviews
    assert all("meetings_agendaitem" not in sql for sql in reviews)
