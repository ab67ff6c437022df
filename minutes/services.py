"""Writes to a meeting's record that go beyond one row: approval, publication, withdrawal."""

import hashlib

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetings.models import Meeting, Publication, PublishedDocument
from minutes.content import minutes_content
from minutes.documents import (
    ENGLISH,
    WELSH,
    document_languages,
    has_questions_document,
    minutes_fragment,
    render_minutes_pdf,
    render_questions_pdf,
)
from minutes.welsh import untranslated


def meeting_heading(meeting: Meeting, language: str = ENGLISH) -> str:
    """How a listing names a meeting under its board: the date, and its own title if any."""
    with translation.override(language):
        when = date_format(meeting.held_on, "j F Y")
    title = (meeting.title_cy or meeting.title) if language == WELSH else meeting.title
    return f"{when} – {title}" if title else when


def published_actions_snapshot(meeting: Meeting) -> list[dict]:
    """The actions the public minutes print: raised, or reviewed, outside exempt items.

    An action raised in private and reviewed in public is left out: its text and owners are not
    public, only the progress minuted in the open item is.
    """
    content = minutes_content(meeting, public=True)
    reviewed = [review.action for review in content.reviews if not review.raised_in_private]
    seen, rows = set(), []
    for action in [*content.new_actions, *reviewed]:
        if action.pk in seen:
            continue
        seen.add(action.pk)
        rows.append(
            {
                "id": action.pk,
                "ref": action.ref,
                "text": action.text,
                "owners": action.owners_display(),
            }
        )
    return rows


class PublicationError(Exception):
    """A step of the approval and publication workflow that cannot be taken, and why."""


def meeting_approve(*, meeting: Meeting, by) -> Meeting:
    """Approval is by someone with the approver permission who did not prepare the minutes."""
    if by is None or not by.has_perm("meetings.approve_meeting"):
        raise PublicationError(_("Only an approver can approve minutes."))
    if meeting.created_by_id is not None and meeting.created_by_id == by.pk:
        raise PublicationError(
            _("You prepared these minutes: another approver has to approve them.")
        )
    if meeting.status != Meeting.Status.DRAFT:
        raise PublicationError(_("Only draft minutes can be approved."))
    meeting.status = Meeting.Status.APPROVED
    meeting.approved_at = timezone.now()
    meeting.approved_by = by
    meeting.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    return meeting


def _document(
    publication: Publication, kind: str, pdf: bytes, language: str = ENGLISH
) -> PublishedDocument:
    return PublishedDocument.objects.create(
        publication=publication,
        kind=kind,
        language=language,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
    )


def meeting_publish(*, meeting: Meeting, by, note: str = "", check_permission: bool = True):
    """Render the public documents once and store them as the next version.

    Rendering happens before anything is written, so a failed render leaves nothing
    half-published. The public is served what is stored here, never a fresh render.
    """
    if check_permission:
        if by is None or not by.has_perm("meetings.publish_meeting"):
            raise PublicationError(_("Only an approver can publish minutes."))
        if meeting.status != Meeting.Status.APPROVED:
            raise PublicationError(_("Minutes are approved before they are published."))
    previous = meeting.publications.aggregate(latest=Max("version"))["latest"] or 0
    if previous and not note.strip():
        raise PublicationError(
            _("Say what changed: this will be version %(n)s.") % {"n": previous + 1}
        )
    body = meeting.board.body
    if body.welsh and body.welsh_required:
        missing = untranslated(meeting, public=True)
        if missing:
            raise PublicationError(
                ngettext(
                    "%(n)s text has no Welsh version yet, and this body publishes in Welsh and "
                    "English: %(texts)s.",
                    "%(n)s texts have no Welsh version yet, and this body publishes in Welsh and "
                    "English: %(texts)s.",
                    len(missing),
                )
                % {"n": len(missing), "texts": "; ".join(missing[:10])}
            )
    started = meeting.updated_at
    html = minutes_fragment(meeting, public=True)
    html_cy = minutes_fragment(meeting, public=True, language=WELSH) if body.welsh else ""
    actions = published_actions_snapshot(meeting)
    questions = has_questions_document(meeting)
    documents = []
    for language in document_languages(body):
        documents.append(
            (
                PublishedDocument.Kind.MINUTES,
                language,
                render_minutes_pdf(meeting, public=True, language=language),
            )
        )
        if questions:
            documents.append(
                (
                    PublishedDocument.Kind.QUESTIONS,
                    language,
                    render_questions_pdf(meeting, public=True, language=language),
                )
            )
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        # Rendering takes seconds: publish only if nobody changed the minutes meanwhile (an edit
        # turns approved minutes back into a draft, and any save moves updated_at on).
        if (check_permission and locked.status != Meeting.Status.APPROVED) or (
            started is not None and locked.updated_at != started
        ):
            raise PublicationError(
                _(
                    "The minutes were changed while they were being published; nothing was "
                    "published. Check the changes and publish again."
                )
            )
        version = (locked.publications.aggregate(latest=Max("version"))["latest"] or 0) + 1
        if version > 1 and not note.strip():
            raise PublicationError(
                _("Say what changed: this will be version %(n)s.") % {"n": version}
            )
        publication = Publication.objects.create(
            meeting=locked,
            version=version,
            note=note.strip(),
            published_at=timezone.now(),
            published_by=by,
            minutes_html=html,
            minutes_html_cy=html_cy,
            title=meeting_heading(meeting),
            title_cy=meeting_heading(meeting, WELSH) if body.welsh else "",
            next_meeting_on=meeting.next_meeting_on,
            next_meeting_start=meeting.next_meeting_start,
            next_meeting_venue=meeting.next_meeting_venue,
            actions=actions,
        )
        for kind, language, pdf in documents:
            _document(publication, kind, pdf, language)
        locked.status = Meeting.Status.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
    meeting.status = Meeting.Status.PUBLISHED
    return publication


@transaction.atomic
def meeting_withdraw(*, meeting: Meeting, by, reason: str) -> int:
    """Take every published version down at once; the record of it stays, with who and why."""
    if by is None or not by.has_perm("meetings.publish_meeting"):
        raise PublicationError(_("Only an approver can withdraw published minutes."))
    if not reason.strip():
        raise PublicationError(_("Give the reason for withdrawing the minutes."))
    live = list(meeting.publications.select_for_update().filter(withdrawn_at__isnull=True))
    if not live:
        raise PublicationError(_("These minutes are not published."))
    now = timezone.now()
    for publication in live:
        publication.withdrawn_at = now
        publication.withdrawn_by = by
        publication.withdrawn_reason = reason.strip()
        publication.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    meeting.status = Meeting.Status.DRAFT
    meeting.save(update_fields=["status", "updated_at"])
    return len(live)
