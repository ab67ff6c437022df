"""The group a person or post is listed under is of their own body, held by the database
(ADR 0011). Rows that already break it stop the migration with a list of what and where."""

from django.db import migrations

from meetings.body_scope import GROUP_RULES
from scrutiny import row_rules


class Migration(migrations.Migration):
    dependencies = [("meetings", "0016_merge_0015_a12_venue_cy_0015_c9_body_scope")]

    operations = [row_rules.migration_installing(GROUP_RULES)]
