"""Room on each page of the actions table for an action's next version (PostgreSQL).

Every review of an action gives it a new version; with room on its page, PostgreSQL writes the
new row beside the old one without touching the table's indexes (a "heap-only tuple" update)
when no indexed column changed, as for an action whose status a review did not move. Pages
written from now on keep a fifth free; `VACUUM FULL actions_action` applies it to the pages
already written (it locks the table while it rewrites it: a quiet moment).
"""

from django.db import migrations


def _set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE actions_action SET (fillfactor = 80)")


def _reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE actions_action RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("actions", "0012_merge_sc14b_wp9b")]

    operations = [migrations.RunPython(_set, _reset, elidable=False)]
