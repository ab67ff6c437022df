"""Body scoping held by the database (ADR 0011): a write that goes around the services (a raw
QuerySet.update, bulk_create, SQL) and names another body's person, post or group, or ties an
action to another meeting's item, is refused by the database itself, on SQLite and PostgreSQL.
"""

import pytest
from django.db import IntegrityError, connection, transaction

from actions.body_scope import RULES as ACTION_RULES
from actions.models import Action, ActionOwner, ActionUpdate
from meetings.body_scope import RULES as MEETING_RULES
from meetings.models import (
    AgendaItem,
    Appointment,
    Attendance,
    BoardMembership,
    Meeting,
    Person,
    Question,
    Role,
)
from scrutiny import row_rules
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    ActionUpdateFactory,
    AgendaItemFactory,
    AttendanceFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    QuestionFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(db):
    gwent = OrganisationFactory(name="OPCC for Gwent")
    dyfed = OrganisationFactory(name="OPCC for Dyfed-Powys")
    board = BoardFactory(body=gwent, action_prefix="SPB")
    meeting = MeetingFactory(board=board)
    item = AgendaItemFactory(meeting=meeting)
    other_meeting = MeetingFactory(board=board)
    action = ActionFactory(board=board, raised_at_meeting=meeting, raised_at_item=item)
    return {
        "gwent": gwent,
        "dyfed": dyfed,
        "board": board,
        "meeting": meeting,
        "item": item,
        "other_item": AgendaItemFactory(meeting=other_meeting),
        "other_meeting": other_meeting,
        "their_meeting": MeetingFactory(board=BoardFactory(body=dyfed)),
        "attendance": AttendanceFactory(meeting=meeting),
        "question": QuestionFactory(item=item),
        "action": action,
        "owner": ActionOwnerFactory(action=action),
        "review": ActionUpdateFactory(action=action, meeting=meeting, item=item),
        "theirs": PersonFactory(body=dyfed, name="Mr D Llewellyn"),
        "their_post": RoleFactory(body=dyfed, abbrev="DPCC"),
        "their_group": OrganisationFactory(parent=dyfed, name="Dyfed-Powys Police"),
    }


def _refused(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_an_attendance_cannot_name_another_bodys_person_post_or_group(record):
    rows = Attendance.objects.filter(pk=record["attendance"].pk)
    _refused(lambda: rows.update(person=record["theirs"]))
    _refused(lambda: rows.update(role=record["their_post"]))
    _refused(lambda: rows.update(organisation=record["their_group"]))
    _refused(
        lambda: Attendance.objects.bulk_create(
            [Attendance(meeting=record["meeting"], person=record["theirs"])]
        )
    )
    # Its own body's group, and the body itself, are fine.
    rows.update(organisation=OrganisationFactory(parent=record["gwent"], name="OCC"))
    rows.update(organisation=record["gwent"])


def test_raw_sql_is_refused_too(record):
    def write():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE meetings_attendance SET person_id = %s WHERE id = %s",
                [record["theirs"].pk, record["attendance"].pk],
            )

    _refused(write)


def test_a_meetings_chair_and_named_posts_and_people_are_of_its_body(record):
    meeting = record["meeting"]
    rows = Meeting.objects.filter(pk=meeting.pk)
    _refused(lambda: rows.update(chair=record["theirs"]))
    _refused(lambda: rows.update(chair_role=record["their_post"]))
    _refused(lambda: meeting.named_roles.add(record["their_post"]))
    _refused(lambda: meeting.named_people.add(record["theirs"]))
    meeting.named_roles.add(RoleFactory(body=record["gwent"]))


def test_a_meeting_and_its_items_stay_in_their_body(record):
    dyfed_board = record["their_meeting"].board
    _refused(lambda: Meeting.objects.filter(pk=record["meeting"].pk).update(board=dyfed_board))
    _refused(
        lambda: AgendaItem.objects.filter(pk=record["item"].pk).update(
            meeting=record["their_meeting"]
        )
    )


def test_a_questions_responder_is_of_the_meetings_body(record):
    _refused(
        lambda: Question.objects.filter(pk=record["question"].pk).update(
            responder=record["their_post"]
        )
    )


def test_board_members_and_appointments_are_of_the_body(record):
    _refused(lambda: BoardMembership.objects.create(board=record["board"], person=record["theirs"]))
    ours = PersonFactory(body=record["gwent"])
    _refused(
        lambda: BoardMembership.objects.create(
            board=record["board"], person=ours, role=record["their_post"]
        )
    )
    _refused(
        lambda: BoardMembership.objects.create(
            board=record["board"], person=ours, organisation=record["their_group"]
        )
    )
    _refused(lambda: Appointment.objects.create(person=ours, role=record["their_post"]))


def test_people_posts_and_boards_named_in_the_record_keep_their_body(record):
    dyfed = record["dyfed"]
    attendee = record["attendance"].person
    _refused(lambda: Person.objects.filter(pk=attendee.pk).update(body=dyfed))
    _refused(lambda: Role.objects.filter(pk=record["owner"].role_id).update(body=dyfed))
    _refused(lambda: type(record["board"]).objects.filter(pk=record["board"].pk).update(body=dyfed))
    # Someone named nowhere may still be corrected.
    stray = PersonFactory(body=record["gwent"])
    Person.objects.filter(pk=stray.pk).update(body=dyfed)


def test_an_actions_owners_are_of_its_boards_body(record):
    owners = ActionOwner.objects.filter(pk=record["owner"].pk)
    _refused(lambda: owners.update(role=record["their_post"]))
    _refused(
        lambda: ActionOwner.objects.bulk_create(
            [ActionOwner(action=record["action"], person=record["theirs"], role=None)]
        )
    )


def test_an_action_is_raised_at_its_board_under_an_item_of_that_meeting(record):
    rows = Action.objects.filter(pk=record["action"].pk)
    _refused(lambda: rows.update(raised_at_item=record["other_item"]))
    _refused(lambda: rows.update(raised_at_meeting=record["their_meeting"], raised_at_item=None))
    _refused(lambda: rows.update(raised_at_meeting=None))  # its item then names no meeting
    _refused(lambda: rows.update(board=record["their_meeting"].board))
    # An item under which it was raised stays in its meeting.
    _refused(
        lambda: AgendaItem.objects.filter(pk=record["item"].pk).update(
            meeting=record["other_meeting"]
        )
    )


def test_progress_is_minuted_at_a_meeting_of_the_body_under_its_item(record):
    rows = ActionUpdate.objects.filter(pk=record["review"].pk)
    _refused(lambda: rows.update(meeting=record["their_meeting"], item=None))
    _refused(lambda: rows.update(item=record["other_item"]))
    _refused(
        lambda: ActionUpdate.objects.create(
            action=record["action"],
            reported_on=record["meeting"].held_on,
            text="Done",
            item=record["item"],
        )
    )


def test_a_migration_over_rows_that_break_a_rule_says_what_and_where(record):
    rules = [rule for rule in MEETING_RULES if rule.name == "attendance_person_in_body"]
    row_rules.uninstall(connection, rules)
    Attendance.objects.filter(pk=record["attendance"].pk).update(person=record["theirs"])
    with pytest.raises(RuntimeError) as refused:
        row_rules.check_and_install(connection, rules)
    message = str(refused.value)
    assert f"meetings_attendance id {record['attendance'].pk}" in message
    assert "an attendance names a person of another body than the meeting's" in message


def test_a_rule_lost_to_a_table_rebuild_comes_back_on_migrate(record):
    """SQLite drops a table's triggers when a migration rebuilds the table; `migrate` puts them
    back (post_migrate)."""
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import DEFAULT_DB_ALIAS

    row_rules.uninstall(connection, MEETING_RULES + ACTION_RULES)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    _refused(
        lambda: Attendance.objects.filter(pk=record["attendance"].pk).update(
            person=record["theirs"]
        )
    )
    _refused(
        lambda: ActionOwner.objects.filter(pk=record["owner"].pk).update(role=record["their_post"])
    )


@pytest.mark.postgres
def test_a_rule_installed_with_an_older_check_is_replaced_on_migrate(record, require_postgres):
    """A rule's check made faster or mended in the code reaches databases that installed the
    older one: `migrate` (post_migrate) replaces a function that differs from the rule's code,
    not only a missing trigger."""
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import DEFAULT_DB_ALIAS

    with connection.cursor() as cursor:
        # An older check that lets every row through, installed under the rule's name.
        cursor.execute(
            "CREATE OR REPLACE FUNCTION scrutiny_rule_review_meeting_in_body_insert() "
            "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
        )
    emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    _refused(
        lambda: ActionUpdate.objects.create(
            action=record["action"],
            reported_on=record["meeting"].held_on,
            text="Minuted at another body's meeting",
            meeting=record["their_meeting"],
        )
    )


def test_the_demo_data_and_fixtures_import_under_the_rules(db, settings):
    from django.core.management import call_command

    settings.DEBUG = True  # demo users are for local use only

    call_command("load_demo", verbosity=0)
    assert Meeting.objects.exists()
    assert not row_rules.violations(connection, MEETING_RULES + ACTION_RULES)


def test_an_action_links_only_to_actions_of_its_body(record):
    """See also: an action of Gwent never refers to one of Dyfed-Powys's actions."""
    theirs = ActionFactory(board=record["their_meeting"].board)
    ours = ActionFactory(board=record["board"])
    action = record["action"]
    _refused(lambda: action.see_also.add(theirs))
    _refused(
        lambda: Action.see_also.through.objects.bulk_create(
            [Action.see_also.through(from_action=action, to_action=theirs)]
        )
    )
    link = Action.see_also.through.objects.create(from_action=action, to_action=ours)
    _refused(lambda: Action.see_also.through.objects.filter(pk=link.pk).update(to_action=theirs))
    assert list(action.see_also.all()) == [ours]


def test_a_person_or_post_is_listed_under_a_group_of_their_body(record):
    ours = PersonFactory(body=record["gwent"])
    post = RoleFactory(body=record["gwent"])
    _refused(lambda: Person.objects.filter(pk=ours.pk).update(organisation=record["their_group"]))
    _refused(lambda: Role.objects.filter(pk=post.pk).update(organisation=record["their_group"]))
    _refused(lambda: Role.objects.filter(pk=post.pk).update(organisation=record["dyfed"]))
    _refused(
        lambda: Person.objects.bulk_create(
            [Person(body=record["gwent"], name="Mr X", organisation=record["their_group"])]
        )
    )
    # Its own body's group, and the body itself, are fine.
    police = OrganisationFactory(parent=record["gwent"], name="Gwent Police")
    Person.objects.filter(pk=ours.pk).update(organisation=police)
    Role.objects.filter(pk=post.pk).update(organisation=record["gwent"])
    # A group that people or posts are listed under keeps its body.
    _refused(lambda: type(police).objects.filter(pk=police.pk).update(parent=record["dyfed"]))


def _reviews(record, meeting, count: int) -> list[ActionUpdate]:
    return [
        ActionUpdate(
            action=record["action"], meeting=meeting, reported_on=meeting.held_on, text=f"{n}"
        )
        for n in range(count)
    ]


def test_a_bulk_insert_of_several_rows_is_refused_for_the_one_that_breaks_a_rule(record):
    """Rows inserted together are checked together (PostgreSQL: once a statement): one row of
    another body among good ones refuses the whole insert, with the rule's message."""
    good = _reviews(record, record["meeting"], 3)
    bad = _reviews(record, record["their_meeting"], 1)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        ActionUpdate.objects.bulk_create([*good[:2], *bad, good[2]])
    assert "progress is minuted at a meeting of the action's body" in str(refused.value)
    assert not ActionUpdate.objects.filter(text__in=["0", "1", "2"]).exists()
    owners = [
        ActionOwner(action=record["action"], role=RoleFactory(body=record["gwent"]))
        for _n in range(3)
    ]
    owners.append(ActionOwner(action=record["action"], role=record["their_post"]))
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        ActionOwner.objects.bulk_create(owners)
    assert "an action's owner is a post or person of another body" in str(refused.value)
    ActionUpdate.objects.bulk_create(_reviews(record, record["meeting"], 3))
    assert ActionUpdate.objects.filter(text__in=["0", "1", "2"]).count() == 3


@pytest.mark.postgres
def test_postgresql_checks_an_insert_once_a_statement_however_many_rows(record, require_postgres):
    """The rule's check of an insert runs once for the statement, not once a row."""

    def calls(count: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SET track_functions = 'pl'")
            ActionUpdate.objects.bulk_create(_reviews(record, record["meeting"], count))
            cursor.execute(
                "SELECT COALESCE(SUM(calls), 0) FROM pg_stat_xact_user_functions "
                "WHERE funcname LIKE 'scrutiny_rule_review_meeting_in_body%%'"
            )
            return cursor.fetchone()[0]

    try:
        assert calls(2) == 1
        assert calls(8) == 2  # one more statement: one more call
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET track_functions")
