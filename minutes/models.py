"""What the public sees of the record, derived from publications and rebuilt with them."""

from django.db import models
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
