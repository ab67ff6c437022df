"""Bodies, people, posts, appointments, boards and who sits on them."""

import base64
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scrutiny.colours import AA_NORMAL_TEXT, contrast_ratio
from scrutiny.limits import LONG_TEXT, SHORT_TEXT, limit

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
