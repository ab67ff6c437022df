"""Body scoping of the register held by the database (ADR 0011): triggers on PostgreSQL and
SQLite. Rows that already break a rule stop the migration with a list of what and where."""

from django.db import migrations

from actions.body_scope import RULES
from scrutiny import row_rules


def forwards(apps, schema_editor):
    row_rules.check_and_install(schema_editor.connection, RULES)


def backwards(apps, schema_editor):
    row_rules.uninstall(schema_editor.connection, RULES)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0009_merge_20261201_1820"),
        ("meetings", "0015_c9_body_scope"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
