"""Reminders that miss no one: what nobody could be reminded of is reported and the board's
clerks are told; each board's clerks get a weekly digest; everyone reads their own language."""

import datetime
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from actions.models import ActionStatus, ClerkNoticeLog, ReminderLog
from actions.reminders import reminders_run
from scrutiny.groups import CLERK, ensure_groups
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

ON = datetime.date(2020, 3, 10)  # a Tuesday
MONDAY = datetime.date(2020, 3, 9)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("send_action_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def clerk_user(username, *, body=None, email=None, language="en"):
    user = UserFactory(username=username, email=email or f"{username}@opcc.example")
    user.groups.add(ensure_groups()[CLERK])
    if body is not None:
        PersonFactory(body=body, name=f"Clerk {username}", user=user, language=language)
    return user


@pytest.fixture
def dyfed():
    return OrganisationFactory(name="Office of the Police and Crime Commissioner for Dyfed-Powys")


@pytest.fixture
def gwent():
    return OrganisationFactory(name="Office of the Police and Crime Commissioner for Gwent")


@pytest.fixture
def ppb(dyfed):
    return BoardFactory(body=dyfed, name="Policing Performance Board", action_prefix="PPB")


def owned(board, number, due_on, *owners, status=ActionStatus.OPEN, text=None):
    created = ActionFactory(
        board=board, number=number, text=text or f"Action {number}", due_on=due_on, status=status
    )
    for position, owner in enumerate(owners):
        if owner.__class__.__name__ == "Role":
            ActionOwnerFactory(action=created, role=owner, position=position)
        else:
            ActionOwnerFactory(action=created, role=None, person=owner, position=position)
    return created


@pytest.fixture
def unreachable(ppb, dyfed):
    """Four actions nobody can be reminded of, one that reaches its owner."""
    cc = RoleFactory(body=dyfed, abbrev="CC", title="Chief Constable")
    dcc = RoleFactory(body=dyfed, abbrev="T/DCC", title="Temporary Deputy Chief Constable")
    langley = PersonFactory(body=dyfed, name="T/DCC Carl Langley", email="c.langley@example.org")
    AppointmentFactory(
        person=langley,
        role=dcc,
        start_on=datetime.date(2013, 1, 1),
        end_on=datetime.date(2019, 12, 31),
    )
    no_email = PersonFactory(body=dyfed, name="Mr D Llewelyn", email="")
    kelly = PersonFactory(body=dyfed, name="T/ACC Pam Kelly", email="p.kelly@example.org")
    return {
        "no holder": owned(ppb, 64, datetime.date(2019, 3, 31), cc, text="Raise IDVA provision"),
        "ended": owned(ppb, 50, datetime.date(2020, 1, 31), dcc, text="Publish PSD data"),
        "no email": owned(ppb, 67, datetime.date(2020, 3, 12), no_email),
        "no owner": owned(ppb, 71, datetime.date(2020, 3, 1)),
        "reached": owned(ppb, 66, datetime.date(2020, 3, 1), kelly),
    }


def test_a_run_reports_every_action_nobody_could_be_reminded_of_and_why(unreachable):
    out, err = run("--on", "2020-03-10")

    assert (
        "Not sent to anyone: PPB 64 (Policing Performance Board), due 31 March 2019: "
        "nobody holds CC." in out
    )
    assert (
        "Not sent to anyone: PPB 50 (Policing Performance Board), due 31 January 2020: the "
        "appointment of T/DCC Carl Langley as T/DCC ended on 31 December 2019." in out
    )
    assert (
        "PPB 67 (Policing Performance Board), due 12 March 2020: Mr D Llewelyn has no email" in out
    )
    assert "PPB 71 (Policing Performance Board), due 1 March 2020: no owner is named." in out
    assert "PPB 66" not in out
    # Without a clerk to tell, the run says so rather than dropping the list.
    assert "No clerk to tell about Policing Performance Board" in err
    assert [m.to for m in mail.outbox] == [["p.kelly@example.org"]]


def test_the_clerks_of_the_board_receive_the_list_once_a_day(unreachable, dyfed, gwent):
    clerk_user("carys", body=dyfed)
    clerk_user("gwent-clerk", body=gwent)  # another body's clerk: not told

    out, _err = run("--on", "2020-03-10")

    notices = [m for m in mail.outbox if m.to == ["carys@opcc.example"]]
    assert [m.to for m in mail.outbox if m not in notices] == [["p.kelly@example.org"]]
    [notice] = notices
    assert notice.subject == (
        "Scrutiny: 4 actions of Policing Performance Board could not be sent to anyone"
    )
    assert "PPB 64, overdue since 31 March 2019: Raise IDVA provision" in notice.body
    assert "  Not sent because nobody holds CC." in notice.body
    assert "the appointment of T/DCC Carl Langley as T/DCC ended on 31 December 2019" in notice.body
    assert "PPB 67, due 12 March 2020" in notice.body
    assert "Not sent because no owner is named." in notice.body
    assert "PPB 66" not in notice.body
    [(html, _mime)] = notice.alternatives
    assert f'href="http://127.0.0.1:8000{unreachable["no holder"].get_absolute_url()}"' in html
    assert "could not be sent to anyone: to carys@opcc.example, sent." in out
    assert ClerkNoticeLog.objects.get().action_count == 4

    mail.outbox.clear()
    again, _err = run("--on", "2020-03-10")
    assert mail.outbox == []
    assert "to carys@opcc.example, already sent that day." in again
    assert "Not sent to anyone: PPB 64" in again  # still reported on every run


def test_a_body_without_its_own_clerk_is_told_through_every_clerk(unreachable, gwent):
    clerk_user("gwent-clerk", body=gwent)
    clerk_user("unlinked")  # a clerk with no person in the record

    run("--on", "2020-03-10")

    told = sorted(m.to[0] for m in mail.outbox if "could not be sent" in m.subject)
    assert told == ["gwent-clerk@opcc.example", "unlinked@opcc.example"]


def test_the_weekly_digest_goes_to_each_boards_clerks_on_mondays(ppb, dyfed):
    clerk_user("carys", body=dyfed)
    kelly = PersonFactory(body=dyfed, name="T/ACC Pam Kelly", email="p.kelly@example.org")
    owned(ppb, 60, datetime.date(2020, 2, 1), kelly, text="Late one")
    owned(ppb, 61, datetime.date(2020, 3, 12), kelly, text="Due this week")
    owned(ppb, 62, None, kelly, status=ActionStatus.COMPLETED, text="Reported done")
    owned(ppb, 63, datetime.date(2020, 6, 1), text="Nobody's")
    owned(ppb, 64, datetime.date(2020, 6, 1), kelly, text="Not yet in view")

    run("--on", ON.isoformat())  # Tuesday: no digest
    assert not any("the week's actions" in m.subject for m in mail.outbox)

    mail.outbox.clear()
    run("--on", MONDAY.isoformat())
    [digest] = [m for m in mail.outbox if m.subject.startswith("Scrutiny: the week's actions")]
    assert digest.to == ["carys@opcc.example"]
    assert digest.subject == "Scrutiny: the week's actions of Policing Performance Board"
    body = digest.body
    assert body.index("Overdue") < body.index("PPB 60, overdue since 1 February 2020: Late one")
    assert "PPB 61, due 12 March 2020: Due this week" in body
    assert body.index("Reported complete, awaiting acceptance") < body.index(
        "PPB 62: Reported done"
    )
    assert body.index("No named owner") < body.index("PPB 63: Nobody's")
    assert "PPB 64" not in body

    mail.outbox.clear()
    run("--on", MONDAY.isoformat())
    assert mail.outbox == []
    out, _err = run("--on", ON.isoformat(), "--digest", "--dry-run")
    assert (
        "Scrutiny: the week's actions of Policing Performance Board: "
        "to carys@opcc.example, would be sent." in out
    )


def test_each_person_reads_their_reminder_in_their_language(ppb, dyfed):
    welsh = PersonFactory(
        body=dyfed, name="Mrs G Jones", email="g.jones@example.org", language="cy"
    )
    english = PersonFactory(body=dyfed, name="Mr T Burton", email="t.burton@example.org")
    owned(ppb, 60, datetime.date(2020, 3, 3), welsh)
    owned(ppb, 61, datetime.date(2020, 3, 3), english)

    run("--on", "2020-03-10")

    by_address = {m.to[0]: m for m in mail.outbox}
    cy, en = by_address["g.jones@example.org"], by_address["t.burton@example.org"]
    assert "3 Mawrth 2020" in cy.body  # the month as Welsh writes it
    assert '<html lang="cy">' in cy.alternatives[0][0]
    assert "3 March 2020" in en.body
    assert '<html lang="en">' in en.alternatives[0][0]


def test_a_welsh_reader_gets_the_actions_and_board_in_welsh_where_they_exist(ppb, dyfed):
    ppb.name_cy = "Bwrdd Perfformiad Plismona"
    ppb.save()
    welsh = PersonFactory(
        body=dyfed, name="Mrs G Jones", email="g.jones@example.org", language="cy"
    )
    english = PersonFactory(body=dyfed, name="Mr T Burton", email="t.burton@example.org")
    action = owned(ppb, 60, datetime.date(2020, 3, 3), welsh, english, text="Review custody")
    action.text_cy = "Adolygu'r ddalfa"
    action.save()
    owned(ppb, 61, datetime.date(2020, 3, 3), welsh, text="Only in English")

    run("--on", "2020-03-10")

    by_address = {m.to[0]: m for m in mail.outbox}
    cy, en = by_address["g.jones@example.org"], by_address["t.burton@example.org"]
    for text in (cy.body, cy.alternatives[0][0]):
        assert "Adolygu'r ddalfa" in text.replace("&#x27;", "'")
        assert "Bwrdd Perfformiad Plismona" in text
        assert "Only in English" in text  # no Welsh yet: the English, not nothing
    assert "Review custody" in en.body
    assert "Policing Performance Board" in en.body


def test_clerks_read_the_notice_in_their_language(unreachable, dyfed):
    clerk_user("cymraeg", body=dyfed, language="cy")

    run("--on", "2020-03-10")

    [notice] = [m for m in mail.outbox if m.to == ["cymraeg@opcc.example"]]
    assert "31 Mawrth 2019" in notice.body
    assert '<html lang="cy">' in notice.alternatives[0][0]


@pytest.mark.postgres
def test_concurrent_runs_send_each_email_once(require_postgres, unreachable, dyfed):
    clerk_user("carys", body=dyfed)
    start = threading.Barrier(4)
    errors = []

    def one_run():
        try:
            start.wait(timeout=30)
            reminders_run(on=ON, digest=True)
        except Exception as exc:  # every failure is reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=one_run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == [
        "carys@opcc.example",  # the actions nobody could be reminded of
        "carys@opcc.example",  # the digest
        "p.kelly@example.org",
    ]
    assert ReminderLog.objects.count() == 1
    assert ClerkNoticeLog.objects.count() == 2


def test_email_links_use_the_address_the_server_runs_on(unreachable, dyfed, settings):
    settings.SITE_URL = "https://scrutiny.opcc.example"
    clerk_user("carys", body=dyfed)

    run("--on", "2020-03-10")

    by_address = {m.to[0]: m for m in mail.outbox}
    reminder, notice = by_address["p.kelly@example.org"], by_address["carys@opcc.example"]
    assert "https://scrutiny.opcc.example/actions/mine/" in reminder.body
    assert "https://scrutiny.opcc.example/actions/\n" in notice.body
    assert "127.0.0.1" not in reminder.alternatives[0][0] + notice.alternatives[0][0]
