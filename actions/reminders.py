"""Reminder emails to the owners of overdue actions and of actions due within a week."""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.models import Action, ActionOwner, ActionStatus, ReminderLog
from meetings.models import Appointment, Person

logger = logging.getLogger(__name__)

DUE_SOON_DAYS = 7
REMINDED_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


@dataclass
class Reminder:
    """What one person is reminded of on a day, and what became of the reminder."""

    person: Person
    email: str
    overdue: list[Action] = field(default_factory=list)
    due_soon: list[Action] = field(default_factory=list)
    sent: bool = False
    already_reminded: bool = False
    error: str = ""

    @property
    def actions(self) -> list[Action]:
        return [*self.overdue, *self.due_soon]

    @property
    def subject(self) -> str:
        overdue, due_soon = len(self.overdue), len(self.due_soon)
        if overdue and due_soon:
            return _("Scrutiny: %(overdue)s, %(due_soon)s") % {
                "overdue": ngettext(
                    "%(count)d overdue action", "%(count)d overdue actions", overdue
                )
                % {"count": overdue},
                "due_soon": ngettext("%(count)d due this week", "%(count)d due this week", due_soon)
                % {"count": due_soon},
            }
        if overdue:
            return ngettext(
                "Scrutiny: %(count)d overdue action", "Scrutiny: %(count)d overdue actions", overdue
            ) % {"count": overdue}
        return ngettext(
            "Scrutiny: %(count)d action due this week",
            "Scrutiny: %(count)d actions due this week",
            due_soon,
        ) % {"count": due_soon}


def _email_of(person: Person) -> str:
    if person.email.strip():
        return person.email.strip()
    if person.user_id and person.user.email.strip():
        return person.user.email.strip()
    return ""


def _sort_key(action: Action) -> tuple:
    return (action.due_on, action.board.action_prefix, action.number)


def reminders_due(*, on: datetime.date) -> list[Reminder]:
    """Who should be reminded on a day, of which actions; reads only, in a fixed number of queries.

    An action is listed when it is open or in progress and either overdue (due before the day)
    or due within the week (the day to seven days after it). It goes to every person who owns
    it in person and to everyone who holds, on that day, a post that owns it: the same rule as
    ``Action.objects.owned_by``.
    """
    actions = list(
        Action.objects.filter(
            status__in=REMINDED_STATUSES,
            due_on__isnull=False,
            due_on__lte=on + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("board")
        .prefetch_related(
            Prefetch(
                "owners",
                queryset=ActionOwner.objects.select_related("person__user", "person__body"),
            )
        )
    )
    role_ids = {owner.role_id for action in actions for owner in action.owners.all()} - {None}
    holders: dict[int, list[Person]] = defaultdict(list)
    if role_ids:
        appointments = (
            Appointment.objects.current(on)
            .filter(role_id__in=role_ids)
            .select_related("person__user", "person__body")
        )
        for appointment in appointments:
            holders[appointment.role_id].append(appointment.person)

    by_person: dict[int, Reminder] = {}
    listed: dict[int, set[int]] = defaultdict(set)
    for action in actions:
        for owner in action.owners.all():
            people = holders.get(owner.role_id, []) if owner.role_id else [owner.person]
            for person in people:
                if action.pk in listed[person.pk]:
                    continue  # Two of their posts own it, or a post and they in person.
                listed[person.pk].add(action.pk)
                reminder = by_person.get(person.pk)
                if reminder is None:
                    email = _email_of(person)
                    if not email:
                        continue
                    reminder = by_person[person.pk] = Reminder(person=person, email=email)
                target = reminder.overdue if action.due_on < on else reminder.due_soon
                target.append(action)

    reminders = sorted(by_person.values(), key=lambda r: (r.person.name, r.person.pk))
    for reminder in reminders:
        reminder.overdue.sort(key=_sort_key)
        reminder.due_soon.sort(key=_sort_key)
    return reminders


def _site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def reminder_message(*, reminder: Reminder, on: datetime.date) -> EmailMultiAlternatives:
    """The email of one reminder: plain text with an HTML alternative."""
    site_url = _site_url()
    context = {
        "reminder": reminder,
        "person": reminder.person,
        "overdue": reminder.overdue,
        "due_soon": reminder.due_soon,
        "on": on,
        "site_url": site_url,
        "mine_url": site_url + reverse("actions:action-mine"),
    }
    message = EmailMultiAlternatives(
        subject=reminder.subject,
        body=render_to_string("actions/email/reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.email],
        # RFC 3834: tells out-of-office responders not to answer a robot.
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("actions/email/reminder.html", context), "text/html"
    )
    return message


def reminders_send(*, on: datetime.date, dry_run: bool = False) -> list[Reminder]:
    """Email each person due a reminder on the day, once a day however often it runs.

    Returns every reminder due, each marked sent, already reminded, or with the error that
    stopped it. A dry run sends nothing and writes nothing.
    """
    reminders = reminders_due(on=on)
    reminded = set(
        ReminderLog.objects.filter(
            sent_on=on, person__in=[reminder.person.pk for reminder in reminders]
        ).values_list("person_id", flat=True)
    )
    for reminder in reminders:
        if reminder.person.pk in reminded:
            reminder.already_reminded = True
            continue
        if dry_run:
            continue
        message = reminder_message(reminder=reminder, on=on)
        try:
            # The log row is written first, in a savepoint: a concurrent run that got there
            # first makes it fail on the unique constraint, and we do not send. A failed send
            # rolls the row back, so the next run tries again.
            with transaction.atomic():
                ReminderLog.objects.create(
                    person=reminder.person, sent_on=on, action_count=len(reminder.actions)
                )
                message.send()
        except IntegrityError:
            reminder.already_reminded = True
        except (OSError, ValueError) as exc:  # SMTP and socket errors; a malformed address.
            logger.exception("Reminder to person %s could not be sent", reminder.person.pk)
            reminder.error = str(exc) or exc.__class__.__name__
        else:
            reminder.sent = True
    return reminders
