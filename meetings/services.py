"""Rules of a meeting's own record that every page and command shares."""

import datetime
from collections.abc import Iterable

from django.contrib import messages
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from meetings.models import Board, Meeting


def meeting_start_correction(*, meeting: Meeting) -> None:
    """Editing approved or published minutes makes them a draft again: the approval was of the
    text before the edit. The public keeps any published version until the corrected minutes
    are approved and published as the next version."""
    if meeting.status != Meeting.Status.DRAFT:
        meeting.status = Meeting.Status.DRAFT
        meeting.approved_at = None
        meeting.approved_by = None
        meeting.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])


def reopen_minutes(request, meetings) -> None:
    """Edited minutes that were approved or published become a draft again (a correction)."""
    pks = {meeting.pk for meeting in meetings if meeting is not None}
    reopened = list(Meeting.objects.filter(pk__in=pks).exclude(status=Meeting.Status.DRAFT))
    for meeting in reopened:
        meeting_start_correction(meeting=meeting)
    if reopened:
        messages.warning(
            request,
            gettext(
                "These minutes were changed, so they are a draft again: they need approval "
                "before the change is published."
            ),
        )


class AnnouncementError(Exception):
    """An announcement that cannot be made or changed, and why."""


# What calendar programs show of a meeting: a change to any of them is a new calendar revision.
CALENDAR_FIELDS = ("held_on", "title", "start_time", "end_time", "venue", "is_public")


@transaction.atomic
def meeting_announce(
    *,
    board: Board,
    held_on: datetime.date,
    start_time: datetime.time | None,
    end_time: datetime.time | None = None,
    venue: str = "",
    is_public: bool = True,
    title: str = "",
    by,
) -> Meeting:
    """A meeting to come, listed under "Forthcoming meetings" and in the calendar feeds at once.

    It is a meeting of its own, with no minutes: announcing never touches another meeting's
    minutes (the "next meeting" of published minutes is only what they print).
    """
    if held_on is None:
        raise AnnouncementError(gettext("Give the date of the meeting."))
    if start_time and end_time and end_time < start_time:
        raise AnnouncementError(gettext("The meeting cannot end before it starts."))
    if Meeting.objects.filter(board=board, held_on=held_on, title=title).exists():
        raise AnnouncementError(
            gettext("%(board)s already has a meeting on that date with that title.")
            % {"board": board.name}
        )
    return Meeting.objects.create(
        board=board,
        held_on=held_on,
        title=title,
        start_time=start_time,
        end_time=end_time,
        venue=venue,
        is_public=is_public,
        announced_at=timezone.now(),
        created_by=by,
    )


@transaction.atomic
def meeting_announce_existing(*, meeting: Meeting) -> Meeting:
    """Announce a meeting already in the record (entered before it was announced)."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.cancelled_at is not None:
        raise AnnouncementError(gettext("A cancelled meeting cannot be announced."))
    if locked.announced_at is None:
        locked.announced_at = timezone.now()
        locked.save(update_fields=["announced_at", "updated_at"])
    return locked


def meeting_calendar_changed(*, meeting: Meeting, changed: Iterable[str]) -> None:
    """After an announced meeting's date, time, venue or openness changed: a new revision, so
    calendar programs replace what they hold."""
    if meeting.announced_at is None or not set(changed) & set(CALENDAR_FIELDS):
        return
    Meeting.objects.filter(pk=meeting.pk).update(calendar_sequence=F("calendar_sequence") + 1)
    meeting.refresh_from_db(fields=["calendar_sequence"])


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """The meeting will not take place: it stays listed, marked cancelled, and calendars that
    hold it are told so."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.cancelled_at is not None:
        raise AnnouncementError(gettext("This meeting is already cancelled."))
    if locked.publications.exists():
        raise AnnouncementError(gettext("A meeting with published minutes took place."))
    locked.cancelled_at = timezone.now()
    locked.calendar_sequence += 1
    locked.save(update_fields=["cancelled_at", "calendar_sequence", "updated_at"])
    return locked
