import datetime
import re
from io import StringIO
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from meetings.models import Appointment, Person
from scrutiny.groups import FORCE_LEAD
from tests.factories import (
    AppointmentFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
GWENT = "Office of the Police and Crime Commissioner for Gwent"
DYFED = "Office of the Police and Crime Commissioner for Dyfed-Powys"
LINK = re.compile(r"(\S+/accounts/reset/\S+/\S+/)")


@pytest.fixture
def gwent(db):
    return OrganisationFactory(name=GWENT)


@pytest.fixture
def hospc(gwent):
    return RoleFactory(body=gwent, abbrev="HoSPC", title="Head of Strategy, Performance and Change")


@pytest.fixture
def acc(gwent):
    return RoleFactory(body=gwent, abbrev="ACC", title="Assistant Chief Constable")


def grant(*args: str) -> str:
    out = StringIO()
    call_command("grant_role", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_onboards_a_new_force_lead(client, hospc):
    out = grant(
        "eackland",
        "HoSPC",
        "--from",
        "2024-04-01",
        "--email",
        "e.ackland@example.org",
        "--name",
        "Mrs E Ackland",
    )

    user = User.objects.get(username="eackland")
    assert user.email == "e.ackland@example.org"
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [FORCE_LEAD]
    person = Person.objects.get(name="Mrs E Ackland")
    assert person.body == hospc.body
    assert person.user == user
    assert person.email == "e.ackland@example.org"
    appointment = Appointment.objects.get(person=person)
    assert appointment.role == hospc
    assert appointment.start_on == datetime.date(2024, 4, 1)
    assert appointment.end_on is None
    assert appointment.kind == Appointment.Kind.SUBSTANTIVE

    assert "Account eackland: created, with no password yet." in out
    assert f"Person Mrs E Ackland ({GWENT}): created." in out
    assert "Group Force lead: added." in out
    assert "Appointment: Mrs E Ackland holds HoSPC (substantive) from 1 April 2024: created." in out
    link = LINK.search(out).group(1)
    assert link.startswith(f"{settings.SITE_URL}/accounts/reset/")

    # The link works: the new force lead chooses a password and signs in with it.
    path = urlsplit(link).path
    form = client.get(path, follow=True)
    assert form.status_code == 200
    assert b"new_password1" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long pass phrase 42", "new_password2": "a long pass phrase 42"},
    )
    assert done.status_code == 302
    signed_in = client.post(
        "/accounts/login/", {"username": "eackland", "password": "a long pass phrase 42"}
    )
    assert signed_in.status_code == 302
    assert client.get("/actions/mine/").status_code == 200


def test_running_twice_changes_nothing(hospc):
    args = ["eackland", "HoSPC", "--from", "2024-04-01", "--email", "e@example.org"]
    args += ["--name", "Mrs E Ackland"]
    grant(*args)
    counts = (User.objects.count(), Person.objects.count(), Appointment.objects.count())

    out = grant(*args)

    assert (User.objects.count(), Person.objects.count(), Appointment.objects.count()) == counts
    assert "Account eackland: found." in out
    assert f"Person Mrs E Ackland ({GWENT}): found, already linked to the account." in out
    assert "Group Force lead: already a member." in out
    assert (
        "Appointment: Mrs E Ackland already holds HoSPC on 1 April 2024 "
        "(substantive, from 1 April 2024); nothing changed." in out
    )
    assert "created" not in out


def test_from_defaults_to_today_and_acting(hospc):
    london = ZoneInfo("Europe/London")
    # Just after midnight in London is still the day before in UTC: today is London's.
    with time_machine.travel(datetime.datetime(2024, 6, 3, 0, 30, tzinfo=london), tick=False):
        out = grant("deputy", "HoSPC", "--acting", "--email", "deputy@example.org")

    appointment = Appointment.objects.get()
    assert appointment.start_on == datetime.date(2024, 6, 3)
    assert appointment.kind == Appointment.Kind.ACTING
    assert "holds HoSPC (acting) from 3 June 2024: created." in out


def test_an_appointment_covering_the_day_is_kept(hospc):
    person = PersonFactory(body=hospc.body, name="Mrs E Ackland", user=UserFactory(username="ea"))
    AppointmentFactory(person=person, role=hospc, start_on=datetime.date(2018, 1, 1))

    out = grant("ea", "HoSPC", "--from", "2024-04-01")

    assert Appointment.objects.count() == 1
    assert "already holds HoSPC on 1 April 2024 (substantive, from 1 January 2018)" in out


def test_an_appointment_that_ended_does_not_cover_a_new_one(hospc):
    person = PersonFactory(body=hospc.body, name="Mrs E Ackland", user=UserFactory(username="ea"))
    AppointmentFactory(
        person=person,
        role=hospc,
        start_on=datetime.date(2018, 1, 1),
        end_on=datetime.date(2019, 12, 31),
    )

    grant("ea", "HoSPC", "--from", "2024-04-01")

    assert [a.start_on for a in Appointment.objects.order_by("start_on")] == [
        datetime.date(2018, 1, 1),
        datetime.date(2024, 4, 1),
    ]


def test_existing_user_keeps_their_linked_person_and_password(acc, hospc):
    user = UserFactory(username="pkelly", email="p.kelly@example.org")
    person = PersonFactory(body=hospc.body, name="Mrs P Kelly", user=user)
    AppointmentFactory(person=person, role=hospc)

    out = grant("pkelly", "ACC", "--from", "2024-04-01")

    assert Person.objects.count() == 1
    assert set(person.appointments.values_list("role__abbrev", flat=True)) == {"HoSPC", "ACC"}
    person.refresh_from_db()
    assert person.email == "p.kelly@example.org"
    assert user.groups.filter(name=FORCE_LEAD).exists()
    assert f"Person Mrs P Kelly ({GWENT}): found, already linked to the account." in out
    assert "Account pkelly: found." in out
    assert "/accounts/reset/" not in out  # They already have a password.


def test_existing_user_email_is_changed_and_reported(hospc):
    UserFactory(username="pkelly", email="old@example.org")

    out = grant("pkelly", "HoSPC", "--email", "new@example.org", "--name", "Mrs P Kelly")

    assert User.objects.get(username="pkelly").email == "new@example.org"
    assert Person.objects.get(name="Mrs P Kelly").email == "new@example.org"
    assert "email changed from old@example.org to new@example.org" in out


def test_a_person_already_in_the_record_is_found_by_name_and_linked(hospc):
    printed = PersonFactory(body=hospc.body, name="Mrs E Ackland")

    out = grant("ea", "HoSPC", "--name", "Mrs E Ackland", "--email", "ea@example.org")

    printed.refresh_from_db()
    assert Person.objects.count() == 1
    assert printed.user.username == "ea"
    assert printed.email == "ea@example.org"
    assert f"Person Mrs E Ackland ({GWENT}): found." in out
    assert "Person Mrs E Ackland: linked to the account ea." in out


def test_a_new_person_is_named_from_the_full_name_or_else_the_username(hospc, acc):
    UserFactory(username="emma", first_name="Emma", last_name="Ackland")
    grant("emma", "HoSPC")
    grant("nobody", "ACC")

    assert Person.objects.get(user__username="emma").name == "Emma Ackland"
    assert Person.objects.get(user__username="nobody").name == "nobody"


def test_unknown_abbrev_lists_the_known_posts(hospc, acc):
    with pytest.raises(CommandError) as error:
        grant("ea", "DCC")

    message = str(error.value)
    assert "There is no post 'DCC'" in message
    assert f"{GWENT}: ACC, HoSPC" in message
    assert not User.objects.exists()


def test_unknown_abbrev_in_the_named_body_lists_that_bodys_posts(hospc, acc):
    dyfed = OrganisationFactory(name=DYFED)
    RoleFactory(body=dyfed, abbrev="DCC")

    with pytest.raises(CommandError) as error:
        grant("ea", "DCC", "--body", GWENT)

    assert str(error.value) == f"There is no post 'DCC' in {GWENT}. Its posts are: ACC, HoSPC."


def test_ambiguous_abbrev_needs_body(hospc):
    dyfed = OrganisationFactory(name=DYFED)
    theirs = RoleFactory(body=dyfed, abbrev="HoSPC")

    with pytest.raises(CommandError) as error:
        grant("ea", "HoSPC")

    message = str(error.value)
    assert f"More than one body has a post 'HoSPC': {DYFED}; {GWENT}." in message
    assert "--body" in message
    assert not User.objects.exists()

    grant("ea", "HoSPC", "--body", DYFED)
    person = Person.objects.get(user__username="ea")
    assert person.body == dyfed
    assert person.appointments.get().role == theirs


def test_unknown_body_is_an_error(hospc):
    with pytest.raises(CommandError, match="--body: there is no body called 'Nowhere'"):
        grant("ea", "HoSPC", "--body", "Nowhere")


@pytest.mark.parametrize("value", ["2024-13-01", "1/4/2024", "tomorrow"])
def test_bad_from_date_names_the_option(hospc, value):
    with pytest.raises(CommandError) as error:
        grant("ea", "HoSPC", "--from", value)

    assert str(error.value).startswith(f"--from: '{value}' is not a date")
    assert not User.objects.exists()


def test_bad_email_names_the_option(hospc):
    with pytest.raises(CommandError, match="--email: 'not-an-address' is not an email address"):
        grant("ea", "HoSPC", "--email", "not-an-address")


def test_a_person_linked_to_another_account_is_refused_and_nothing_is_written(hospc):
    PersonFactory(body=hospc.body, name="Mrs E Ackland", user=UserFactory(username="other"))

    with pytest.raises(CommandError) as error:
        grant("ea", "HoSPC", "--name", "Mrs E Ackland")

    assert "Mrs E Ackland is already linked to another account, other." in str(error.value)
    # All in one transaction: the account created before the refusal is gone.
    assert not User.objects.filter(username="ea").exists()
    assert not Appointment.objects.exists()


def test_a_user_linked_to_a_person_of_another_body_is_refused(hospc):
    dyfed = OrganisationFactory(name=DYFED)
    PersonFactory(body=dyfed, name="Mr D Jones", user=UserFactory(username="dj"))

    with pytest.raises(CommandError) as error:
        grant("dj", "HoSPC")

    assert str(error.value) == (
        f"dj is Mr D Jones in the records of {DYFED}, but HoSPC is a post of {GWENT}."
    )


def test_another_holder_of_the_post_is_noted(hospc):
    AppointmentFactory(person=PersonFactory(body=hospc.body, name="Mr A Holder"), role=hospc)

    out = grant("deputy", "HoSPC", "--acting", "--from", "2024-04-01")

    assert "Note: Mr A Holder also holds HoSPC on 1 April 2024 (substantive)." in out
    assert Appointment.objects.count() == 2


def test_bad_username_is_an_error(hospc):
    with pytest.raises(CommandError, match="Cannot create the account 'no spaces please'"):
        grant("no spaces please", "HoSPC")


def test_the_password_link_uses_the_address_the_server_runs_on(hospc, settings):
    settings.SITE_URL = "https://scrutiny.opcc.example/"

    out = grant("eackland", "HoSPC", "--email", "e.ackland@example.org", "--name", "Mrs E Ackland")

    assert LINK.search(out).group(1).startswith("https://scrutiny.opcc.example/accounts/reset/")
