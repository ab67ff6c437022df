"""What `make run` shows a first visitor: the demo's published minutes and a meeting to come,
announced with its agenda, in the pages and the calendar feed."""

import datetime
from io import StringIO

import icalendar
import pytest
import time_machine
from django.core.management import call_command

from meetings.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # demo users are for local use only
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)):
        call_command("load_demo", stdout=StringIO())
        yield


def test_the_demo_announces_a_meeting_to_come_with_its_agenda(client, demo):
    (meeting,) = Meeting.objects.filter(held_on__gt=datetime.date(2026, 12, 1))
    assert meeting.board.action_prefix == "SPB"
    home = client.get("/en/").content.decode()
    assert "No meetings have been announced." not in home
    assert meeting.held_on.strftime("%-d %B %Y") in home

    page = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert "Performance report" in page
    welsh = client.get(f"/cy/meetings/{meeting.pk}/").content.decode()
    assert "Adroddiad perfformiad" in welsh

    feed = client.get(f"/boards/{meeting.board.slug}/meetings.ics").content
    (event,) = [
        event
        for event in icalendar.Calendar.from_ical(feed).walk("VEVENT")
        if event.decoded("DTSTART").date() == meeting.held_on
    ]
    assert "Police Headquarters" in str(event["LOCATION"])


def test_loading_the_demo_twice_announces_one_meeting(demo):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)):
        call_command("load_demo", stdout=StringIO())
    assert Meeting.objects.filter(held_on__gt=datetime.date(2026, 12, 1)).count() == 1
