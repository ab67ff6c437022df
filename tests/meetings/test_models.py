import datetime

import pytest
from django.db import IntegrityError, transaction

from meetings.models import Appointment, Meeting, split_paragraphs
from tests.factories import (
    AgendaItemFactory,
    AppointmentFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


def test_meeting_unique_per_board_date_and_title():
    meeting = MeetingFactory(held_on=datetime.date(2018, 11, 30))
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingFactory(board=meeting.board, held_on=meeting.held_on)
    MeetingFactory(board=meeting.board, held_on=meeting.held_on, title="Extraordinary")


def test_meeting_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingFactory(start_time=datetime.time(10), end_time=datetime.time(9))


def test_exempt_item_needs_a_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItemFactory(exempt=True, exempt_reason="")
    item = AgendaItemFactory(exempt=True, exempt_reason="Exempt under section 7")
    child = AgendaItemFactory(meeting=item.meeting, parent=item)
    assert child.is_exempt_in_effect()


def test_appointment_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(start_on=datetime.date(2020, 1, 2), end_on=datetime.date(2020, 1, 1))
    assert Appointment.objects.count() == 0


def test_minute_paragraphs_split_on_blank_lines():
    assert split_paragraphs("One\r\n\r\nTwo\nstill two\n\n\n") == ["One", "Two\nstill two"]


def test_visible_meetings():
    from minutes.services import meeting_publish

    draft = MeetingFactory()
    published = MeetingFactory()
    meeting_publish(meeting=published, by=None, check_permission=False)
    assert list(Meeting.objects.published()) == [published]
    assert draft not in Meeting.objects.published()
