"""A meeting's agenda: items, papers, departures and questions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scrutiny.limits import LONG_TEXT, MINUTES, limit

from .bodies import Role
from .meeting import Meeting


class AgendaItem(models.Model):
    """An item of a meeting's agenda with its minute text; items may have sub-items."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("sub-item of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    number = models.CharField(_("number as printed"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=500)
    title_cy = models.CharField(_("title in Welsh"), max_length=500, blank=True)
    minutes = models.TextField(
        _("minutes"),
        blank=True,
        validators=limit(MINUTES),
        help_text=_("Paragraphs separated by a blank line."),
    )
    minutes_cy = models.TextField(_("minutes in Welsh"), blank=True, validators=limit(MINUTES))
    exempt = models.BooleanField(
        _("exempt (taken in private)"),
        default=False,
        help_text=_("Its content never appears in anything public."),
    )
    exempt_reason = models.CharField(_("exemption reason"), max_length=1000, blank=True)
    in_questions_record = models.BooleanField(
        _("part of the questions record"),
        default=False,
        help_text=_(
            "Print this item in the questions and responses record even though it carries no "
            'question, with its minute as the note (for example "No comments were raised.").'
        ),
    )
    exempt_reason_cy = models.CharField(_("exemption reason in Welsh"), max_length=1000, blank=True)

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(exempt=False) | ~Q(exempt_reason=""),
                name="agendaitem_exempt_has_reason",
                violation_error_message=_("An exempt item needs the reason for the exemption."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def is_exempt_in_effect(self) -> bool:
        """Exempt itself or under an exempt parent."""
        item = self
        while item is not None:
            if item.exempt:
                return True
            item = item.parent
        return False

    @property
    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.minutes)


def split_paragraphs(text: str) -> list[str]:
    """Minute text is plain: paragraphs are separated by blank lines."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip("\n") for p in normalised.split("\n\n") if p.strip()]


class PaperFile(models.Model):
    """An uploaded PDF of a paper, kept in the database and served only by the application;
    never changed, so an agenda as published keeps pointing at the file it published."""

    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    pages = models.PositiveIntegerField(_("pages"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("paper file")
        verbose_name_plural = _("paper files")

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.pages} pp.)"


class Paper(models.Model):
    """A report considered under an item, with its PDF when one was uploaded."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="papers"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=500)
    title_cy = models.CharField(_("title in Welsh"), max_length=500, blank=True)
    author = models.CharField(_("author"), max_length=500, blank=True)
    exempt = models.BooleanField(
        _("exempt"),
        default=False,
        help_text=_("Never served to the public (a paper of an exempt item is exempt anyway)."),
    )
    file = models.ForeignKey(
        PaperFile,
        verbose_name=_("PDF"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="papers",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Departure(models.Model):
    """Someone left the meeting at this point of the minutes."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="departures"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name as printed"), max_length=500)
    left_at = models.TimeField(_("time"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("departure")
        verbose_name_plural = _("departures")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A scrutiny question put on an item, and the force's response."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    number = models.CharField(_("number as printed"), max_length=40, blank=True)
    question = models.TextField(_("question"), validators=limit(LONG_TEXT))
    question_cy = models.TextField(_("question in Welsh"), blank=True, validators=limit(LONG_TEXT))
    asked_by = models.CharField(
        _("asked by"), max_length=100, blank=True, help_text=_("A post or an organisation.")
    )
    response = models.TextField(
        _("response"),
        blank=True,
        validators=limit(LONG_TEXT),
        help_text=_("Empty while a response is awaited."),
    )
    response_cy = models.TextField(_("response in Welsh"), blank=True, validators=limit(LONG_TEXT))
    responder = models.ForeignKey(
        Role,
        verbose_name=_("responder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
    )
    restricted = models.BooleanField(
        _("response restricted from publication"),
        default=False,
        help_text=_("The public sees that a response was given, not its text."),
    )
    restricted_reason = models.CharField(
        _("public reason for the restriction"),
        max_length=1000,
        blank=True,
        help_text=_(
            'Printed for the public in place of the standard line, e.g. "Details have been '
            'provided to the OPCC; the document is restricted under the Data Protection Act."'
        ),
    )
    restricted_reason_cy = models.CharField(
        _("public reason for the restriction in Welsh"), max_length=1000, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.question[:80]
