"""Trigram indexes for the register's free-text search (PostgreSQL only).

The register searches with Django's icontains, which PostgreSQL runs as
UPPER(column) LIKE UPPER('%words%'): a GIN trigram index on UPPER(column) answers it without
reading every action and progress report. SQLite has no such index and scans, as before.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("action_text_trgm", "actions_action", "text"),
    ("action_legacy_ref_trgm", "actions_action", "legacy_ref"),
    ("actionupdate_text_trgm", "actions_actionupdate", "text"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("actions", "0002_protect_raising_item")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
