"""The audit trail as people read it: who changed what, when, from what to what."""

import functools
import getpass
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.signals import pre_create_historical_record

KINDS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
MAX_ENTRIES = 100


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    at: datetime
    who: str
    kind: str
    what: str
    changes: list[Change] = field(default_factory=list)


def _show(value) -> str:
    if value in (None, ""):
        return "–"
    text = str(value)
    return text if len(text) <= 300 else text[:299] + "…"


def entries(*querysets, limit: int = MAX_ENTRIES) -> list[AuditEntry]:
    """The latest changes recorded in the given history querysets, newest first."""
    records = []
    for queryset in querysets:
        records.extend(queryset.select_related("history_user").order_by("-history_date")[:limit])
    records.sort(key=lambda r: r.history_date, reverse=True)
    out = []
    for record in records[:limit]:
        model = record.instance_type
        changes = []
        if record.history_type == "~" and record.prev_record is not None:
            delta = record.diff_against(record.prev_record, excluded_fields=["version"])
            for change in delta.changes:
                label = model._meta.get_field(change.field).verbose_name
                changes.append(Change(str(label), _show(change.old), _show(change.new)))
            if not changes:
                continue
        user = record.history_user
        name = model._meta.verbose_name.capitalize()
        out.append(
            AuditEntry(
                at=record.history_date,
                who=(user.get_full_name() or user.get_username())
                if user
                else (record.history_change_reason or str(_("system"))),
                kind=str(KINDS[record.history_type]),
                what=f"{name}: {_show(str(record.instance))[:120]}",
                changes=changes,
            )
        )
    return out


_recording: ContextVar[tuple[object, str]] = ContextVar("recording", default=(None, ""))


# Rows whose history one INSERT … SELECT copies: more would make a statement too long for SQLite.
HISTORY_CHUNK = 500


_HISTORICAL: dict[type, type] = {}


def historical_model(model) -> type:
    """The history model of `model` (read once: `model.history` builds a manager class at
    every access, a fifth of a bulk write's own time)."""
    if model not in _HISTORICAL:
        _HISTORICAL[model] = model.history.model
    return _HISTORICAL[model]


def _attributed(model, rows: list) -> dict:
    """These rows by the id of the user their history rows are attributed to."""
    historical = historical_model(model)
    user, _reason = _recording.get()
    by_user: dict = {}
    for row in rows:
        who = getattr(row, "_history_user", None) or user
        if who is None:
            who = historical.get_default_history_user(row)
        by_user.setdefault(getattr(who, "pk", None), []).append(row)
    return by_user


@functools.cache
def _history_columns(model, alias: str) -> tuple[str, str]:
    """The history table's columns a copy writes, and the row's columns it copies them from."""
    quote = connections[alias].ops.quote_name
    tracked = historical_model(model).tracked_fields
    target = [quote(field.column) for field in tracked]
    source = [quote(model._meta.get_field(field.name).column) for field in tracked]
    extra = ["history_date", "history_user_id", "history_change_reason", "history_type"]
    return ", ".join(target + extra), ", ".join(source)


def _history_head(model, connection, user_id, history_type: str) -> list:
    """The values of a history row that are not copied from the row: when, by whom, why, what."""
    _user, reason = _recording.get()
    date_field = historical_model(model)._meta.get_field("history_date")
    return [
        date_field.get_db_prep_value(timezone.now(), connection),
        user_id,
        reason[:100] or None,
        history_type,
    ]


def _history_copy(model, rows: list, history_type: str) -> None:
    """A history row for each of these rows, copied by the database from the row as it now
    stands (or, for "-", as it stands before its deletion): one INSERT … SELECT a batch, so no
    historical object is built, converted and sent back from Python. Attributed as
    `recorded_as` says, or to the user a row names (`_history_user`), or to the request's."""
    if not rows or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    historical = historical_model(model)
    connection = connections[router.db_for_write(historical)]
    quote = connection.ops.quote_name
    columns, source = _history_columns(model, connection.alias)
    pk = quote(model._meta.pk.column)
    # PostgreSQL takes the keys as one array (a statement of one parameter, however many rows);
    # SQLite as a list of parameters, in chunks short enough for it.
    array = connection.vendor == "postgresql"
    sql = (
        f"INSERT INTO {quote(historical._meta.db_table)} ({columns}) "
        f"SELECT {source}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {pk} {'= ANY(%s)' if array else 'IN ({marks})'} ORDER BY {pk}"
    )
    with connection.cursor() as cursor:
        for user_id, attributed in _attributed(model, rows).items():
            pks = [row.pk for row in attributed]
            chunks = (
                [pks]
                if array
                else [
                    pks[start : start + HISTORY_CHUNK]
                    for start in range(0, len(pks), HISTORY_CHUNK)
                ]
            )
            head = _history_head(model, connection, user_id, history_type)
            for chunk in chunks:
                if array:
                    cursor.execute(sql, [*head, chunk])
                else:
                    cursor.execute(
                        sql.format(marks=", ".join(["%s"] * len(chunk))), [*head, *chunk]
                    )


@functools.cache
def _insert_plan(model, alias: str) -> tuple[list, str] | None:
    """The fields of `model` that `_inserted_with_history` sends and its statement, built once a
    model; None for a model it does not take (not PostgreSQL, a model with parents or ordered
    with respect to another, a column with a database default or of a type that is not a plain
    one: Django's bulk_create writes those)."""
    connection = connections[alias]
    opts = model._meta
    if (
        connection.vendor != "postgresql"
        or opts.parents
        or opts.order_with_respect_to
        or not opts.pk.db_returning
    ):
        return None
    fields = [each for each in opts.concrete_fields if not each.generated and each is not opts.pk]
    if any(
        each.db_returning
        or each.has_db_default()
        or hasattr(each, "get_placeholder_sql")
        or (each.target_field if each.is_relation else each).get_internal_type()
        not in connection.data_types
        for each in fields
    ):
        return None
    quote = connection.ops.quote_name
    history_columns, source = _history_columns(model, alias)
    pk = quote(opts.pk.column)
    arrays = ", ".join(f"(%s)::{each.db_type(connection).split('(')[0]}[]" for each in fields)
    history_table = quote(historical_model(model)._meta.db_table)
    sql = (
        f"WITH new AS (INSERT INTO {quote(opts.db_table)} "
        f"({', '.join(quote(each.column) for each in fields)}) "
        f"SELECT * FROM UNNEST({arrays}) RETURNING *), "
        f"copied AS (INSERT INTO {history_table} ({history_columns}) "
        f"SELECT {source}, %s, %s, %s, %s FROM new ORDER BY {pk}) "
        f"SELECT {pk} FROM new"
    )
    return fields, sql


def _inserted_with_history(model, rows: list, connection) -> bool:
    """On PostgreSQL, insert new rows and copy their history rows in one statement (the
    history copied from the rows the insert returns), the values sent as one array a column,
    as Django's bulk_create sends them. False, having written nothing, for rows it does not
    take (of a model `_insert_plan` does not take, a key already set, a value that is an
    expression, rows attributed to more than one user): `bulk_create_recorded` then inserts
    them as Django does and copies their history after."""
    plan = _insert_plan(model, connection.alias)
    if (
        plan is None
        or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
        or any(row.pk is not None for row in rows)
    ):
        return False
    attributed = _attributed(model, rows)
    if len(attributed) != 1:
        return False
    fields, sql = plan
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="bulk_create")
    columns = []
    for column in fields:
        values = [column.pre_save(row, True) for row in rows]
        if any(hasattr(value, "resolve_expression") for value in values):
            return False
        columns.append([column.get_db_prep_save(value, connection=connection) for value in values])
    (user_id,) = attributed
    with connection.cursor() as cursor:
        cursor.execute(sql, [*columns, *_history_head(model, connection, user_id, "+")])
        keys = [key for (key,) in cursor.fetchall()]
    for row, key in zip(rows, keys, strict=True):
        row.pk = key
        row._state.adding = False
        row._state.db = connection.alias
    return True


def bulk_create_recorded(rows: list, model) -> list:
    """Insert rows in bulk with a history row each, attributed as `recorded_as` says (bulk
    inserts send no per-row signal, so the attribution is passed along here)."""
    rows = list(rows)
    if not rows:
        return rows
    using = router.db_for_write(model)
    with transaction.atomic(using=using, savepoint=False):
        if _inserted_with_history(model, rows, connections[using]):
            return rows
        # PostgreSQL and SQLite return the new keys, which the history rows are copied by.
        created = model._default_manager.bulk_create(rows)
        _history_copy(model, created, "+")
    return created


def bulk_update_recorded(rows: list, model, fields: list[str]) -> None:
    """Update these fields of rows in bulk with a history row each (the rows as they then
    stand), attributed as `bulk_create_recorded` attributes them."""
    if not rows:
        return
    with transaction.atomic(using=router.db_for_write(model), savepoint=False):
        if fields:
            model._default_manager.bulk_update(rows, fields)
        _history_copy(model, rows, "~")


def bulk_delete_recorded(rows: list, model) -> None:
    """Delete rows in one statement with a history row each ("deleted", in one insert),
    attributed as `bulk_create_recorded` attributes them. For models nothing refers to: no
    per-row signal is sent, so nothing is cascaded."""
    if not rows:
        return
    if model._meta.related_objects:
        raise ValueError(f"{model.__name__} rows are referred to: delete them one by one.")
    with transaction.atomic(using=router.db_for_write(model), savepoint=False):
        _history_copy(model, rows, "-")
        model._base_manager.filter(pk__in=[row.pk for row in rows])._raw_delete(
            model._base_manager.db
        )


@contextmanager
def recorded_as(*, user=None, reason: str = ""):
    """Every change recorded in the audit trail inside the block is attributed to this user,
    or, for a command run without one, carries the reason (which names the operator)."""

    def attribute(sender, history_instance, **kwargs):
        if user is not None:
            history_instance.history_user = user
        if reason and not history_instance.history_change_reason:
            history_instance.history_change_reason = reason[:100]

    pre_create_historical_record.connect(attribute, dispatch_uid="scrutiny.recorded_as")
    token = _recording.set((user, reason))
    try:
        yield
    finally:
        _recording.reset(token)
        pre_create_historical_record.disconnect(dispatch_uid="scrutiny.recorded_as")


def recording() -> tuple[object, str]:
    """The user and reason `recorded_as` attributes changes to here (None and "" outside it),
    for work queued now that a task will record later in the same name."""
    return _recording.get()


def operator(username: str | None):
    """The user a command runs as (`--by USERNAME`), and what the audit trail says of it: the
    account, or the operating-system user who ran the command when no account is named."""
    if username:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user %(name)r (--by).") % {"name": username})
        return user, ""
    return None, str(_("command run by %(os_user)s")) % {"os_user": getpass.getuser()}
