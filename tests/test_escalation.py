"""Who may grant what: only superusers grant superuser status, permissions, or groups that
carry approval; clerks do not link people to accounts or change appointments (issue 10)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from meetings.models import Appointment
from scrutiny.groups import APPROVER
from tests.admin_pages import page_data, split_datetimes
from tests.factories import AppointmentFactory, PersonFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _change_user(client, user, **changes):
    url = reverse("admin:auth_user_change", args=[user.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = split_datetimes(page_data(page), "date_joined")
    return client.post(url, {**data, **changes})


def test_an_administrator_cannot_make_themselves_superuser(client, administrator):
    client.force_login(administrator)
    _change_user(client, administrator, is_superuser="on")
    administrator.refresh_from_db()
    assert not administrator.is_superuser


def test_an_administrator_cannot_grant_permissions(client, administrator):
    client.force_login(administrator)
    publish = Permission.objects.get(codename="publish_meeting")
    _change_user(client, administrator, user_permissions=[str(publish.pk)])
    assert not administrator.user_permissions.exists()
    assert (
        not type(administrator)
        .objects.get(pk=administrator.pk)
        .has_perm("meetings.publish_meeting")
    )


def test_an_administrator_cannot_join_a_group_that_approves(client, administrator):
    client.force_login(administrator)
    approvers = Group.objects.get(name=APPROVER)
    groups = [str(g.pk) for g in administrator.groups.all()] + [str(approvers.pk)]
    response = _change_user(client, administrator, groups=groups)
    assert response.status_code == 200
    assert not administrator.groups.filter(name=APPROVER).exists()


def test_an_administrator_cannot_give_a_group_more_permissions(client, administrator):
    client.force_login(administrator)
    clerks = Group.objects.get(name="Clerk")
    publish = Permission.objects.get(codename="publish_meeting")
    url = reverse("admin:auth_group_change", args=[clerks.pk])
    client.post(url, {"name": "Clerk", "permissions": [str(publish.pk)]})
    assert not clerks.permissions.filter(codename="publish_meeting").exists()
    response = client.post(
        reverse("admin:auth_group_add"), {"name": "Publishers", "permissions": [str(publish.pk)]}
    )
    assert response.status_code == 403
    assert not Group.objects.filter(name="Publishers").exists()


@pytest.mark.parametrize("target", ["superuser", "approver"])
def test_an_administrator_cannot_take_over_a_more_powerful_account(
    client, administrator, approver, target
):
    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    victim = user if target == "superuser" else approver
    client.force_login(administrator)
    password_url = reverse("admin:auth_user_password_change", args=[victim.pk])
    new = "a brand new pass phrase 9"
    response = client.post(password_url, {"password1": new, "password2": new})
    assert response.status_code == 403
    victim.refresh_from_db()
    assert not victim.check_password(new)
    response = client.post(
        reverse("admin:auth_user_change", args=[victim.pk]), {"email": "attacker@example.org"}
    )
    assert response.status_code == 403


def test_a_superuser_grants_what_administrators_cannot(admin_client, administrator):
    approvers = Group.objects.get(name=APPROVER)
    groups = [str(g.pk) for g in administrator.groups.all()] + [str(approvers.pk)]
    response = _change_user(admin_client, administrator, groups=groups)
    assert response.status_code == 302
    assert administrator.groups.filter(name=APPROVER).exists()


def test_an_administrator_still_manages_ordinary_accounts(client, administrator, clerk):
    client.force_login(administrator)
    response = _change_user(client, clerk, email="new.clerk@example.org")
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.email == "new.clerk@example.org"


def test_a_clerk_cannot_link_a_person_to_an_account(client, clerk, member):
    """Linking a person to the member's account gave it a force lead's page (issue 10)."""
    person = PersonFactory()
    AppointmentFactory(person=person, role=RoleFactory(body=person.body, abbrev="HoSPC"))
    client.force_login(clerk)
    url = reverse("admin:meetings_person_change", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    client.post(url, {**page_data(page), "user": str(member.pk)})
    person.refresh_from_db()
    assert person.user is None
    client.force_login(member)
    assert client.get(reverse("actions:action-mine")).status_code == 403


def test_a_clerk_cannot_change_appointments(client, clerk):
    appointment = AppointmentFactory()
    client.force_login(clerk)
    url = reverse("admin:meetings_appointment_change", args=[appointment.pk])
    client.post(
        url, {"person": appointment.person_id, "role": appointment.role_id, "kind": "acting"}
    )
    appointment.refresh_from_db()
    assert appointment.kind == Appointment.Kind.SUBSTANTIVE
    assert client.post(reverse("admin:meetings_appointment_add"), {}).status_code == 403


def test_an_administrator_links_people_and_appoints(client, administrator, member):
    person = PersonFactory()
    client.force_login(administrator)
    url = reverse("admin:meetings_person_change", args=[person.pk])
    page = client.get(url)
    response = client.post(url, {**page_data(page), "user": str(member.pk)})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user == member
