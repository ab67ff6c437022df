"""What an import costs in statements: the services write in batches, so a meeting's record
costs the same few statements however many rows it has (a figure, not a time)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minutes.interchange.importer import import_meeting_files

pytestmark = pytest.mark.django_db

# Before the importer wrote through the services: 1,397 statements for these three files (466
# a meeting) on SQLite. Through the services, in batches: 1,277 (426 a meeting). With the
# actions, reviews, posts and people in batches too: 333 (111 a meeting), on SQLite and
# PostgreSQL alike. With the publication of published files left to the task worker: 290 (97
# a meeting).
STATEMENTS_A_MEETING = 100

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
FILES = [
    "gwent-spb-2018-11-30.json",
    "gwent-spb-2019-11-26.json",
    "dyfed-powys-ppb-2014-03-13.json",
]


def _rows(document: dict) -> int:
    def walk(items):
        for item in items:
            yield 1
            for key in ("papers", "questions", "departures", "actions", "action_reviews"):
                yield len(item.get(key, []))
            yield from walk(item.get("items", []))

    return len(document["attendance"]) + sum(walk(document["items"]))


def test_importing_the_example_meetings_costs_a_bounded_number_of_statements(capsys, settings):
    # The publication of the two published files is the task worker's (queued, not run here).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    paths = [FIXTURES / name for name in FILES]
    rows = sum(_rows(json.loads(p.read_text("utf-8"))) for p in paths)
    with CaptureQueriesContext(connection) as queries:
        import_meeting_files(paths)
    per_meeting = len(queries) / len(paths)
    with capsys.disabled():
        print(f"\nimport: {len(queries)} statements for {len(paths)} meetings, {rows} rows")
    assert per_meeting <= STATEMENTS_A_MEETING
