import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions import reminders as reminders_module
from actions.models import Action, ActionStatus, ReminderLog
from actions.reminders import reminders_due, reminders_send
from meetings.models import Role
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AppointmentFactory,
    BoardFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ON = datetime.date(2020, 3, 10)
MINE = f"{settings.SITE_URL}/actions/mine/"


@pytest.fixture
def body(db):
    return OrganisationFactory(name="Office of the Police and Crime Commissioner for Dyfed-Powys")


@pytest.fixture
def ppb(body):
    return BoardFactory(body=body, name="Policing Performance Board", action_prefix="PPB")


@pytest.fixture
def ackland(body):
    return PersonFactory(body=body, name="Mrs E Ackland", email="e.ackland@example.org")


@pytest.fixture
def hospc(body, ackland):
    role = RoleFactory(body=body, abbrev="HoSPC")
    AppointmentFactory(person=ackland, role=role, start_on=datetime.date(2018, 1, 1))
    return role


@pytest.fixture
def acc(body, ackland):
    role = RoleFactory(body=body, abbrev="T/ACC")
    AppointmentFactory(person=ackland, role=role, start_on=datetime.date(2019, 6, 1))
    return role


def action(board, number, text, due_on, *owners, status=ActionStatus.OPEN) -> Action:
    created = ActionFactory(board=board, number=number, text=text, due_on=due_on, status=status)
    for position, owner in enumerate(owners):
        if isinstance(owner, Role):
            ActionOwnerFactory(action=created, role=owner, position=position)
        else:
            ActionOwnerFactory(action=created, role=None, person=owner, position=position)
    return created


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_action_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def html_of(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


@pytest.fixture
def three_actions(ppb, ackland, hospc, acc):
    """One overdue action of each post Mrs Ackland holds, one due this week in person."""
    return [
        action(
            ppb,
            60,
            "Provide the hate crime research recommendations",
            datetime.date(2020, 3, 3),
            hospc,
        ),
        action(
            ppb,
            61,
            "Report on 101 call handling times",
            datetime.date(2020, 3, 9),
            acc,
            status=ActionStatus.IN_PROGRESS,
        ),
        action(ppb, 62, "Circulate the custody audit", datetime.date(2020, 3, 17), ackland),
    ]


def test_one_email_lists_actions_of_both_posts_and_those_owned_in_person(three_actions):
    out = run("--on", "2020-03-10")

    assert len(mail.outbox) == 1
    [message] = mail.outbox
    assert message.to == ["e.ackland@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Scrutiny: 2 overdue actions, 1 due this week"
    assert message.body == (
        "Dear Mrs E Ackland,\n"
        "\n"
        "You own 2 overdue actions and 1 action due in the next seven days.\n"
        "\n"
        "Overdue\n"
        "\n"
        "- PPB 60 (Policing Performance Board), overdue since 3 March 2020:\n"
        "  Provide the hate crime research recommendations\n"
        "\n"
        "- PPB 61 (Policing Performance Board), overdue since 9 March 2020:\n"
        "  Report on 101 call handling times\n"
        "\n"
        "Due in the next seven days\n"
        "\n"
        "- PPB 62 (Policing Performance Board), due 17 March 2020:\n"
        "  Circulate the custody audit\n"
        "\n"
        "Report progress, or tell the OPCC that an action is complete, at:\n"
        f"{MINE}\n"
        "\n"
        "Scrutiny\n"
        "Office of the Police and Crime Commissioner for Dyfed-Powys\n"
        "\n"
        "You receive at most one of these reminders a day, while you own actions that are "
        "overdue or due within a week.\n"
    )
    html = html_of(message)
    for ref, text in [
        ("PPB 60", "Provide the hate crime research recommendations"),
        ("PPB 61", "Report on 101 call handling times"),
        ("PPB 62", "Circulate the custody audit"),
    ]:
        assert f">{ref}</a>" in html
        assert text in html
    assert "Overdue since 3 March 2020" in html
    assert "Due 17 March 2020" in html
    assert f'<a href="{MINE}"' in html
    assert f'href="{settings.SITE_URL}{three_actions[0].get_absolute_url()}"' in html
    assert "Policing Performance Board" in html
    assert "Dear Mrs E Ackland," in html
    assert "<link" not in html  # Inline styles only: mail clients drop external CSS.
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"

    log = ReminderLog.objects.get()
    assert (log.person.name, log.sent_on, log.action_count) == ("Mrs E Ackland", ON, 3)
    assert "Reminders for 10 March 2020: 1 email sent; 0 people skipped" in out


def test_an_action_owned_by_two_of_their_posts_is_listed_once(ppb, hospc, acc, ackland):
    action(ppb, 70, "Joint action", datetime.date(2020, 3, 1), hospc, acc, ackland)

    [reminder] = reminders_due(on=ON)

    assert [a.ref for a in reminder.overdue] == ["PPB 70"]
    assert reminder.subject == "Scrutiny: 1 overdue action"


def test_an_action_of_a_post_no_longer_held_that_day_is_not_listed(ppb, body, ackland, hospc):
    former = RoleFactory(body=body, abbrev="DCC")
    AppointmentFactory(
        person=ackland,
        role=former,
        start_on=datetime.date(2018, 1, 1),
        end_on=datetime.date(2020, 3, 9),
    )
    successor = PersonFactory(body=body, name="Mr J Successor", email="j@example.org")
    AppointmentFactory(person=successor, role=former, start_on=datetime.date(2020, 3, 10))
    action(ppb, 80, "Action of the former post", datetime.date(2020, 3, 1), former)
    action(ppb, 81, "Action of the post still held", datetime.date(2020, 3, 12), hospc)

    run("--on", "2020-03-10")

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"e.ackland@example.org", "j@example.org"}
    assert "PPB 81" in by_address["e.ackland@example.org"].body
    assert "PPB 80" not in by_address["e.ackland@example.org"].body
    assert "PPB 80" not in html_of(by_address["e.ackland@example.org"])
    assert "PPB 80" in by_address["j@example.org"].body
    assert by_address["e.ackland@example.org"].subject == "Scrutiny: 1 action due this week"


def test_only_open_or_in_progress_actions_overdue_or_due_within_seven_days(ppb, hospc):
    listed = [
        action(ppb, 1, "Overdue long ago", datetime.date(2018, 1, 1), hospc),
        action(ppb, 2, "Due today", ON, hospc, status=ActionStatus.IN_PROGRESS),
        action(ppb, 3, "Due in seven days", ON + datetime.timedelta(days=7), hospc),
    ]
    for number, status in enumerate(
        [ActionStatus.COMPLETED, ActionStatus.CLOSED, ActionStatus.WITHDRAWN], start=10
    ):
        action(
            ppb, number, f"Not listed: {status}", datetime.date(2020, 3, 1), hospc, status=status
        )
    action(ppb, 20, "Not listed: due in eight days", ON + datetime.timedelta(days=8), hospc)
    action(ppb, 21, "Not listed: no due date", None, hospc)

    run("--on", "2020-03-10")

    [message] = mail.outbox
    html = html_of(message)
    for listed_action in listed:
        assert listed_action.ref in message.body
        assert listed_action.text in html
    assert "Not listed" not in message.body
    assert "Not listed" not in html
    assert message.subject == "Scrutiny: 1 overdue action, 2 due this week"
    assert "due 10 March 2020" in message.body  # Due today is not yet overdue.


def test_people_with_nothing_to_list_or_no_address_get_nothing(ppb, body, hospc):
    no_address = PersonFactory(body=body, name="Mr N Address", email="")
    action(ppb, 1, "Theirs", datetime.date(2020, 3, 1), no_address)
    PersonFactory(body=body, name="Mr N Actions", email="idle@example.org")

    assert reminders_due(on=ON) == []
    out = run("--on", "2020-03-10")
    assert "Reminders for 10 March 2020: 0 emails sent" in out
    # Not silently: the run says who could not be reminded, and why (see test_unreachable).
    assert "Not sent to anyone: PPB 1 (Policing Performance Board)" in out
    assert mail.outbox == []


def test_the_sign_in_accounts_address_is_used_when_the_person_has_none(ppb, body):
    user = UserFactory(username="jones", email="d.jones@example.org")
    person = PersonFactory(body=body, name="Mr D Jones", email="", user=user)
    action(ppb, 5, "In person", datetime.date(2020, 3, 12), person)

    run("--on", "2020-03-10")

    assert [m.to for m in mail.outbox] == [["d.jones@example.org"]]


def test_running_twice_a_day_sends_once_and_the_next_day_again(three_actions):
    run("--on", "2020-03-10")
    again = run("--on", "2020-03-10")

    assert len(mail.outbox) == 1
    assert ReminderLog.objects.count() == 1
    assert again == (
        "Reminders for 10 March 2020: 0 emails sent; 1 person skipped, already reminded that day.\n"
    )

    next_day = run("--on", "2020-03-11")

    assert len(mail.outbox) == 2
    assert next_day.startswith("Reminders for 11 March 2020: 1 email sent; 0 people skipped")
    assert sorted(ReminderLog.objects.values_list("sent_on", flat=True)) == [
        ON,
        datetime.date(2020, 3, 11),
    ]


def test_today_is_londons_date(three_actions):
    london = ZoneInfo("Europe/London")
    with time_machine.travel(datetime.datetime(2020, 3, 10, 7, 0, tzinfo=london), tick=False):
        run()

    assert ReminderLog.objects.get().sent_on == ON


def test_dry_run_sends_and_writes_nothing_but_shows_what_would_be_sent(three_actions):
    out = run("--dry-run", "--on", "2020-03-10")

    assert mail.outbox == []
    assert not ReminderLog.objects.exists()
    assert "e.ackland@example.org (Mrs E Ackland): Scrutiny: 2 overdue actions, 1 due" in out
    assert (
        "  PPB 60, overdue since 3 March 2020: Provide the hate crime research recommendations"
        in out
    )
    assert "  PPB 61, overdue since 9 March 2020: Report on 101 call handling times" in out
    assert "  PPB 62, due 17 March 2020: Circulate the custody audit" in out
    assert out.rstrip().endswith(
        "Dry run for 10 March 2020: 1 email would be sent; "
        "0 people already reminded that day. Nothing was sent or recorded."
    )


def test_dry_run_leaves_out_those_already_reminded(three_actions):
    run("--on", "2020-03-10")

    out = run("--dry-run", "--on", "2020-03-10")

    assert "e.ackland@example.org" not in out
    assert "0 emails would be sent; 1 person already reminded that day." in out


def test_hostile_text_is_escaped_in_the_html(ppb, body):
    person = PersonFactory(body=body, name="Mr <b>Bold</b>", email="bold@example.org")
    action(ppb, 66, "<script>alert(1)</script>", datetime.date(2020, 3, 1), person)

    run("--on", "2020-03-10")

    [message] = mail.outbox
    html = html_of(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Dear Mr &lt;b&gt;Bold&lt;/b&gt;," in html
    # Plain text is not HTML: it shows what was typed, unescaped.
    assert "  <script>alert(1)</script>\n" in message.body
    assert "Dear Mr <b>Bold</b>," in message.body


def test_a_concurrent_run_that_sent_first_wins(three_actions, ackland, monkeypatch):
    real_message = reminders_module.reminder_message

    def other_run_sends_meanwhile(**kwargs):
        ReminderLog.objects.create(person=ackland, sent_on=ON, action_count=3)
        return real_message(**kwargs)

    monkeypatch.setattr(reminders_module, "reminder_message", other_run_sends_meanwhile)

    [reminder] = reminders_send(on=ON)

    assert reminder.already_reminded
    assert not reminder.sent
    assert mail.outbox == []
    assert ReminderLog.objects.count() == 1


def test_a_failed_send_is_reported_and_retried_next_run(three_actions, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(CommandError, match="1 reminder could not be sent"):
        run("--on", "2020-03-10")
    assert not ReminderLog.objects.exists()

    monkeypatch.undo()
    run("--on", "2020-03-10")
    assert len(mail.outbox) == 1
    assert ReminderLog.objects.count() == 1


def test_bad_on_date_names_the_option(db):
    with pytest.raises(CommandError, match=r"^--on: '2020-02-30' is not a date"):
        run("--on", "2020-02-30")


def test_reminders_due_agrees_with_owned_by(three_actions, ppb, body, hospc):
    other = PersonFactory(body=body, name="Mr O Ther", email="o@example.org")
    AppointmentFactory(person=other, role=hospc, start_on=datetime.date(2020, 1, 1), kind="acting")
    action(ppb, 90, "Shared", datetime.date(2020, 3, 14), hospc, other)

    reminders = reminders_due(on=ON)

    assert [r.person.name for r in reminders] == ["Mr O Ther", "Mrs E Ackland"]
    for reminder in reminders:
        expected = Action.objects.owned_by(reminder.person, on=ON).filter(
            status__in=(ActionStatus.OPEN, ActionStatus.IN_PROGRESS),
            due_on__lte=ON + datetime.timedelta(days=7),
        )
        assert {a.pk for a in reminder.actions} == set(expected.values_list("pk", flat=True))
        assert {a.pk for a in reminder.overdue} == set(
            expected.overdue(ON).values_list("pk", flat=True)
        )


@pytest.mark.parametrize("count", [3, 30])
def test_reminders_due_queries_do_not_grow_with_actions(count, ppb, body, hospc, acc, ackland):
    others = [
        PersonFactory(body=body, name=f"Person {n}", user=UserFactory(username=f"p{n}"))
        for n in range(3)
    ]
    owners = [hospc, acc, ackland, *others]
    for number in range(1, count + 1):
        due = ON + datetime.timedelta(days=number % 10 - 5)
        action(ppb, number, f"Action {number}", due, owners[number % len(owners)])

    with CaptureQueriesContext(connection) as queries:
        reminders = reminders_due(on=ON)
        # Everything the email shows is already loaded.
        shown = [
            (r.email, r.person.name, r.person.body.name, a.ref, a.board.name, a.text, a.due_on)
            for r in reminders
            for a in r.actions
        ]

    # One query finds the people, then one per person (Action.objects.owned_by).
    assert len(queries.captured_queries) == 1 + len(reminders)
    assert len(shown) == sum(1 for n in range(1, count + 1) if n % 10 - 5 <= 7)
