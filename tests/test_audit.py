"""Every change to the record says who made it and when, with the values before and after."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action, ActionOwner
from meetings.models import AgendaItem, Attendance, Departure, Meeting, Paper, Question, Role
from tests.factories import ActionFactory, ActionOwnerFactory, AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_an_admin_edit_is_recorded_with_before_and_after(client, clerk):
    meeting = MeetingFactory(venue="Police Headquarters")
    item = AgendaItemFactory(meeting=meeting, title="Data Quality", minutes="Old text")
    client.force_login(clerk)
    url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
    prefixes = [f.formset.prefix for f in client.get(url).context["inline_admin_formsets"]]
    data = {
        "lock_version": item.version,
        "meeting": meeting.pk,
        "position": 0,
        "title": "Data Quality",
        "minutes": "New text",
    }
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    assert client.post(url, data).status_code == 302
    record = AgendaItem.history.filter(id=item.pk).latest("history_date")
    assert record.history_user == clerk
    assert record.history_type == "~"
    assert record.history_date.utcoffset().total_seconds() == 0
    page = client.get(reverse("minutes:meeting-detail", args=[meeting.pk])).content.decode()
    assert "Changes to the record" in page
    assert "<del>Old text</del> → <ins>New text</ins>" in page
    assert clerk.username in page


def test_admin_bulk_delete_is_recorded(client, clerk):
    meetings = [MeetingFactory(), MeetingFactory()]
    client.force_login(clerk)
    response = client.post(
        reverse("admin:meetings_meeting_changelist"),
        {"action": "delete_selected", "_selected_action": [m.pk for m in meetings], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk__in=[m.pk for m in meetings]).exists()
    deleted = Meeting.history.filter(history_type="-", id__in=[m.pk for m in meetings])
    assert deleted.count() == 2
    assert {record.history_user for record in deleted} == {clerk}


def test_action_changes_show_on_the_action_page(client, clerk, force_lead):
    action = ActionFactory(text="Review demand")
    ActionOwnerFactory(action=action)
    client.force_login(clerk)
    response = client.post(
        reverse("actions:action-due", args=[action.pk]),
        {"due_on": "2030-01-31", "version": action.version},
    )
    assert response.status_code == 302
    record = Action.history.filter(id=action.pk).latest("history_date")
    assert record.history_user == clerk
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Changes to the record" in page
    assert "due: <del>–</del> → <ins>2030-01-31</ins>" in page


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_an_import_records_the_creation_of_every_row():
    call_command("import_meeting", str(FIXTURES / "gwent-spb-2018-11-30.json"), stdout=StringIO())
    call_command("import_meeting", str(FIXTURES / "gwent-spb-2019-11-26.json"), stdout=StringIO())
    for model in (Meeting, Attendance, AgendaItem, Paper, Question, Departure, Action, ActionOwner):
        rows = model.objects.count()
        assert rows, f"the fixtures have no {model.__name__}: this test checks nothing"
        created = model.history.filter(history_type="+").values("id").distinct().count()
        assert created == rows, f"{model.__name__}: {rows} rows but {created} in the trail"


def test_a_change_of_owners_records_who_made_it(client, clerk):
    action = ActionFactory()
    ActionOwnerFactory(action=action)
    new_post = Role.objects.create(body=action.board.body, abbrev="DCC", title="Deputy Chief")
    client.force_login(clerk)
    response = client.post(
        reverse("actions:action-reassign", args=[action.pk]),
        {"roles": [new_post.pk], "version": action.version},
    )
    assert response.status_code == 302
    added = ActionOwner.history.get(action_id=action.pk, role_id=new_post.pk, history_type="+")
    removed = ActionOwner.history.filter(action_id=action.pk, history_type="-").get()
    assert added.history_user == clerk
    assert removed.history_user == clerk


def test_a_bulk_update_records_each_row_as_the_database_holds_it(clerk):
    """The history of a bulk update is the row as written, whatever else the instance in memory
    carries: a field not saved is not recorded as if it had been."""
    from scrutiny.audit import bulk_update_recorded, recorded_as

    actions = [ActionFactory(text="As minuted"), ActionFactory(text="As minuted")]
    for action in actions:
        action.status = "in_progress"
        action.text = "An edit never saved"
    with recorded_as(user=clerk):
        bulk_update_recorded(actions, Action, ["status"])
    for action in actions:
        latest = Action.history.filter(id=action.pk).latest("history_id")
        assert latest.history_type == "~"
        assert latest.status == "in_progress"
        assert latest.text == "As minuted"
        assert latest.history_user == clerk


def test_bulk_history_costs_the_same_statements_for_one_row_or_many(clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scrutiny.audit import bulk_create_recorded, bulk_delete_recorded, recorded_as

    def cost(n):
        action = ActionFactory()
        body = action.board.body
        roles = Role.objects.bulk_create(
            Role(body=body, abbrev=f"R{n}-{i}", title=f"Post {n}-{i}") for i in range(n)
        )
        rows = [ActionOwner(action=action, role=role, position=i) for i, role in enumerate(roles)]
        with CaptureQueriesContext(connection) as created, recorded_as(user=clerk):
            bulk_create_recorded(rows, ActionOwner)
        with CaptureQueriesContext(connection) as deleted, recorded_as(user=clerk):
            bulk_delete_recorded(rows, ActionOwner)
        trail = ActionOwner.history.filter(action_id=action.pk)
        assert trail.filter(history_type="+").count() == n
        assert trail.filter(history_type="-", history_user=clerk).count() == n
        return len(created), len(deleted)

    assert cost(1) == cost(40)


def test_bulk_created_rows_and_their_history_match_column_for_column(clerk, force_lead):
    """On PostgreSQL a batch of rows and their history rows are written by one statement (the
    history copied from what the insert returns); on SQLite the history is copied after. Either
    way each history row is its row as stored, attributed as `recorded_as` says, and rows that
    name different users are each attributed to theirs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scrutiny.audit import bulk_create_recorded, historical_model, recorded_as

    action = ActionFactory()
    roles = Role.objects.bulk_create(
        Role(body=action.board.body, abbrev=f"P{i}", title=f"Post <b>{i}</b>") for i in range(3)
    )
    rows = [ActionOwner(action=action, role=role, position=i) for i, role in enumerate(roles)]
    with CaptureQueriesContext(connection) as queries, recorded_as(user=clerk, reason="why"):
        created = bulk_create_recorded(rows, ActionOwner)
    assert [row.pk for row in created] == list(
        ActionOwner.objects.filter(action=action).order_by("position").values_list("pk", flat=True)
    )
    assert all(not row._state.adding for row in created)
    writes = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    if connection.vendor == "postgresql":
        (statement,) = writes
        assert statement.startswith('WITH new AS (INSERT INTO "actions_actionowner"')
    else:
        assert len(writes) == 2
    for row in created:
        (history,) = ActionOwner.history.filter(id=row.pk)
        assert (history.history_type, history.history_user, history.history_change_reason) == (
            "+",
            clerk,
            "why",
        )
        stored = ActionOwner.objects.get(pk=row.pk)
        for field in historical_model(ActionOwner).tracked_fields:
            assert getattr(history, field.attname) == getattr(stored, field.attname), field.name
        assert (history.action_id, history.role_id) == (action.pk, row.role_id)

    # Rows naming two users: each history row is attributed to its own.
    more = [
        ActionOwner(action=ActionFactory(), role=roles[0], position=0),
        ActionOwner(action=ActionFactory(), role=roles[1], position=0),
    ]
    more[1]._history_user = force_lead
    with recorded_as(user=clerk):
        bulk_create_recorded(more, ActionOwner)
    assert ActionOwner.history.get(id=more[0].pk).history_user == clerk
    assert ActionOwner.history.get(id=more[1].pk).history_user == force_lead
