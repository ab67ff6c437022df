"""The stored search vector of an action's text, for staff search (PostgreSQL only; see
scrutiny/fulltext.py). The register's own search keeps its trigram indexes (0003_i14)."""

from django.db import migrations

from scrutiny.fulltext import add_vector, remove_vector


def forwards(apps, schema_editor):
    add_vector(
        schema_editor, table="actions_action", column="search_vector", title=None, text="text"
    )


def backwards(apps, schema_editor):
    remove_vector(schema_editor, table="actions_action", column="search_vector")


class Migration(migrations.Migration):
    dependencies = [("actions", "0007_merge_20261201_1626")]

    operations = [migrations.RunPython(forwards, backwards)]
