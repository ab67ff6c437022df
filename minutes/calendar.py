"""iCalendar (RFC 5545) feeds of announced meetings, built with the icalendar library.

Each meeting keeps one UID for its life (its primary key), so a calendar program updates the
event it holds; SEQUENCE counts the changes, and a cancelled meeting is sent as CANCELLED.
A Welsh feed gives each text in Welsh where its twin exists, else in English, and says which
(the LANGUAGE parameter of SUMMARY, LOCATION and DESCRIPTION).
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meetings.models import Meeting

LONDON = ZoneInfo(settings.TIME_ZONE)


@dataclass
class Event:
    uid: str
    summary: str
    day: datetime.date
    start: datetime.time | None
    end: datetime.time | None
    length_minutes: int
    venue: str = ""
    description: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False
    changed_at: datetime.datetime | None = None
    # The language of the summary, venue and description ("en" or "cy").
    summary_language: str = "en"
    venue_language: str = "en"
    description_language: str = "en"


def meeting_times(
    day: datetime.date,
    start: datetime.time | None,
    end: datetime.time | None,
    *,
    length_minutes: int,
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """When a meeting starts and ends, in London time: an end not entered is the start plus the
    board's default length; with no start time, neither is known."""
    if start is None:
        return None, None
    begins = datetime.datetime.combine(day, start, tzinfo=LONDON)
    if end is not None:
        return begins, datetime.datetime.combine(day, end, tzinfo=LONDON)
    return begins, begins + datetime.timedelta(minutes=length_minutes)


def meeting_event(meeting: Meeting, *, host: str, url: str, language: str = "en") -> Event:
    """A meeting as an event, its texts in `language` where they exist in it, else English."""
    board, body = meeting.board, meeting.board.body
    welsh = language == "cy"
    summary_cy = bool(board.name_cy) and (bool(meeting.title_cy) or not meeting.title)
    if welsh and summary_cy:
        summary = board.name_cy + (f": {meeting.title_cy}" if meeting.title_cy else "")
    else:
        summary = board.name + (f": {meeting.title}" if meeting.title else "")
    venue = meeting.venue_cy if welsh and meeting.venue_cy else meeting.venue
    description_language = "cy" if welsh and body.name_cy else "en"
    with translation.override(description_language):
        notes = [body.shown_name]
        notes.append(
            _("Open to the public.") if meeting.is_public else _("Not open to the public.")
        )
    return Event(
        uid=f"meeting-{meeting.pk}@{host}",
        summary=summary,
        summary_language="cy" if welsh and summary_cy else "en",
        day=meeting.held_on,
        start=meeting.start_time,
        end=meeting.end_time,
        length_minutes=board.default_length,
        venue=venue,
        venue_language="cy" if welsh and meeting.venue_cy else "en",
        description=" ".join(notes),
        description_language=description_language,
        url=url,
        sequence=meeting.calendar_sequence,
        cancelled=meeting.cancelled_at is not None,
        changed_at=meeting.updated_at,
    )


def feed(events, *, name: str) -> bytes:
    """A calendar of the events, with a VTIMEZONE for Europe/London."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Scrutiny//Board meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.UTC)
    for event in events:
        vevent = icalendar.Event()
        vevent.add("uid", event.uid)
        vevent.add("dtstamp", stamp)
        vevent.add("summary", event.summary, parameters={"LANGUAGE": event.summary_language})
        start, end = meeting_times(
            event.day, event.start, event.end, length_minutes=event.length_minutes
        )
        if start is not None:
            vevent.add("dtstart", start)
            vevent.add("dtend", end)
        else:
            vevent.add("dtstart", event.day)
            vevent.add("dtend", event.day + datetime.timedelta(days=1))
        if event.venue:
            vevent.add("location", event.venue, parameters={"LANGUAGE": event.venue_language})
        if event.description:
            vevent.add(
                "description",
                event.description,
                parameters={"LANGUAGE": event.description_language},
            )
        if event.url:
            vevent.add("url", event.url)
        if event.changed_at is not None:
            vevent.add("last-modified", event.changed_at.astimezone(datetime.UTC))
        vevent.add("sequence", event.sequence)
        vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()
