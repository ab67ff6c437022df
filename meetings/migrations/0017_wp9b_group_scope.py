"""The group a person or post is listed under is of their own body, held by the database
(ADR 0011). Rows that already break it stop the migration with a list of what and where."""

from django.db import migrations

from meetings.body_scope import GROUP_RULES
from scrutiny import row_rules


def forwards(apps, schema_editor):
    row_rules.check_and_install(schema_editor.connection, GROUP_RULES)


def backwards(apps, schema_editor):
    row_rules.uninstall(schema_editor.connection, GROUP_RULES)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0016_merge_0015_a12_venue_cy_0015_c9_body_scope")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
