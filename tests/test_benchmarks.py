"""Every benchmark still runs: each `benchmarks/bench_*.py` at a tiny size, checked to exit 0 and
print its figures (issue 14: pages that moved went unnoticed by the benchmarks for a merge).

Not a timed test: nothing here judges a figure, only that the script gets to printing them. The
scripts that take a database share one SQLite file, migrated and filled once (one board, one
year); those that make their own throwaway database start from a copy of a migrated empty one.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BENCHMARKS = Path(settings.BASE_DIR) / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("bench_*.py"))
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "gwent-spb-2018-11-30.json"

# What each script prints once it has its figures (a script added later is held to the general
# check below until it is named here).
HEADINGS = {
    "bench_editor.py": "server time per save",
    "bench_editor_scale.py": "saves (3 each)",
    "bench_exports.py": "Register exports",
    "bench_generate.py": "rows a second",
    "bench_import.py": "meetings a second",
    "bench_load.py": "static file (WhiteNoise)",
    "bench_pages.py": "/actions/ default",
    "bench_preview.py": "Staff preview of the full minutes",
    "bench_render.py": "synthetic, 2 items",
    "bench_search.py": "visitor",
}
FIGURE = re.compile(r"\d\.\d")  # a measured figure (every script prints some with decimals)

# One worker (the databases are shared); once in `make test` (its databases are its own SQLite
# files whatever the run), and started first.
pytestmark = [
    pytest.mark.xdist_group("benchmarks"),
    pytest.mark.engine_independent,
    pytest.mark.slow,
]


def _environment(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BENCH_", "DATABASE_URL", "DJANGO_"))
    }
    return {**env, "DJANGO_ALLOW_ASYNC_UNSAFE": "true", **extra}


def _manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    """A migrated empty SQLite file, and a copy filled with one generated board for a year."""
    folder = tmp_path_factory.mktemp("bench-smoke")
    empty = folder / "empty.sqlite3"
    _manage(_environment(DATABASE_URL=f"sqlite:///{empty}"), "migrate", "-v0")
    _manage(_environment(DATABASE_URL=f"sqlite:///{empty}"), "createcachetable")
    static = folder / "static"
    production = {  # as benchmarks/common.py sets them: DEBUG off, so the hashed manifest
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-not-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_HOST": "127.0.0.1",
        "ADMIN_REQUIRE_OTP": "false",
    }
    _manage(
        _environment(DATABASE_URL=f"sqlite:///{empty}", STATIC_ROOT=str(static), **production),
        *("collectstatic", "--no-input", "-v0"),
    )
    filled = folder / "generated.sqlite3"
    shutil.copyfile(empty, filled)
    _manage(
        _environment(DATABASE_URL=f"sqlite:///{filled}"),
        *("generate_data", "--boards", "1", "--years", "1", "--seed", "1"),
    )
    return folder, empty, filled


def _small_meeting(folder: Path) -> Path:
    """The editor benchmark's meeting cut to a few people, items, one action and one review."""
    data = json.loads(FIXTURE.read_text("utf-8"))
    data["attendance"] = data["attendance"][:2]

    def flat(items):
        for item in items:
            yield item
            yield from flat(item.get("items", []))

    kept, action, review = [], False, False
    for item in flat(data["items"]):
        item = {**item, "items": [], "departures": [], "questions": []}
        if item.get("actions") and not action:
            item["actions"], action = item["actions"][:1], True
        else:
            item["actions"] = []
        if item.get("action_reviews") and not review:
            item["action_reviews"], review = item["action_reviews"][:1], True
        else:
            item["action_reviews"] = []
        if len(kept) < 2 or item["actions"] or item["action_reviews"]:
            kept.append(item)
    assert action, "the fixture lost its actions: the smoke run would test less"
    assert review, "the fixture lost its reviews: the smoke run would test less"
    data["items"] = kept
    path = folder / "small-meeting.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_every_benchmark_is_smoke_tested():
    assert {script.name for script in SCRIPTS} == set(HEADINGS)


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_the_benchmark_runs_and_prints_its_figures(script, databases):
    folder, empty, filled = databases
    source = script.read_text("utf-8")
    env = _environment(
        BENCH_SQLITE_MIGRATED=str(empty),
        BENCH_RUNS="1",
        BENCH_FILES="2",
        BENCH_SECONDS="0.5",
        BENCH_EXPORT_ROWS="50",
        BENCH_RENDER_ITEMS="2",
        STATIC_ROOT=str(folder / "static"),
        BENCH_STATIC_COLLECTED="1",
    )
    if re.search(r"\bparser\(", source):  # takes --database: the shared generated data
        env.update(BENCH_DATABASE_URL=f"sqlite:///{filled}", BENCH_BOARDS="1", BENCH_YEARS="1")
    args = [str(_small_meeting(folder))] if script.name == "bench_editor.py" else []
    run = subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"{script.name} exited {run.returncode}:\n{run.stderr[-3000:]}"
    assert FIGURE.search(run.stdout), f"{script.name} printed no figure:\n{run.stdout[-3000:]}"
    heading = HEADINGS.get(script.name)
    assert heading in run.stdout, f"{script.name} did not print {heading!r}:\n{run.stdout[-3000:]}"


def test_the_exports_benchmark_leaves_the_shared_database_as_it_was(databases, tmp_path):
    """`make bench` runs every script on BENCH_DATABASE_URL's generated data: the exports'
    fill (which empties the actions it finds) must use a database of its own, or every script
    after it measures its synthetic rows instead (it did)."""
    import sqlite3

    folder, empty, filled = databases
    shared = tmp_path / "shared.sqlite3"
    shutil.copyfile(filled, shared)

    def actions():
        with sqlite3.connect(shared) as db:
            return db.execute("SELECT COUNT(*), MAX(text) FROM actions_action").fetchone()

    before = actions()
    assert before[0] > 0, "the generated data has no actions: this test checks nothing"
    env = _environment(
        BENCH_SQLITE_MIGRATED=str(empty),
        BENCH_EXPORT_ROWS="50",
        BENCH_DATABASE_URL=f"sqlite:///{shared}",
    )
    run = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "benchmarks" / "bench_exports.py")],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Register exports, 50 actions" in run.stdout
    assert actions() == before
