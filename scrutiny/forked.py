"""Work handed to a forked copy of the process, for a command that builds much at once on a
machine with a core to spare: manage.py generate_data stores a board's publications there
(reads its content, renders its pages, inserts them) while it writes the next board."""

import os
import pickle
import threading
from collections.abc import Callable, Sequence

from django.db import connections


class QueryInForkedCopy(RuntimeError):
    """The forked copy may not use the process's database connection (it shares its socket)."""


def _refuse(execute, sql, params, many, context):
    raise QueryInForkedCopy(sql[:80])


# The parent's connections, kept from being finalized in the copy: closing one there would end
# the parent's session on the server (they share the socket).
_PARENTS: list = []


def _work_in_child(func: Callable, items: Sequence, out: int, own_connection: bool) -> None:
    status = 1
    try:
        for connection in connections.all(initialized_only=True):
            if own_connection:
                _PARENTS.append(connection.connection)
                connection.connection = None  # the next query connects anew
            else:
                connection.execute_wrappers.append(_refuse)
        data = pickle.dumps([func(item) for item in items], protocol=pickle.HIGHEST_PROTOCOL)
        with open(out, "wb") as pipe:
            pipe.write(data)
        status = 0
        if own_connection:
            connections.close_all()  # its own, not the parent's (kept apart above)
    finally:
        # Nothing of the parent's is cleaned up here: its connections, output, atexit hooks.
        os._exit(status)


def can_fork() -> bool:
    """A copy of the process can work beside it: fork exists, there is a second core, and no
    other thread runs (a fork would copy the locks it holds)."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


class Later:
    """[func(item) for item in items], worked out by a forked copy of this process (on another
    core) while this one goes on; `result()` waits for it. The copy sees everything this
    process held when it was made, but not its database connection: func must not query (if
    it does, the copy stops and `result()` works the list out here), unless `own_connection`:
    then the copy connects anew, and sees what is committed (this process must be between
    transactions). The results come back pickled, so they should be plain values. Without a
    fork (`can_fork`), the list is worked out here at once."""

    def __init__(
        self, func: Callable, items: Sequence, *, fork: bool = True, own_connection: bool = False
    ):
        self.func, self.items = func, list(items)
        self.pid, self.pipe, self.results = None, None, None
        if not (fork and self.items and can_fork()):
            self.results = [func(item) for item in self.items]
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            _work_in_child(func, self.items, write, own_connection)
        os.close(write)
        self.pid, self.pipe = pid, open(read, "rb")  # noqa: SIM115 (closed in result)

    def result(self) -> list:
        if self.results is not None:
            return self.results
        try:
            data = self.pipe.read()
        finally:
            status = self.discard()
        if os.waitstatus_to_exitcode(status) == 0 and data:
            self.results = pickle.loads(data)  # noqa: S301 (our own copy's output)
        else:
            self.results = [self.func(item) for item in self.items]
        return self.results

    def discard(self) -> int:
        """Stop waiting for the copy (its results are not wanted, or were read): it ends,
        and is reaped here. Returns its wait status."""
        if self.pid is None:
            return 0
        self.pipe.close()
        _pid, status = os.waitpid(self.pid, 0)
        self.pid = None
        return status
