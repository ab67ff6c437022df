"""Nothing lost when people work at once: action numbers under load, and lost updates refused."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from actions.models import Action, ActionStatus
from actions.services import action_create
from meetings.models import Board, Role
from tests.factories import BoardFactory, RoleFactory


@pytest.mark.postgres
def test_twenty_concurrent_creations_get_twenty_consecutive_numbers(require_postgres):
    board = BoardFactory(action_prefix="PPB")
    role = RoleFactory(body=board.body)
    start = threading.Barrier(20)
    numbers, errors = [], []

    def create(i):
        try:
            start.wait(timeout=30)
            action = action_create(
                board=Board.objects.get(pk=board.pk),
                text=f"Action {i}",
                owners=[role],
                raised_at=None,
                by=None,
            )
            numbers.append(action.number)
        except Exception as exc:  # every failure is reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(numbers) == list(range(1, 21))
    assert Action.objects.filter(board=board).count() == 20
    board.refresh_from_db()
    assert board.next_action_number == 21


@pytest.mark.django_db
def test_staff_and_lead_at_once_the_second_is_refused_and_keeps_its_text(client, clerk, force_lead):
    from django.test import Client

    role = Role.objects.get(abbrev="HoSPC")
    board = BoardFactory(body=role.body)
    action = action_create(
        board=board, text="Evaluate the service", owners=[role], raised_at=None, by=None
    )
    opened_at = action.version
    staff = client
    staff.force_login(clerk)
    lead = Client()
    lead.force_login(force_lead)

    closed = staff.post(
        reverse("actions:action-close", args=[action.pk]),
        {"note": "Accepted", "version": opened_at},
    )
    assert closed.status_code == 302
    late = lead.post(
        reverse("actions:action-update-create", args=[action.pk]),
        {"text": "Evaluation received today", "status": "completed", "version": opened_at},
    )
    assert late.status_code == 400
    content = late.content.decode()
    assert "was changed by someone else after you opened it" in content
    assert "Evaluation received today" in content
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
    assert [u.text for u in action.updates.all()] == ["Accepted"]
