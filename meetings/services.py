"""Rules of a meeting's own record that every page and command shares."""

from django.contrib import messages
from django.utils.translation import gettext

from meetings.models import Meeting


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
