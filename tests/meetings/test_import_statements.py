"""What an import costs in statements: the services write in batches, so a meeting's record
costs the same few statements however many rows it has (a figure, not a time)."""

import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from minutes.interchange.importer import import_meeting_files
from minutes.interchange.writing import import_meeting_document

pytestmark = pytest.mark.django_db

# Before the importer wrote through the services: 1,397 statements for these three files (466
# a meeting) on SQLite. Through the services, in batches: 1,277 (426 a meeting). With the
# actions, reviews, posts and people in batches too: 333 (111 a meeting), on SQLite and
# PostgreSQL alike. With the publication of published files left to the task worker: 289 (97
# a meeting). With statuses worked out once, a new draft's approval not reopened and its
# board's body not read again, and no savepoint for number reservations: 258-262 (86-88 a
# meeting: the public pages' generation is written once or a few times, as the run goes).
# With no savepoints inside the batch, each file's numbers reserved once, and a printed
# number's two checks in one query: 193 on SQLite (64 a meeting); on PostgreSQL, where a batch
# of rows and their history rows are one statement, 160 (53 a meeting).
STATEMENTS_A_MEETING = {"postgresql": 56, "sqlite": 67}


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
    assert per_meeting <= STATEMENTS_A_MEETING[connection.vendor]


def _document(body: str, date: str, key: str, rows: list[dict]) -> dict:
    """A meeting of the body with one item listing these actions raised or reviewed."""
    return {
        "format": "scrutiny.meeting/1",
        "organisation": body,
        "board": {"name": "Policing Performance Board", "action_prefix": "PPB"},
        "meeting": {"date": date},
        "roles": [{"abbrev": "CC", "title": "Chief Constable"}],
        "attendance": [],
        "items": [{"title": "Actions", key: rows}],
    }


def test_an_import_updating_recorded_actions_costs_the_same_statements_for_two_or_eight():
    """A later meeting's review completing actions carried forward without owners or a due
    date, then the meeting that raised them arriving, update actions already recorded: the
    importer updates them in one batch (issue 9), not one action at a time."""

    def statements(count: int) -> tuple[int, int]:
        body = f"Body of {count} actions"
        refs = [f"PPB {n}" for n in range(1, count + 1)]
        # March reviews them before they are known: carried forward, without owners.
        march = [{"ref": ref, "text": f"Action {ref}", "progress": "Under way"} for ref in refs]
        import_meeting_document(_document(body, "2014-03-13", "action_reviews", march))
        # April's review prints their owners and due dates: the actions are completed.
        printed = {"owners": ["CC"], "due": "2014-05-01"}
        april = [
            {"ref": ref, "text": f"Action {ref}", "progress": "Done", **printed} for ref in refs
        ]
        with CaptureQueriesContext(connection) as completing:
            import_meeting_document(_document(body, "2014-04-10", "action_reviews", april))
        # February raised them: the meeting adopts the actions carried forward.
        february = [{"ref": ref, "text": f"Action {ref} as raised", **printed} for ref in refs]
        with CaptureQueriesContext(connection) as adopting:
            import_meeting_document(_document(body, "2014-02-13", "actions", february))
        actions = Action.objects.filter(board__body__name=body).order_by("number")
        assert [a.text for a in actions] == [f"Action {ref} as raised" for ref in refs]
        assert {a.owners_display() for a in actions} == {"CC"}
        assert {a.due_on for a in actions} == {datetime.date(2014, 5, 1)}
        assert {a.raised_at_meeting.held_on for a in actions} == {datetime.date(2014, 2, 13)}
        return len(completing), len(adopting)

    assert statements(8) == statements(2)


def test_replacing_a_meeting_costs_the_same_statements_for_two_or_eight_reviews():
    """`import_meeting --replace` of a meeting whose minutes reviewed actions removes that
    progress through the batch service (issue 9): one delete with its history rows, the
    statuses worked out again at once, not one review at a time."""

    def statements(count: int) -> int:
        body = f"Body of {count} reviews"
        refs = [f"PPB {n}" for n in range(1, count + 1)]
        raised = [{"ref": ref, "text": f"Action {ref}", "owners": ["CC"]} for ref in refs]
        import_meeting_document(_document(body, "2014-02-13", "actions", raised))
        reviews = [
            {"ref": ref, "text": f"Action {ref}", "progress": "Done", "status": "closed"}
            for ref in refs
        ]
        march = _document(body, "2014-03-13", "action_reviews", reviews)
        import_meeting_document(march)
        actions = Action.objects.filter(board__body__name=body)
        assert set(actions.values_list("status", flat=True)) == {"closed"}
        march["items"][0]["action_reviews"] = [
            {key: value for key, value in row.items() if key != "status"} for row in reviews
        ]
        with CaptureQueriesContext(connection) as replacing:
            import_meeting_document(march, replace=True)
        # The progress replaced: the closing went with the old record.
        assert set(actions.values_list("status", flat=True)) == {"open"}
        assert {a.updates.get().text for a in actions} == {"Done"}
        return len(replacing)

    assert statements(8) == statements(2)
