"""Stored search vectors (PostgreSQL only; see scrutiny/fulltext.py).

The published passages' vector is chosen by each row's language (English stemmed, Welsh word for
word) and replaces the expression indexes of 0003: a search now ranks its matches from the
stored vectors instead of parsing every matching passage again. Staff search of the live record
(items, papers, questions and responses) gets its own stored, indexed vectors.
"""

from django.db import migrations

from scrutiny.fulltext import add_vector, remove_vector

# Frozen copies: a later language or column gets a migration of its own.
PUBLISHED_CONFIGS = {"en": "english", "cy": "simple"}
VECTORS = [
    ("meetings_publishedtext", "search_vector", "title", "text", PUBLISHED_CONFIGS),
    ("meetings_agendaitem", "search_vector", "title", "minutes", "english"),
    ("meetings_paper", "search_vector", "title", "author", "english"),
    ("meetings_question", "search_question", "number", "question", "english"),
    ("meetings_question", "search_response", "number", "response", "english"),
]
OLD_INDEXES = ["publishedtext_search_en", "publishedtext_search_cy"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in OLD_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    for table, column, title, text, config in VECTORS:
        add_vector(
            schema_editor, table=table, column=column, title=title, text=text, config=config
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, *_rest in VECTORS:
        remove_vector(schema_editor, table=table, column=column)
    for name, (language, config) in zip(OLD_INDEXES, PUBLISHED_CONFIGS.items(), strict=True):
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "meetings_publishedtext" USING gin ('
            f"(setweight(to_tsvector('{config}'::regconfig, COALESCE(\"title\", '')), 'A') || "
            f"setweight(to_tsvector('{config}'::regconfig, COALESCE(\"text\", '')), 'B'))) "
            f"WHERE \"language\" = '{language}'"
        )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0010_merge_0004_i11_merge_i9_0009_merge_20261201_1615")]

    operations = [migrations.RunPython(forwards, backwards)]
