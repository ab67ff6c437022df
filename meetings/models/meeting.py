"""Meetings and who attended them."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scrutiny.limits import SHORT_TEXT, limit

from .bodies import Board, Organisation, Person, Role, may_see_full_record
from .publication import Publication


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
    venue_cy = models.CharField(_("venue in Welsh"), max_length=500, blank=True)
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
