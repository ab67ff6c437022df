"""Boards, the people and posts that sit on them, and their meetings."""

import base64
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scrutiny.colours import AA_NORMAL_TEXT, contrast_ratio
from scrutiny.limits import LONG_TEXT, MINUTES, SHORT_TEXT, limit

HEX_COLOUR = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hexadecimal digits, e.g. #1d3557.")
)


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
    time_style = models.CharField(
        _("how times are written"),
        max_length=10,
        choices=[("24h", _("13:00 (24-hour clock)")), ("12h", _("1.00pm (12-hour clock)"))],
        default="24h",
        help_text=_("How the body's minutes and pages print times."),
    )

    # The body's identity on the public site (only a body, an organisation with no parent, has
    # one): what a visitor of its pages and PDFs sees, never mixed with another body's.
    slug = models.SlugField(
        _("web address"),
        max_length=80,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The body's own public home page is at /<web address>/."),
    )
    display_name = models.CharField(
        _("name as shown"),
        max_length=500,
        blank=True,
        help_text=_("How the public site and the PDFs name the body; its name when empty."),
    )
    logo = models.BinaryField(_("logo"), blank=True, null=True, editable=False)
    logo_type = models.CharField(_("logo format"), max_length=20, blank=True, editable=False)
    logo_alt = models.CharField(
        _("logo text alternative"),
        max_length=300,
        blank=True,
        help_text=_("What the logo says, for people who cannot see it."),
    )
    logo_alt_cy = models.CharField(_("logo text alternative in Welsh"), max_length=300, blank=True)
    header_colour = models.CharField(
        _("header background colour"),
        max_length=7,
        default="#1d3557",
        validators=[HEX_COLOUR],
    )
    header_text_colour = models.CharField(
        _("header text colour"), max_length=7, default="#ffffff", validators=[HEX_COLOUR]
    )
    link_colour = models.CharField(
        _("link colour"), max_length=7, default="#1d4f91", validators=[HEX_COLOUR]
    )
    footer_text = models.TextField(_("footer text"), blank=True, validators=limit(SHORT_TEXT))
    footer_text_cy = models.TextField(
        _("footer text in Welsh"), blank=True, validators=limit(SHORT_TEXT)
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=50, blank=True)
    contact_address = models.TextField(
        _("contact address"), blank=True, validators=limit(SHORT_TEXT)
    )
    accessibility_statement = models.TextField(
        _("accessibility statement"),
        blank=True,
        validators=limit(LONG_TEXT),
        help_text=_(
            "Shown on the body's accessibility page. Paragraphs separated by a blank line."
        ),
    )
    accessibility_statement_cy = models.TextField(
        _("accessibility statement in Welsh"), blank=True, validators=limit(LONG_TEXT)
    )
    privacy_notice_url = models.URLField(_("privacy notice address"), blank=True)
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
    def shown_name(self) -> str:
        """How pages and PDFs name the body: in Welsh its Welsh name, where it has one."""
        if self.name_cy and get_language() == "cy":
            return self.name_cy
        return self.display_name or self.name

    @property
    def logo_data_uri(self) -> str:
        """The logo inline (for a PDF heading), or "" when there is none."""
        if not self.logo:
            return ""
        return f"data:{self.logo_type};base64,{base64.b64encode(bytes(self.logo)).decode()}"

    def clean(self):
        super().clean()
        errors = {}
        pairs = [
            ("header_text_colour", self.header_text_colour, self.header_colour),
            ("link_colour", self.link_colour, "#ffffff"),
        ]
        for field, foreground, background in pairs:
            colours = (foreground or "", background or "")
            if not all(HEX_COLOUR.regex.match(colour) for colour in colours):
                continue
            ratio = contrast_ratio(foreground, background)
            if ratio < AA_NORMAL_TEXT:
                errors[field] = _(
                    "%(fg)s on %(bg)s has a contrast ratio of %(ratio).2f:1; WCAG AA needs at "
                    "least 4.5:1. Choose a darker or lighter colour."
                ) % {"fg": foreground, "bg": background, "ratio": ratio}
        if self.parent_id and (self.slug or self.display_name):
            errors["slug"] = _("Only a body (an organisation that is part of none) has a site.")
        if errors:
            raise ValidationError(errors)


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
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

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
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

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

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = AppointmentQuerySet.as_manager()
    history = HistoricalRecords()

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
    question_label = models.CharField(
        _("word for a question"),
        max_length=40,
        blank=True,
        help_text=_('As the board prints it, e.g. "Findings"; empty for "Question".'),
    )
    question_label_cy = models.CharField(
        _("word for a question in Welsh"), max_length=40, blank=True
    )
    response_label = models.CharField(
        _("word for a response"),
        max_length=40,
        blank=True,
        help_text=_('As the board prints it, e.g. "Update"; empty for "Response".'),
    )
    response_label_cy = models.CharField(
        _("word for a response in Welsh"), max_length=40, blank=True
    )
    action_column = models.BooleanField(
        _("print actions in a column beside the minutes"),
        default=False,
        help_text=_(
            "The owners of each action stand in an Action column beside the paragraph that "
            "raised it, as in Gwent's minutes."
        ),
    )
    next_action_number = models.PositiveIntegerField(
        _("next action number"),
        default=1,
        editable=False,
        help_text=_("Only ever grows, so no number is reused."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Each action numbered moves the counter on: that is no change to the board's settings.
    history = HistoricalRecords(excluded_fields=["next_action_number"])
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        validators=limit(SHORT_TEXT),
        help_text=_("What the board is for, as the public pages introduce it."),
    )
    introduction_cy = models.TextField(
        _("introduction in Welsh"), blank=True, validators=limit(SHORT_TEXT)
    )
    default_length = models.PositiveIntegerField(
        _("default meeting length (minutes)"),
        default=120,
        help_text=_("The calendar's end time for a meeting announced without one."),
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

    @property
    def question_word(self) -> str:
        """The board's own word, in Welsh its Welsh one where it has one."""
        if self.question_label_cy and get_language() == "cy":
            return self.question_label_cy
        return self.question_label or gettext("Question")

    @property
    def response_word(self) -> str:
        if self.response_label_cy and get_language() == "cy":
            return self.response_label_cy
        return self.response_label or gettext("Response")


def may_see_full_record(user) -> bool:
    """Signed-in OPCC staff and members see drafts, exempt items and restricted responses;
    everyone else sees what was published."""
    return user.is_authenticated and user.has_perm("meetings.view_meeting")


class BoardMembership(models.Model):
    """Who sits on a board, in which post, from when to when: a new meeting's attendance starts
    from the members on its day."""

    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.CASCADE, related_name="memberships"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.ForeignKey(
        Role,
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("listed under"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    start_on = models.DateField(_("from"), null=True, blank=True)
    end_on = models.DateField(_("to"), null=True, blank=True)

    # In force from start_on to end_on, as an appointment is: the same `current(on)`.
    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("board member")
        verbose_name_plural = _("board members")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(end_on__isnull=True)
                | Q(end_on__gte=models.F("start_on")),
                name="boardmembership_ends_after_start",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.role.abbrev if self.role_id else ''}".rstrip(" –")


class MeetingQuerySet(models.QuerySet):
    def published(self) -> "MeetingQuerySet":
        """Meetings with a publication that has not been withdrawn: what the public may see."""
        live = Publication.objects.live().filter(meeting=models.OuterRef("pk"))
        return self.filter(models.Exists(live))

    def announced(self) -> "MeetingQuerySet":
        """Meetings announced to the public (cancelled ones included, marked so)."""
        return self.filter(announced_at__isnull=False)

    def forthcoming(self, on: datetime.date) -> "MeetingQuerySet":
        """Announced meetings from a day on whose minutes are not published yet."""
        live = Publication.objects.live().filter(meeting=models.OuterRef("pk"))
        return self.announced().filter(held_on__gte=on).filter(~models.Exists(live))

    def visible_to(self, user) -> "MeetingQuerySet":
        """What a user may see: everything for those who can view meetings, else published."""
        if may_see_full_record(user):
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
    next_meeting_note_cy = models.TextField(
        _("next meeting note in Welsh"), blank=True, validators=limit(SHORT_TEXT)
    )
    questions_intro = models.TextField(
        _("introduction to the questions record"),
        blank=True,
        validators=limit(SHORT_TEXT),
        help_text=_(
            "Printed above the questions and responses. Paragraphs separated by a blank line."
        ),
    )
    questions_intro_cy = models.TextField(
        _("introduction to the questions record in Welsh"),
        blank=True,
        validators=limit(SHORT_TEXT),
    )
    is_public = models.BooleanField(
        _("open to the public"),
        default=True,
        help_text=_("Whether the public may attend; announced meetings show it."),
    )
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    calendar_sequence = models.PositiveIntegerField(
        _("calendar revision"),
        default=0,
        editable=False,
        help_text=_("Counts changes to an announced meeting, for calendar programs."),
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
    changed_since_approval_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed since the last approval by"),
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Who changed what the minutes print since they were last approved."),
    )

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts saves, to refuse lost updates."),
    )
    # Publication renders in the background (minutes.tasks): whether it is queued or failed,
    # and why, for the approver's page. Written with update(), so no edit and no history.
    publishing = models.CharField(
        _("publishing"),
        max_length=10,
        choices=[("queued", _("Publishing")), ("failed", _("Publishing failed"))],
        blank=True,
        editable=False,
    )
    publishing_error = models.TextField(_("why publishing failed"), blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at", "publishing", "publishing_error"])

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
        Meeting,
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
