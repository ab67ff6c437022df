"""Rules a row must keep whoever writes it, held by the database as triggers (ADR 0011).

A rule is one SQL condition that is true when a row breaks it. The same condition becomes
PostgreSQL (plpgsql) triggers (an update checked row by row, an insert once a statement over all
the rows it inserted), a SQLite trigger, and the query that lists the rows already breaking it,
so they never drift apart. Installing is idempotent: the migration that
introduces a rule checks the stored rows and installs it (on PostgreSQL), and every `migrate`
installs what is missing when it ends (`heal`). On SQLite the triggers are lifted before every
`migrate` and put back after it (`lift`), since a table rebuilt by a migration would trip them.
"""

from dataclasses import dataclass

ROW = "{row}"


@dataclass(frozen=True, kw_only=True)
class RowRule:
    """`broken` is an SQL condition on the new row (written `{row}.column`), true when the row
    breaks the rule; an update of `columns` checks it again. A rule that compares the row with
    what it was (`OLD.column`) is `update_only` and has no meaning for rows already stored."""

    name: str
    table: str
    columns: tuple[str, ...]
    broken: str
    message: str
    update_only: bool = False

    def condition(self, row: str) -> str:
        return self.broken.replace(ROW, row)


def kept_while_named(
    *, name: str, table: str, column: str, named_in: list[tuple[str, str]], message: str
) -> RowRule:
    """A rule that a row's `column` (its body, meeting or board) does not change while rows of
    `named_in` ((table, column) pairs) point at it."""
    named = " OR ".join(
        f"EXISTS (SELECT 1 FROM {other} WHERE {other_column} = NEW.id)"
        for other, other_column in named_in
    )
    return RowRule(
        name=name,
        table=table,
        columns=(column,),
        broken=f"NEW.{column} IS DISTINCT FROM OLD.{column} AND ({named})",
        message=message,
        update_only=True,
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _raise(rule: RowRule) -> str:
    return (
        f"RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = {_quote(rule.name)},\n"
        f"            MESSAGE = {_quote(rule.message)};"
    )


def _postgresql(rule: RowRule) -> list[str]:
    """An update of the rule's columns is checked row by row (a trigger of a column list
    cannot read the statement's rows at once). An insert is checked once a statement, in one
    query over the rows it inserted (a transition table): a bulk insert of many rows then costs
    one check, not one call of the function a row."""
    function = f"scrutiny_rule_{rule.name}"
    statements = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {rule.condition("NEW")} THEN
        {_raise(rule)}
    END IF;
    RETURN NEW;
END
$$""",
        f"DROP TRIGGER IF EXISTS {rule.name} ON {rule.table}",
        f"CREATE TRIGGER {rule.name} BEFORE UPDATE OF {', '.join(rule.columns)} "
        f"ON {rule.table} FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]
    if not rule.update_only:
        statements += [
            f"""CREATE OR REPLACE FUNCTION {function}_insert() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM scrutiny_inserted AS inserted WHERE {rule.condition("inserted")})
    THEN
        {_raise(rule)}
    END IF;
    RETURN NULL;
END
$$""",
            f"DROP TRIGGER IF EXISTS {rule.name}_insert ON {rule.table}",
            f"CREATE TRIGGER {rule.name}_insert AFTER INSERT ON {rule.table} "
            f"REFERENCING NEW TABLE AS scrutiny_inserted FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {function}_insert()",
        ]
    return statements


def _sqlite(rule: RowRule) -> list[str]:
    statements = []
    events = {"update": "UPDATE OF " + ", ".join(rule.columns)}
    if not rule.update_only:
        events["insert"] = "INSERT"
    for suffix, event in events.items():
        name = f"{rule.name}_{suffix}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} BEFORE {event} ON {rule.table} FOR EACH ROW "
            f"WHEN {rule.condition('NEW')} "
            f"BEGIN SELECT RAISE(ABORT, {_quote(rule.name + ': ' + rule.message)}); END",
        ]
    return statements


def install(connection, rules: list[RowRule]) -> None:
    """Create (or replace) the triggers of these rules."""
    build = {"postgresql": _postgresql, "sqlite": _sqlite}.get(connection.vendor)
    if build is None:
        raise NotImplementedError(f"No row rules for {connection.vendor}")
    with connection.cursor() as cursor:
        for rule in rules:
            for statement in build(rule):
                cursor.execute(statement)


def _present(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def _stale(connection, rules: list[RowRule]) -> set[RowRule]:
    """On PostgreSQL, the rules whose functions hold another check than the rule's code now
    writes (a rule made faster or mended since it was installed)."""
    if connection.vendor != "postgresql":
        return set()  # SQLite's triggers are lifted and installed again by every `migrate`
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'scrutiny_rule_%%'")
        installed = dict(cursor.fetchall())
    stale = set()
    for rule in rules:
        for statement in _postgresql(rule):
            if statement.startswith("CREATE OR REPLACE FUNCTION"):
                name = statement.split()[4].removesuffix("()")
                source = statement.split("$$")[1]
                if name in installed and installed[name] != source:
                    stale.add(rule)
    return stale


def heal(using: str, app: str, migration: str, rules: list[RowRule]) -> None:
    """Install the rules whose triggers are missing or out of date, once the migration that
    introduced them is applied (or when the app is migrated without migrations, as some test
    runs do)."""
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    module, _explicit = MigrationLoader.migrations_module(app)
    applied = MigrationRecorder(connection).applied_migrations()
    if module is not None and (app, migration) not in applied:
        return
    present = _present(connection)
    names = {
        rule: ({rule.name} if connection.vendor == "postgresql" else {f"{rule.name}_update"})
        | (set() if rule.update_only else {f"{rule.name}_insert"})
        for rule in rules
    }
    stale = _stale(connection, rules)
    missing = [rule for rule in rules if not names[rule] <= present or rule in stale]
    if missing:
        install(connection, missing)


def uninstall(connection, rules: list[RowRule]) -> None:
    with connection.cursor() as cursor:
        for rule in rules:
            if connection.vendor == "postgresql":
                for suffix in ("", "_insert"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {rule.name}{suffix} ON {rule.table}")
                    cursor.execute(f"DROP FUNCTION IF EXISTS scrutiny_rule_{rule.name}{suffix}()")
            else:
                for suffix in ("insert", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {rule.name}_{suffix}")


def violations(connection, rules: list[RowRule]) -> list[str]:
    """The stored rows that break the rules, one line per rule: what and where."""
    lines = []
    with connection.cursor() as cursor:
        for rule in rules:
            if rule.update_only:
                continue
            cursor.execute(
                f"SELECT id FROM {rule.table} AS stored WHERE {rule.condition('stored')} "
                "ORDER BY id"
            )
            ids = [str(row[0]) for row in cursor.fetchall()]
            if ids:
                shown = ", ".join(ids[:20]) + (
                    f" and {len(ids) - 20} more" if len(ids) > 20 else ""
                )
                lines.append(f"{rule.table} id {shown}: {rule.message}")
    return lines


def check_and_install(connection, rules: list[RowRule]) -> None:
    """For a migration: refuse, saying what and where, when stored rows already break a rule;
    else install the rules (on SQLite once the whole `migrate` has run: see `lift`)."""
    broken = violations(connection, rules)
    if broken:
        raise RuntimeError(
            "These rows break a rule the database is about to enforce; correct them (through "
            "the admin or the services) and migrate again:\n  " + "\n  ".join(broken)
        )
    if connection.vendor != "sqlite":
        install(connection, rules)


def migration_installing(rules: list[RowRule]):
    """The operation of a migration that introduces these rules: `check_and_install` forwards,
    `uninstall` backwards."""
    from django.db import migrations

    return migrations.RunPython(
        lambda apps, schema_editor: check_and_install(schema_editor.connection, rules),
        lambda apps, schema_editor: uninstall(schema_editor.connection, rules),
        elidable=False,
    )


def lift(using: str, rules: list[RowRule]) -> None:
    """Before every `migrate` on SQLite: drop the triggers, which `heal` puts back after it.
    SQLite rebuilds a table to alter it (a new table, the old one dropped, the new one renamed),
    and a trigger of another table that names the dropped one makes the rename fail ("error in
    trigger ...: no such table"). PostgreSQL alters tables in place and keeps its triggers."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        uninstall(connection, rules)


def connect(app_config, *, migration: str, rules: list[RowRule]) -> None:
    """Keep an app's rules through every `migrate`: lifted before it (on SQLite), and installed
    after it where missing, once `migration`, which introduced them, is applied. An app connects
    each migration that introduces rules, with the rules it introduced."""
    from django.db.models.signals import post_migrate, pre_migrate

    def install_rules(sender, *, using: str = "default", **kwargs) -> None:
        heal(using, app_config.label, migration, rules)

    def lift_rules(sender, *, using: str = "default", **kwargs) -> None:
        lift(using, rules)

    label = app_config.label
    post_migrate.connect(
        install_rules, sender=app_config, weak=False, dispatch_uid=f"{label}.row_rules.{migration}"
    )
    pre_migrate.connect(
        lift_rules,
        sender=app_config,
        weak=False,
        dispatch_uid=f"{label}.row_rules_lift.{migration}",
    )
