"""Time and peak memory of the register's CSV and Excel exports of 120,000 actions.

Run: .venv/bin/python benchmarks/bench_exports.py

It fills a throwaway SQLite database (or, when BENCH_DATABASE_URL names a PostgreSQL database,
a database of its own beside it on the same server, dropped afterwards) with BENCH_EXPORT_ROWS
actions (default 120,000) of five boards, each with an owner and two progress reports (one
minuted at a meeting), then builds each export as
the background task does, into a temporary file. Each export runs in a child process of its
own, so the peak memory printed (ru_maxrss) is that export's, beside the child's footprint
before it started; the CPU time beside the wall time shows what a busy machine added.
Bounded: one run of each, and BENCH_EXPORT_ROWS caps the size.
"""

import contextlib
import datetime
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "120000"))
BOARDS = 5


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings"
    os.environ["DATABASE_URL"] = database_url
    seeded = os.environ.get("BENCH_SQLITE_MIGRATED")  # a migrated empty file to start from
    database = database_url.removeprefix("sqlite:///")
    if seeded and database != database_url and not Path(database).exists():
        shutil.copyfile(seeded, database)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill() -> None:
    from actions.models import Action, ActionOwner, ActionUpdate
    from meetings.models import Board, Meeting, Organisation, Role

    Action.objects.all().delete()
    body, _ = Organisation.objects.get_or_create(name="Bench OPCC", parent=None)
    start = datetime.date(2015, 1, 1)
    per_board = ROWS // BOARDS
    for b in range(BOARDS):
        board, _ = Board.objects.get_or_create(
            body=body, action_prefix=f"B{b}", defaults={"name": f"Board {b}", "slug": f"bench-{b}"}
        )
        role, _ = Role.objects.get_or_create(
            body=body, abbrev=f"R{b}", defaults={"title": f"Head of Department {b}"}
        )
        meeting, _ = Meeting.objects.get_or_create(board=board, held_on=start, title="")
        Action.objects.bulk_create(
            (
                Action(
                    board=board,
                    number=n,
                    text=f"Action {n}: report to a future meeting of the board on the work.",
                    due_on=start + datetime.timedelta(days=n % 2000),
                    raised_at_meeting=meeting,
                )
                for n in range(1, per_board + 1)
            ),
            batch_size=5000,
        )
        ids = list(Action.objects.filter(board=board).values_list("pk", flat=True))
        ActionOwner.objects.bulk_create(
            (ActionOwner(action_id=pk, role=role) for pk in ids), batch_size=5000
        )
        ActionUpdate.objects.bulk_create(
            (
                ActionUpdate(
                    action_id=pk,
                    reported_on=start + datetime.timedelta(days=30 + i),
                    text="Progress reported by the force lead, with what remains to be done.",
                    meeting=meeting if i else None,
                )
                for pk in ids
                for i in range(2)
            ),
            batch_size=5000,
        )


def measure(fmt: str) -> None:
    """Build one export in a child process and print its time and peak memory."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        from django.db import connection

        connection.close()  # a connection of its own, not the parent's
        from django.utils import timezone

        from actions import exports
        from actions.filters import ActionFilter
        from actions.models import Action

        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        today = timezone.localdate()
        actions = ActionFilter(
            {}, queryset=Action.objects.for_register().most_overdue_first(today)
        ).qs
        started, cpu = time.perf_counter(), time.process_time()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"export.{fmt}"
            if fmt == "csv":
                with path.open("w", encoding="utf-8", newline="") as out:
                    count = exports.write_csv(out, actions, today=today)
            else:
                with path.open("wb") as out:
                    count = exports.write_xlsx(out, actions, today=today, about=[])
            size = path.stat().st_size
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        os.write(write, f"{count} {size} {elapsed} {cpu} {before} {peak}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        report = pipe.read()
    os.waitpid(pid, 0)
    count, size, elapsed, cpu, before, peak = report.split()
    print(
        f"{fmt.upper():4}  {int(count):>7,} rows  {int(size) / 1e6:6.1f} MB  "
        f"{float(elapsed):6.1f} s ({float(cpu):.1f} s CPU)  peak {int(peak) / 1024:6.0f} MiB "
        f"(child at start {int(before) / 1024:.0f} MiB)"
    )


@contextlib.contextmanager
def own_database(url: str | None, folder: Path):
    """The database the exports fill, never BENCH_DATABASE_URL's itself (it holds the generated
    data every other benchmark of `make bench` reads, and the fill empties the actions): a
    throwaway SQLite file, or for PostgreSQL a database of its own on the same server, dropped
    afterwards."""
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_exports"
    own = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(url, autocommit=True) as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield own
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as server:
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as folder, own_database(url, Path(folder)) as database:
        setup_django(database)
        from django.db import connection

        started = time.perf_counter()
        fill()
        print(
            f"Register exports, {ROWS:,} actions on {connection.vendor} "
            f"(filled in {time.perf_counter() - started:.0f} s):"
        )
        connection.close()
        for fmt in ("csv", "xlsx"):
            measure(fmt)


if __name__ == "__main__":
    main()
