"""Reminder emails to the owners of overdue actions and of actions due within a week."""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.models import (
    OUTSTANDING,
    Action,
    ActionOwner,
    ActionStatus,
    ClerkNoticeLog,
    ReminderLog,
)
from meetings.models import Appointment, Board, Person
from scrutiny.groups import CLERK
from scrutiny.languages import in_language

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


def _candidates(on: datetime.date):
    """The actions reminders are about on a day: open or in progress, due within the week."""
    return Action.objects.filter(
        status__in=REMINDED_STATUSES,
        due_on__isnull=False,
        due_on__lte=on + datetime.timedelta(days=DUE_SOON_DAYS),
    )


def reminders_due(*, on: datetime.date) -> list[Reminder]:
    """Who should be reminded on a day, of which actions; reads only.

    An action is listed when it is open or in progress and either overdue (due before the day)
    or due within the week (the day to seven days after it). Whose action it is comes from
    ``Action.objects.owned_by``, the one definition: its owners in person, and whoever holds,
    on that day, a post that owns it. One query finds the people, then one per person.
    """
    candidates = _candidates(on)
    owners = ActionOwner.objects.filter(action__in=candidates.values("pk"))
    holders = Appointment.objects.current(on).filter(role__in=owners.values("role"))
    people = (
        Person.objects.filter(
            Q(pk__in=owners.values("person")) | Q(pk__in=holders.values("person"))
        )
        .select_related("user", "body")
        .order_by("name", "pk")
    )
    reminders = []
    for person in people:
        email = _email_of(person)
        if not email:
            continue  # reported with the actions nobody could be reminded of
        reminder = Reminder(person=person, email=email)
        actions = (
            Action.objects.owned_by(person, on=on)
            .filter(pk__in=candidates.values("pk"))
            .select_related("board")
            .order_by("due_on", "board__action_prefix", "number")
        )
        for action in actions:
            (reminder.overdue if action.due_on < on else reminder.due_soon).append(action)
        if reminder.actions:
            reminders.append(reminder)
    return reminders


def _site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def _email(*, language: str, template: str, to: str, subject, context: dict):
    """An email in the reader's language: plain text with an HTML alternative, links built
    from SITE_URL. `subject` is called inside the language, so that it is translated too."""
    with translation.override(language or settings.LANGUAGE_CODE):
        site_url = _site_url()
        context = {**context, "site_url": site_url}
        message = EmailMultiAlternatives(
            subject=subject(),
            body=render_to_string(f"{template}.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            # RFC 3834: tells out-of-office responders not to answer a robot.
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def reminder_message(*, reminder: Reminder, on: datetime.date) -> EmailMultiAlternatives:
    """The email of one reminder, in the person's language."""
    return _email(
        language=reminder.person.language,
        template="actions/email/reminder",
        to=reminder.email,
        subject=lambda: reminder.subject,
        context={
            "reminder": reminder,
            "person": reminder.person,
            "overdue": reminder.overdue,
            "due_soon": reminder.due_soon,
            "on": on,
            "mine_url": _site_url() + reverse("actions:action-mine"),
        },
    )


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
        reminder.sent, reminder.already_reminded, reminder.error = _send_once(
            message=reminder_message(reminder=reminder, on=on),
            log=ReminderLog(person=reminder.person, sent_on=on, action_count=len(reminder.actions)),
        )
    return reminders


# What nobody could be reminded of, and the clerks who are told ----------------------------


@dataclass
class Unreachable:
    """An action a reminder was due for that could not be sent to anyone, and why."""

    action: Action
    reasons: list[str]


def unreachable_actions(*, on: datetime.date, reminders: list[Reminder]) -> list[Unreachable]:
    """The actions due a reminder on the day that no reminder reaches: no owner named, a post
    nobody holds (or whose holder's appointment has ended), or owners without an email address.
    """
    reached = {action.pk for reminder in reminders for action in reminder.actions}
    actions = list(
        _candidates(on)
        .exclude(pk__in=reached)
        .select_related("board")
        .prefetch_related(
            Prefetch("owners", queryset=ActionOwner.objects.select_related("role", "person__user"))
        )
        .order_by("board__name", "due_on", "board__action_prefix", "number")
    )
    role_ids = {owner.role_id for action in actions for owner in action.owners.all()} - {None}
    holders: dict[int, list[Person]] = defaultdict(list)
    ended: dict[int, Appointment] = {}
    appointments = (
        Appointment.objects.filter(role_id__in=role_ids)
        .filter(Q(start_on__isnull=True) | Q(start_on__lte=on))
        .select_related("person__user")
        .order_by("end_on")
    )
    for appointment in appointments:
        if appointment.end_on is None or appointment.end_on >= on:
            holders[appointment.role_id].append(appointment.person)
        else:
            ended[appointment.role_id] = appointment  # the last to end, by the ordering
    result = []
    for action in actions:
        reasons = []
        for owner in action.owners.all():
            if owner.person_id:
                reasons.append(_("%(name)s has no email address") % {"name": owner.person.name})
                continue
            post = owner.role.abbrev
            if holders.get(owner.role_id):
                for person in holders[owner.role_id]:
                    reasons.append(
                        _("%(name)s (%(post)s) has no email address")
                        % {"name": person.name, "post": post}
                    )
            elif owner.role_id in ended:
                reasons.append(
                    _("the appointment of %(name)s as %(post)s ended on %(date)s")
                    % {
                        "name": ended[owner.role_id].person.name,
                        "post": post,
                        "date": date_format(ended[owner.role_id].end_on, "j F Y"),
                    }
                )
            else:
                reasons.append(_("nobody holds %(post)s") % {"post": post})
        result.append(Unreachable(action=action, reasons=reasons or [_("no owner is named")]))
    return result


@dataclass
class Clerk:
    user: object
    email: str
    language: str


def clerks_of(boards) -> dict[int, list[Clerk]]:
    """The clerks of each board: the active users of the Clerk group with an email address whose
    person in the record belongs to the board's body; when a body has none, every such clerk,
    so that no board goes untold. (Boards have no clerk of their own in the record.)"""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=CLERK)
        .exclude(email="")
        .select_related("person")
        .order_by("username")
        .distinct()
    )
    clerks = []
    for user in users:
        person = getattr(user, "person", None)
        clerks.append(
            (
                person.body_id if person else None,
                Clerk(
                    user=user,
                    email=user.email,
                    language=(person.language if person else "") or settings.LANGUAGE_CODE,
                ),
            )
        )
    result = {}
    for board in boards:
        own = [clerk for body_id, clerk in clerks if body_id == board.body_id]
        result[board.pk] = own or [clerk for _body, clerk in clerks]
    return result


@dataclass
class Digest:
    """A board's week, as its clerks read it."""

    overdue: list[Action] = field(default_factory=list)
    due_soon: list[Action] = field(default_factory=list)
    completed: list[Action] = field(default_factory=list)
    no_owner: list[Action] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len({a.pk for a in [*self.overdue, *self.due_soon, *self.completed, *self.no_owner]})


def digests_due(*, on: datetime.date) -> dict[Board, Digest]:
    """Each board's overdue actions, those due this week, those reported complete and awaiting
    acceptance, and those with no named owner; one query."""
    soon = on + datetime.timedelta(days=DUE_SOON_DAYS)
    actions = (
        Action.objects.filter(status__in=OUTSTANDING)
        .annotate(has_owner=Exists(ActionOwner.objects.filter(action=OuterRef("pk"))))
        .filter(
            Q(status=ActionStatus.COMPLETED)
            | Q(has_owner=False)
            | Q(status__in=REMINDED_STATUSES, due_on__lte=soon)
        )
        .select_related("board")
        .order_by("board__name", "due_on", "number")
    )
    digests: dict[Board, Digest] = {}
    for action in actions:
        digest = digests.setdefault(action.board, Digest())
        if action.status == ActionStatus.COMPLETED:
            digest.completed.append(action)
        elif action.due_on is not None and action.due_on < on:
            digest.overdue.append(action)
        elif action.due_on is not None and action.due_on <= soon:
            digest.due_soon.append(action)
        if not action.has_owner:
            digest.no_owner.append(action)
    return digests


@dataclass
class ClerkNotice:
    """One email to one clerk about one board: what nobody could be reminded of, or the digest."""

    board: Board
    clerk: Clerk
    kind: str
    unreachable: list[Unreachable] = field(default_factory=list)
    digest: Digest | None = None
    sent: bool = False
    already_sent: bool = False
    error: str = ""

    @property
    def action_count(self) -> int:
        return self.digest.count if self.digest else len(self.unreachable)

    @property
    def subject(self) -> str:
        """In the language active when it is read (the clerk's, as the email is built)."""
        board = in_language(self.board, "name", translation.get_language())[0]
        if self.kind == ClerkNoticeLog.Kind.DIGEST:
            return _("Scrutiny: the week's actions of %(board)s") % {"board": board}
        return ngettext(
            "Scrutiny: %(count)d action of %(board)s could not be sent to anyone",
            "Scrutiny: %(count)d actions of %(board)s could not be sent to anyone",
            len(self.unreachable),
        ) % {"count": len(self.unreachable), "board": board}


def clerk_notice_message(*, notice: ClerkNotice, on: datetime.date) -> EmailMultiAlternatives:
    """The email of one notice, in the clerk's language."""
    return _email(
        language=notice.clerk.language,
        template="actions/email/clerk_notice",
        to=notice.clerk.email,
        subject=lambda: notice.subject,
        context={
            "notice": notice,
            "board": notice.board,
            "unreachable": notice.unreachable,
            "digest": notice.digest,
            "on": on,
            "register_url": _site_url() + reverse("actions:action-list"),
        },
    )


def _send_once(*, message: EmailMultiAlternatives, log) -> tuple[bool, bool, str]:
    """Send a message once a day: (sent, already sent by another run, error).

    The log row is written first, in a savepoint: a concurrent run that got there first makes
    it fail on the unique constraint, and we do not send. A failed send rolls the row back, so
    the next run tries again.
    """
    try:
        with transaction.atomic():
            log.save()
            message.send()
    except IntegrityError:
        return False, True, ""
    except (OSError, ValueError) as exc:  # SMTP and socket errors; a malformed address.
        logger.exception("%s could not be sent", log)
        return False, False, str(exc) or exc.__class__.__name__
    return True, False, ""


@dataclass
class ReminderRun:
    """Everything one run of the reminders did, or would do on a dry run."""

    reminders: list[Reminder]
    unreachable: list[Unreachable]
    notices: list[ClerkNotice]
    untold_boards: list[Board]


def reminders_run(*, on: datetime.date, digest: bool, dry_run: bool = False) -> ReminderRun:
    """The daily run: remind each owner; tell each board's clerks of the actions nobody could
    be reminded of; and, when `digest`, send each board's clerks the week's digest. Each email
    at most once a day, however often and however concurrently it runs."""
    reminders = reminders_send(on=on, dry_run=dry_run)
    unreachable = unreachable_actions(on=on, reminders=reminders)
    by_board: dict[Board, list[Unreachable]] = defaultdict(list)
    for entry in unreachable:
        by_board[entry.action.board].append(entry)
    digests = digests_due(on=on) if digest else {}
    boards = {*by_board, *digests}
    clerks = clerks_of(boards)
    notices, untold = [], []
    for board in sorted(boards, key=lambda b: (b.name, b.pk)):
        if not clerks[board.pk]:
            untold.append(board)
            continue
        for clerk in clerks[board.pk]:
            if board in by_board:
                notices.append(
                    ClerkNotice(
                        board=board,
                        clerk=clerk,
                        kind=ClerkNoticeLog.Kind.UNREACHABLE,
                        unreachable=by_board[board],
                    )
                )
            if board in digests:
                notices.append(
                    ClerkNotice(
                        board=board,
                        clerk=clerk,
                        kind=ClerkNoticeLog.Kind.DIGEST,
                        digest=digests[board],
                    )
                )
    sent_before = set(
        ClerkNoticeLog.objects.filter(sent_on=on).values_list("board_id", "user_id", "kind")
    )
    for notice in notices:
        if (notice.board.pk, notice.clerk.user.pk, notice.kind) in sent_before:
            notice.already_sent = True
            continue
        if dry_run:
            continue
        notice.sent, notice.already_sent, notice.error = _send_once(
            message=clerk_notice_message(notice=notice, on=on),
            log=ClerkNoticeLog(
                board=notice.board,
                user=notice.clerk.user,
                kind=notice.kind,
                sent_on=on,
                action_count=notice.action_count,
            ),
        )
    return ReminderRun(
        reminders=reminders, unreachable=unreachable, notices=notices, untold_boards=untold
    )
