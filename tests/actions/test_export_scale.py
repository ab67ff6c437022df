"""A 120,000-action export is whole: the file has as many rows as the register counts."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from actions.models import Action, ActionExport, ActionOwner
from tests.factories import BoardFactory, RoleFactory

ROWS = 120_000


@pytest.mark.postgres
@pytest.mark.slow
def test_a_120k_export_has_every_row_the_register_counts(
    require_postgres, client, clerk, settings, tmp_path
):
    settings.EXPORTS_ROOT = tmp_path
    board = BoardFactory(action_prefix="PPB")
    role = RoleFactory(body=board.body, abbrev="HoSPC")
    due = datetime.date(2020, 1, 1)
    Action.objects.bulk_create(
        (Action(board=board, number=n, text=f"Action {n}", due_on=due) for n in range(1, ROWS + 1)),
        batch_size=10_000,
    )
    ActionOwner.objects.bulk_create(
        ActionOwner(action_id=pk, role=role)
        for pk in Action.objects.filter(number__lte=1000).values_list("pk", flat=True)
    )
    client.force_login(clerk)

    register = client.get(reverse("actions:action-list"))
    redirected = client.get(reverse("actions:action-export-csv"))

    count = register.context["paginator"].count
    assert count == ROWS
    assert redirected.status_code == 302
    export = ActionExport.objects.get()
    assert (export.state, export.row_count) == (ActionExport.State.READY, ROWS)
    download = client.get(export.get_absolute_url())
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == count + 1
    assert {row[1] for row in rows[1:]} == {f"PPB {n}" for n in range(1, ROWS + 1)}
    assert body.endswith("\r\n")
