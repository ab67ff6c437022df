"""Background work for the minutes (django.tasks): `manage.py db_worker` runs it, any number of
them; the tests run it at once. Publication renders in a worker, never in a web request, which
would outlast the server's timeout on a long meeting."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meetings.models import AgendaPublication, Meeting, Publication, PublishedDocument
from scrutiny.audit import recorded_as
from scrutiny.pdf import RenderError, render_pdf


@task
def publish_meeting(
    *,
    meeting_id: int,
    user_id: int | None,
    note: str,
    note_cy: str = "",
    reason: str = "",
    imported: bool = False,
) -> int | None:
    """Render and store the next version; record a failure on the meeting for the approver.
    meeting_publish writes nothing until every document has rendered, so a failure leaves
    nothing half-published. An imported meeting (`imported`) is published as its import
    would have published it: the public snapshot stored now, its PDFs queued; attributed to
    the import's user, or its reason when it ran without one."""
    from minutes.services import PublicationError, meeting_publish  # services enqueue tasks

    meeting = Meeting.objects.get(pk=meeting_id)
    user = get_user_model().objects.get(pk=user_id) if user_id is not None else None
    state = Meeting.objects.filter(pk=meeting_id)
    try:
        with recorded_as(user=user, reason=reason):
            if imported:
                publication = meeting_publish(
                    meeting=meeting,
                    by=user,
                    check_permission=False,
                    background=True,
                    require_approved=True,
                )
            else:
                publication = meeting_publish(meeting=meeting, by=user, note=note, note_cy=note_cy)
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


@task
def publication_render_documents(
    publication_id: int, minutes_html: str, questions_html: str | None, language: str = "en"
) -> None:
    """Render the PDFs of a publication in one language from the HTML frozen when it was
    published, so what the PDFs say is what the publication says however late the worker gets
    to it."""
    from minutes import documents
    from minutes.services import store_document

    sources = [(PublishedDocument.Kind.MINUTES, minutes_html)]
    if questions_html is not None:
        sources.append((PublishedDocument.Kind.QUESTIONS, questions_html))
    rendered = [(kind, documents.render_pdf(html)) for kind, html in sources]
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        have = set(publication.documents.filter(language=language).values_list("kind", flat=True))
        for kind, pdf in rendered:
            if kind not in have:  # a retried task stores nothing twice
                store_document(publication, kind, pdf, language)


@task
def render_preview(preview_id: str) -> None:
    """Prepare a staff preview of a document (minutes.services.preview_request): its PDF, marked
    as a draft on every page, and the fingerprint of what it drew; or why it could not."""
    from minutes.models import DocumentPreview
    from minutes.services import preview_fingerprint, preview_html

    rows = DocumentPreview.objects.filter(pk=preview_id, status=DocumentPreview.Status.QUEUED)
    preview = rows.select_related("meeting__board__body").defer("pdf").first()
    if preview is None:
        return  # removed as too old, or prepared already
    options = {
        "meeting": preview.meeting,
        "kind": preview.kind,
        "public": preview.public,
        "language": preview.language,
    }
    with translation.override(preview.language):
        try:
            # The fingerprint first: an edit between the two makes the preview look out of
            # date, never current.
            fingerprint = preview_fingerprint(**options)
            pdf = render_pdf(preview_html(**options, draft_at=timezone.localtime()))
        except RenderError as exc:
            rows.update(status=DocumentPreview.Status.FAILED, error=str(exc))
            return
        except Exception:
            rows.update(
                status=DocumentPreview.Status.FAILED,
                error=_("An unexpected error stopped it; the error log has the details."),
            )
            raise
    rows.update(
        status=DocumentPreview.Status.READY,
        pdf=pdf,
        fingerprint=fingerprint,
        rendered_at=timezone.now(),
    )
