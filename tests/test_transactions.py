"""An import is all or nothing: inside its batch the services take no savepoints (a sixth of an
import's time), and nothing that catches a refusal there can go on writing half a change."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.transaction import TransactionManagementError
from django.tasks import task
from django.test.utils import CaptureQueriesContext

from actions.services import board_reserve_action_number
from meetings.models import Board, Organisation
from meetings.services import RecordError
from minutes.interchange.importer import import_meeting_files
from scrutiny import public_cache
from scrutiny.transactions import all_or_nothing, atomic, keep, kept
from tests.factories import BoardFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
FILES = [FIXTURES / "gwent-spb-2018-11-30.json", FIXTURES / "gwent-spb-2019-11-26.json"]


@atomic
def _write_then_refuse(name: str) -> None:
    Organisation.objects.create(name=name)
    raise RecordError("refused after writing")


def _savepoints(queries) -> int:
    return sum(q["sql"].startswith("SAVEPOINT") for q in queries)


@pytest.fixture(autouse=True)
def _generation_row():
    """The public pages' generation row exists, as it does once a site has served a page: the
    first write of a database without it inserts it, in a savepoint of its own (a flush by an
    earlier test of the same worker leaves none)."""
    public_cache.generation_bump()


def test_an_import_takes_no_savepoints_of_its_services(settings):
    """The batch takes one (the test runs inside a transaction), and Django's `get_or_create`
    one for each body or group it creates (once a batch); each service took its own before,
    six a file."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with CaptureQueriesContext(connection) as queries:
        import_meeting_files(FILES)
    created = Organisation.objects.count()
    assert created >= 2
    assert _savepoints(queries) == 1 + created
    assert Board.objects.filter(action_prefix="SPB").exists()


def test_inside_a_batch_a_board_locked_for_its_numbers_is_not_locked_again():
    """Each file reserves the numbers it prints, then its new actions reserve theirs: inside the
    batch the board's row stays locked, and its next number is known."""
    board = BoardFactory()
    with all_or_nothing():
        board_reserve_action_number(board=board, number=60)
        with CaptureQueriesContext(connection) as queries:
            board_reserve_action_number(board=board, number=58)
            board_reserve_action_number(board=board, number=60)
        assert len(queries) == 0
        board_reserve_action_number(board=board, number=75)
    board.refresh_from_db()
    assert board.next_action_number == 76
    with CaptureQueriesContext(connection) as queries:
        board_reserve_action_number(board=board, number=58)  # outside a batch: locked and read
    assert len(queries) == 1
    assert board.next_action_number == 76


def test_a_service_called_alone_inside_a_transaction_still_takes_its_savepoint():
    with CaptureQueriesContext(connection) as queries:
        try:
            _write_then_refuse("Refused body")
        except RecordError:
            pass
        Organisation.objects.create(name="Written after")
    assert _savepoints(queries) == 1
    assert not Organisation.objects.filter(name="Refused body").exists()
    assert Organisation.objects.filter(name="Written after").exists()


def _carry_on_after_a_refusal():
    with all_or_nothing():
        Organisation.objects.create(name="Before the refusal")
        try:
            _write_then_refuse("Refused body")
        except RecordError:
            pass
        Organisation.objects.create(name="After the refusal")


def test_a_refusal_caught_inside_a_batch_stops_every_further_write():
    with pytest.raises(TransactionManagementError):
        _carry_on_after_a_refusal()
    assert not Organisation.objects.filter(
        name__in=["Before the refusal", "Refused body", "After the refusal"]
    ).exists()


@task
def carry_on_after_a_refusal() -> None:
    """As a task that records a failure and goes on does (minutes.tasks.publish_meeting)."""
    try:
        _write_then_refuse("Refused body")
    except RecordError:
        pass
    Organisation.objects.create(name="After the refusal")


def test_a_task_run_at_once_inside_a_batch_keeps_its_savepoints(settings):
    """The test suite's task backend runs a task where it is enqueued, inside the import: the
    task takes its savepoints, so it can record a failure and go on."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with all_or_nothing():
        Organisation.objects.create(name="Before the refusal")
        result = carry_on_after_a_refusal.enqueue()
        assert kept("anything") is None  # and back in the batch after it
        keep("key", 1)
        assert kept("key") == 1
    assert result.status == "SUCCESSFUL", result.errors
    names = set(Organisation.objects.values_list("name", flat=True))
    assert {"Before the refusal", "After the refusal"} <= names
    assert "Refused body" not in names


def test_what_a_service_keeps_lasts_the_batch_only():
    keep("key", 5)
    assert kept("key") is None  # outside a batch nothing is kept
    with all_or_nothing():
        assert kept("key") is None
        keep("key", 5)
        assert kept("key") == 5
    with all_or_nothing():
        assert kept("key") is None
