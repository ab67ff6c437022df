"""Writes to a meeting's record that go beyond one row: approval, publication, withdrawal."""

import datetime
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf
from django.db import connection, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pypdf import PdfReader

from actions.models import Action, ActionUpdate
from actions.services import action_delete, action_refresh_status, action_review_delete
from meetings.models import (
    AgendaPublication,
    Meeting,
    Paper,
    PaperFile,
    Publication,
    PublishedDocument,
    PublishedText,
)
from minutes import documents
from minutes.actions_log import public_actions_rebuild, rows_in_welsh, snapshot_rows
from minutes.content import MinutesContent, minutes_content, minutes_contents
from minutes.documents import (
    ENGLISH,
    WELSH,
    agenda_html,
    agenda_in_language,
    agenda_snapshot,
    document_languages,
    has_questions_document,
    minutes_fragment,
    minutes_html,
    questions_html,
)
from minutes.models import AgendaText, DocumentPreview
from minutes.search import agenda_texts, published_texts
from minutes.tasks import build_agenda_pack, publication_render_documents, render_preview
from minutes.welsh import untranslated
from scrutiny.audit import bulk_update_recorded, recording
from scrutiny.forked import Later
from scrutiny.limits import PAPER_MAX_BYTES
from scrutiny.pdf import render_pdf
from scrutiny.transactions import atomic


def meeting_heading(meeting: Meeting, language: str = ENGLISH) -> str:
    """How a listing names a meeting under its board: the date, and its own title if any."""
    with translation.override(language):
        when = date_format(meeting.held_on, "j F Y")
    title = (meeting.title_cy or meeting.title) if language == WELSH else meeting.title
    return f"{when} – {title}" if title else when


def welsh_passages(english: list[PublishedText], welsh: list[PublishedText]):
    """The Welsh passages to store beside the English, searched word for word (minutes/search.py):
    those that differ from the English, so an untranslated text is not found twice. An item or
    paper whose Welsh title is all that differs keeps that title, with no text."""
    texts = {(text.kind, text.number, text.text) for text in english}
    titles = {(text.kind, text.number, text.title) for text in english}
    titled = (PublishedText.Kind.ITEM, PublishedText.Kind.PAPER)
    kept = []
    for text in welsh:
        if (text.kind, text.number, text.text) in texts:
            if text.kind not in titled or (text.kind, text.number, text.title) in titles:
                continue
            text.text = ""
        text.language, text.position = WELSH, len(english) + len(kept)
        kept.append(text)
    return kept


def published_actions_snapshot(
    meeting: Meeting, *, content: MinutesContent | None = None, welsh: bool = False
) -> list[dict]:
    """The actions the public minutes print: raised under an open item (text, owners, due), or
    reviewed under one (the progress minuted there), with their Welsh where the publication
    prints Welsh minutes too (`welsh`). See minutes/actions_log.py."""
    return snapshot_rows(content or minutes_content(meeting, public=True), welsh=welsh)


class PublicationError(Exception):
    """A step of the approval and publication workflow that cannot be taken, and why."""


@atomic
def meeting_approve(*, meeting: Meeting, by) -> Meeting:
    """Approval is by someone with the approver permission who neither prepared the minutes nor
    changed what they print since their last approval."""
    if by is None or not by.has_perm("meetings.approve_meeting"):
        raise PublicationError(_("Only an approver can approve minutes."))
    if meeting.created_by_id is not None and meeting.created_by_id == by.pk:
        raise PublicationError(
            _("You prepared these minutes: another approver has to approve them.")
        )
    if meeting.status != Meeting.Status.DRAFT:
        raise PublicationError(_("Only draft minutes can be approved."))
    if meeting.changed_since_approval_by.filter(pk=by.pk).exists():
        raise PublicationError(
            _(
                "You changed what these minutes print since they were last approved: another "
                "approver has to approve your change."
            )
        )
    meeting.status = Meeting.Status.APPROVED
    meeting.approved_at = timezone.now()
    meeting.approved_by = by
    meeting.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    meeting.changed_since_approval_by.clear()
    return meeting


def store_document(
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


def meeting_publish_check(
    *, meeting: Meeting, by, note: str = "", note_cy: str = "", check_permission: bool = True
) -> None:
    """What is refused before anything is rendered, so that the approver hears it at once. A
    Welsh body that requires Welsh versions needs the Welsh of a correction's note too."""
    if check_permission:
        if by is None or not by.has_perm("meetings.publish_meeting"):
            raise PublicationError(_("Only an approver can publish minutes."))
        if meeting.status != Meeting.Status.APPROVED:
            raise PublicationError(_("Minutes are approved before they are published."))
    previous = meeting.publications.aggregate(latest=Max("version"))["latest"] or 0
    body = meeting.board.body
    missing = correction_note_missing(body=body, version=previous + 1, note=note, note_cy=note_cy)
    if body.welsh and body.welsh_required:
        missing = untranslated(meeting, public=True) + missing
    if missing:
        raise untranslated_refusal(missing)


def correction_note_missing(*, body, version: int, note: str, note_cy: str) -> list[str]:
    """A correction (version 2 on) says what changed: refused without the note; the note's
    Welsh, where the body requires Welsh versions, is returned as missing if not given."""
    if version < 2:
        return []
    if not note.strip():
        raise PublicationError(_("Say what changed: this will be version %(n)s.") % {"n": version})
    if body.welsh and body.welsh_required and not note_cy.strip():
        return [f"{_('Meeting')}: {_('what changed')}"]
    return []


def untranslated_refusal(missing: list[str]) -> PublicationError:
    """The refusal of a body that requires Welsh versions, naming the texts without one."""
    return PublicationError(
        ngettext(
            "%(n)s text has no Welsh version yet, and this body publishes in Welsh and "
            "English: %(texts)s.",
            "%(n)s texts have no Welsh version yet, and this body publishes in Welsh and "
            "English: %(texts)s.",
            len(missing),
        )
        % {"n": len(missing), "texts": "; ".join(missing[:10])}
    )


def meeting_publish_in_background(
    *, meeting: Meeting, by, note: str = "", note_cy: str = "", imported: bool = False
) -> None:
    """Queue the publication (minutes.tasks renders and stores it), so that no request waits
    for the renderer; the meeting's page shows it queued, then published or why it failed.

    An imported published file (`imported`, by None) is queued the same way once its record is
    written: the worker builds its public snapshot, so the import does not, and the public sees
    the meeting only once that is stored. The worker records it in the audit trail under the
    user or reason the import runs under (`recorded_as`), and publishes only if the minutes are
    still the approved ones the import wrote."""
    from minutes.tasks import publish_meeting

    meeting_publish_check(
        meeting=meeting, by=by, note=note, note_cy=note_cy, check_permission=not imported
    )
    user, reason = recording() if imported else (by, "")
    with atomic():
        queued = (
            Meeting.objects.filter(pk=meeting.pk)
            .exclude(publishing="queued")
            .update(publishing="queued", publishing_error="")
        )
        if not queued:
            raise PublicationError(_("These minutes are already being published."))
    publish_meeting.enqueue(
        meeting_id=meeting.pk,
        user_id=user.pk if user is not None else None,
        note=note,
        note_cy=note_cy,
        reason=reason,
        imported=imported,
    )
    meeting.refresh_from_db(fields=["status", "publishing", "publishing_error"])


@dataclass
class PublicationSnapshot:
    """What a publication stores of a meeting, taken once from its public content in each
    language: the page's HTML, the actions the minutes print and the passages for search."""

    meeting: Meeting
    content: MinutesContent
    content_cy: MinutesContent | None
    html: str
    html_cy: str
    actions: list[dict]
    texts: list[PublishedText]

    def publication(self, **fields) -> Publication:
        """The unsaved Publication of this snapshot, with the caller's version, note, date
        and publisher."""
        meeting, welsh = self.meeting, self.content_cy is not None
        return Publication(
            minutes_html=self.html,
            minutes_html_cy=self.html_cy,
            title=meeting_heading(meeting),
            held_on=meeting.held_on,
            title_cy=meeting_heading(meeting, WELSH) if welsh else "",
            next_meeting_on=meeting.next_meeting_on,
            next_meeting_start=meeting.next_meeting_start,
            next_meeting_venue=meeting.next_meeting_venue,
            actions=self.actions,
            **fields,
        )

    def texts_of(self, publication: Publication) -> list[PublishedText]:
        for text in self.texts:
            text.publication = publication
        return self.texts


def publication_snapshot(meeting: Meeting) -> PublicationSnapshot:
    """One snapshot of the public content in each language (Welsh for a Welsh body): the page,
    the PDFs, the actions and the passages for search all come from it."""
    return publication_snapshots([meeting])[0]


def publication_snapshots(meetings: list[Meeting]) -> list[PublicationSnapshot]:
    """The snapshot of each of these meetings (see publication_snapshot), their content read
    in one set of queries for them all (minutes_contents)."""
    contents = minutes_contents(meetings, public=True)
    welsh = [meeting for meeting in meetings if meeting.board.body.welsh]
    welsh_contents = dict(
        zip(
            [meeting.pk for meeting in welsh],
            minutes_contents(welsh, public=True, language=WELSH) if welsh else [],
            strict=True,
        )
    )
    snapshots = []
    for meeting, content in zip(meetings, contents, strict=True):
        content_cy = welsh_contents.get(meeting.pk)
        actions = published_actions_snapshot(meeting, content=content, welsh=content_cy is not None)
        texts = published_texts(content, actions)
        if content_cy is not None:
            texts += welsh_passages(texts, published_texts(content_cy, rows_in_welsh(actions)))
        snapshots.append(
            PublicationSnapshot(
                meeting=meeting,
                content=content,
                content_cy=content_cy,
                html=minutes_fragment(meeting, public=True, content=content),
                html_cy=minutes_fragment(meeting, public=True, language=WELSH, content=content_cy)
                if content_cy is not None
                else "",
                actions=actions,
                texts=texts,
            )
        )
    return snapshots


def published_texts_store(
    snapshots: list[PublicationSnapshot], publications: list[Publication]
) -> None:
    """The search passages of these publications, as their snapshots hold them, in batches."""
    PublishedText.objects.bulk_create(
        [
            text
            for snapshot, publication in zip(snapshots, publications, strict=True)
            for text in snapshot.texts_of(publication)
        ],
        batch_size=5000,
    )


@dataclass
class GeneratedPublication:
    """Version 1 of generated meetings under way (`meetings_publish_generated_start`): the
    meetings published; `store` takes their snapshot and stores their publications."""

    meetings: list[Meeting]
    by: object
    published_at: Callable[[Meeting], datetime.datetime]
    stored: Later | None = None

    def store(self, *, fork: bool = False) -> None:
        """Take the snapshot of the meetings and store their publications (`_store`). With
        `fork`, between transactions, a forked copy of the process does it on another core,
        in a transaction and on a connection of its own (reading what is committed), while
        the caller goes on writing rows that are not these meetings' (the next board);
        `wait()` waits for it. Otherwise, or inside a transaction, it is done here at once."""
        fork = fork and not connection.in_atomic_block
        self.stored = Later(self._store, [self.meetings], fork=fork, own_connection=True)

    def wait(self) -> list[int]:
        """The ids of the publications stored (once the copy has stored them)."""
        if self.stored is None:
            self.store()
        return self.stored.result()[0]

    @transaction.atomic
    def _store(self, meetings: list[Meeting]) -> list[int]:
        snapshots = publication_snapshots(meetings)
        publications = [
            snapshot.publication(
                meeting=snapshot.meeting,
                version=1,
                published_at=self.published_at(snapshot.meeting),
                published_by=self.by,
            )
            for snapshot in snapshots
        ]
        Publication.objects.bulk_create(publications, batch_size=2000)
        published_texts_store(snapshots, publications)
        for board in {meeting.board_id: meeting.board for meeting in meetings}.values():
            public_actions_rebuild(board=board)
        return [publication.pk for publication in publications]


@atomic
def meetings_publish_generated_start(
    *,
    meetings: list[Meeting],
    by,
    published_at: Callable[[Meeting], datetime.datetime],
) -> GeneratedPublication:
    """The first step of `meetings_publish_generated`: the meetings published, a history row
    each. Then `store()` (after the caller's transaction, on another core) takes their
    snapshot and stores their publications: the same rows, in the same order, as
    meetings_publish_generated, while the caller writes rows that are not these meetings'
    (the next board)."""
    if any(
        meeting.pk is None or meeting.status == Meeting.Status.PUBLISHED for meeting in meetings
    ):
        raise PublicationError(_("Only saved, unpublished meetings can be published."))
    if Publication.objects.filter(meeting__in=meetings).exists():
        raise PublicationError(_("Only saved, unpublished meetings can be published."))
    for meeting in meetings:
        meeting.status = Meeting.Status.PUBLISHED
    bulk_update_recorded(meetings, Meeting, ["status"])
    return GeneratedPublication(meetings=meetings, by=by, published_at=published_at)


@atomic
def meetings_publish_generated(
    *,
    meetings: list[Meeting],
    by,
    published_at: Callable[[Meeting], datetime.datetime],
) -> list[Publication]:
    """Generated data only (manage.py generate_data): record version 1 of each of these
    meetings as publication records it (the same snapshot: page HTML, actions, search
    passages; the meetings published, with a history row each; the boards' public actions
    logs rebuilt), WITHOUT rendering or storing any document. No page may use this: a
    publication the public is served goes through meeting_publish, which renders its PDFs.
    `published_at` gives each meeting's publication date (generated data is back-dated).
    In steps (`meetings_publish_generated_start`), it is done on another core."""
    ids = meetings_publish_generated_start(
        meetings=meetings, by=by, published_at=published_at
    ).wait()
    return list(Publication.objects.filter(pk__in=ids).order_by("pk"))


def meeting_publish(
    *,
    meeting: Meeting,
    by,
    note: str = "",
    note_cy: str = "",
    check_permission: bool = True,
    background: bool = False,
    require_approved: bool = False,
):
    """Render the public documents once and store them as the next version: in English, and
    for a Welsh body in Welsh beside it (or one bilingual document, as the body chose).

    Rendering happens before anything is written, so a failed render leaves nothing
    half-published. The public is served what is stored here, never a fresh render. In the
    background (imports of published files), the documents' HTML is fixed now and the task
    queue turns it into the PDFs. Without the permission check, `require_approved` still
    refuses minutes that are no longer approved (an imported meeting edited before the worker
    published it).
    """
    meeting_publish_check(
        meeting=meeting, by=by, note=note, note_cy=note_cy, check_permission=check_permission
    )
    started = meeting.updated_at
    body = meeting.board.body
    snapshot = publication_snapshot(meeting)
    content, content_cy = snapshot.content, snapshot.content_cy
    questions = has_questions_document(meeting)
    sources = []  # (language, minutes HTML, questions HTML or None)
    for language in document_languages(body):
        shown = content_cy if language == WELSH else content
        sources.append(
            (
                language,
                minutes_html(meeting, public=True, language=language, content=shown),
                questions_html(meeting, public=True, language=language, content=shown)
                if questions
                else None,
            )
        )
    rendered = []  # (kind, language, PDF)
    if not background:
        for language, minutes_source, questions_source in sources:
            kinds = [(PublishedDocument.Kind.MINUTES, minutes_source)]
            if questions_source is not None:
                kinds.append((PublishedDocument.Kind.QUESTIONS, questions_source))
            rendered += [(kind, language, documents.render_pdf(html)) for kind, html in kinds]
    with atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        # Rendering takes seconds: publish only if nobody changed the minutes meanwhile (an edit
        # turns approved minutes back into a draft, and any save moves updated_at on).
        if (
            (check_permission or require_approved) and locked.status != Meeting.Status.APPROVED
        ) or (started is not None and locked.updated_at != started):
            raise PublicationError(
                _(
                    "The minutes were changed while they were being published; nothing was "
                    "published. Check the changes and publish again."
                )
            )
        version = (locked.publications.aggregate(latest=Max("version"))["latest"] or 0) + 1
        # Another approver's version may have landed while this one rendered: the note rule
        # holds for the version this one becomes.
        if missing := correction_note_missing(
            body=body, version=version, note=note, note_cy=note_cy
        ):
            raise untranslated_refusal(missing)
        publication = snapshot.publication(
            meeting=locked,
            version=version,
            note=note.strip(),
            note_cy=note_cy.strip() if body.welsh and version > 1 else "",
            published_at=timezone.now(),
            published_by=by,
        )
        publication.save()
        PublishedText.objects.bulk_create(snapshot.texts_of(publication))
        if background:
            # Queued in this transaction: the worker sees it once the publication is committed,
            # and it goes with the publication if this rolls back.
            for language, minutes_source, questions_source in sources:
                publication_render_documents.enqueue(
                    publication.pk, minutes_source, questions_source, language
                )
        else:
            for kind, language, pdf in rendered:
                store_document(publication, kind, pdf, language)
        locked.status = Meeting.Status.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
        public_actions_rebuild(board=locked.board)
    meeting.status = Meeting.Status.PUBLISHED
    return publication


@atomic
def meeting_withdraw(*, meeting: Meeting, by, reason: str) -> int:
    """Take every published version down at once; the record of it stays, with who and why."""
    if by is None or not by.has_perm("meetings.publish_meeting"):
        raise PublicationError(_("Only an approver can withdraw published minutes."))
    if not reason.strip():
        raise PublicationError(_("Give the reason for withdrawing the minutes."))
    live = list(meeting.publications.select_for_update().live())
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
    public_actions_rebuild(board=meeting.board)  # what it alone made public goes at once
    return len(live)


class PaperError(Exception):
    """An uploaded paper that is refused, and why."""


def check_pdf(data: bytes) -> int:
    """The page count of a PDF, judged by its content; PaperError if it is not a readable one
    or is too large."""
    if len(data) > PAPER_MAX_BYTES:
        raise PaperError(
            _("The file is %(size)s; a paper can be at most %(limit)s.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(PAPER_MAX_BYTES)}
        )
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise PaperError(_("The file is not a PDF (it does not start as a PDF does)."))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PaperError(_("The PDF is password-protected: upload an unprotected copy."))
        pages = len(reader.pages)
    except PaperError:
        raise
    except Exception:  # pypdf raises many kinds of error for a damaged file
        raise PaperError(_("The PDF could not be read: it may be damaged.")) from None
    if pages == 0:
        raise PaperError(_("The PDF has no pages."))
    return pages


@atomic
def paper_attach_pdf(*, paper: Paper, data: bytes, by) -> PaperFile:
    """Store the PDF of a paper, checked by its content and size; the paper points at it from
    now on, while an agenda already published keeps the file it published."""
    pages = check_pdf(data)
    stored = PaperFile.objects.create(
        pdf=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        pages=pages,
        uploaded_by=by,
    )
    paper.file = stored
    paper.save(update_fields=["file"])
    return stored


@atomic
def paper_detach_pdf(*, paper: Paper, by) -> None:
    """The paper has no PDF from now on; an agenda already published keeps the file it
    published."""
    paper.file = None
    if by is not None and getattr(by, "pk", None):
        paper._history_user = by
    paper.save(update_fields=["file"])


def agenda_publish(*, meeting: Meeting, by) -> AgendaPublication:
    """Publish the agenda and papers as they stand, as the next version; the agenda pack is
    built in the background. Minutes are not touched."""
    if by is None or not by.has_perm("meetings.publish_meeting"):
        raise PublicationError(_("Only an approver can publish an agenda."))
    if meeting.cancelled_at is not None:
        raise PublicationError(_("The meeting is cancelled."))
    items = agenda_snapshot(meeting)
    if not items:
        raise PublicationError(_("The agenda has no items yet."))
    with atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.announced_at is None:
            locked.announced_at = timezone.now()
            locked.save(update_fields=["announced_at", "updated_at"])
        previous = locked.agenda_publications.aggregate(latest=Max("version"))["latest"] or 0
        locked.agenda_publications.live().update(withdrawn_at=timezone.now())
        publication = AgendaPublication.objects.create(
            meeting=locked,
            version=previous + 1,
            published_at=timezone.now(),
            published_by=by,
            items=items,
        )
        AgendaText.objects.bulk_create(agenda_texts(publication))
        # Enqueued in the same transaction: the database queue's row commits with the agenda.
        build_agenda_pack.enqueue(publication.pk)
    return publication


def _agenda_pack(meeting: Meeting, items: list[dict], files: dict, language: str):
    """One agenda pack in a language: its PDF and page count."""
    sources = []
    html = agenda_html(meeting, items, language)
    shown = agenda_in_language(items, ENGLISH if language == ENGLISH else WELSH)
    with pikepdf.open(io.BytesIO(render_pdf(html))) as pack:
        with pack.open_outline() as outline:
            for item in shown:
                for paper in item["papers"]:
                    if paper.get("file") not in files:
                        continue
                    source = pikepdf.open(io.BytesIO(bytes(files[paper["file"]].pdf)))
                    sources.append(source)
                    first_page = len(pack.pages)
                    pack.pages.extend(source.pages)
                    outline.root.append(pikepdf.OutlineItem(paper["title"], first_page))
        out = io.BytesIO()
        pack.save(out)
        pages = len(pack.pages)
    for source in sources:
        source.close()
    return out.getvalue(), pages


def agenda_pack_build(*, publication: AgendaPublication) -> AgendaPublication:
    """The agenda pack: the agenda followed by the public papers as published, in one PDF; for
    a Welsh body a Welsh pack beside it, or one bilingual pack, as for its minutes.

    The agenda's own PDF (tagged, with its title and language) is the base, so the pack keeps
    its tags and its bookmark; each paper's pages follow, with a bookmark to its first page."""
    meeting = publication.meeting
    files = PaperFile.objects.in_bulk(list(publication.served_file_ids()))
    languages = document_languages(meeting.board.body)
    fields = {}
    for language in languages:
        data, pages = _agenda_pack(meeting, publication.items, files, language)
        if language == WELSH:
            fields |= {
                "pack_cy": data,
                "pack_cy_sha256": hashlib.sha256(data).hexdigest(),
                "pack_cy_size": len(data),
                "pack_cy_pages": pages,
            }
        else:
            fields |= {
                "pack": data,
                "pack_sha256": hashlib.sha256(data).hexdigest(),
                "pack_size": len(data),
                "pack_pages": pages,
                "pack_language": language,
            }
    AgendaPublication.objects.filter(pk=publication.pk).update(**fields)
    publication.refresh_from_db()
    return publication


PACK_FIELDS = dict.fromkeys(
    ["pack", "pack_size", "pack_pages", "pack_cy", "pack_cy_size", "pack_cy_pages"]
) | dict.fromkeys(["pack_sha256", "pack_cy_sha256"], "")


@atomic
def agenda_pack_rebuild(*, meeting: Meeting) -> None:
    """A paper of the live agenda may no longer be public: its pack stops being served at once
    and is built again in the background from the papers still public."""
    for publication in meeting.agenda_publications.live().only("pk"):
        AgendaPublication.objects.filter(pk=publication.pk).update(**PACK_FIELDS)
        build_agenda_pack.enqueue(publication.pk)


@atomic
def agenda_withdraw(*, meeting: Meeting, by) -> int:
    """Take the published agenda, its papers and pack off the public site at once."""
    if by is None or not by.has_perm("meetings.publish_meeting"):
        raise PublicationError(_("Only an approver can withdraw an agenda."))
    return meeting.agenda_publications.live().update(withdrawn_at=timezone.now())


@atomic
def meeting_delete(*, meeting: Meeting, by) -> list[str]:
    """Delete a meeting that was never published, with the actions it raised (their numbers are
    never issued again) and the progress minuted at it (the statuses of the actions it reviewed
    are worked out again). Returns the refs of the deleted actions."""
    if meeting.publications.exists():
        raise PublicationError(
            _("These minutes were published, so they are never deleted: withdraw them instead.")
        )
    raised = list(meeting.actions_raised.select_related("board"))
    for action in raised:
        if action.in_published_minutes():
            raise PublicationError(
                _(
                    "%(ref)s was raised here and reviewed in published minutes, so this meeting "
                    "cannot be deleted."
                )
                % {"ref": action.ref}
            )
    reviewed = list(
        Action.objects.filter(updates__meeting=meeting)
        .exclude(raised_at_meeting=meeting)
        .distinct()
    )
    refs = [action.ref for action in raised]
    for review in ActionUpdate.objects.filter(meeting=meeting).select_related("action"):
        action_review_delete(review=review, by=by)
    for action in raised:
        action_delete(action=action, by=by)
    meeting.delete()
    for action in reviewed:
        action_refresh_status(action=action)
    return refs


# Staff previews of the documents -------------------------------------------------------------

PREVIEW_KEEP = datetime.timedelta(hours=1)
"""How long a preview is kept; older ones are removed when the next one is asked for and by the
daily upkeep (scrutiny.upkeep)."""
PREVIEW_WAIT = datetime.timedelta(minutes=2)
"""How long a preview may wait for a worker before its page says the workers seem stopped (one
takes a few seconds to prepare)."""


def preview_html(
    *,
    meeting: Meeting,
    kind: str,
    public: bool,
    language: str,
    draft_at: datetime.datetime | None = None,
) -> str:
    """The HTML of the minutes or questions document as it would print now."""
    build = minutes_html if kind == "minutes" else questions_html
    return build(meeting, public=public, language=language, draft_at=draft_at)


def preview_fingerprint(*, meeting: Meeting, kind: str, public: bool, language: str) -> str:
    """A digest of what the document prints now, without a preview's draft mark: it changes
    whenever anything the document prints changes, whichever row it comes from."""
    html = preview_html(meeting=meeting, kind=kind, public=public, language=language)
    return hashlib.sha256(html.encode()).hexdigest()


def preview_is_current(*, preview: DocumentPreview) -> bool:
    """Whether a prepared preview still shows the meeting as it is."""
    return preview.fingerprint == preview_fingerprint(
        meeting=preview.meeting,
        kind=preview.kind,
        public=preview.public,
        language=preview.language,
    )


def preview_remove_expired() -> int:
    """Remove the previews kept past PREVIEW_KEEP (their PDFs with them); how many."""
    expired = DocumentPreview.objects.filter(requested_at__lt=timezone.now() - PREVIEW_KEEP)
    return expired.delete()[0]


@atomic
def preview_request(
    *, meeting: Meeting, kind: str, public: bool, language: str, by
) -> DocumentPreview:
    """Queue a preview of a document (minutes.tasks.render_preview prepares it), or reuse the
    same one already queued; previews older than PREVIEW_KEEP are removed."""
    preview_remove_expired()
    # One at a time per meeting, so that two clicks queue one render.
    Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk").first()
    same = DocumentPreview.objects.filter(
        meeting=meeting,
        kind=kind,
        public=public,
        language=language,
        status=DocumentPreview.Status.QUEUED,
    )
    queued = same.defer("pdf").order_by("-requested_at").first()
    if queued is not None:
        return queued
    preview = DocumentPreview.objects.create(
        meeting=meeting,
        kind=kind,
        public=public,
        language=language,
        requested_by=by if getattr(by, "pk", None) else None,
    )
    render_preview.enqueue(str(preview.pk))
    return preview
