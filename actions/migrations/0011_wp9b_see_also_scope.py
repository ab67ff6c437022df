"""An action's "see also" links stay within its body, held by the database (ADR 0011). Links
that already break it stop the migration with a list of what and where."""

from django.db import migrations

from actions.body_scope import LINK_RULES
from scrutiny import row_rules


def forwards(apps, schema_editor):
    row_rules.check_and_install(schema_editor.connection, LINK_RULES)


def backwards(apps, schema_editor):
    row_rules.uninstall(schema_editor.connection, LINK_RULES)


class Migration(migrations.Migration):
    dependencies = [("actions", "0010_c9_body_scope")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
