"""Body scoping of the register held by the database (ADR 0011): an action's owners are of its
board's body, it is raised at a meeting of its board under an item of that meeting, and progress
is minuted at a meeting of the same body under an item of that meeting. The services refuse
first, with a message for the user; these triggers hold whoever writes the row."""

from meetings.body_scope import board_body, meeting_body, outside
from scrutiny.row_rules import RowRule, kept_while_named


def _action_body(action_id: str) -> str:
    return board_body(f"(SELECT board_id FROM actions_action WHERE id = {action_id})")


ACTION_BODY = _action_body("{row}.action_id")


def _item_outside(item: str, meeting: str) -> str:
    """An item given without its meeting, or of another meeting."""
    return (
        f"({{row}}.{item} IS NOT NULL AND ({{row}}.{meeting} IS NULL OR (SELECT meeting_id FROM "
        f"meetings_agendaitem WHERE id = {{row}}.{item}) <> {{row}}.{meeting}))"
    )


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
        # Most progress is minuted at a meeting of the action's own board: the boards are
        # compared first, and the bodies only when they differ.
        broken="({row}.meeting_id IS NOT NULL AND (SELECT board_id FROM meetings_meeting WHERE "
        "id = {row}.meeting_id) <> (SELECT board_id FROM actions_action WHERE id = "
        f"{{row}}.action_id) AND {meeting_body('{row}.meeting_id')} <> {ACTION_BODY})",
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
    kept_while_named(
        name="item_keeps_meeting_of_actions",
        table="meetings_agendaitem",
        column="meeting_id",
        named_in=[
            ("actions_action", "raised_at_item_id"),
            ("actions_actionupdate", "item_id"),
        ],
        message="an item under which actions were raised or reviewed stays in its meeting",
    ),
    kept_while_named(
        name="meeting_keeps_board_of_actions",
        table="meetings_meeting",
        column="board_id",
        named_in=[
            ("actions_action", "raised_at_meeting_id"),
        ],
        message="a meeting that raised actions stays on their board",
    ),
    kept_while_named(
        name="owner_keeps_body",
        table="meetings_person",
        column="body_id",
        named_in=[
            ("actions_actionowner", "person_id"),
        ],
        message="a person who owns actions keeps their body",
    ),
    kept_while_named(
        name="owner_post_keeps_body",
        table="meetings_role",
        column="body_id",
        named_in=[
            ("actions_actionowner", "role_id"),
        ],
        message="a post that owns actions keeps its body",
    ),
    kept_while_named(
        name="board_keeps_body_of_actions",
        table="meetings_board",
        column="body_id",
        named_in=[
            ("actions_action", "board_id"),
        ],
        message="a board with actions keeps its body",
    ),
]


# Added by actions 0011_wp9b_see_also_scope: an action's "see also" links. An action keeps its
# body (action_stays_in_body, board_keeps_body_of_actions), so a link stays within it.
LINK_RULES = [
    RowRule(
        name="see_also_in_body",
        table="actions_action_see_also",
        columns=("from_action_id", "to_action_id"),
        broken=f"{_action_body('{row}.from_action_id')} <> {_action_body('{row}.to_action_id')}",
        message="an action refers to an action of another body than its own",
    ),
]
