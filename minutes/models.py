"""What the public sees of the record, derived from publications and rebuilt with them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import Action
from meetings.models import AgendaPublication, Board, Meeting, Passage


class PublicAction(models.Model):
    """An action as its board's public actions log shows it.

    Derived from the board's live publications only (see minutes/actions_log.py) and rebuilt
    whenever one of them is published or withdrawn, so the log never shows the live record: the
    text and owners as the published minutes of the meeting that raised the action printed them,
    and the latest progress minuted in public; each text with its Welsh twin where the Welsh
    minutes printed one.
    """

    action = models.OneToOneField(
        Action,
        verbose_name=_("action"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="public",
    )
    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.CASCADE, related_name="public_actions"
    )
    number = models.PositiveIntegerField(_("number"))
    ref = models.CharField(_("reference"), max_length=100)
    text = models.TextField(
        _("action as published"),
        blank=True,
        help_text=_("Empty when no live publication of the raising meeting printed it."),
    )
    text_cy = models.TextField(
        _("action as published in Welsh"),
        blank=True,
        help_text=_("Empty when no live publication printed the action in Welsh."),
    )
    owners = models.JSONField(_("owners as published"), default=list)
    due_on = models.DateField(_("due as published"), null=True, blank=True)
    raised_at_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("raised at (published)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    progress = models.TextField(_("latest progress minuted in public"), blank=True)
    progress_cy = models.TextField(_("latest progress minuted in public in Welsh"), blank=True)
    progress_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("progress minuted at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("public action")
        verbose_name_plural = _("public actions")
        indexes = [
            models.Index(fields=["board", "-number"], name="publicaction_board_number"),
            models.Index(fields=["board", "year", "-number"], name="publicaction_board_year"),
        ]

    def __str__(self) -> str:
        return self.ref


class AgendaText(Passage):
    """A passage of a published agenda exactly as the public read it (an item as listed, a
    public paper), for search. Written with the agenda (minutes.search.agenda_texts), never
    changed; search reads those of live agendas only."""

    agenda = models.ForeignKey(
        AgendaPublication,
        verbose_name=_("agenda publication"),
        on_delete=models.CASCADE,
        related_name="texts",
    )

    class Meta:
        verbose_name = _("published agenda text")
        verbose_name_plural = _("published agenda texts")

    def __str__(self) -> str:
        return f"{self.agenda} {self.kind} {self.number}".strip()


class DocumentPreview(models.Model):
    """A preview of a meeting's minutes or questions document asked for by staff, rendered by a
    worker (minutes.tasks.preview_render) and kept briefly (PREVIEW_KEEP). It carries the
    fingerprint of the document it drew, so a preview of a meeting changed since is never
    served as if it were current."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(
        _("document"),
        max_length=10,
        choices=[("minutes", _("Minutes")), ("questions", _("Questions and responses"))],
    )
    public = models.BooleanField(_("public version"))
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("why it failed"), blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True)
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("A digest of the document drawn, without its draft mark."),
    )
    requested_at = models.DateTimeField(_("asked for"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rendered_at = models.DateTimeField(_("prepared"), null=True, blank=True)

    class Meta:
        verbose_name = _("document preview")
        verbose_name_plural = _("document previews")
        indexes = [
            models.Index(
                fields=["meeting", "kind", "public", "language", "status"],
                name="documentpreview_lookup",
            ),
            models.Index(fields=["requested_at"], name="documentpreview_requested"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} {self.kind} {'public' if self.public else 'full'}"
