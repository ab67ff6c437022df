"""The action register: numbered actions, their owners and their progress history."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meetings.models import (
    AgendaItem,
    Appointment,
    Board,
    Meeting,
    Person,
    Role,
    split_paragraphs,
)
from scrutiny.limits import LONG_TEXT, SHORT_TEXT, limit


class UpdateKind(models.TextChoices):
    PROGRESS = "progress", _("Progress")
    DECISION = "decision", _("Decision")
    CHANGE = "change", _("Change")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OUTSTANDING = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED)


class ActionQuerySet(models.QuerySet):
    def outstanding(self) -> "ActionQuerySet":
        """Not yet closed or withdrawn: completion still awaits acceptance by the OPCC."""
        return self.filter(status__in=OUTSTANDING)

    def overdue(self, on: datetime.date) -> "ActionQuerySet":
        return self.filter(status__in=(ActionStatus.OPEN, ActionStatus.IN_PROGRESS), due_on__lt=on)

    def owned_by(self, person: Person, *, on: datetime.date) -> "ActionQuerySet":
        """Owned by the person, or by a post they hold on that day."""
        roles = Appointment.objects.current(on).filter(person=person).values("role")
        owner = ActionOwner.objects.filter(action=OuterRef("pk")).filter(
            Q(person=person) | Q(role__in=roles)
        )
        return self.filter(Exists(owner))

    def with_board(self) -> "ActionQuerySet":
        return self.select_related("board")

    def for_register(self) -> "ActionQuerySet":
        """What a register row shows, in a fixed number of queries whatever the row count."""
        latest = ActionUpdate.objects.filter(
            action=OuterRef("pk"), kind__in=(UpdateKind.PROGRESS, UpdateKind.DECISION)
        ).order_by("-reported_on", "-created_at", "-pk")
        return (
            self.select_related("board", "raised_at_meeting", "raised_at_item")
            .prefetch_related(
                Prefetch("owners", queryset=ActionOwner.objects.select_related("role", "person"))
            )
            .annotate(
                latest_progress=Subquery(latest.values("text")[:1]),
                latest_progress_on=Subquery(latest.values("reported_on")[:1]),
                raised_sort_on=Coalesce("raised_at_meeting__held_on", "raised_on"),
            )
        )

    def most_overdue_first(self, on: datetime.date) -> "ActionQuerySet":
        """Overdue first (longest overdue at the top), then by due date, then undated."""
        return self.annotate(
            urgency=Case(
                When(
                    status__in=(ActionStatus.OPEN, ActionStatus.IN_PROGRESS),
                    due_on__lt=on,
                    then=Value(0),
                ),
                When(due_on__isnull=False, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("urgency", "due_on", "board__action_prefix", "number")


class Action(models.Model):
    """An action agreed by a board, numbered per board (PPB 60)."""

    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.PROTECT, related_name="actions"
    )
    number = models.PositiveIntegerField(_("number"))
    legacy_ref = models.CharField(
        _("reference as printed"),
        max_length=100,
        blank=True,
        help_text=_('When the minutes printed another reference, e.g. "Action 3".'),
    )
    text = models.TextField(_("action"), validators=limit(SHORT_TEXT))
    text_cy = models.TextField(_("action in Welsh"), blank=True, validators=limit(SHORT_TEXT))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus, default=ActionStatus.OPEN, db_index=True
    )
    initial_status = models.CharField(
        _("status when raised"),
        max_length=20,
        choices=ActionStatus,
        default=ActionStatus.OPEN,
        editable=False,
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    raised_at_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("raised at meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions_raised",
    )
    # Protected: the item says whether the action was raised in private (an exempt item), so
    # it cannot go while the action stays. Delete or move the action first.
    raised_at_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("raised under item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    position = models.PositiveIntegerField(_("order within the item"), default=0)
    raised_on = models.DateField(
        _("raised on"),
        null=True,
        blank=True,
        help_text=_("The date of the meeting that raised it, when that meeting is not recorded."),
    )
    carried_forward = models.BooleanField(
        _("carried forward"),
        default=False,
        help_text=_("Created from a review of progress: the meeting that raised it is not here."),
    )
    see_also = models.ManyToManyField(
        "self",
        verbose_name=_("see also"),
        symmetrical=False,
        blank=True,
        related_name="referenced_by",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["board", "number"], name="action_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="action_number_positive"),
        ]

    def __str__(self) -> str:
        return self.ref

    def get_absolute_url(self) -> str:
        return reverse("actions:action-detail", kwargs={"pk": self.pk})

    def in_published_minutes(self) -> bool:
        """Raised or reviewed at a published meeting: never deleted, only withdrawn."""
        from meetings.models import Publication

        reviewed_at = self.updates.exclude(meeting=None).values("meeting")
        return Publication.objects.filter(
            Q(meeting=self.raised_at_meeting_id) | Q(meeting__in=reviewed_at)
        ).exists()

    @property
    def ref(self) -> str:
        return f"{self.board.action_prefix} {self.number}"

    @property
    def raised_date(self) -> datetime.date | None:
        if self.raised_at_meeting_id:
            return self.raised_at_meeting.held_on
        return self.raised_on

    def is_overdue(self, on: datetime.date) -> bool:
        return (
            self.due_on is not None
            and self.due_on < on
            and self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
        )

    def owners_display(self) -> str:
        return " / ".join(owner.label for owner in self.owners.all())


class ActionOwner(models.Model):
    """An owner of an action: a post, or a person where no post fits."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="owners"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    role = models.ForeignKey(
        Role,
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions_owned",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions_owned",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__isnull=False) & Q(person__isnull=True))
                | (Q(role__isnull=True) & Q(person__isnull=False)),
                name="actionowner_role_xor_person",
                violation_error_message=_("An owner is either a post or a person, not both."),
            ),
            models.UniqueConstraint(
                fields=["action", "role"],
                condition=Q(role__isnull=False),
                name="actionowner_unique_role",
            ),
            models.UniqueConstraint(
                fields=["action", "person"],
                condition=Q(person__isnull=False),
                name="actionowner_unique_person",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.role.abbrev if self.role_id else self.person.name


class ActionUpdate(models.Model):
    """A dated entry in an action's history: progress reported, and any change of status.

    Progress is what owners report (and what the minutes record); a decision is the OPCC
    accepting, reopening or withdrawing the action; a change is a new owner, due date or link.
    """

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="updates"
    )
    reported_on = models.DateField(_("reported on"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=UpdateKind, default=UpdateKind.PROGRESS
    )
    text = models.TextField(_("progress"), validators=limit(LONG_TEXT))
    text_cy = models.TextField(_("progress in Welsh"), blank=True, validators=limit(LONG_TEXT))
    status = models.CharField(
        _("status set"),
        max_length=20,
        choices=ActionStatus,
        blank=True,
        help_text=_("Empty when the update did not change the status."),
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("reported at meeting"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_updates",
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("reported under item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_reviews",
    )
    position = models.PositiveIntegerField(_("order within the item"), default=0)
    reported_by = models.ForeignKey(
        Person,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_updates",
    )
    summary = models.TextField(
        _("action as summarised in the minutes"),
        blank=True,
        validators=limit(SHORT_TEXT),
        help_text=_("When the review printed the action's text differently."),
    )
    summary_cy = models.TextField(_("summary in Welsh"), blank=True, validators=limit(SHORT_TEXT))
    printed_owners = models.JSONField(_("owners as printed"), default=list, blank=True)
    printed_due_on = models.DateField(_("due date as printed"), null=True, blank=True)
    printed_raised_on = models.DateField(_("raised on as printed"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action update")
        verbose_name_plural = _("action updates")
        indexes = [models.Index(fields=["action", "reported_on"])]

    def __str__(self) -> str:
        return f"{self.action} – {self.reported_on}"

    @property
    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.text)


class ReminderLog(models.Model):
    """One reminder email a person received on a day, so a day's reminder is sent once."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="reminders"
    )
    sent_on = models.DateField(_("for the day"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    action_count = models.PositiveIntegerField(_("actions listed"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["person", "sent_on"], name="reminder_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.sent_on}"
