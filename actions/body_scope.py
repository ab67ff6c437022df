"""Body scoping of the register held by the database (ADR 0011): an action's owners are of its
board's body, it is raised at a meeting of its board under an item of that meeting, and progress
is minuted at a meeting of the same body under an item of that meeting. The services refuse
first, with a message for the user; these triggers hold whoever writes the row."""

from meetings.body_scope import board_body, meeting_body, outside
from scrutiny.row_rules import RowRule

ACTION_BODY = (
    "(SELECT b.body_id FROM actions_action a JOIN meetings_board b ON b.id = a.board_id "
    "WHERE a.id = {row}.action_id)"
)


def _item_outside(item: str, meeting: str) -> str:
    """An item given without its meeting, or of another meeting."""
    return (
        f"({{row}}.{item} IS NOT NULL AND ({{row}}.{meeting} IS NULL OR (SELECT meeting_id FROM "
        f"meetings_agendaitem WHERE id = {{row}}.{item}) <> {{row}}.{meeting}))"
    )


def _references(table: str, column: str, extra: str = "") -> str:
    return f"EXISTS (SELECT 1 FROM {table} WHERE {column} = NEW.id{extra})"


RULES = [
    RowRule(
        name="action_raised_at_own_board",
        table="actions_action",
        columns=("board_id", "raised_at_meeting_id"),
        broken="({row}.raised_at_meeting_id IS NOT NULL AND (SELECT board_id FROM "
        "meetings_meeting WHERE id = {row}.raised_at_meeting_id) <> {row}.board_id)",
        message="an action is raised at a meeting of its own board",
    ),
    RowRule(
        name="action_item_of_meeting",
        table="actions_action",
        columns=("raised_at_meeting_id", "raised_at_item_id"),
        broken=_item_outside("raised_at_item_id", "raised_at_meeting_id"),
        message="an action is raised under an item of the meeting that raised it",
    ),
    RowRule(
        name="action_stays_in_body",
        table="actions_action",
        columns=("board_id",),
        broken=f"{board_body('NEW.board_id')} <> {board_body('OLD.board_id')}",
        message="an action cannot move to a board of another body",
        update_only=True,
    ),
    RowRule(
        name="action_owner_in_body",
        table="actions_actionowner",
        columns=("action_id", "role_id", "person_id"),
        broken=outside("role_id", "role", ACTION_BODY)
        + " OR "
        + outside("person_id", "person", ACTION_BODY),
        message="an action's owner is a post or person of another body than its board's",
    ),
    RowRule(
        name="review_meeting_in_body",
        table="actions_actionupdate",
        columns=("action_id", "meeting_id"),
        broken=f"({{row}}.meeting_id IS NOT NULL AND {meeting_body('{row}.meeting_id')} "
        f"<> {ACTION_BODY})",
        message="progress is minuted at a meeting of the action's body",
    ),
    RowRule(
        name="review_item_of_meeting",
        table="actions_actionupdate",
        columns=("meeting_id", "item_id"),
        broken=_item_outside("item_id", "meeting_id"),
        message="progress is minuted under an item of the meeting that minuted it",
    ),
    # What the rows above point at keeps its place while they name it.
    RowRule(
        name="item_keeps_meeting_of_actions",
        table="meetings_agendaitem",
        columns=("meeting_id",),
        broken="NEW.meeting_id <> OLD.meeting_id AND ("
        + _references("actions_action", "raised_at_item_id")
        + " OR "
        + _references("actions_actionupdate", "item_id")
        + ")",
        message="an item under which actions were raised or reviewed stays in its meeting",
        update_only=True,
    ),
    RowRule(
        name="meeting_keeps_board_of_actions",
        table="meetings_meeting",
        columns=("board_id",),
        broken="NEW.board_id <> OLD.board_id AND "
        + _references("actions_action", "raised_at_meeting_id"),
        message="a meeting that raised actions stays on their board",
        update_only=True,
    ),
    RowRule(
        name="owner_keeps_body",
        table="meetings_person",
        columns=("body_id",),
        broken="NEW.body_id <> OLD.body_id AND " + _references("actions_actionowner", "person_id"),
        message="a person who owns actions keeps their body",
        update_only=True,
    ),
    RowRule(
        name="owner_post_keeps_body",
        table="meetings_role",
        columns=("body_id",),
        broken="NEW.body_id <> OLD.body_id AND " + _references("actions_actionowner", "role_id"),
        message="a post that owns actions keeps its body",
        update_only=True,
    ),
    RowRule(
        name="board_keeps_body_of_actions",
        table="meetings_board",
        columns=("body_id",),
        broken="NEW.body_id <> OLD.body_id AND " + _references("actions_action", "board_id"),
        message="a board with actions keeps its body",
        update_only=True,
    ),
]
