"""Boards, the people and posts that sit on them, and their meetings."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scrutiny.limits import LONG_TEXT, MINUTES, SHORT_TEXT, limit


class Organisation(models.Model):
    """A body (an OPCC) or a group within one (OCC, Staff Associations) as minutes list them."""

    name = models.CharField(_("name"), max_length=500)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Empty for a body that owns boards; the body for a group within it."),
    )
    name_cy = models.CharField(_("name in Welsh"), max_length=500, blank=True)
    welsh = models.BooleanField(
        _("a Welsh body"),
        default=False,
        help_text=_("Publishes its minutes in Welsh and English (the Welsh Language Standards)."),
    )
    welsh_required = models.BooleanField(
        _("Welsh versions required before publication"),
        default=True,
        help_text=_("For a Welsh body: minutes cannot be published while a text lacks its Welsh."),
    )
    bilingual_documents = models.BooleanField(
        _("one bilingual document"),
        default=False,
        help_text=_(
            "Publish one document with Welsh and English side by side, rather than a Welsh "
            "document beside the English one."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="organisation_unique_top_level_name",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="organisation_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def body(self) -> "Organisation":
        """The top-level body this organisation belongs to (itself when it is one)."""
        return self.parent or self


class Person(models.Model):
    """A human being, named as the minutes print them ("Mrs P Kelly")."""

    body = models.ForeignKey(
        Organisation,
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="people",
        help_text=_("The body whose records name this person; names are matched within it."),
    )
    name = models.CharField(_("name as printed"), max_length=500)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the emails this person receives, such as reminders."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["body", "name"], name="person_unique_name_in_body"),
        ]

    def __str__(self) -> str:
        return self.name

    def roles_on(self, on: datetime.date) -> models.QuerySet["Role"]:
        """The posts this person holds on a day."""
        return Role.objects.filter(
            appointments__in=Appointment.objects.current(on).filter(person=self)
        ).distinct()


class Role(models.Model):
    """A post ("Head of Strategy, Performance and Change", HoSPC); it outlives its holders."""

    body = models.ForeignKey(
        Organisation,
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="roles",
        help_text=_("The body whose boards use this post; abbreviations are unique within it."),
    )
    abbrev = models.CharField(_("abbreviation"), max_length=40)
    title = models.CharField(_("title"), max_length=500)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["body", "abbrev"], name="role_unique_abbrev_in_body"),
        ]

    def __str__(self) -> str:
        if self.title and self.title != self.abbrev:
            return f"{self.abbrev} – {self.title}"
        return self.abbrev

    @property
    def is_temporary(self) -> bool:
        return self.abbrev.startswith("T/")


class AppointmentQuerySet(models.QuerySet):
    def current(self, on: datetime.date) -> "AppointmentQuerySet":
        """Appointments in force on a day."""
        return self.filter(Q(start_on__isnull=True) | Q(start_on__lte=on)).filter(
            Q(end_on__isnull=True) | Q(end_on__gte=on)
        )


class Appointment(models.Model):
    """A person holds a post from one day to another, substantively or not."""

    class Kind(models.TextChoices):
        SUBSTANTIVE = "substantive", _("Substantive")
        ACTING = "acting", _("Acting")
        TEMPORARY = "temporary", _("Temporary")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="appointments"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.CASCADE, related_name="appointments"
    )
    start_on = models.DateField(_("from"), null=True, blank=True)
    end_on = models.DateField(_("to"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.SUBSTANTIVE)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(end_on__isnull=True)
                | Q(end_on__gte=models.F("start_on")),
                name="appointment_ends_after_start",
                violation_error_message=_("An appointment cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.role.abbrev}"


class Board(models.Model):
    """A named series of meetings of one body, with the prefix of its action numbers."""

    body = models.ForeignKey(
        Organisation, verbose_name=_("body"), on_delete=models.PROTECT, related_name="boards"
    )
    name = models.CharField(_("name"), max_length=500)
    name_cy = models.CharField(_("name in Welsh"), max_length=500, blank=True)
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    action_prefix = models.CharField(
        _("action prefix"),
        max_length=16,
        help_text=_("What action numbers start with, e.g. PPB for PPB 60."),
    )
    welsh_statement = models.BooleanField(_("print the bilingual-availability line"), default=False)
    public_exempt_titles = models.BooleanField(
        _("publish the titles of exempt items"),
        default=True,
        help_text=_("When off, the public minutes show only an exempt item's number and reason."),
    )
    next_action_number = models.PositiveIntegerField(
        _("next action number"),
        default=1,
        editable=False,
        help_text=_("Only ever grows, so no number is reused."),
    )

    class Meta:
        verbose_name = _("board")
        verbose_name_plural = _("boards")
        constraints = [
            models.UniqueConstraint(fields=["body", "name"], name="board_unique_name_in_body"),
            models.UniqueConstraint(
                fields=["body", "action_prefix"], name="board_unique_prefix_in_body"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("minutes:board-detail", kwargs={"slug": self.slug})


class MeetingQuerySet(models.QuerySet):
    def published(self) -> "MeetingQuerySet":
        """Meetings with a publication that has not been withdrawn: what the public may see."""
        live = Publication.objects.filter(meeting=models.OuterRef("pk"), withdrawn_at__isnull=True)
        return self.filter(models.Exists(live))

    def visible_to(self, user) -> "MeetingQuerySet":
        """What a user may see: everything for those who can view meetings, else published."""
        if user.is_authenticated and user.has_perm("meetings.view_meeting"):
            return self
        return self.published()


class Meeting(models.Model):
    """One sitting of a board."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(
        _("title"),
        max_length=500,
        blank=True,
        help_text=_('Only when the meeting has its own name, e.g. "Monthly Assurance Meeting".'),
    )
    title_cy = models.CharField(_("title in Welsh"), max_length=500, blank=True)
    start_time = models.TimeField(_("start"), null=True, blank=True)
    end_time = models.TimeField(_("end"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=500, blank=True)
    chair = models.ForeignKey(
        Person,
        verbose_name=_("chair (person)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings_chaired",
    )
    chair_role = models.ForeignKey(
        Role,
        verbose_name=_("chair (post)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings_chaired",
    )
    chair_note = models.TextField(
        _("chair note"),
        blank=True,
        validators=limit(SHORT_TEXT),
        help_text=_("e.g. chaired by the DPCC in the absence of the PCC."),
    )
    chair_note_cy = models.TextField(
        _("chair note in Welsh"), blank=True, validators=limit(SHORT_TEXT)
    )
    minute_taker = models.CharField(_("minute taker"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.DRAFT, db_index=True
    )
    next_meeting_on = models.DateField(_("next meeting date"), null=True, blank=True)
    next_meeting_start = models.TimeField(_("next meeting start"), null=True, blank=True)
    next_meeting_venue = models.CharField(_("next meeting venue"), max_length=500, blank=True)
    next_meeting_note = models.TextField(
        _("next meeting note"), blank=True, validators=limit(SHORT_TEXT)
    )
    named_roles = models.ManyToManyField(
        Role,
        verbose_name=_("posts named in the minutes"),
        blank=True,
        related_name="+",
        help_text=_("Posts the minutes refer to by abbreviation, besides attendees and owners."),
    )
    named_people = models.ManyToManyField(
        Person,
        verbose_name=_("people named in the minutes"),
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts saves, to refuse lost updates."),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        permissions = [
            ("approve_meeting", _("Can approve minutes")),
            ("publish_meeting", _("Can publish and withdraw minutes")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "held_on", "title"], name="meeting_unique_board_date_title"
            ),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(end_time__gte=models.F("start_time")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.board} – {date_format(self.held_on, 'j F Y')}"
        return f"{label} ({self.title})" if self.title else label

    def get_absolute_url(self) -> str:
        return reverse("minutes:meeting-detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def chair_display(self) -> str:
        if self.chair_role_id:
            return self.chair_role.abbrev
        return self.chair.name if self.chair_id else ""


class Attendance(models.Model):
    """Who was at a meeting, in what capacity, as the minutes print it."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        IN_ATTENDANCE = "in_attendance", _("In attendance")
        APOLOGIES = "apologies", _("Apologies")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="attendance"
    )
    role = models.ForeignKey(
        Role,
        verbose_name=_("role at this meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("listed under"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PRESENT)
    arrival_time = models.TimeField(_("arrived"), null=True, blank=True)
    departure_time = models.TimeField(_("left"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_status_display()})"


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


class Paper(models.Model):
    """A report considered under an item."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="papers"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=500)
    title_cy = models.CharField(_("title in Welsh"), max_length=500, blank=True)
    author = models.CharField(_("author"), max_length=500, blank=True)

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

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.question[:80]


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


class Publication(models.Model):
    """A version of a meeting's published record: frozen HTML and PDFs, and who published it."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="publications"
    )
    version = models.PositiveIntegerField(_("version"))
    note = models.TextField(_("what changed"), blank=True)
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
