"""The register's downloads as a clerk uses them in Excel: real dates and numbers, a frozen,
filterable header, the whole history, what produced the file, and nothing cut short."""

import csv
import datetime
import io

import openpyxl
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from actions.models import Action, ActionExport, ActionOwner, ActionStatus, ActionUpdate
from actions.services import (
    action_close,
    action_create,
    action_report_progress,
    action_set_due,
)
from tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    PersonFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2020, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2020, 3, 10, 12, 0), tick=False):
        yield


@pytest.fixture(autouse=True)
def private_exports(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    return settings.EXPORTS_ROOT


@pytest.fixture
def ppb(db):
    board = BoardFactory(name="Policing Performance Board", action_prefix="PPB")
    hospc = RoleFactory(
        body=board.body, abbrev="HoSPC", title="Head of Strategy, Performance and Change"
    )
    acc = RoleFactory(body=board.body, abbrev="T/ACC", title="Temporary Assistant Chief Constable")
    meeting = MeetingFactory(board=board, held_on=datetime.date(2019, 11, 26))
    item = AgendaItemFactory(meeting=meeting, number="5.2", title="Performance")
    review = MeetingFactory(board=board, held_on=datetime.date(2020, 2, 20))
    lead = PersonFactory(body=board.body, name="Mrs E Ackland")
    raised = action_create(
        board=board,
        text="Report on 101 call handling",
        owners=[hospc, acc],
        raised_at=meeting,
        item=item,
        by=None,
        due_on=datetime.date(2019, 12, 31),
        number=60,
    )
    carried = action_create(
        board=board,
        text="=SUM(A1:A9) and @mention",
        owners=[lead],
        raised_on=datetime.date(2018, 8, 31),
        carried_forward=True,
        number=12,
        raised_at=None,
        by=None,
    )
    done = action_create(
        board=board, text="Closed one", owners=[acc], number=61, raised_at=None, by=None
    )
    clerk_user = UserFactory(username="minutes")
    action_report_progress(
        action=raised,
        text="Data requested",
        by=clerk_user,
        person=lead,
        on=datetime.date(2020, 1, 5),
    )
    minuted = action_report_progress(
        action=raised,
        text="+ten per cent answered",
        status=ActionStatus.IN_PROGRESS,
        by=clerk_user,
        person=None,
        on=datetime.date(2020, 2, 20),
    )
    ActionUpdate.objects.filter(pk=minuted.pk).update(meeting=review)
    action_set_due(action=raised, due_on=datetime.date(2020, 1, 31), by=clerk_user, on=TODAY)
    action_close(action=done, note="Accepted", by=clerk_user, on=datetime.date(2020, 3, 1))
    return {"raised": raised, "carried": carried, "done": done}


def workbook_of(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_workbook_has_real_dates_numbers_and_a_frozen_filtered_header(client, clerk, ppb):
    client.force_login(clerk)
    response = client.get(
        reverse("actions:action-export-xlsx"), {"status": ["open", "in_progress", "closed"]}
    )

    assert response.status_code == 200
    book = workbook_of(response)
    assert book.sheetnames == ["Actions", "History", "About"]
    sheet = book["Actions"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P4"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width == 60
    header = [cell.value for cell in sheet[1]]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    raised = dict(zip(header, rows["PPB 60"], strict=True))
    assert raised["Board"].value == "Policing Performance Board"
    assert raised["Owners"].value == "HoSPC / T/ACC"
    assert raised["Owners' titles"].value == (
        "Head of Strategy, Performance and Change / Temporary Assistant Chief Constable"
    )
    assert raised["Raised on"].value == datetime.datetime(2019, 11, 26)
    assert raised["Raised on"].is_date
    assert raised["Raised on"].number_format == "d mmm yyyy"
    assert raised["Raised under item"].value == "5.2"
    assert raised["Carried forward"].value == "No"
    assert raised["Due"].value == datetime.datetime(2020, 1, 31)
    assert raised["Due"].is_date
    assert raised["Status"].value == "In progress"
    assert raised["Overdue"].value == "Yes"
    assert raised["Days overdue"].value == 39
    assert raised["Days overdue"].data_type == "n"
    assert raised["Latest progress"].value == "'+ten per cent answered"
    assert raised["Latest progress"].alignment.wrap_text
    assert raised["Progress date"].value == datetime.datetime(2020, 2, 20)
    assert raised["Progress minuted at"].value == "Minuted at the meeting of 20 February 2020"

    carried = dict(zip(header, rows["PPB 12"], strict=True))
    assert carried["Action"].value == "'=SUM(A1:A9) and @mention"
    assert carried["Action"].data_type == "s"  # text, never a formula
    assert carried["Raised on"].value == datetime.datetime(2018, 8, 31)
    assert carried["Carried forward"].value == "Yes"
    assert carried["Owners"].value == "Mrs E Ackland"
    assert carried["Due"].value is None
    assert carried["Overdue"].value == "No"
    assert carried["Days overdue"].value is None

    closed = dict(zip(header, rows["PPB 61"], strict=True))
    assert closed["Progress minuted at"].value == "Decided by the OPCC on 1 March 2020"


def test_history_has_every_progress_report_and_decision(client, clerk, ppb):
    client.force_login(clerk)
    response = client.get(
        reverse("actions:action-export-xlsx"), {"status": ["in_progress", "closed"]}
    )

    sheet = workbook_of(response)["History"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H4"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Board", "Ref", "Date", "Meeting", "Kind", "Status set", "Who", "What")
    board = "Policing Performance Board"
    assert rows[1:] == [
        (
            board,
            "PPB 60",
            datetime.datetime(2020, 1, 5),
            None,
            "Progress",
            None,
            "Mrs E Ackland",
            "Data requested",
        ),
        (
            board,
            "PPB 60",
            datetime.datetime(2020, 2, 20),
            datetime.datetime(2020, 2, 20),
            "Progress",
            "In progress",
            "minutes",
            "'+ten per cent answered",
        ),
        (
            board,
            "PPB 61",
            datetime.datetime(2020, 3, 1),
            None,
            "Decision",
            "Closed",
            "minutes",
            "Accepted",
        ),
    ]  # the due-date change is not progress: it stays in the action's audit trail


def test_about_says_what_filter_produced_it_when_by_whom_and_how_many_rows(client, clerk, ppb):
    clerk.first_name, clerk.last_name = "Carys", "Morgans"
    clerk.save()
    client.force_login(clerk)
    response = client.get(reverse("actions:action-export-xlsx"), {"q": "101", "overdue": "on"})

    about = dict(workbook_of(response)["About"].iter_rows(values_only=True))
    assert about["Filter"] == "Search: 101; Overdue only: Yes"
    assert about["Exported at"] == "2020-03-10 12:00 GMT"
    assert about["Exported by"] == "Carys Morgans"
    assert about["Rows in Actions"] == 1
    assert about["Rows in History"] == 2
    assert list(about)[-1] == "Rows in History"  # the file ends with its counts


def test_csv_has_the_workbooks_columns_a_bom_and_the_injection_guard(client, clerk, ppb):
    client.force_login(clerk)
    csv_response = client.get(reverse("actions:action-export-csv"))
    xlsx_response = client.get(reverse("actions:action-export-xlsx"))

    assert csv_response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    sheet_header = [c.value for c in workbook_of(xlsx_response)["Actions"][1]]
    assert rows[0] == sheet_header
    by_ref = {row[1]: row for row in rows[1:]}
    assert by_ref["PPB 12"][2] == "'=SUM(A1:A9) and @mention"
    assert by_ref["PPB 60"][5] == "2019-11-26"
    assert by_ref["PPB 60"][11] == "39"


@pytest.mark.parametrize("hostile", ["=1+1", "+1", "-1", "@SUM(1)", "\tx", "\rx"])
def test_every_formula_start_is_neutralised_in_both_files(client, clerk, ppb, hostile):
    Action.objects.filter(pk=ppb["raised"].pk).update(text=hostile)
    client.force_login(clerk)

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("actions:action-export-csv")).content.decode("utf-8-sig")
            )
        )
    )
    sheet = workbook_of(client.get(reverse("actions:action-export-xlsx")))["Actions"]

    assert {row[1]: row[2] for row in rows[1:]}["PPB 60"] == "'" + hostile
    cells = {row[1].value: row[2] for row in sheet.iter_rows(min_row=2)}
    assert cells["PPB 60"].value == "'" + hostile
    assert cells["PPB 60"].data_type == "s"


def test_export_queries_do_not_grow_with_rows(client, clerk, ppb, django_assert_num_queries):
    client.force_login(clerk)
    url = reverse("actions:action-export-xlsx")
    client.get(url)  # warm the session and permission caches

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    board = ppb["raised"].board
    role = ActionOwner.objects.filter(role__isnull=False).first().role
    for n in range(30):
        action_create(
            board=board, text=f"Action {n}", owners=[role], due_on=TODAY, raised_at=None, by=None
        )
    assert queries() == few


# Exports too large for a request -----------------------------------------------------------


@pytest.fixture
def small_limit(settings):
    settings.ACTION_EXPORT_INLINE_MAX_ROWS = 1


def test_a_large_export_is_prepared_in_the_background_and_offered_when_ready(
    client, clerk, ppb, small_limit, private_exports
):
    client.force_login(clerk)

    response = client.get(reverse("actions:action-export-xlsx"), {"q": "an"}, follow=True)

    assert response.redirect_chain[0][0] == reverse("actions:action-list") + "?q=an"
    page = response.content.decode()
    assert "Your export of 2 actions is being prepared." in page
    export = ActionExport.objects.get()
    assert export.state == ActionExport.State.READY  # tasks run at once in tests
    assert "Download this list (2 rows):" in page
    link = export.get_absolute_url()
    assert f'<a href="{link}">download (2 rows)</a>' in page
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="actions-2020-03-10.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book["About"]["B2"].value == "Search: an"
    assert len(list(book["Actions"].iter_rows())) == 3
    assert [p.parent for p in private_exports.iterdir()] == [private_exports]


def test_while_it_is_built_the_register_says_so(client, clerk, ppb, small_limit, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client.force_login(clerk)

    client.get(reverse("actions:action-export-csv"))
    page = client.get(reverse("actions:action-list")).content.decode()

    assert "your export is being prepared; reload this page" in page
    export = ActionExport.objects.get()
    assert client.get(export.get_absolute_url()).status_code == 404


def test_a_background_export_is_for_the_user_who_asked_or_staff(
    client, clerk, member, approver, ppb, small_limit
):
    client.force_login(member)
    client.get(reverse("actions:action-export-csv"))
    export = ActionExport.objects.get()
    assert export.requested_by == member
    assert client.get(export.get_absolute_url()).status_code == 200

    other_member = get_user_model().objects.create_user("other-member")
    other_member.groups.set(member.groups.all())
    client.force_login(other_member)
    assert client.get(export.get_absolute_url()).status_code == 404
    assert "download (" not in client.get(reverse("actions:action-list")).content.decode()

    client.force_login(approver)
    assert client.get(export.get_absolute_url()).status_code == 200


def test_a_failed_background_export_is_shown_as_failed(
    client, clerk, ppb, small_limit, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("actions.exports.write_csv", broken)
    client.force_login(clerk)

    client.get(reverse("actions:action-export-csv"))

    export = ActionExport.objects.get()
    assert (export.state, export.error) == (ActionExport.State.FAILED, "disk full")
    page = client.get(reverse("actions:action-list")).content.decode()
    assert "could not be built; ask for it again" in page


def test_an_action_due_by_a_meeting_keeps_a_real_date_and_says_so(client, clerk, ppb):
    from actions.models import DueKind

    ppb["raised"].due_kind = DueKind.MEETING
    ppb["raised"].due_on = datetime.date(2020, 2, 20)
    ppb["raised"].save()
    client.force_login(clerk)
    sheet = workbook_of(client.get(reverse("actions:action-export-xlsx")))["Actions"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[1].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    assert rows["PPB 60"]["Due"].value == datetime.datetime(2020, 2, 20)
    assert rows["PPB 60"]["Due as minuted"].value == "By the meeting of 20 February 2020"
    assert rows["PPB 12"]["Due as minuted"].value in (None, "")
