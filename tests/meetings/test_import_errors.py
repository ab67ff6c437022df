"""Every way `import_meeting` refuses a file: the clerk is told which file, where in it and what is
wrong, and nothing from the file (or from its batch) is written."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command

from actions.models import Action
from meetings.models import AgendaItem, Attendance, Board, Meeting, Organisation, Paper, Question
from meetings.services import meeting_start_correction
from tests.factories import BoardFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

EXAMPLE_PATH = Path(settings.BASE_DIR) / "fixtures" / "dyfed-powys-ppb-2014-03-13.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
ORGANISATION = EXAMPLE["organisation"]


# Where things are in the example, so that the cases below read as what they change.
ACTION_SUMMARY = 0  # items[0]: reviews of PPB 50-59
MATTERS_ARISING = 1  # items[1]: reviews of PPB 50 and PPB 56, by ref only
PERFORMANCE_UPDATE = 2  # items[2]: minutes only
VULNERABLE_PEOPLE = 3  # items[3]: sub-items; items[3].items[0] raises PPB 60
STRATEGIC_ASSESSMENT = 4  # items[4]: raises PPB 67 (CG, Dafydd Llewelyn); Pam Kelly leaves
VICTIMS_SERVICES = 5  # items[5]: raises PPB 68 and PPB 69
ANY_OTHER_BUSINESS = 11  # items[11]: raises PPB 70, owned by LA


def example() -> dict:
    return copy.deepcopy(EXAMPLE)


def write(tmp_path: Path, doc, name: str = "meeting.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def import_files(*paths: Path, replace: bool = False) -> str:
    out = StringIO()
    args = [str(p) for p in paths] + (["--replace"] if replace else [])
    call_command("import_meeting", *args, stdout=out)
    return out.getvalue()


def tracked_models():
    for label in ("meetings", "actions"):
        yield from apps.get_app_config(label).get_models(include_auto_created=True)


def counts() -> dict[str, int]:
    """Rows of every model (and many-to-many table) of the meetings and actions apps."""
    return {model._meta.label: model.objects.count() for model in tracked_models()}


def snapshot() -> dict[str, list[dict]]:
    """Every row, every column: what "untouched" means for data already in the database."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in tracked_models()
    }


def rejected(*paths: Path, replace: bool = False) -> str:
    """Run the command, expect a refusal, check nothing changed, and give back the message."""
    before_counts, before_rows = counts(), snapshot()
    with pytest.raises(CommandError) as excinfo:
        import_files(*paths, replace=replace)
    assert counts() == before_counts
    assert snapshot() == before_rows
    message = str(excinfo.value)
    assert message.startswith("Nothing was imported. ")
    return message


def at(path: Path, where: str) -> str:
    """The start of a refusal that names the file and the JSON path."""
    return f"Nothing was imported. {path}: {where}: "


# --- The file itself -----------------------------------------------------------------------------


def test_a_truncated_file_is_not_json_and_the_message_says_where_it_stops(tmp_path):
    text = json.dumps(EXAMPLE, indent=1)
    cut = text[: text.index('"venue"')]
    path = tmp_path / "truncated.json"
    path.write_text(cut, encoding="utf-8")
    line = cut.count("\n") + 1
    column = len(cut) - cut.rfind("\n")

    message = rejected(path)

    assert message.startswith(f"Nothing was imported. {path}: not valid JSON: ")
    assert message.endswith(f"at line {line}, column {column}")


def test_a_file_that_is_not_utf8_is_refused_with_the_offending_byte(tmp_path):
    doc = example()
    doc["items"][PERFORMANCE_UPDATE]["minutes"] = "A budget of £20,000 was agreed."
    # Everything else ASCII (escaped), the pound sign as a Windows spreadsheet writes it: byte A3.
    data = json.dumps(doc).replace("\\u00a3", "£").encode("cp1252")
    pound = data.index("£".encode("cp1252"))
    path = tmp_path / "windows.json"
    path.write_bytes(data)

    message = rejected(path)

    assert message == f"Nothing was imported. {path}: not UTF-8 text (byte {pound})"


def test_a_file_that_does_not_exist_is_named(tmp_path):
    path = tmp_path / "no-such-meeting.json"

    message = rejected(path)

    assert message == (
        f"Nothing was imported. {path}: cannot read the file (No such file or directory)"
    )


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr("minutes.interchange.MAX_FILE_BYTES", 1000)
    path = write(tmp_path, example())
    size = path.stat().st_size

    message = rejected(path)

    assert message == (
        f"Nothing was imported. {path}: the file is {size:,} bytes; the limit is 1,000"
    )


# --- One thing wrong in an otherwise valid document ----------------------------------------------


def set_format(doc):
    doc["format"] = "scrutiny.meeting/2"


def format_not_a_string(doc):
    # Crashed the check (a dict cannot be looked up among the versions) before it was refused.
    doc["format"] = {"version": 2}


def not_an_object(doc):
    return "scrutiny.meeting/1"


def drop_meeting_date(doc):
    del doc["meeting"]["date"]


def unknown_top_level_key(doc):
    doc["colour"] = "blue"


def unknown_item_key(doc):
    doc["items"][PERFORMANCE_UPDATE]["colour"] = "blue"


def title_is_a_number(doc):
    doc["items"][0]["title"] = 5


def date_not_iso(doc):
    doc["meeting"]["date"] = "13/03/2014"


def date_impossible(doc):
    doc["meeting"]["date"] = "2014-02-30"


def next_meeting_date_impossible(doc):
    doc["meeting"]["next_meeting"] = {"date": "2014-04-31"}


def due_date_impossible(doc):
    doc["items"][VICTIMS_SERVICES]["actions"][0]["due"] = "2014-02-29"


def time_out_of_range(doc):
    doc["meeting"]["start"] = "25:00"


def time_with_a_newline(doc):
    # Python's `$` matched before the newline: the schema let it through, and the import crashed.
    doc["meeting"]["start"] = "10:00\n"


def status_not_in_enum(doc):
    doc["meeting"]["status"] = "final"


def action_status_not_in_enum(doc):
    doc["items"][VICTIMS_SERVICES]["actions"][0]["status"] = "done"


def exempt_without_reason(doc):
    doc["items"][PERFORMANCE_UPDATE]["exempt"] = True


def exempt_with_empty_reason(doc):
    doc["items"][PERFORMANCE_UPDATE].update(exempt=True, exempt_reason="")


def exempt_with_blank_reason(doc):
    doc["items"][PERFORMANCE_UPDATE].update(exempt=True, exempt_reason="   ")


def unknown_action_owner(doc):
    doc["items"][VULNERABLE_PEOPLE]["items"][0]["actions"][0]["owners"] = ["CC", "LA Smith"]


def owner_role_not_declared(doc):
    doc["roles"] = [role for role in doc["roles"] if role["abbrev"] != "LA"]


def unknown_review_owner(doc):
    doc["items"][ACTION_SUMMARY]["action_reviews"][3]["owners"] = ["DCC"]


def unknown_attendance_role(doc):
    doc["attendance"][1]["role"] = "ACC"


def unknown_chair(doc):
    doc["meeting"]["chair"] = "Mr A Nobody"


def unknown_responder(doc):
    doc["items"][PERFORMANCE_UPDATE]["questions"] = [
        {"question": "What is the cautioning rate?", "response": "Falling.", "responder": "ACC"}
    ]


def role_declared_twice(doc):
    doc["roles"].append({"abbrev": "CC", "title": "Chief Constable"})


def person_declared_twice(doc):
    doc["people"].append({"name": "Dafydd Llewelyn"})


def action_raised_twice(doc):
    doc["items"][VICTIMS_SERVICES]["actions"][1]["ref"] = "PPB 60"


def departure_of_a_stranger(doc):
    doc["items"][STRATEGIC_ASSESSMENT]["departures"][0]["name"] = "Ms V Day"


def ends_before_it_starts(doc):
    doc["meeting"]["end"] = "09:30"


def left_before_arriving(doc):
    doc["attendance"][2].update(arrived="10:30", left="10:15")


def review_without_ref_or_text(doc):
    del doc["items"][MATTERS_ARISING]["action_reviews"][0]["ref"]


def review_of_an_unknown_action_without_text(doc):
    # PPB 49 was raised at a meeting never imported; without its text it cannot be carried forward.
    doc["items"][MATTERS_ARISING]["action_reviews"][0]["ref"] = "PPB 49"


CASES = [
    # (change, JSON path, words the clerk reads)
    (set_format, "format", "'scrutiny.meeting/2' should be 'scrutiny.meeting/1'"),
    (format_not_a_string, "format", "{'version': 2} should be 'scrutiny.meeting/1'"),
    (not_an_object, "(top level)", "expected object, got 'scrutiny.meeting/1'"),
    (drop_meeting_date, "meeting.date", "is required"),
    (unknown_top_level_key, "(top level)", "unknown key colour (not part of the format)"),
    (
        unknown_item_key,
        f"items[{PERFORMANCE_UPDATE}]",
        "unknown key colour (not part of the format)",
    ),
    (title_is_a_number, "items[0].title", "expected string, got 5"),
    (date_not_iso, "meeting.date", "'13/03/2014' is not a date as YYYY-MM-DD"),
    (date_impossible, "meeting.date", "'2014-02-30' is not a real date"),
    (next_meeting_date_impossible, "meeting.next_meeting.date", "'2014-04-31' is not a real date"),
    (
        due_date_impossible,
        f"items[{VICTIMS_SERVICES}].actions[0].due",
        "'2014-02-29' is not a real date",
    ),
    (time_out_of_range, "meeting.start", "'25:00' is not a 24-hour time as HH:MM"),
    (time_with_a_newline, "meeting.start", "'10:00\\n' is not a 24-hour time as HH:MM"),
    (status_not_in_enum, "meeting.status", "'final' is not one of: draft, approved, published"),
    (
        action_status_not_in_enum,
        f"items[{VICTIMS_SERVICES}].actions[0].status",
        "'done' is not one of: open, in_progress, completed, closed, withdrawn",
    ),
    (exempt_without_reason, f"items[{PERFORMANCE_UPDATE}].exempt_reason", "is required"),
    (
        exempt_with_empty_reason,
        f"items[{PERFORMANCE_UPDATE}].exempt_reason",
        "an exempt item needs the reason for the exemption",
    ),
    (
        exempt_with_blank_reason,
        f"items[{PERFORMANCE_UPDATE}].exempt_reason",
        "an exempt item needs the reason for the exemption",
    ),
    (
        unknown_action_owner,
        f"items[{VULNERABLE_PEOPLE}].items[0].actions[0].owners[1]",
        "unknown owner 'LA Smith'",
    ),
    (
        owner_role_not_declared,
        f"items[{ANY_OTHER_BUSINESS}].actions[0].owners[0]",
        "unknown owner 'LA'",
    ),
    (
        unknown_review_owner,
        f"items[{ACTION_SUMMARY}].action_reviews[3].owners[0]",
        "unknown owner 'DCC'",
    ),
    (unknown_attendance_role, "attendance[1].role", "unknown role 'ACC'"),
    (unknown_chair, "meeting.chair", "unknown chair 'Mr A Nobody': not a role or a person"),
    (
        unknown_responder,
        f"items[{PERFORMANCE_UPDATE}].questions[0].responder",
        "unknown role 'ACC'",
    ),
    (role_declared_twice, f"roles[{len(EXAMPLE['roles'])}].abbrev", "role 'CC' is declared twice"),
    (person_declared_twice, "people[1].name", "person 'Dafydd Llewelyn' is declared twice"),
    (
        action_raised_twice,
        f"items[{VICTIMS_SERVICES}].actions[1].ref",
        f"PPB 60 is raised twice (also at items[{VULNERABLE_PEOPLE}].items[0].actions[0])",
    ),
    (
        departure_of_a_stranger,
        f"items[{STRATEGIC_ASSESSMENT}].departures[0].name",
        "'Ms V Day' is not in the attendance",
    ),
    (ends_before_it_starts, "meeting.end", "the meeting ends (09:30) before it starts"),
    (left_before_arriving, "attendance[2].left", "left before arriving"),
    (
        review_without_ref_or_text,
        f"items[{MATTERS_ARISING}].action_reviews[0]",
        "a review needs the action's ref or its text",
    ),
    (
        review_of_an_unknown_action_without_text,
        f"items[{MATTERS_ARISING}].action_reviews[0].text",
        "PPB 49 is not known yet: give its text so that it can be carried forward",
    ),
]


def test_the_example_imports_as_it_is(tmp_path):
    """The baseline every case changes one thing in: unchanged, it imports."""
    import_files(write(tmp_path, example()))
    assert Meeting.objects.count() == 1
    assert Action.objects.count() == 21


@pytest.mark.parametrize(
    ("change", "where", "words"), CASES, ids=[change.__name__ for change, *_ in CASES]
)
def test_a_document_with_one_fault_is_refused_at_its_path(tmp_path, change, where, words):
    doc = example()
    doc = change(doc) or doc
    path = write(tmp_path, doc, "bad.json")

    message = rejected(path)

    assert message == at(path, where) + words


def test_a_departure_names_someone_in_the_attendance_not_only_in_people(tmp_path):
    """Dafydd Llewelyn is declared in `people` (named as an owner) but was not at the meeting,
    so he cannot leave it: the message the importer has for this says "not in the attendance"."""
    doc = example()
    doc["items"][STRATEGIC_ASSESSMENT]["departures"][0]["name"] = "Dafydd Llewelyn"
    path = write(tmp_path, doc, "bad.json")

    message = rejected(path)

    assert message == at(path, f"items[{STRATEGIC_ASSESSMENT}].departures[0].name") + (
        "'Dafydd Llewelyn' is not in the attendance"
    )


def test_an_exempt_item_with_a_reason_and_a_chair_from_people_are_accepted(tmp_path):
    """The counterpart of the exemption and chair checks: a real reason and a declared chair."""
    doc = example()
    doc["items"][PERFORMANCE_UPDATE].update(
        exempt=True, exempt_reason="Exempt under section 7: Freedom of Information Act 2000"
    )
    doc["meeting"]["chair"] = "Dafydd Llewelyn"
    import_files(write(tmp_path, doc))
    meeting = Meeting.objects.get()
    assert meeting.chair.name == "Dafydd Llewelyn"
    assert meeting.items.get(exempt=True).exempt_reason.startswith("Exempt under section 7")


def test_several_faults_in_one_file_are_all_listed(tmp_path):
    doc = example()
    drop_meeting_date(doc)
    time_out_of_range(doc)
    title_is_a_number(doc)
    path = write(tmp_path, doc, "bad.json")

    message = rejected(path)

    assert message == (
        f"Nothing was imported. {path}: items[0].title: expected string, got 5"
        "\n  meeting.date: is required"
        "\n  meeting.start: '25:00' is not a 24-hour time as HH:MM"
    )


def set_question(field, value):
    def change(doc):
        doc["items"][PERFORMANCE_UPDATE]["questions"] = [{"question": "How many?", field: value}]

    return change


def set_action_ref(value):
    def change(doc):
        doc["items"][VICTIMS_SERVICES]["actions"][0]["ref"] = value

    return change


def set_attendance_note(value):
    def change(doc):
        doc["attendance"][0]["note"] = value

    return change


def set_paper_author(value):
    def change(doc):
        doc["items"][PERFORMANCE_UPDATE]["papers"] = [{"title": "Report", "author": value}]

    return change


def set_exempt_reason(value):
    def change(doc):
        doc["items"][PERFORMANCE_UPDATE].update(exempt=True, exempt_reason=value)

    return change


# Strings the schema puts no limit on (or a looser one) that go into a column with a limit.
LONG_CASES = [
    # (model, column, change, JSON path)
    (Question, "number", lambda v: set_question("number", v), "questions[0].number"),
    (Question, "asked_by", lambda v: set_question("asked_by", v), "questions[0].asked_by"),
    (Action, "legacy_ref", set_action_ref, "actions[0].ref"),
    (Attendance, "note", set_attendance_note, "attendance[0].note"),
    (Paper, "author", set_paper_author, "papers[0].author"),
    (AgendaItem, "exempt_reason", set_exempt_reason, "exempt_reason"),
]


@pytest.mark.parametrize(
    ("model", "column", "change", "where"),
    LONG_CASES,
    ids=[f"{model.__name__}.{column}" for model, column, *_ in LONG_CASES],
)
def test_a_value_longer_than_its_column_is_refused_at_its_path_or_kept_whole(
    tmp_path, model, column, change, where
):
    """A file that validates must import (MEETING_FORMAT.md), and nothing may be cut or crash the
    command: either the import refuses the value with its path, or the column holds all of it.
    PostgreSQL enforces the column (a DataError, no file or path); SQLite stores the overflow."""
    max_length = model._meta.get_field(column).max_length
    value = "x" * (max_length + 1)
    doc = example()
    change(value)(doc)
    path = write(tmp_path, doc, "long.json")
    before = counts()

    refusal = ""
    try:
        import_files(path)
    except CommandError as exc:
        refusal = str(exc)

    if refusal:
        assert refusal.startswith(f"Nothing was imported. {path}: ")
        assert where in refusal
        assert counts() == before
    else:
        assert model.objects.filter(**{column: value}).exists()
        assert len(value) <= max_length, (
            f"the schema admits {len(value)} characters for {where}; "
            f"{model.__name__}.{column} holds {max_length}"
        )


# --- Against what is already in the database -----------------------------------------------------


def later_meeting(**changes) -> dict:
    """A small meeting of the same board a month later, with the CC present."""
    doc = {
        "format": "scrutiny.meeting/1",
        "organisation": ORGANISATION,
        "board": copy.deepcopy(EXAMPLE["board"]),
        "meeting": {"date": "2014-04-10"},
        "roles": [{"abbrev": "CC", "title": "Chief Constable"}],
        "attendance": [{"name": "Simon Prince", "role": "CC", "status": "present"}],
        "items": [{"title": "Hate Crime"}],
    }
    doc["items"][0].update(changes)
    return doc


def test_an_action_number_already_raised_at_another_meeting_is_refused(tmp_path):
    import_files(write(tmp_path, example(), "march.json"))
    again = later_meeting(
        actions=[{"ref": "PPB 60", "text": "Hate crime recommendations", "owners": ["CC"]}]
    )
    path = write(tmp_path, again, "april.json")

    message = rejected(path)

    assert message == at(path, "items[0].actions[0].ref") + (
        "PPB 60 was already raised at the meeting of 13 March 2014"
    )


def test_a_later_meeting_may_review_an_action_raised_earlier(tmp_path):
    import_files(write(tmp_path, example(), "march.json"))
    before = counts()
    review = later_meeting(
        action_reviews=[{"ref": "PPB 60", "progress": "Presented", "status": "completed"}]
    )

    import_files(write(tmp_path, review, "april.json"))

    assert Action.objects.count() == before["actions.Action"]
    ppb60 = Action.objects.get(number=60)
    assert ppb60.raised_at_meeting.held_on.isoformat() == "2014-03-13"
    assert [u.text for u in ppb60.updates.all()] == ["Presented"]


def test_the_meeting_that_raised_a_carried_forward_action_may_arrive_later(tmp_path):
    """PPB 50 is only reviewed in the example (carried forward): its own meeting may follow."""
    import_files(write(tmp_path, example(), "march.json"))
    raising = later_meeting(
        actions=[{"ref": "PPB 50", "text": "Develop a publishing format", "owners": ["CC"]}]
    )
    raising["meeting"]["date"] = "2014-02-13"

    import_files(write(tmp_path, raising, "february.json"))

    ppb50 = Action.objects.get(number=50)
    assert not ppb50.carried_forward
    assert ppb50.raised_at_meeting.held_on.isoformat() == "2014-02-13"


def test_the_same_meeting_twice_without_replace_is_refused(tmp_path):
    path = write(tmp_path, example())
    import_files(path)
    doc = example()
    doc["meeting"]["venue"] = "Carmarthen"
    second = write(tmp_path, doc, "again.json")

    message = rejected(second)

    assert message == at(second, "meeting") + (
        "the meeting of the Policing Performance Board on 13 March 2014 already exists; "
        "use --replace to replace it"
    )
    assert Meeting.objects.get().venue == "Police Headquarters"


@pytest.mark.parametrize("replace", [False, True])
def test_a_published_meeting_is_never_replaced(tmp_path, replace):
    doc = example()
    doc["meeting"]["status"] = "published"
    import_files(write(tmp_path, doc, "published.json"))
    doc["meeting"]["venue"] = "Carmarthen"
    doc["items"][PERFORMANCE_UPDATE]["minutes"] = "Rewritten after publication."
    second = write(tmp_path, doc, "rewrite.json")

    message = rejected(second, replace=replace)

    assert message == at(second, "meeting") + (
        "the meeting of the Policing Performance Board on 13 March 2014 is published "
        "and is never replaced; correct it in the secretariat pages"
    )
    meeting = Meeting.objects.get()
    assert meeting.venue == "Police Headquarters"
    assert meeting.items.get(position=PERFORMANCE_UPDATE).minutes.startswith("The T/ACC")


def test_a_meeting_under_correction_is_never_replaced(tmp_path):
    """A correction makes the record a draft again, but version 1 is still on the public site."""
    doc = example()
    doc["meeting"]["status"] = "published"
    import_files(write(tmp_path, doc, "published.json"))
    meeting_start_correction(meeting=Meeting.objects.get())
    actions_before = Action.objects.count()
    doc["meeting"]["status"] = "draft"
    doc["meeting"]["venue"] = "Carmarthen"
    second = write(tmp_path, doc, "rewrite.json")

    message = rejected(second, replace=True)

    assert message.endswith(
        "is published and is never replaced; correct it in the secretariat pages"
    )
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.DRAFT
    assert meeting.venue == "Police Headquarters"
    assert Action.objects.count() == actions_before


def kept_counts() -> dict:
    """The register's kept counts, summed by key (their rows are folded only outside a
    transaction, so a test sees the rows each write added)."""
    from django.db.models import Sum

    from actions.models import RegisterCount

    rows = RegisterCount.objects.values("board_pk", "status", "role_pk", "person_pk")
    return {
        tuple(row[key] for key in ("board_pk", "status", "role_pk", "person_pk")): row["total"]
        for row in rows.annotate(total=Sum("n")).order_by()
        if row["total"]
    }


@pytest.mark.parametrize("status", ["draft", "approved"])
def test_replace_of_an_unpublished_meeting_leaves_one_meeting_with_the_new_content(
    tmp_path, status
):
    doc = example()
    doc["meeting"]["status"] = status
    import_files(write(tmp_path, doc, "first.json"))
    after_first, kept_first = counts(), kept_counts()
    doc["meeting"]["venue"] = "Carmarthen"
    doc["items"][PERFORMANCE_UPDATE]["title"] = "Corporate Performance Update (revised)"
    doc["items"][VICTIMS_SERVICES]["actions"][0]["text"] = "Extend Victim Support remit"

    import_files(write(tmp_path, doc, "revised.json"), replace=True)

    # The record is the same size; only its audit trail grew (it records the replacement), and
    # the register's kept counts, whose rows are folded once no transaction is open, sum alike.
    def record(c):
        return {
            label: n
            for label, n in c.items()
            if ".Historical" not in label and label != "actions.RegisterCount"
        }

    assert record(counts()) == record(after_first)
    assert kept_counts() == kept_first
    meeting = Meeting.objects.get()
    assert meeting.venue == "Carmarthen"
    assert meeting.items.get(position=PERFORMANCE_UPDATE).title.endswith("(revised)")
    assert Action.objects.get(number=68).text == "Extend Victim Support remit"


def test_a_batch_with_a_bad_second_file_writes_nothing_and_names_that_file(tmp_path):
    good = write(tmp_path, example(), "first.json")
    doc = later_meeting(actions=[{"text": "Report back", "owners": ["LA"]}])
    bad = write(tmp_path, doc, "second.json")

    message = rejected(good, bad)

    assert message == at(bad, "items[0].actions[0].owners[0]") + "unknown owner 'LA'"
    assert str(good) not in message
    assert Meeting.objects.count() == 0


def test_a_batch_whose_second_file_fails_while_writing_rolls_back_the_first(tmp_path):
    """The second file is valid on its own; it fails only once the first has been written."""
    good = write(tmp_path, example(), "first.json")
    doc = later_meeting(actions=[{"ref": "PPB 60", "text": "Hate crime", "owners": ["CC"]}])
    bad = write(tmp_path, doc, "second.json")

    message = rejected(good, bad)

    assert message == at(bad, "items[0].actions[0].ref") + (
        "PPB 60 was already raised at the meeting of 13 March 2014"
    )
    assert Meeting.objects.count() == 0
    assert Board.objects.count() == 0


def test_a_prefix_that_belongs_to_another_board_of_the_organisation_is_refused(tmp_path):
    body = OrganisationFactory(name=ORGANISATION)
    BoardFactory(body=body, name="Strategic Policing Board", action_prefix="PPB")
    path = write(tmp_path, example())

    message = rejected(path)

    assert message == at(path, "board.name") + (
        "the prefix PPB belongs to the board 'Strategic Policing Board'"
    )


def test_a_board_name_already_used_with_another_prefix_is_refused(tmp_path):
    body = OrganisationFactory(name=ORGANISATION)
    BoardFactory(body=body, name="Policing Performance Board", action_prefix="PB")
    path = write(tmp_path, example())

    message = rejected(path)

    assert message == at(path, "board.action_prefix") + (
        f"{ORGANISATION} already has a board named 'Policing Performance Board' with another prefix"
    )


def test_the_same_prefix_under_another_organisation_is_another_board(tmp_path):
    other = OrganisationFactory(name="Office of the Police and Crime Commissioner for Gwent")
    BoardFactory(body=other, name="Strategy and Performance Board", action_prefix="PPB")

    import_files(write(tmp_path, example()))

    board = Meeting.objects.get().board
    assert board.body == Organisation.objects.get(name=ORGANISATION, parent=None)
    assert board.name == "Policing Performance Board"
    assert Board.objects.filter(action_prefix="PPB").count() == 2
