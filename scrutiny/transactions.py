"""The services' transactions, and the one kind of batch in which their savepoints are needless.

A service that writes is atomic: called alone it is its own transaction; called inside another
it takes a savepoint, so that a caller that catches its refusal can go on with the transaction
as it stood. A batch that is all or nothing (an import of meeting files: the first fault rolls
every file back) never goes on after a fault, so there each savepoint is only cost: two round
trips to the database, and a subtransaction that every row written after it carries (a sixth of
an import's time).
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.tasks.signals import task_finished, task_started

_all_or_nothing: ContextVar[bool] = ContextVar("all_or_nothing", default=False)
_kept: ContextVar[dict | None] = ContextVar("kept", default=None)


@contextmanager
def all_or_nothing():
    """One transaction, rolled back whole by the first fault inside it: the services called in
    it (`atomic`) take no savepoints. Nothing inside may catch a service's refusal and go on
    writing; should anything try, Django refuses its next query (the transaction is marked for
    rollback), so a mistake fails loudly and writes nothing."""
    with transaction.atomic():
        token, kept = _all_or_nothing.set(True), _kept.set({})
        try:
            yield
        finally:
            _kept.reset(kept)
            _all_or_nothing.reset(token)


def kept(key):
    """Inside an `all_or_nothing` batch, what a service kept under `key` earlier in it (`keep`),
    or None. A row locked in the batch stays locked to its end (nothing rolls back to a
    savepoint, which would release the lock), so what a service read from a row it locked, and
    wrote itself since, is still so: it need not lock and read the row again."""
    memory = _kept.get()
    return None if memory is None or not _all_or_nothing.get() else memory.get(key)


def keep(key, value) -> None:
    """Keep what a service read from a row it locked (or wrote to it), for `kept`; outside an
    `all_or_nothing` batch nothing is kept."""
    memory = _kept.get()
    if memory is not None and _all_or_nothing.get():
        memory[key] = value


_outside_tasks: ContextVar[tuple[bool, ...]] = ContextVar("outside_tasks", default=())


def _task_started(**kwargs) -> None:
    """A task run where it is enqueued (the test suite's task backend runs each at once, inside
    the import that enqueues it) takes its savepoints: a task records a failure and goes on."""
    _outside_tasks.set((*_outside_tasks.get(), _all_or_nothing.get()))
    _all_or_nothing.set(False)


def _task_finished(**kwargs) -> None:
    *outer, was = _outside_tasks.get() or (False,)
    _outside_tasks.set(tuple(outer))
    _all_or_nothing.set(was)


task_started.connect(_task_started, dispatch_uid="scrutiny.transactions.task_started")
task_finished.connect(_task_finished, dispatch_uid="scrutiny.transactions.task_finished")


def atomic(func=None):
    """`transaction.atomic` for a service (as a decorator, or `with atomic():`), with no
    savepoint of its own inside an `all_or_nothing` batch."""
    if func is None:
        return transaction.atomic(savepoint=not _all_or_nothing.get())

    @functools.wraps(func)
    def inner(*args, **kwargs):
        with transaction.atomic(savepoint=not _all_or_nothing.get()):
            return func(*args, **kwargs)

    return inner
