"""Body scoping held by the database: a meeting's record names only the people, posts and
groups of its board's body, whoever writes the row (ADR 0011). The services refuse first, with
a message for the user; these triggers are the floor under raw updates, bulk inserts and SQL."""

from scrutiny.row_rules import RowRule, kept_while_named


# The body of a row is read by nested lookups of one key each, not a join: checked for every
# row a statement inserts, a join hashed the whole table of boards once a row.
def meeting_body(meeting_id: str) -> str:
    return board_body(f"(SELECT board_id FROM meetings_meeting WHERE id = {meeting_id})")


def board_body(board_id: str) -> str:
    return f"(SELECT body_id FROM meetings_board WHERE id = {board_id})"


def item_body(item_id: str) -> str:
    return meeting_body(f"(SELECT meeting_id FROM meetings_agendaitem WHERE id = {item_id})")


def person_body(person_id: str) -> str:
    return f"(SELECT body_id FROM meetings_person WHERE id = {person_id})"


def role_body(role_id: str) -> str:
    return f"(SELECT body_id FROM meetings_role WHERE id = {role_id})"


def outside(column: str, record: str, body: str) -> str:
    """The person or post in `column` (of table `record`: person, role) is of another body."""
    of = person_body if record == "person" else role_body
    return f"({{row}}.{column} IS NOT NULL AND {of('{row}.' + column)} <> {body})"


def group_outside(column: str, body: str) -> str:
    """The group in `column` is neither the body nor a group within it."""
    return (
        f"({{row}}.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM meetings_organisation o "
        f"WHERE o.id = {{row}}.{column} AND (o.id = {body} OR o.parent_id = {body})))"
    )


ATTENDANCE_BODY = meeting_body("{row}.meeting_id")
MEMBERSHIP_BODY = board_body("{row}.board_id")

RULES = [
    RowRule(
        name="attendance_person_in_body",
        table="meetings_attendance",
        columns=("meeting_id", "person_id"),
        broken=outside("person_id", "person", ATTENDANCE_BODY),
        message="an attendance names a person of another body than the meeting's",
    ),
    RowRule(
        name="attendance_role_in_body",
        table="meetings_attendance",
        columns=("meeting_id", "role_id"),
        broken=outside("role_id", "role", ATTENDANCE_BODY),
        message="an attendance names a post of another body than the meeting's",
    ),
    RowRule(
        name="attendance_group_in_body",
        table="meetings_attendance",
        columns=("meeting_id", "organisation_id"),
        broken=group_outside("organisation_id", ATTENDANCE_BODY),
        message="an attendance is listed under a group of another body than the meeting's",
    ),
    RowRule(
        name="meeting_chair_in_body",
        table="meetings_meeting",
        columns=("board_id", "chair_id", "chair_role_id"),
        broken=(
            outside("chair_id", "person", board_body("{row}.board_id"))
            + " OR "
            + outside("chair_role_id", "role", board_body("{row}.board_id"))
        ),
        message="a meeting's chair is a person or post of another body than its board's",
    ),
    RowRule(
        name="meeting_stays_in_body",
        table="meetings_meeting",
        columns=("board_id",),
        broken=f"{board_body('NEW.board_id')} <> {board_body('OLD.board_id')}",
        message="a meeting cannot move to a board of another body",
        update_only=True,
    ),
    RowRule(
        name="meeting_named_role_in_body",
        table="meetings_meeting_named_roles",
        columns=("meeting_id", "role_id"),
        broken=outside("role_id", "role", meeting_body("{row}.meeting_id")),
        message="a meeting names a post of another body than its board's",
    ),
    RowRule(
        name="meeting_named_person_in_body",
        table="meetings_meeting_named_people",
        columns=("meeting_id", "person_id"),
        broken=outside("person_id", "person", meeting_body("{row}.meeting_id")),
        message="a meeting names a person of another body than its board's",
    ),
    RowRule(
        name="question_responder_in_body",
        table="meetings_question",
        columns=("item_id", "responder_id"),
        broken=outside("responder_id", "role", item_body("{row}.item_id")),
        message="a question's responder is a post of another body than the meeting's",
    ),
    RowRule(
        name="item_stays_in_body",
        table="meetings_agendaitem",
        columns=("meeting_id",),
        broken=f"{meeting_body('NEW.meeting_id')} <> {meeting_body('OLD.meeting_id')}",
        message="an agenda item cannot move to a meeting of another body",
        update_only=True,
    ),
    RowRule(
        name="membership_in_body",
        table="meetings_boardmembership",
        columns=("board_id", "person_id", "role_id", "organisation_id"),
        broken=" OR ".join(
            [
                outside("person_id", "person", MEMBERSHIP_BODY),
                outside("role_id", "role", MEMBERSHIP_BODY),
                group_outside("organisation_id", MEMBERSHIP_BODY),
            ]
        ),
        message="a board member is a person, post or group of another body than the board's",
    ),
    RowRule(
        name="appointment_in_body",
        table="meetings_appointment",
        columns=("person_id", "role_id"),
        broken=f"{person_body('{row}.person_id')} <> {role_body('{row}.role_id')}",
        message="a post is held by a person of its own body",
    ),
    # What the rows above point at keeps its body while it is named.
    kept_while_named(
        name="person_keeps_body",
        table="meetings_person",
        column="body_id",
        named_in=[
            ("meetings_attendance", "person_id"),
            ("meetings_meeting", "chair_id"),
            ("meetings_meeting_named_people", "person_id"),
            ("meetings_boardmembership", "person_id"),
            ("meetings_appointment", "person_id"),
        ],
        message="a person named in the record keeps their body",
    ),
    kept_while_named(
        name="role_keeps_body",
        table="meetings_role",
        column="body_id",
        named_in=[
            ("meetings_attendance", "role_id"),
            ("meetings_meeting", "chair_role_id"),
            ("meetings_meeting_named_roles", "role_id"),
            ("meetings_boardmembership", "role_id"),
            ("meetings_appointment", "role_id"),
            ("meetings_question", "responder_id"),
        ],
        message="a post named in the record keeps its body",
    ),
    kept_while_named(
        name="board_keeps_body",
        table="meetings_board",
        column="body_id",
        named_in=[
            ("meetings_meeting", "board_id"),
            ("meetings_boardmembership", "board_id"),
        ],
        message="a board with meetings or members keeps its body",
    ),
    kept_while_named(
        name="group_keeps_body",
        table="meetings_organisation",
        column="parent_id",
        named_in=[
            ("meetings_attendance", "organisation_id"),
            ("meetings_boardmembership", "organisation_id"),
        ],
        message="a group that people are listed under keeps its body",
    ),
]

# Added by meetings 0017_wp9b_group_scope: the group a person or post is listed under.
GROUP_RULES = [
    *(
        RowRule(
            name=f"{record}_group_in_body",
            table=f"meetings_{record}",
            columns=("body_id", "organisation_id"),
            broken=group_outside("organisation_id", "{row}.body_id"),
            message=f"{who} listed under a group of another body than {whose} own",
        )
        for record, who, whose in (("person", "a person is", "their"), ("role", "a post is", "its"))
    ),
    kept_while_named(
        name="group_keeps_body_of_people",
        table="meetings_organisation",
        column="parent_id",
        named_in=[
            ("meetings_person", "organisation_id"),
            ("meetings_role", "organisation_id"),
        ],
        message="a group that people or posts are listed under keeps its body",
    ),
]
