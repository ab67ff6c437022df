"""Stored full-text vectors on PostgreSQL, for search (minutes/search.py).

On PostgreSQL every table that search reads has a generated column holding its passage as a
tsvector (the title weighted A, the text B), kept up to date by the database itself and indexed
with GIN: a search finds its matches through the index and ranks them from the stored vectors,
without parsing their text again. The models do not declare these columns (SQLite, which
searches word by word, has none); migrations add them with `add_vector` and queries read them
with `stored_vector`.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db.models.expressions import RawSQL

# Language of a text -> PostgreSQL text-search configuration: English is stemmed; Welsh, which
# PostgreSQL cannot stem, is read word for word by 'simple'.
SEARCH_CONFIGS = {"en": "english", "cy": "simple"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def config_sql(config: str | dict[str, str], *, language_column: str = "language") -> str:
    """The configuration of a vector: one for every row, or chosen by the row's language (a
    mapping of language to configuration; the first one also reads any other language)."""
    if isinstance(config, str):
        return f"'{config}'::regconfig"
    default = next(iter(config.values()))
    cases = " ".join(
        f"WHEN '{language}' THEN '{name}'::regconfig" for language, name in config.items()
    )
    return f"CASE {_quote(language_column)} {cases} ELSE '{default}'::regconfig END"


def vector_sql(*, title: str | None, text: str, config: str | dict[str, str]) -> str:
    """The vector of a row's passage: its title weighted A (when it has one), its text B."""
    regconfig = config_sql(config)
    parts = [(title, "A")] if title else []
    parts.append((text, "B"))
    return " || ".join(
        f"setweight(to_tsvector({regconfig}, coalesce({_quote(column)}, '')), '{weight}')"
        for column, weight in parts
    )


def add_vector(
    schema_editor,
    *,
    table: str,
    column: str,
    title: str | None,
    text: str,
    config: str | dict[str, str] = "english",
) -> None:
    """Add the stored, GIN-indexed vector of a table's passages (PostgreSQL only)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    expression = vector_sql(title=title, text=text, config=config)
    schema_editor.execute(
        f"ALTER TABLE {_quote(table)} ADD COLUMN {_quote(column)} tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX {_quote(f'{table}_{column}')} ON {_quote(table)} "
        f"USING gin ({_quote(column)})"
    )


def remove_vector(schema_editor, *, table: str, column: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {_quote(table)} DROP COLUMN IF EXISTS {_quote(column)}")


def stored_vector(model, column: str) -> RawSQL:
    """A query's reference to the stored vector of its main table (PostgreSQL only)."""
    return RawSQL(
        f"{_quote(model._meta.db_table)}.{_quote(column)}", (), output_field=SearchVectorField()
    )
