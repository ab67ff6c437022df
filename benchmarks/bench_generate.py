"""How fast `manage.py generate_data` writes the record through the services, in rows a second.

Run: .venv/bin/python benchmarks/bench_generate.py                (cheap: SQLite, 1 board)
     .venv/bin/python benchmarks/bench_generate.py --sizes 1x1,5x10 \
         --database postgresql://postgres@127.0.0.1:55432/empty

Each size (BOARDSxYEARS) is generated in a transaction that is rolled back afterwards, so the
database is left as it was (and must hold no generated data to start with). The rows counted
are the record's (meetings, items, attendance, questions, actions, owners, progress, published
snapshots) and, apart, the history rows written with them; the load average is printed beside
every figure, as the machine is shared.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup(database: str | None) -> None:
    if not database:
        path = Path(tempfile.mkdtemp(prefix="scrutiny-bench-")) / "bench.sqlite3"
        seeded = os.environ.get("BENCH_SQLITE_MIGRATED")  # a migrated empty file to start from
        if seeded:
            shutil.copyfile(seeded, path)
        database = f"sqlite:///{path}"
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings"
    os.environ["DATABASE_URL"] = database
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def history_rows() -> int:
    from django.apps import apps

    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("BENCH_GENERATE_DATABASE"))
    parser.add_argument("--sizes", default=os.environ.get("BENCH_GENERATE_SIZES", "1x1"))
    # Another version of the command, to compare two side by side on the same machine.
    parser.add_argument("--command", default="generate_data")
    args = parser.parse_args()
    setup(args.database)

    from django.core.management import call_command
    from django.db import connection, transaction

    from actions.models import Action

    print(f"{args.command} ({connection.vendor}), each size rolled back afterwards:")
    for size in args.sizes.split(","):
        boards, years = (int(n) for n in size.split("x"))
        out = StringIO()
        with transaction.atomic():
            history_before = history_rows()
            load = os.getloadavg()[0]
            started = time.perf_counter()
            call_command(args.command, boards=boards, years=years, seed=1, stdout=out)
            seconds = time.perf_counter() - started
            actions = Action.objects.count()
            history = history_rows() - history_before
            transaction.set_rollback(True)
        summary = [line for line in out.getvalue().splitlines() if line.startswith("Generated")]
        rows = sum(int(part.split()[0]) for part in summary[0].split(": ", 1)[1].split(", "))
        print(
            f"  {boards} board(s) x {years} year(s): {actions} actions, {rows} rows "
            f"+ {history} history rows in {seconds:.1f} s: {rows / seconds:,.0f} rows a second, "
            f"{actions / seconds:,.0f} actions a second (load {load:.2f} at the start, "
            f"{os.getloadavg()[0]:.2f} at the end)"
        )


if __name__ == "__main__":
    main()
