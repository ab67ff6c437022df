"""An action's "see also" links stay within its body, held by the database (ADR 0011). Links
that already break it stop the migration with a list of what and where."""

from django.db import migrations

from actions.body_scope import LINK_RULES
from scrutiny import row_rules


class Migration(migrations.Migration):
    dependencies = [("actions", "0010_c9_body_scope")]

    operations = [row_rules.migration_installing(LINK_RULES)]
