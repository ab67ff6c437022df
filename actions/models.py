"""The action register: numbered actions, their owners and their progress history."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
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
from django.utils.formats import date_format
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


class DueKind(models.TextChoices):
    DATE = "date", _("By a date")
    NEXT_MEETING = "next_meeting", _("By the next meeting")
    MEETING = "meeting", _("By the meeting of a date")


OUTSTANDING = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED)


def numbered(queryset, board_id: int, numbers):
    """The rows of `queryset` (actions, or their history) of board `board_id` with these
    numbers. The numbers' range is given too: it bounds the read of the (board, number) index to
    them even when the planner knows nothing of the board yet (one created earlier in the same
    import), where it would otherwise read every action of the board and every version of each
    written in that transaction."""
    numbers = list(numbers)
    if not numbers:
        return queryset.none()
    return queryset.filter(
        board_id=board_id, number__in_array=numbers, number__range=(min(numbers), max(numbers))
    )


class ActionQuerySet(models.QuerySet):
    def numbered(self, board, numbers) -> "ActionQuerySet":
        """The actions of `board` with these numbers (see `numbered`)."""
        return numbered(self, board.pk, numbers)

    def outstanding(self) -> "ActionQuerySet":
        """Not yet closed or withdrawn: completion still awaits acceptance by the OPCC."""
        return self.filter(status__in=OUTSTANDING)

    def overdue(self, on: datetime.date) -> "ActionQuerySet":
        return self.filter(status__in=(ActionStatus.OPEN, ActionStatus.IN_PROGRESS), due_on__lt=on)

    def owned_by(self, person: Person, *, on: datetime.date) -> "ActionQuerySet":
        """Owned by the person, or by a post they hold on that day."""
        return self.owned_by_any([person.pk], on=on)

    def owned_by_any(self, people, *, on: datetime.date) -> "ActionQuerySet":
        """Owned by any of these people (ids or a queryset), or by a post one holds that day.

        One UNION of two indexed lookups of owners (by person, by post) gives the ids: the
        database then fetches those few actions instead of testing every action for an owner.
        """
        if isinstance(people, models.QuerySet):
            people = people.values("pk")
        roles = Appointment.objects.current(on).filter(person__in=people).values("role")
        owners = ActionOwner.objects.order_by()
        ids = (
            owners.filter(person__in=people)
            .values_list("action_id", flat=True)
            .union(owners.filter(role__in=roles).values_list("action_id", flat=True))
        )
        return self.filter(pk__in=ids)

    def for_register(self) -> "ActionQuerySet":
        """What a register row shows, in a fixed number of queries whatever the row count."""
        latest = ActionUpdate.objects.filter(
            action=OuterRef("pk"), kind__in=(UpdateKind.PROGRESS, UpdateKind.DECISION)
        ).order_by("-reported_on", "-created_at", "-pk")
        return (
            self.select_related("board__body", "raised_at_meeting", "raised_at_item")
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

    # No index of its own: the unique (board, number) below leads with the board and serves
    # every lookup by board (with one of its own, a batch's lookups by number in a board
    # created in the same transaction read every action of the board).
    board = models.ForeignKey(
        Board,
        verbose_name=_("board"),
        on_delete=models.PROTECT,
        related_name="actions",
        db_index=False,
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
    due_on = models.DateField(
        _("due"),
        null=True,
        blank=True,
        help_text=_("For an action due by a meeting, the date of that meeting when known."),
    )
    due_kind = models.CharField(_("due by"), max_length=20, choices=DueKind, default=DueKind.DATE)
    owned_by_body = models.BooleanField(
        _("owned by the body itself"),
        default=False,
        help_text=_('When the minutes name no post ("OPCC to schedule"): no named owner.'),
    )
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
    paragraph = models.PositiveSmallIntegerField(
        _("raised in paragraph"),
        null=True,
        blank=True,
        help_text=_(
            "Which paragraph of the item's minutes raised it (1 for the first): with the "
            "board's Action column, its owners print beside that paragraph; empty for the last."
        ),
    )
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
        indexes = [
            # "Most overdue first" reads the overdue (outstanding, by due date) from here.
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=["open", "in_progress"]),
                name="action_outstanding_due",
            )
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

    def status_on(self, on: datetime.date, updates=None) -> str:
        """The status the action had on a day: the one set by the latest update on or before
        it, else the status it was raised with. `updates`, newest first, saves a query."""
        if updates is None:
            updates = (
                self.updates.exclude(status="")
                .filter(reported_on__lte=on)
                .order_by("-reported_on", "-created_at", "-pk")[:1]
            )
        for update in updates:
            if update.reported_on <= on and update.status:
                return update.status
        return self.initial_status

    # What may happen to the action next: the services, the views and the pages ask these.
    def can_report(self) -> bool:
        """Progress is reported on an action that is not closed or withdrawn."""
        return self.status not in (ActionStatus.CLOSED, ActionStatus.WITHDRAWN)

    def can_close(self) -> bool:
        """The OPCC accepts (closes) an outstanding action."""
        return self.status in OUTSTANDING

    def can_reopen(self) -> bool:
        return self.status in (ActionStatus.COMPLETED, ActionStatus.CLOSED, ActionStatus.WITHDRAWN)

    def can_withdraw(self) -> bool:
        """An outstanding action is withdrawn; a closed one was done, so it is reopened first."""
        return self.status in OUTSTANDING

    def can_become(self, status: str) -> bool:
        """Whether the status may move to `status` by the register's rules: accepted (closed)
        or withdrawn only while outstanding, back to outstanding only by reopening."""
        if status == self.status:
            return True
        if status == ActionStatus.CLOSED:
            return self.can_close()
        if status == ActionStatus.WITHDRAWN:
            return self.can_withdraw()
        return self.status in OUTSTANDING or self.can_reopen()

    def owners_display(self, labels: list[str] | None = None) -> str:
        """The owners as the register shows them ("CC / ACC"); `labels`, when the caller has
        them already, saves the query."""
        if labels is None:
            labels = [owner.label for owner in self.owners.all()]
        if self.owned_by_body and not labels:
            return str(_("%(body)s (no named owner)") % {"body": self.board.body})
        return " / ".join(labels)

    def due_display(self) -> str:
        """The due date as the minutes put it: a date, or by a meeting."""
        when = date_format(self.due_on, "j F Y") if self.due_on else ""
        if self.due_kind == DueKind.NEXT_MEETING:
            return (
                _("By the next meeting (%(date)s)") % {"date": when}
                if when
                else _("By the next meeting")
            )
        if self.due_kind == DueKind.MEETING and when:
            return _("By the meeting of %(date)s") % {"date": when}
        return when


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


class ActionExport(models.Model):
    """A register export too large to build within a request: built by the task queue, kept
    out of the web server's reach, and served by the app to whoever asked for it."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", _("Excel (XLSX)")

    class State(models.TextChoices):
        PREPARING = "preparing", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="action_exports",
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    format = models.CharField(_("format"), max_length=10, choices=Format)
    query = models.TextField(_("filter"), blank=True, help_text=_("The register's query string."))
    state = models.CharField(
        _("state"), max_length=20, choices=State, default=State.PREPARING, db_index=True
    )
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file_name = models.CharField(_("stored as"), max_length=200, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("action register export")
        verbose_name_plural = _("action register exports")
        indexes = [models.Index(fields=["requested_by", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.requested_by} – {self.requested_at:%Y-%m-%d %H:%M} ({self.format})"

    def get_absolute_url(self) -> str:
        return reverse("actions:action-export-download", kwargs={"pk": self.pk})

    @property
    def download_name(self) -> str:
        return f"actions-{self.requested_at:%Y-%m-%d}.{self.format}"


class ClerkNoticeLog(models.Model):
    """One notice a clerk received about a board on a day (the actions nobody could be reminded
    of, or the weekly digest), so that each is sent once however often the reminders run."""

    class Kind(models.TextChoices):
        UNREACHABLE = "unreachable", _("Actions nobody could be reminded of")
        DIGEST = "digest", _("Weekly digest")

    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clerk"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    sent_on = models.DateField(_("for the day"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    action_count = models.PositiveIntegerField(_("actions listed"))

    class Meta:
        verbose_name = _("notice to a clerk")
        verbose_name_plural = _("notices to clerks")
        constraints = [
            models.UniqueConstraint(
                fields=["board", "user", "kind", "sent_on"], name="clerk_notice_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.board} – {self.kind} – {self.sent_on}"


class RegisterCount(models.Model):
    """The register's counts, kept by the database as actions and owners change (triggers of
    `actions/counts.py`): a row is a change of the number of actions of a board at a status,
    or with that owner (`role_pk` or `person_pk`) when one is set. Rows are only added, so
    writers never wait on each other; the counts are their sums, and `register_counts_compact`
    folds the rows into one a key now and then. Derived from the record: no history."""

    board_pk = models.IntegerField()
    status = models.CharField(max_length=20)
    role_pk = models.IntegerField(null=True)
    person_pk = models.IntegerField(null=True)
    n = models.IntegerField()

    class Meta:
        db_table = "actions_registercount"
        indexes = [models.Index(fields=["status", "board_pk"], name="registercount_status")]

    def __str__(self) -> str:
        return f"{self.board_pk} {self.status} {self.role_pk} {self.person_pk}: {self.n:+d}"
