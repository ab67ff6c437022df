"""import_action_log: the action log a secretariat keeps in Excel comes into the register."""

import csv
import datetime
import io
from io import StringIO

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from actions.models import Action, ActionStatus, ActionUpdate
from tests.factories import BoardFactory, OrganisationFactory, PersonFactory, RoleFactory

pytestmark = pytest.mark.django_db

# The two action summaries of the Dyfed-Powys Policing Performance Board of 13 March 2014: the
# review of PPB 50-59 (progress) and the actions raised, PPB 60-70 (owners).
SEED = [
    ("PPB 50", "T/DCC to develop publishing format for PSD data", "", "In progress"),
    (
        "PPB 51",
        "CM to clarify with Samantha Waters on the status of the report relating to employment "
        "tribunals and outstanding insurance claims and whether there were any restrictions on "
        "publishing the information",
        "",
        "Completed – report published",
    ),
    (
        "PPB 52",
        "PCC and CC to raise custody health care arrangements with Welsh Health Minister and the "
        "All Wales Policing Group",
        "",
        "In progress",
    ),
    (
        "PPB 53",
        "Outcomes of work with local authorities regarding accommodation for children and young "
        "people to be shared with OPCC and discussed at LSBs",
        "",
        "In progress – paper to be sent to OPCC",
    ),
    ("PPB 54", "CJJ to send electronic copy of updated HMIC custody action plan", "", "Completed"),
    (
        "PPB 55",
        "T/ACC to send debrief of Operation Mistletoe to CG",
        "",
        "Completed – on 13.03.14 PPB agenda",
    ),
    (
        "PPB 56",
        "T/ACC to inform OPCC of developments regarding rape reporting to assist in informing "
        "commissioning requirements",
        "",
        "In progress – paper to be sent to OPCC",
    ),
    (
        "PPB 57",
        "Alterations to the Corporate Performance update to be made on completion of the Crest "
        "Advisory work",
        "",
        "In progress",
    ),
    (
        "PPB 58",
        "Sickness absence be moved from priority 6 - Spending Wisely to priority 5 – "
        "Professionalism within the Corporate Performance Update",
        "",
        "Completed",
    ),
    (
        "PPB 59",
        "T/ACC to investigate increase in child rapes and report to future Policing Performance "
        "Board",
        "",
        "In progress – see PPB 56",
    ),
    (
        "PPB 60",
        "Recommendations from hate crime research project to be presented at future Policing "
        "Performance Board",
        "CC",
        "",
    ),
    (
        "PPB 61",
        "Key barriers to progressing the development of a MASH be considered and reported to a "
        "future meeting",
        "T/ACC",
        "",
    ),
    (
        "PPB 62",
        "T/ACC to report recommendations from Powys serious case review to PCC",
        "T/ACC",
        "",
    ),
    (
        "PPB 63",
        "Domestic abuse action plan to be scheduled in to future Policing Performance Board "
        "meeting",
        "T/ACC",
        "",
    ),
    (
        "PPB 64",
        "CC to raise IDVA provision with Minister for Local Government and Government Business",
        "CC",
        "",
    ),
    (
        "PPB 65",
        "CC and T/ACC to develop business case for additional IDVAs for consideration at future "
        "Policing Board meeting",
        "CC",
        "",
    ),
    (
        "PPB 66",
        "T/ACC to gather data regarding the sentencing of sexual offenders and share with the OPCC "
        "to consider publicity opportunities",
        "T/ACC",
        "",
    ),
    (
        "PPB 67",
        "CG and Dafydd Llewelyn to discuss Strategic Assessment Review",
        "CG / Dafydd Llewelyn",
        "",
    ),
    (
        "PPB 68",
        "CC to explore opportunity to extend remit of Victim Support work to include data analysis",
        "CC",
        "",
    ),
    (
        "PPB 69",
        "Victims Services evaluation to be presented at Policing Board meeting focussing on "
        "Engagement",
        "CC",
        "",
    ),
    (
        "PPB 70",
        "LA to forward integrity questions to CC in advance of discussion at Policing Board "
        "meeting",
        "LA",
        "",
    ),
]
HEADER = ["Action N°", "Action Summary", "To be progressed by:", "Progress"]
TODAY = datetime.date(2014, 3, 20)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2014, 3, 20, 12, 0), tick=False):
        yield


@pytest.fixture
def ppb(db):
    body = OrganisationFactory(name="Office of the Police and Crime Commissioner for Dyfed-Powys")
    board = BoardFactory(body=body, name="Policing Performance Board", action_prefix="PPB")
    for abbrev in ("CC", "T/ACC", "LA", "CG"):
        RoleFactory(body=body, abbrev=abbrev, title=f"Post {abbrev}")
    PersonFactory(body=body, name="Dafydd Llewelyn")
    return board


def workbook(path, rows, *, header=HEADER, title="ACTION SUMMARY"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])  # a title row above the header, as logs have
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("import_action_log", *map(str, args), stdout=out)
    return out.getvalue()


def register_csv(client, clerk) -> list[list[str]]:
    client.force_login(clerk)
    response = client.get(
        reverse("actions:action-export-csv"), {"status": [s.value for s in ActionStatus]}
    )
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_seeds_action_summary_round_trips(tmp_path, ppb, client, clerk):
    path = workbook(tmp_path / "ppb-action-log.xlsx", SEED)

    out = run(path, "--board", "PPB")

    assert "column A “Action N°”: action reference" in out
    assert "column B “Action Summary”: action" in out
    assert "column C “To be progressed by:”: owners" in out
    assert "column D “Progress”: latest progress" in out
    assert "PPB 67: created (owners CG / Dafydd Llewelyn; due none)" in out
    assert out.rstrip().endswith("21 actions of Policing Performance Board read.")
    rows = register_csv(client, clerk)
    header = rows[0]
    exported = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert sorted(exported, key=lambda r: int(r.split()[1])) == [r[0] for r in SEED]
    for ref, text, owners, progress in SEED:
        row = exported[ref]
        assert row["Action"] == text
        assert row["Owners"] == owners
        assert row["Latest progress"] == progress
        assert row["Carried forward"] == "Yes"
    assert exported["PPB 51"]["Status"] == "Completed"
    assert exported["PPB 53"]["Status"] == "In progress"
    assert exported["PPB 60"]["Status"] == "Open"
    assert exported["PPB 51"]["Progress minuted at"] == "Reported by the force on 20 March 2014"

    # The same file again changes nothing: it is what the register already holds.
    updates = ActionUpdate.objects.count()
    again = run(path, "--board", "PPB")
    assert "created" not in again
    assert "progress recorded" not in again
    assert ActionUpdate.objects.count() == updates


def test_a_later_log_updates_owners_due_dates_status_and_progress(tmp_path, ppb):
    run(workbook(tmp_path / "march.xlsx", SEED), "--board", "PPB")
    april = [
        ("PPB 60", SEED[10][1], "T/ACC", "Closed – presented 10 April", datetime.date(2014, 4, 10)),
        ("PPB 61", SEED[11][1], "T/ACC", "In progress – draft seen", "30/06/2014"),
    ]
    header = ["Ref", "Action", "Owner", "Latest update", "Due date"]

    out = run(workbook(tmp_path / "april.xlsx", april, header=header), "--board", "PPB")

    assert "PPB 60: owners CC → T/ACC" in out
    assert "PPB 60: status closed" in out
    assert "PPB 61: progress recorded: In progress – draft seen" in out
    ppb60, ppb61 = Action.objects.filter(number__in=[60, 61]).order_by("number")
    assert ppb60.status == ActionStatus.CLOSED
    assert ppb60.owners_display() == "T/ACC"
    assert ppb60.due_on == datetime.date(2014, 4, 10)
    assert (ppb61.status, ppb61.due_on) == (ActionStatus.IN_PROGRESS, datetime.date(2014, 6, 30))


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(tmp_path, ppb):
    out = run(workbook(tmp_path / "log.xlsx", SEED), "--board", "PPB", "--dry-run")

    assert "PPB 70: created (owners LA; due none)" in out
    assert "Dry run: nothing was written." in out
    assert not Action.objects.exists()
    ppb.refresh_from_db()
    assert ppb.next_action_number == 1


def test_a_csv_log_with_loose_headers(tmp_path, ppb):
    path = tmp_path / "log.csv"
    path.write_text(
        "\ufeffAction No.;Description;Lead;Target date;RAG status;Comments;Owner's notes\n"
        "PPB 64;Raise IDVA provision;CC;31/03/2019;Open;;\n"
        "65;Business case for IDVAs;CC & T/ACC;31st March 2019;Completed;Sent;\n",
        encoding="utf-8",
    )

    out = run(path, "--board", "PPB")

    assert "column A “Action No.”: action reference" in out
    assert "column E “RAG status”: status" in out
    assert "“Owner's notes”: not imported" in out
    ppb65 = Action.objects.get(number=65)
    assert ppb65.owners_display() == "CC / T/ACC"
    assert ppb65.due_on == datetime.date(2019, 3, 31)
    assert ppb65.status == ActionStatus.COMPLETED


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ("PPB 71", "New", "XYZ", ""),
            "row 4, column C (To be progressed by:): unknown owner “XYZ”",
        ),
        (("SPB 71", "New", "CC", ""), "row 4, column A (Action N°): SPB 71 is not an action of"),
        (("71b", "New", "CC", ""), "row 4, column A (Action N°): “71b” is not an action reference"),
        (("PPB 50", "Again", "CC", ""), "row 4, column A (Action N°): PPB 50 is already on row 3."),
        (("PPB 71", "", "CC", ""), "row 4, column B (Action Summary): PPB 71 is new, and needs"),
    ],
)
def test_the_first_fault_refuses_the_whole_file_with_row_and_column(tmp_path, ppb, row, message):
    path = workbook(tmp_path / "log.xlsx", [SEED[0], row])

    with pytest.raises(CommandError) as refused:
        run(path, "--board", "PPB")

    assert message in str(refused.value)
    assert str(refused.value).endswith("Nothing was imported.")
    assert not Action.objects.exists()  # PPB 50, on the row before, was not written either


def test_a_bad_date_names_its_cell(tmp_path, ppb):
    header = [*HEADER, "Due"]
    path = workbook(tmp_path / "log.xlsx", [(*SEED[0], "next meeting")], header=header)

    with pytest.raises(
        CommandError, match=r"row 3, column E \(Due\): “next meeting” is not a date"
    ):
        run(path, "--board", "PPB")


def test_a_file_without_a_header_row_is_refused(tmp_path, ppb):
    path = workbook(tmp_path / "log.xlsx", [("a", "b")], header=["Colour", "Size"])

    with pytest.raises(CommandError, match="No header row found in the first ten rows"):
        run(path, "--board", "PPB")


def test_an_empty_due_cell_leaves_the_due_date_as_it_is(tmp_path, ppb):
    header = [*HEADER, "Due"]
    run(workbook(tmp_path / "a.xlsx", [(*SEED[10], "31/05/2014")], header=header), "--board", "PPB")

    out = run(workbook(tmp_path / "b.xlsx", [(*SEED[10], None)], header=header), "--board", "PPB")

    assert "due date changed" not in out
    assert Action.objects.get(number=60).due_on == datetime.date(2014, 5, 31)
