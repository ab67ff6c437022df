"""The register's counts by status and owner are kept by the database as actions and owners
change (actions/counts.py), so no request counts the actions again after a change."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.counts import register_counts_compact, register_counts_rebuild
from actions.models import OUTSTANDING, Action, ActionOwner, ActionStatus, RegisterCount
from actions.services import (
    action_close,
    action_create,
    action_delete,
    action_reassign,
    action_reopen,
    action_report_progress,
    action_withdraw,
)
from meetings.models import Role
from tests.factories import ActionFactory, ActionOwnerFactory, BoardFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2020, 3, 10)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EVERY_STATUS = [value for value, _label in ActionStatus.choices]


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2020, 3, 10, 12, 0), tick=False):
        yield


@pytest.fixture
def hospc(force_lead):
    return Role.objects.get(abbrev="HoSPC")


@pytest.fixture
def acc(other_force_lead):
    return Role.objects.get(abbrev="ACC")


@pytest.fixture
def board(hospc):
    return BoardFactory(body=hospc.body, name="Strategy and Performance Board", action_prefix="SPB")


def make(board, text, owners, status=ActionStatus.OPEN):
    return action_create(
        board=board, text=text, owners=owners, raised_at=None, status=status, by=None
    )


def counted_afresh(statuses, board=None) -> tuple[int, dict, dict]:
    """What the register should show, counted from the actions themselves."""
    actions = Action.objects.filter(status__in=statuses)
    owners = ActionOwner.objects.filter(action__status__in=statuses)
    if board is not None:
        actions, owners = actions.filter(board=board), owners.filter(action__board=board)
    by_status = {
        ActionStatus(status).label: n
        for status, n in actions.values_list("status").annotate(n=Count("pk")).order_by()
    }
    by_owner = sorted(
        (row["role__abbrev"] or row["person__name"], row["n"])
        for row in owners.values("role", "person", "role__abbrev", "person__name").annotate(
            n=Count("pk")
        )
    )
    return sum(by_status.values()), by_status, by_owner


def shown(client, params=None) -> tuple[int, dict, dict]:
    response = client.get(reverse("actions:action-list"), params or {})
    assert response.status_code == 200
    statuses = {label: n for label, n, _value in response.context["status_counts"]}
    owners = sorted(
        (row["role__abbrev"] or row["person__name"], row["n"])
        for row in response.context["owner_counts"]
    )
    return response.context["paginator"].count, statuses, owners


def assert_counts_right(client, board=None):
    """The register as it opens, with every status, and by board, shows what a count of the
    actions themselves gives."""
    assert shown(client) == counted_afresh(OUTSTANDING)
    assert shown(client, {"status": EVERY_STATUS}) == counted_afresh(EVERY_STATUS)
    if board is not None:
        assert shown(client, {"board": board.pk}) == counted_afresh(OUTSTANDING, board)
        closed = {"board": board.pk, "status": ["closed", "withdrawn"]}
        assert shown(client, closed) == counted_afresh(["closed", "withdrawn"], board)


def test_the_counts_follow_every_change_of_an_action_or_its_owners(
    client, clerk, board, hospc, acc
):
    client.force_login(clerk)
    other = BoardFactory(body=hospc.body, name="Police and Crime Panel", action_prefix="PCP")
    first = make(board, "Review demand", [hospc])
    second = make(board, "Report on training", [hospc, acc])
    third = make(other, "Stop and search", [acc])
    assert shown(client) == (3, {"Open": 3}, [("ACC", 2), ("HoSPC", 2)])
    assert_counts_right(client, board)

    action_reassign(action=first, owners=[acc], by=clerk, on=TODAY)
    assert shown(client) == (3, {"Open": 3}, [("ACC", 3), ("HoSPC", 1)])
    action_report_progress(
        action=second,
        text="Half done",
        status=ActionStatus.IN_PROGRESS,
        person=None,
        by=clerk,
        on=TODAY,
    )
    assert shown(client) == (3, {"Open": 2, "In progress": 1}, [("ACC", 3), ("HoSPC", 1)])
    action_close(action=second, by=clerk, on=TODAY)
    assert shown(client) == (2, {"Open": 2}, [("ACC", 2)])
    assert_counts_right(client, board)
    action_withdraw(action=third, reason="Duplicate of SPB 1", by=clerk, on=TODAY)
    assert shown(client) == (1, {"Open": 1}, [("ACC", 1)])
    action_reopen(action=third, reason="Not a duplicate after all", by=clerk, on=TODAY)
    assert shown(client) == (2, {"Open": 1, "In progress": 1}, [("ACC", 2)])
    action_delete(action=third, by=clerk)
    assert shown(client) == (1, {"Open": 1}, [("ACC", 1)])
    assert_counts_right(client, board)


def test_the_counts_follow_writes_that_bypass_the_services(client, clerk, board, hospc):
    """The database keeps the counts whoever writes: a factory, a bulk update."""
    client.force_login(clerk)
    person = PersonFactory(name="Ann Other", body=hospc.body)
    owned = ActionOwnerFactory(action=ActionFactory(board=board), role=hospc)
    ActionOwnerFactory(action=owned.action, role=None, person=person)
    assert shown(client) == (1, {"Open": 1}, [("Ann Other", 1), ("HoSPC", 1)])
    Action.objects.filter(pk=owned.action_id).update(status=ActionStatus.COMPLETED)
    assert shown(client) == (1, {"Completed": 1}, [("Ann Other", 1), ("HoSPC", 1)])
    ActionOwner.objects.filter(person=person).delete()
    ActionOwner.objects.filter(pk=owned.pk).update(role=None, person=person)
    assert shown(client) == (1, {"Completed": 1}, [("Ann Other", 1)])
    assert_counts_right(client, board)


def test_the_counts_follow_imports_and_the_reviews_they_record(client, clerk):
    """The 2018 meeting raises actions and reviews earlier ones (carried forward, in progress
    or completed); the next import adds to them."""
    client.force_login(clerk)
    call_command("import_meeting", str(FIXTURES / "gwent-spb-2018-11-30.json"), stdout=StringIO())
    total, statuses, owners = shown(client, {"status": EVERY_STATUS})
    assert total == Action.objects.count() > 0
    assert (total, statuses, owners) == counted_afresh(EVERY_STATUS)
    call_command(
        "import_meeting", str(FIXTURES / "dyfed-powys-ppb-2014-03-13.json"), stdout=StringIO()
    )
    assert shown(client, {"status": EVERY_STATUS})[0] > total
    assert_counts_right(client)


def test_the_first_request_after_a_change_counts_no_actions(client, clerk, board, hospc, acc):
    """A change does not make the next request count every action and owner again: it costs
    the queries of a repeated request, and none of them counts actions or owners."""
    client.force_login(clerk)
    for n in range(5):
        make(board, f"Action {n}", [hospc, acc])
    shown(client)
    with CaptureQueriesContext(connection) as repeated:
        shown(client)
    action_close(action=Action.objects.first(), by=clerk, on=TODAY)
    with CaptureQueriesContext(connection) as after_change:
        assert shown(client) == (4, {"Open": 4}, [("ACC", 4), ("HoSPC", 4)])
    assert len(after_change.captured_queries) == len(repeated.captured_queries)
    counting = [
        q["sql"]
        for q in after_change.captured_queries
        if "COUNT(" in q["sql"].upper() and "ACTIONS_ACTIONOWNER" in q["sql"].upper()
    ]
    assert counting == []


def test_compacting_and_rebuilding_keep_the_counts(client, clerk, board, hospc, acc):
    client.force_login(clerk)
    actions = [make(board, f"Action {n}", [hospc]) for n in range(6)]
    for action in actions[:3]:
        action_reassign(action=action, owners=[acc], by=clerk, on=TODAY)
        action_close(action=action, by=clerk, on=TODAY)
    before = shown(client, {"status": EVERY_STATUS})
    rows = RegisterCount.objects.count()
    register_counts_compact()
    assert RegisterCount.objects.count() < rows
    assert shown(client, {"status": EVERY_STATUS}) == before == counted_afresh(EVERY_STATUS)
    RegisterCount.objects.all().delete()
    register_counts_rebuild()
    assert shown(client, {"status": EVERY_STATUS}) == before
    assert_counts_right(client, board)


def test_a_repeated_search_reads_the_progress_once_and_sees_every_change(
    client, clerk, board, hospc, acc
):
    """Paging through a search, or narrowing it, does not match the words over every progress
    report again; a new progress report, text or owner shows at once."""
    client.force_login(clerk)
    actions = [make(board, f"Action {n}", [hospc]) for n in range(30)]
    for action in actions[:27]:
        action_report_progress(action=action, text="Needle found", person=None, by=clerk, on=TODAY)
    search = {"q": "needle", "status": EVERY_STATUS}
    assert shown(client, search)[0] == 27
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("actions:action-list"), {**search, "page": 2})
    assert "27 actions" in response.content.decode()
    assert [q["sql"] for q in queries.captured_queries if "%NEEDLE%" in q["sql"].upper()] == []
    assert shown(client, {**search, "status": ["open"]})[0] == 27

    action_report_progress(action=actions[27], text="A needle", person=None, by=clerk, on=TODAY)
    assert shown(client, search) == (28, {"Open": 28}, [("HoSPC", 28)])
    action_reassign(action=actions[0], owners=[acc], by=clerk, on=TODAY)
    assert shown(client, search) == (28, {"Open": 28}, [("ACC", 1), ("HoSPC", 27)])
    action_close(action=actions[1], by=clerk, on=TODAY)
    assert shown(client, search)[1] == {"Open": 27, "Closed": 1}


def test_the_counts_are_right_after_a_flush_in_any_order(client, clerk, board, hospc):
    """`flush` (between transactional tests, or by hand) deletes every table in no set order
    and then sends post_migrate: the counts come out right even when it emptied them before
    the actions, whose deletion the triggers then counted."""
    from django.core.management.sql import emit_post_migrate_signal

    client.force_login(clerk)
    make(board, "Review demand", [hospc])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM actions_registercount")
        cursor.execute("DELETE FROM actions_actionowner")
        cursor.execute("DELETE FROM actions_action")
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert shown(client, {"status": EVERY_STATUS}) == (0, {}, [])
    make(board, "Report on training", [hospc])
    assert shown(client) == (1, {"Open": 1}, [("HoSPC", 1)])


def test_the_folded_counts_are_numbered_in_the_keys_order_whatever_order_they_came_in():
    """generate_data gives the same rows the same ids for the same seed: the folded counts too,
    however the database happened to sum them."""
    RegisterCount.objects.all().delete()
    keys = [(3, "open", None, 7), (1, "closed", 5, None), (2, "open", None, None)]
    for board_pk, status, role_pk, person_pk in [*keys, *reversed(keys)]:
        RegisterCount.objects.create(
            board_pk=board_pk, status=status, role_pk=role_pk, person_pk=person_pk, n=1
        )
    register_counts_compact()
    folded = RegisterCount.objects.order_by("pk").values_list(
        "board_pk", "status", "role_pk", "person_pk", "n"
    )
    assert list(folded) == [
        (1, "closed", 5, None, 2),
        (2, "open", None, None, 2),
        (3, "open", None, 7, 2),
    ]
