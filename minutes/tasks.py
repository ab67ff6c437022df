"""Background work for the minutes (django.tasks): `manage.py db_worker` runs it, any number of
them; the tests run it at once. Publication renders in a worker, never in a web request, which
would outlast the server's timeout on a long meeting."""

from django.contrib.auth import get_user_model
from django.tasks import task
from django.utils.translation import gettext as _

from meetings.models import AgendaPublication, Meeting
from scrutiny.audit import recorded_as
from scrutiny.pdf import RenderError


@task
def publish_meeting(*, meeting_id: int, user_id: int, note: str) -> int | None:
    """Render and store the next version; record a failure on the meeting for the approver.
    meeting_publish writes nothing until every document has rendered, so a failure leaves
    nothing half-published."""
    from minutes.services import PublicationError, meeting_publish  # services enqueue tasks

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


@task()
def build_agenda_pack(publication_id: int) -> None:
    """Build the agenda pack of a published agenda (the agenda, then its public papers)."""
    from minutes.services import agenda_pack_build

    publication = AgendaPublication.objects.select_related("meeting__board__body").get(
        pk=publication_id
    )
    agenda_pack_build(publication=publication)
