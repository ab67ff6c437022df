"""The reference pages (bodies, people, posts, boards) save through the reference services:
a change the record forbids is refused with the reason and what was typed, never a server
error from the database's rule (ADR 0011)."""

import pytest
from django.urls import reverse

from meetings.models import Board, Organisation, Person, Role
from tests.admin_pages import page_data
from tests.factories import (
    AttendanceFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(db):
    return OrganisationFactory(name="OPCC for Gwent"), OrganisationFactory(name="OPCC for Dyfed")


def _post_changed(client, url, **changes):
    data = page_data(client.get(url)) | {k: str(v) for k, v in changes.items()}
    return client.post(url, data)


def test_a_person_named_in_a_meeting_keeps_their_body(client, admin_user, bodies):
    gwent, dyfed = bodies
    attendance = AttendanceFactory(meeting=MeetingFactory(board=BoardFactory(body=gwent)))
    person = attendance.person
    client.force_login(admin_user)
    url = reverse("admin:meetings_person_change", args=[person.pk])
    response = _post_changed(client, url, body=dyfed.pk, email="typed.before@refusal.example")
    assert response.status_code == 200
    page = response.content.decode()
    assert "is named in the record of OPCC for Gwent" in page
    assert "typed.before@refusal.example" in page
    assert Person.objects.get(pk=person.pk).body == gwent


def test_a_post_and_a_board_named_in_the_record_keep_their_body(client, admin_user, bodies):
    gwent, dyfed = bodies
    board = BoardFactory(body=gwent)
    meeting = MeetingFactory(board=board)
    post = RoleFactory(body=gwent, abbrev="HoSPC")
    AttendanceFactory(meeting=meeting, role=post)
    client.force_login(admin_user)
    response = _post_changed(
        client, reverse("admin:meetings_role_change", args=[post.pk]), body=dyfed.pk
    )
    assert "is named in the record of OPCC for Gwent" in response.content.decode()
    assert Role.objects.get(pk=post.pk).body == gwent
    response = _post_changed(
        client, reverse("admin:meetings_board_change", args=[board.pk]), body=dyfed.pk
    )
    assert "is named in the record of OPCC for Gwent" in response.content.decode()
    assert Board.objects.get(pk=board.pk).body == gwent


def test_a_group_people_are_listed_under_keeps_its_body(client, admin_user, bodies):
    gwent, dyfed = bodies
    group = OrganisationFactory(parent=gwent, name="Gwent Police")
    AttendanceFactory(meeting=MeetingFactory(board=BoardFactory(body=gwent)), organisation=group)
    client.force_login(admin_user)
    response = _post_changed(
        client, reverse("admin:meetings_organisation_change", args=[group.pk]), parent=dyfed.pk
    )
    assert "People are listed under Gwent Police" in response.content.decode()
    assert Organisation.objects.get(pk=group.pk).parent == gwent


def test_a_post_is_not_given_to_a_person_of_another_body(client, admin_user, bodies):
    gwent, dyfed = bodies
    person = PersonFactory(body=gwent, name="Mrs E Ackland")
    their_post = RoleFactory(body=dyfed, abbrev="DPCC")
    client.force_login(admin_user)
    url = reverse("admin:meetings_person_change", args=[person.pk])
    data = page_data(client.get(url))
    prefix = next(key for key in data if key.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    data |= {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-0-role": str(their_post.pk),
        f"{prefix}-0-kind": "substantive",
        f"{prefix}-0-start_on": "2019-01-01",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Mrs E Ackland belongs to OPCC for Gwent, not to OPCC for Dyfed." in (
        response.content.decode()
    )
    assert not person.appointments.exists()


def test_a_person_added_on_the_page_is_saved_by_the_service(client, admin_user, bodies):
    gwent, _dyfed = bodies
    client.force_login(admin_user)
    url = reverse("admin:meetings_person_add")
    data = page_data(client.get(url)) | {"body": str(gwent.pk), "name": "Mr J Smith"}
    response = client.post(url, data)
    assert response.status_code == 302
    person = Person.objects.get(name="Mr J Smith")
    assert person.body == gwent
    assert person.history.get().history_user == admin_user
