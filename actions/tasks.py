"""Background work of the action register, run by `manage.py db_worker`."""

from django.tasks import task

from actions import services
from actions.models import ActionExport


@task
def build_action_export(*, export_id: int) -> int:
    """Build a large register export; returns its row count."""
    export = ActionExport.objects.select_related("requested_by").get(pk=export_id)
    services.action_export_build(export=export)
    return export.row_count
