"""What was published: publications of minutes and agendas, their documents and passages."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImmutableError(Exception):
    """Published records are never changed or deleted."""


class ImmutableQuerySet(models.QuerySet):
    """No bulk change or delete of published records: not even through a queryset."""

    allowed_updates: frozenset[str] = frozenset()

    def update(self, **kwargs):
        if not set(kwargs) <= self.allowed_updates:
            raise ImmutableError("Published records are never changed.")
        return super().update(**kwargs)

    def delete(self):
        raise ImmutableError("Published records are never deleted.")


class PublicationQuerySet(ImmutableQuerySet):
    allowed_updates = frozenset({"withdrawn_at", "withdrawn_by", "withdrawn_reason"})

    def live(self) -> "PublicationQuerySet":
        """What the public is served: publications that have not been withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def current(self) -> "PublicationQuerySet":
        """The latest live version of each meeting: what its public page shows. An anti-join
        (no newer live version of the same meeting), not a subquery per row."""
        newer = Publication.objects.live().filter(
            meeting=models.OuterRef("meeting"), version__gt=models.OuterRef("version")
        )
        return self.live().filter(~models.Exists(newer))


class Publication(models.Model):
    """A version of a meeting's published record: frozen HTML and PDFs, and who published it."""

    meeting = models.ForeignKey(
        "Meeting", verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="publications"
    )
    version = models.PositiveIntegerField(_("version"))
    note = models.TextField(_("what changed"), blank=True)
    note_cy = models.TextField(_("what changed in Welsh"), blank=True)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes_html = models.TextField(_("public minutes (HTML)"))
    minutes_html_cy = models.TextField(_("public minutes in Welsh (HTML)"), blank=True)
    title = models.CharField(_("title"), max_length=1000)
    held_on = models.DateField(_("meeting date as published"), null=True, blank=True)
    title_cy = models.CharField(_("title in Welsh"), max_length=1000, blank=True)
    next_meeting_on = models.DateField(_("next meeting date"), null=True, blank=True)
    next_meeting_start = models.TimeField(_("next meeting start"), null=True, blank=True)
    next_meeting_venue = models.CharField(_("next meeting venue"), max_length=500, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    actions = models.JSONField(
        _("actions as published"),
        default=list,
        help_text=_("Ref, text and owners of the actions in the public minutes, as published."),
    )

    objects = PublicationQuerySet.as_manager()

    _WITHDRAWAL_FIELDS = {"withdrawn_at", "withdrawn_by", "withdrawn_reason"}

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "version"], name="publication_unique_version"
            ),
        ]
        indexes = [
            # Which meetings the public may see (Meeting.objects.published()), read from the
            # index alone: the home pages count every board's meetings with minutes.
            models.Index(
                fields=["meeting"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="publication_live_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= self._WITHDRAWAL_FIELDS:
                raise ImmutableError("A publication is never changed, only withdrawn.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("A publication is never deleted.")

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None


class AgendaPublicationQuerySet(models.QuerySet):
    def live(self) -> "AgendaPublicationQuerySet":
        """What the public is served: agendas that have not been withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class AgendaPublication(models.Model):
    """A version of a meeting's agenda as published before it sits: the public agenda frozen
    as published (items and papers, exempt ones as the board allows) and its agenda pack."""

    meeting = models.ForeignKey(
        "Meeting",
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="agenda_publications",
    )
    version = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    items = models.JSONField(
        _("public agenda"),
        default=list,
        help_text=_("Number, title (or the exempt label), reason and public papers of each item."),
    )
    pack = models.BinaryField(_("agenda pack"), null=True, blank=True)
    pack_sha256 = models.CharField(_("agenda pack SHA-256"), max_length=64, blank=True)
    pack_size = models.PositiveIntegerField(_("agenda pack size in bytes"), null=True, blank=True)
    pack_pages = models.PositiveIntegerField(_("agenda pack pages"), null=True, blank=True)
    pack_language = models.CharField(
        _("agenda pack language"),
        max_length=5,
        default="en",
        help_text=_('"en", or "en+cy" for a bilingual pack.'),
    )
    # A Welsh body that publishes Welsh documents beside the English has a Welsh pack too.
    pack_cy = models.BinaryField(_("agenda pack in Welsh"), null=True, blank=True)
    pack_cy_sha256 = models.CharField(_("Welsh agenda pack SHA-256"), max_length=64, blank=True)
    pack_cy_size = models.PositiveIntegerField(
        _("Welsh agenda pack size in bytes"), null=True, blank=True
    )
    pack_cy_pages = models.PositiveIntegerField(_("Welsh agenda pack pages"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = AgendaPublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda publication")
        verbose_name_plural = _("agenda publications")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "version"], name="agenda_publication_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} agenda v{self.version}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None

    def public_file_ids(self) -> set[int]:
        return {
            paper["file"] for item in self.items for paper in item["papers"] if paper.get("file")
        }

    def served_file_ids(self) -> set[int]:
        """The files this agenda published that the public may have now: each one whose paper
        is still public (not deleted, neither it nor its item made exempt since). A paper's
        later file does not replace the one published: the next agenda publishes it."""
        from .agenda import Paper

        published = {
            paper["id"]: paper["file"]
            for item in self.items
            for paper in item["papers"]
            if paper.get("file") and paper.get("id")
        }
        papers = Paper.objects.filter(
            pk__in=published, item__meeting_id=self.meeting_id, exempt=False
        ).select_related("item__parent__parent")
        return {published[paper.pk] for paper in papers if not paper.item.is_exempt_in_effect()}


class PublishedDocument(models.Model):
    """A PDF rendered once at publication, stored with its checksum, and served as it is."""

    class Kind(models.TextChoices):
        MINUTES = "minutes", _("Minutes")
        QUESTIONS = "questions", _("Questions and responses")

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("document"), max_length=20, choices=Kind)
    language = models.CharField(
        _("language"),
        max_length=10,
        default="en",
        help_text=_('"en", "cy", or "en+cy" for a bilingual document.'),
    )
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("published document")
        verbose_name_plural = _("published documents")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "kind", "language"], name="document_unique_kind_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("A published document is never changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        kwargs = {
            "pk": self.publication.meeting_id,
            "version": self.publication.version,
            "kind": self.kind,
        }
        if self.language == "en":
            return reverse("minutes:published-document", kwargs=kwargs)
        return reverse(
            "minutes:published-document-language", kwargs={**kwargs, "language": self.language}
        )

    def delete(self, *args, **kwargs):
        raise ImmutableError("A published document is never deleted.")


class Passage(models.Model):
    """A passage as the public read it, stored when it was published, for search and the API."""

    class Kind(models.TextChoices):
        ITEM = "item", _("Agenda item")
        PAPER = "paper", _("Paper")
        QUESTION = "question", _("Question")
        RESPONSE = "response", _("Response")
        ACTION = "action", _("Action")
        MINUTES = "minutes", _("Minutes")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    position = models.PositiveIntegerField(_("order"), default=0)
    number = models.CharField(_("number as printed"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=1000, blank=True)
    text = models.TextField(_("text"), blank=True)
    # Which text-search configuration reads it: "en" is stemmed as English, "cy" (Welsh, which
    # PostgreSQL cannot stem) is read word for word. See minutes/search.py.
    language = models.CharField(_("language"), max_length=10, default="en")

    class Meta:
        abstract = True


class PublishedText(Passage):
    """A passage of a publication exactly as the public read it, for search and the API."""

    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.PROTECT,
        related_name="texts",
    )

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("published text")
        verbose_name_plural = _("published texts")

    def __str__(self) -> str:
        return f"{self.publication} {self.kind} {self.number}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("Published text is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Published text is never deleted.")
