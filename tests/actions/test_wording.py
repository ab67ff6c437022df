"""How the register words lateness, and the times it shows: as a London secretariat reads them."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from actions.services import action_create, action_report_progress
from tests.factories import BoardFactory, RoleFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def late(db):
    board = BoardFactory(action_prefix="CC")
    role = RoleFactory(body=board.body, abbrev="HoSPC")
    return {
        "long": action_create(
            board=board,
            text="Long overdue",
            owners=[role],
            due_on=datetime.date(2019, 3, 31),
            raised_at=None,
            by=None,
        ),
        "recent": action_create(
            board=board,
            text="Recently due",
            owners=[role],
            due_on=datetime.date(2020, 1, 10),
            raised_at=None,
            by=None,
        ),
    }


@time_machine.travel(datetime.datetime(2020, 3, 10, 12, 0, tzinfo=LONDON), tick=False)
def test_long_overdue_reads_as_a_date_and_recent_as_days(client, clerk, late):
    client.force_login(clerk)

    register = client.get(reverse("actions:action-list")).content.decode()
    page = client.get(late["long"].get_absolute_url()).content.decode()

    assert "Overdue since 31 March 2019" in register
    assert "Overdue by 60 days" in register  # 10 January to 10 March: 60 days, still a count
    assert "days overdue" not in register
    assert "Overdue by 345" not in register
    assert "Overdue since 31 March 2019." in page


def test_audit_times_are_london_times_with_the_zone_named(client, clerk, late):
    action = late["recent"]
    summer = datetime.datetime(2020, 7, 1, 9, 30, tzinfo=datetime.UTC)  # 10:30 BST
    with time_machine.travel(summer, tick=False):
        action_report_progress(action=action, text="Begun", by=clerk, person=None, on=summer.date())
    winter = datetime.datetime(2020, 12, 1, 9, 30, tzinfo=datetime.UTC)  # 09:30 GMT
    with time_machine.travel(winter, tick=False):
        client.force_login(clerk)
        page = client.get(action.get_absolute_url()).content.decode()

    assert "(UTC)" not in page
    assert "1 Jul 2020 10:30 BST" in page
    assert ">When</th>" in page
