"""Build the public actions log from the publications made before it existed."""

from django.db import migrations

from minutes.actions_log import build_log, legacy_rows


def build(apps, schema_editor):
    Publication = apps.get_model("meetings", "Publication")
    Action = apps.get_model("actions", "Action")
    PublicAction = apps.get_model("minutes", "PublicAction")
    by_board: dict[int, dict[int, tuple]] = {}
    for publication in (
        Publication.objects.filter(withdrawn_at__isnull=True)
        .order_by("meeting_id", "version")
        .values_list("meeting__board_id", "meeting_id", "meeting__held_on", "actions")
    ):
        board_id, meeting_id, held_on, rows = publication
        by_board.setdefault(board_id, {})[meeting_id] = (meeting_id, held_on, rows)
    for board_id, meetings in by_board.items():
        ordered = sorted(meetings.values(), key=lambda m: (m[1], m[0]))
        legacy = legacy_rows(ordered)
        raised = set(Action.objects.filter(pk__in=legacy).values_list("pk", "raised_at_meeting_id"))
        entries = build_log(ordered, raised)
        PublicAction.objects.bulk_create(
            [PublicAction(action_id=pk, board_id=board_id, **e) for pk, e in entries.items()]
        )


class Migration(migrations.Migration):
    dependencies = [("minutes", "0001_public_action")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
