"""Background work for the minutes: publication renders in a worker (manage.py db_worker),
never in a web request, which would outlast the server's timeout on a long meeting."""

from django.contrib.auth import get_user_model
from django.tasks import task
from django.utils.translation import gettext as _

from meetings.models import Meeting
from minutes.services import PublicationError, meeting_publish
from scrutiny.audit import recorded_as
from scrutiny.pdf import RenderError


@task
def publish_meeting(*, meeting_id: int, user_id: int, note: str) -> int | None:
    """Render and store the next version; record a failure on the meeting for the approver.
    meeting_publish writes nothing until every document has rendered, so a failure leaves
    nothing half-published."""
    meeting = Meeting.objects.get(pk=meeting_id)
    user = get_user_model().objects.get(pk=user_id)
    state = Meeting.objects.filter(pk=meeting_id)
    try:
        with recorded_as(user=user):
            publication = meeting_publish(meeting=meeting, by=user, note=note)
    except (PublicationError, RenderError) as exc:
        state.update(publishing="failed", publishing_error=str(exc))
        return None
    except Exception:
        state.update(
            publishing="failed",
            publishing_error=_("An unexpected error stopped it; the error log has the details."),
        )
        raise
    state.update(publishing="", publishing_error="")
    return publication.version
