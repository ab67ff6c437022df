"""What the scale benchmarks share: Django set up on a chosen database, generated data, timing.

Not a test module: pytest collects tests/ only (pyproject's testpaths), and nothing here is
named test_*.
"""

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def parser(description: str):
    """The options every benchmark takes: where, and how much generated data."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--boards", type=int, default=int(os.environ.get("BENCH_BOARDS", 2)))
    parser.add_argument("--years", type=int, default=int(os.environ.get("BENCH_YEARS", 2)))
    return parser


def setup(database_url: str | None, *, debug: bool = False) -> str:
    """Django with production-like settings (DEBUG off, WhiteNoise) on the given database; a
    throwaway SQLite file when none is given."""
    if not database_url:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='scrutiny-bench-')}/bench.sqlite3"
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "true" if debug else "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("EMAIL_HOST", "127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ADMIN_REQUIRE_OTP", "false")
    os.environ.setdefault("STATIC_ROOT", str(Path(tempfile.gettempdir()) / "scrutiny-bench-static"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    return database_url


def ensure_data(*, boards: int, years: int, seed: int) -> dict:
    """Generated data of this size, made now unless the database already holds it."""
    from django.core.management import call_command

    from actions.models import Action
    from meetings.models import Board

    existing = Board.objects.filter(slug__startswith="gen-").count()
    if existing == 0:
        started = time.monotonic()
        call_command(
            "generate_data", boards=boards, years=years, seed=seed, stdout=open(os.devnull, "w")
        )
        print(f"generated {boards} boards x {years} years in {time.monotonic() - started:.1f} s")
    elif existing != boards:
        print(
            f"note: the database holds {existing} generated boards (asked for {boards}); using them"
        )
    return {"actions": Action.objects.count(), "boards": Board.objects.count()}


def ensure_search_passages(*, batch: int = 200) -> int:
    """Store the search passages of every publication that has none, as publication stores
    them (minutes.services.publication_snapshots), and say how many publications needed them:
    databases generated before site search stored passages have none, and a visitor's search
    of them measured an empty index. The meetings are read as they are now (generated data is
    not edited after publication)."""
    from django.db.models import Exists, OuterRef

    from meetings.models import Publication, PublishedText
    from minutes.services import publication_snapshots, published_texts_store

    missing = Publication.objects.filter(
        ~Exists(PublishedText.objects.filter(publication=OuterRef("pk")))
    ).select_related("meeting__board__body")
    keys = list(missing.order_by("pk").values_list("pk", flat=True))
    if not keys:
        return 0
    started = time.monotonic()
    for start in range(0, len(keys), batch):
        publications = list(missing.filter(pk__in=keys[start : start + batch]).order_by("pk"))
        snapshots = publication_snapshots([publication.meeting for publication in publications])
        published_texts_store(snapshots, publications)
    print(
        f"stored the search passages of {len(keys):,} publications that had none "
        f"in {time.monotonic() - started:.1f} s"
    )
    return len(keys)


def machine() -> str:
    from django.db import connection

    cpus = os.cpu_count()
    try:
        load = "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    except OSError:
        load = ""
    server = connection.vendor
    if server == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server += " " + cursor.fetchone()[0]
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            server += f", database {cursor.fetchone()[0]}"
    python = platform.python_version()
    return f"{platform.node()} {platform.machine()} {cpus} CPUs ({load}), Python {python}, {server}"


def collect_static() -> None:
    # Every run: a manifest left by an older checkout lacks the files added since (collectstatic
    # copies only what changed, so this is quick). The smoke test collects once for every script.
    if os.environ.get("BENCH_STATIC_COLLECTED"):
        return
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--no-input", "-v0"],
        check=True,
    )


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result
