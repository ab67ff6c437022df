"""The register's counts by status and by owner, kept up to date by the database.

Counting every action and owner row on the first request after a change was most of the
register's time at 120,000 actions. Triggers on actions and their owners (PostgreSQL and
SQLite, whoever writes: the services, the importer, the admin, a factory) add a row to
`RegisterCount` for each change of the number of actions of a board at a status, and of those
with each owner. Rows are only added (no row is updated), so two writers never wait on each
other or deadlock on a count; the register sums them (a few thousand rows a board, not the
actions). `register_counts_compact` folds them into one row a key, and `register_counts_rebuild`
counts the tables afresh (after `generate_data`, or when the triggers were missing).

On SQLite the triggers are lifted before every `migrate` and put back after it with the counts
rebuilt, as the row rules are (`scrutiny/row_rules.py`: a table rebuilt by a migration would
trip a trigger that names it).
"""

from django.db import connections, router, transaction
from django.db.models import Sum

from actions.models import Action, RegisterCount

TABLE = "actions_registercount"
COLUMNS = f"INSERT INTO {TABLE} (board_pk, status, role_pk, person_pk, n)"
TRIGGERS = [
    ("actions_action", "count_action_insert"),
    ("actions_action", "count_action_update"),
    ("actions_action", "count_action_delete"),
    ("actions_actionowner", "count_owner_insert"),
    ("actions_actionowner", "count_owner_update"),
    ("actions_actionowner", "count_owner_delete"),
]


def _changed(old: str, new: str) -> str:
    return f"({old}.status, {old}.board_id) IS DISTINCT FROM ({new}.status, {new}.board_id)"


# PostgreSQL: one trigger a statement, reading the rows it changed (transition tables), so a
# bulk insert of thousands of actions adds one row a board and status, not one an action.
_POSTGRESQL_FUNCTIONS = {
    "count_action_insert": f"""
        {COLUMNS} SELECT board_id, status, NULL, NULL, COUNT(*) FROM new_rows
        GROUP BY board_id, status;""",
    "count_action_delete": f"""
        {COLUMNS} SELECT board_id, status, NULL, NULL, -COUNT(*) FROM old_rows
        GROUP BY board_id, status;""",
    # The rows whose board or status changed, found once (a join of the two transition tables:
    # most updates, a new version or a text, change neither, and then no owner is read).
    "count_action_update": f"""
        WITH changed AS MATERIALIZED (
            SELECT w.id, o.board_id AS old_board, o.status AS old_status,
                   w.board_id AS new_board, w.status AS new_status
            FROM old_rows o JOIN new_rows w ON w.id = o.id WHERE {_changed("o", "w")}
        )
        {COLUMNS} SELECT board_id, status, role_id, person_id, SUM(n) FROM (
            SELECT old_board AS board_id, old_status AS status, NULL::integer AS role_id,
                   NULL::integer AS person_id, -1 AS n
            FROM changed
            UNION ALL
            SELECT new_board, new_status, NULL, NULL, 1 FROM changed
            UNION ALL
            SELECT c.old_board, c.old_status, ao.role_id, ao.person_id, -1
            FROM changed c JOIN actions_actionowner ao ON ao.action_id = c.id
            UNION ALL
            SELECT c.new_board, c.new_status, ao.role_id, ao.person_id, 1
            FROM changed c JOIN actions_actionowner ao ON ao.action_id = c.id
        ) AS changes GROUP BY board_id, status, role_id, person_id HAVING SUM(n) <> 0;""",
    "count_owner_insert": f"""
        {COLUMNS} SELECT a.board_id, a.status, r.role_id, r.person_id, COUNT(*)
        FROM new_rows r JOIN actions_action a ON a.id = r.action_id
        GROUP BY a.board_id, a.status, r.role_id, r.person_id;""",
    "count_owner_delete": f"""
        {COLUMNS} SELECT a.board_id, a.status, r.role_id, r.person_id, -COUNT(*)
        FROM old_rows r JOIN actions_action a ON a.id = r.action_id
        GROUP BY a.board_id, a.status, r.role_id, r.person_id;""",
    "count_owner_update": f"""
        {COLUMNS} SELECT board_id, status, role_id, person_id, SUM(n) FROM (
            SELECT a.board_id, a.status, r.role_id, r.person_id, -1 AS n
            FROM old_rows r JOIN actions_action a ON a.id = r.action_id
            UNION ALL
            SELECT a.board_id, a.status, r.role_id, r.person_id, 1
            FROM new_rows r JOIN actions_action a ON a.id = r.action_id
        ) AS changes GROUP BY board_id, status, role_id, person_id HAVING SUM(n) <> 0;""",
}
_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def _postgresql() -> list[str]:
    statements = []
    for table, name in TRIGGERS:
        event = name.rsplit("_", 1)[1]
        statements += [
            f"CREATE OR REPLACE FUNCTION scrutiny_{name}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {_POSTGRESQL_FUNCTIONS[name]} RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} {_REFERENCING[event]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION scrutiny_{name}()",
        ]
    return statements


# SQLite: one trigger a row (SQLite has no statement triggers).
_SQLITE_BODIES = {
    "count_action_insert": (
        "INSERT",
        f"{COLUMNS} VALUES (NEW.board_id, NEW.status, NULL, NULL, 1);",
    ),
    "count_action_delete": (
        "DELETE",
        f"{COLUMNS} VALUES (OLD.board_id, OLD.status, NULL, NULL, -1);",
    ),
    "count_action_update": (
        "UPDATE OF status, board_id",
        f"""{COLUMNS} VALUES (OLD.board_id, OLD.status, NULL, NULL, -1),
                             (NEW.board_id, NEW.status, NULL, NULL, 1);
        {COLUMNS} SELECT OLD.board_id, OLD.status, role_id, person_id, -1
            FROM actions_actionowner WHERE action_id = OLD.id;
        {COLUMNS} SELECT NEW.board_id, NEW.status, role_id, person_id, 1
            FROM actions_actionowner WHERE action_id = NEW.id;""",
    ),
    "count_owner_insert": (
        "INSERT",
        f"""{COLUMNS} SELECT board_id, status, NEW.role_id, NEW.person_id, 1
            FROM actions_action WHERE id = NEW.action_id;""",
    ),
    "count_owner_delete": (
        "DELETE",
        f"""{COLUMNS} SELECT board_id, status, OLD.role_id, OLD.person_id, -1
            FROM actions_action WHERE id = OLD.action_id;""",
    ),
    "count_owner_update": (
        "UPDATE OF action_id, role_id, person_id",
        f"""{COLUMNS} SELECT board_id, status, OLD.role_id, OLD.person_id, -1
            FROM actions_action WHERE id = OLD.action_id;
        {COLUMNS} SELECT board_id, status, NEW.role_id, NEW.person_id, 1
            FROM actions_action WHERE id = NEW.action_id;""",
    ),
}


def _sqlite() -> list[str]:
    statements = []
    for table, name in TRIGGERS:
        event, body = _SQLITE_BODIES[name]
        columns = event.removeprefix("UPDATE OF ").split(", ") if event != "INSERT" else []
        when = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns if event != "DELETE")
        when = f" WHEN {when}" if when else ""
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body} END",
        ]
    return statements


def install(connection) -> None:
    """Create (or replace) the triggers."""
    build = {"postgresql": _postgresql, "sqlite": _sqlite}.get(connection.vendor)
    if build is None:
        raise NotImplementedError(f"No register counts for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in build():
            cursor.execute(statement)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for table, name in TRIGGERS:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS scrutiny_{name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def register_counts_rebuild(*, using: str = "default") -> None:
    """Count every action and owner afresh (the rows added so far are replaced). Writers of
    actions and owners wait until it is done (PostgreSQL), so no change is counted twice or
    missed."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "LOCK TABLE actions_action, actions_actionowner, "
                f"{TABLE} IN SHARE ROW EXCLUSIVE MODE"
            )
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"{COLUMNS} SELECT board_id, status, NULL, NULL, COUNT(*) FROM actions_action "
            "GROUP BY board_id, status"
        )
        cursor.execute(
            f"{COLUMNS} SELECT a.board_id, a.status, o.role_id, o.person_id, COUNT(*) "
            "FROM actions_actionowner o JOIN actions_action a ON a.id = o.action_id "
            "GROUP BY a.board_id, a.status, o.role_id, o.person_id"
        )


def register_counts_compact(*, boards=None, using: str = "default") -> None:
    """Fold the rows added so far (of these boards, or all) into one a key, in the keys' order
    (so the same rows get the same ids, whatever order the database summed them in); those
    summing to nothing go. Rows added meanwhile by other writers are left as they are: none is
    lost or counted twice. After an import (its boards) and once a day (`send_action_reminders`)."""
    connection = connections[using]
    newest = RegisterCount.objects.using(using).order_by("-pk").values_list("pk", flat=True)
    newest = newest.first()
    if newest is None:
        return
    keys = "board_pk, status, role_pk, person_pk"
    where, params = "id <= %s", [newest]
    if boards is not None:
        ids = sorted({getattr(board, "pk", board) for board in boards})
        if not ids:
            return
        where += f" AND board_pk IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, one snapshot: what it deletes is exactly what it sums.
            cursor.execute(
                f"WITH gone AS (DELETE FROM {TABLE} WHERE {where} RETURNING {keys}, n) "
                f"INSERT INTO {TABLE} ({keys}, n) SELECT {keys}, SUM(n) FROM gone "
                f"GROUP BY {keys} HAVING SUM(n) <> 0 ORDER BY {keys}",
                params,
            )
        else:
            # SQLite: the first statement writes, so no other writer comes in between.
            cursor.execute(
                f"INSERT INTO {TABLE} ({keys}, n) SELECT {keys}, SUM(n) FROM {TABLE} "
                f"WHERE {where} GROUP BY {keys} HAVING SUM(n) <> 0 ORDER BY {keys}",
                params,
            )
            cursor.execute(f"DELETE FROM {TABLE} WHERE {where}", params)


def register_counts(*, statuses, board=None, owners: int = 24) -> tuple[dict, list[dict]]:
    """The number of actions at each of these statuses (of one board, or all), and the
    `owners` owners with most of them (`role_id`, `person_id`, `n`), from the kept counts: two
    small aggregate queries whatever the number of actions."""
    rows = RegisterCount.objects.filter(status__in=list(statuses))
    if board is not None:
        rows = rows.filter(board_pk=getattr(board, "pk", board))
    by_status = {
        status: n
        for status, n in rows.filter(role_pk=None, person_pk=None)
        .values_list("status")
        .annotate(total=Sum("n"))
        .values_list("status", "total")
        if n
    }
    by_owner = (
        rows.exclude(role_pk=None, person_pk=None)
        .values("role_pk", "person_pk")
        .annotate(n=Sum("n"))
        .filter(n__gt=0)
        .order_by("-n")[:owners]
    )
    return by_status, [
        {"role_id": row["role_pk"], "person_id": row["person_pk"], "n": row["n"]}
        for row in by_owner
    ]


def connect(app_config, *, migration: str) -> None:
    """Keep the triggers through every `migrate` and `flush`: lifted before `migrate` on
    SQLite; after either (once `migration`, which introduced them, is applied), installed again
    with the counts rebuilt (about a second at 120,000 actions)."""
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder
    from django.db.models.signals import post_migrate, pre_migrate

    def heal(sender, *, using: str = "default", **kwargs) -> None:
        connection = connections[using]
        if connection.vendor not in ("postgresql", "sqlite"):
            return
        if not router.allow_migrate_model(using, Action):
            return
        module, _explicit = MigrationLoader.migrations_module(app_config.label)
        applied = MigrationRecorder(connection).applied_migrations()
        if module is not None and (app_config.label, migration) not in applied:
            return
        # Every time: on SQLite the triggers were lifted before `migrate`, and `flush` (which
        # ends with this signal) empties the tables with DELETEs in no set order, which the
        # triggers count; a rebuild also mends counts a hand-written DELETE may have left.
        install(connection)
        register_counts_rebuild(using=using)

    def lift(sender, *, using: str = "default", **kwargs) -> None:
        if connections[using].vendor == "sqlite":
            uninstall(connections[using])

    label = app_config.label
    post_migrate.connect(heal, sender=app_config, weak=False, dispatch_uid=f"{label}.counts")
    pre_migrate.connect(lift, sender=app_config, weak=False, dispatch_uid=f"{label}.counts_lift")
