"""Bodies, boards, posts, people and accounts are found or created through services, which
complete what is recorded without overwriting it and refuse what clashes."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Board, Person, Role
from meetings.reference import (
    board_ensure,
    board_membership_ensure,
    body_ensure,
    people_ensure,
    person_ensure,
    person_link_account,
    role_ensure,
    roles_ensure,
    suborganisation_ensure,
)
from meetings.services import RecordError
from scrutiny.accounts import AccountError, account_ensure, account_join_group
from scrutiny.groups import FORCE_LEAD

pytestmark = pytest.mark.django_db


def test_a_body_named_in_welsh_publishes_in_welsh():
    body = body_ensure(name="Gwent OPCC")
    assert not body.welsh
    again = body_ensure(name="Gwent OPCC", name_cy="SCHTh Gwent", time_style="12h")
    assert again.pk == body.pk
    body.refresh_from_db()
    assert (body.welsh, body.name_cy, body.time_style) == (True, "SCHTh Gwent", "12h")


def test_a_board_prefix_and_name_belong_together():
    body = body_ensure(name="Gwent OPCC")
    board = board_ensure(body=body, name="Strategy Board", action_prefix="SPB")
    assert board.slug == "gwent-opcc-strategy-board"
    same = board_ensure(body=body, name="Strategy Board", action_prefix="SPB", question_label="Q")
    assert same.pk == board.pk
    assert Board.objects.get(pk=board.pk).question_label == "Q"
    with pytest.raises(RecordError, match="already has a board named") as refused:
        board_ensure(body=body, name="Strategy Board", action_prefix="XYZ")
    assert refused.value.field == "action_prefix"
    with pytest.raises(RecordError, match="belongs to the board") as refused:
        board_ensure(body=body, name="Another Board", action_prefix="SPB")
    assert refused.value.field == "name"


def test_posts_and_people_are_completed_never_overwritten():
    body = body_ensure(name="Gwent OPCC")
    occ = suborganisation_ensure(body=body, name="OCC")
    assert suborganisation_ensure(body=body, name="Gwent OPCC") == body
    Role.objects.create(body=body, abbrev="DCC", title="DCC")
    Role.objects.create(body=body, abbrev="PCC", title="Police and Crime Commissioner")
    roles = roles_ensure(
        body=body,
        roles=[
            ("DCC", "Deputy Chief Constable", occ),
            ("PCC", "Commissioner", None),
            ("HoF", "Head of Finance", None),
        ],
    )
    assert {abbrev: role.title for abbrev, role in roles.items()} == {
        "DCC": "Deputy Chief Constable",  # the abbreviation as title is completed
        "PCC": "Police and Crime Commissioner",  # a real title is kept
        "HoF": "Head of Finance",  # created
    }
    assert Role.objects.get(abbrev="DCC").organisation == occ
    assert role_ensure(body=body, abbrev="HoF", title="Other").title == "Head of Finance"

    with CaptureQueriesContext(connection) as queries:
        people = people_ensure(
            body=body, people=[(f"Person {n}", occ if n % 2 else None) for n in range(20)]
        )
    assert len(people) == 20
    assert len(queries) <= 4
    plain = person_ensure(body=body, name="Person 0", organisation=occ)
    assert plain.pk == people["Person 0"].pk
    assert Person.objects.get(pk=plain.pk).organisation == occ


def test_posts_and_people_already_in_a_group_are_found_in_one_query_however_many():
    """Finding posts and people recorded with a group (as every import of a body's next
    meeting does) reads the rows once, not each one's group as well."""
    body = body_ensure(name="Gwent OPCC")
    occ = suborganisation_ensure(body=body, name="OCC")

    def statements(count: int) -> int:
        roles = [(f"R{count}-{n}", f"Post {n}", occ) for n in range(count)]
        people = [(f"Person {count}-{n}", occ) for n in range(count)]
        roles_ensure(body=body, roles=roles)
        people_ensure(body=body, people=people)
        with CaptureQueriesContext(connection) as queries:
            found = roles_ensure(body=body, roles=roles)
            found_people = people_ensure(body=body, people=people)
        assert {role.organisation_id for role in found.values()} == {occ.pk}
        assert {person.organisation_id for person in found_people.values()} == {occ.pk}
        return len(queries)

    assert statements(8) == statements(2)


def test_a_membership_ends_after_it_starts_and_stays_in_the_body():
    import datetime

    body = body_ensure(name="Gwent OPCC")
    board = board_ensure(body=body, name="Strategy Board", action_prefix="SPB")
    person = person_ensure(body=body, name="Jane Mudd")
    with pytest.raises(RecordError, match="cannot end before it starts"):
        board_membership_ensure(
            board=board,
            person=person,
            role=None,
            start_on=datetime.date(2020, 1, 1),
            end_on=datetime.date(2019, 1, 1),
        )
    stranger = person_ensure(body=body_ensure(name="Dyfed-Powys OPCC"), name="Dafydd Llywelyn")
    with pytest.raises(RecordError, match="belongs to Dyfed-Powys OPCC"):
        board_membership_ensure(board=board, person=stranger, role=None, start_on=None, end_on=None)
    first = board_membership_ensure(
        board=board, person=person, role=None, start_on=None, end_on=None
    )
    again = board_membership_ensure(
        board=board, person=person, role=None, start_on=None, end_on=None
    )
    assert first.pk == again.pk


def test_an_account_is_linked_to_one_person_and_joins_its_group():
    body = body_ensure(name="Gwent OPCC")
    user, created, previous = account_ensure(username="lead", email="lead@example.org")
    assert created
    assert previous is None
    assert not user.has_usable_password()
    user, created, previous = account_ensure(username="lead", email="new@example.org")
    assert not created
    assert previous == "lead@example.org"
    with pytest.raises(AccountError, match="Cannot create the account"):
        account_ensure(username="not a valid name!")
    assert account_join_group(user=user, group=FORCE_LEAD)
    assert not account_join_group(user=user, group=FORCE_LEAD)
    assert list(user.groups.values_list("name", flat=True)) == [FORCE_LEAD]

    mudd = person_ensure(body=body, name="Jane Mudd")
    assert person_link_account(person=mudd, user=user) == ["user", "email"]
    assert Person.objects.get(pk=mudd.pk).email == "new@example.org"
    other = person_ensure(body=body, name="Someone Else")
    with pytest.raises(RecordError, match="already linked to Jane Mudd"):
        person_link_account(person=other, user=user)
    assert get_user_model().objects.filter(username="lead").count() == 1
