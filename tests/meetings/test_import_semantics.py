"""What an import means for the record: one person and post across meetings, carried-forward
actions, numbering, appointments."""

import copy
import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from actions.models import Action, ActionStatus
from meetings.models import Appointment, Meeting, Person, Role

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "fixtures" / "dyfed-powys-ppb-2014-03-13.json"


def load_example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def import_doc(tmp_path, doc, name="meeting.json", *args):
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    call_command("import_meeting", *args, str(path), stdout=StringIO())


def test_actions_keep_their_printed_numbers_and_the_board_counts_on(tmp_path):
    import_doc(tmp_path, load_example())
    refs = sorted(a.number for a in Action.objects.all())
    assert refs == list(range(50, 71))
    board = Meeting.objects.get().board
    assert board.next_action_number == 71
    ppb60 = Action.objects.get(number=60)
    assert ppb60.ref == "PPB 60"
    assert ppb60.owners_display() == "CC"
    assert ppb60.raised_at_item.title == "Hate Crime"
    assert Action.objects.get(number=67).owners_display() == "CG / Dafydd Llewelyn"


def test_reviewed_actions_never_imported_are_carried_forward_with_progress(tmp_path):
    import_doc(tmp_path, load_example())
    ppb50 = Action.objects.get(number=50)
    assert ppb50.carried_forward
    assert ppb50.raised_at_meeting is None
    history = list(ppb50.updates.order_by("position", "item__position"))
    assert [u.text for u in history] == [
        "In progress",
        "it was confirmed that a quarterly statistics report on professional standards matters "
        "is published online, however further discussion was required regarding the development "
        "of a communication report.",
    ]
    assert ppb50.status == ActionStatus.IN_PROGRESS
    assert Action.objects.get(number=51).status == ActionStatus.COMPLETED


def test_a_later_meeting_reviews_the_same_action_and_people_are_one_record(tmp_path):
    import_doc(tmp_path, load_example(), "first.json")
    later = {
        "format": "scrutiny.meeting/1",
        "organisation": "Dyfed-Powys Police and Crime Commissioner",
        "board": {"name": "Policing Performance Board", "action_prefix": "PPB"},
        "meeting": {"date": "2014-04-10"},
        "roles": [{"abbrev": "CC", "title": "Chief Constable"}],
        "attendance": [{"name": "Simon Prince", "role": "CC", "status": "present"}],
        "items": [
            {
                "title": "Action Summary",
                "action_reviews": [
                    {"ref": "PPB 60", "progress": "Completed", "status": "completed"}
                ],
                "actions": [{"text": "A new action", "owners": ["CC"]}],
            }
        ],
    }
    import_doc(tmp_path, later, "later.json")
    assert Person.objects.filter(name="Simon Prince").count() == 1
    assert Role.objects.filter(abbrev="CC").count() == 1
    ppb60 = Action.objects.get(number=60)
    assert ppb60.status == ActionStatus.COMPLETED
    assert ppb60.updates.get().meeting.held_on == datetime.date(2014, 4, 10)
    assert Action.objects.get(text="A new action").number == 71


def test_the_meeting_that_raised_a_carried_forward_action_adopts_it(tmp_path):
    doc = load_example()
    earlier = {
        "format": "scrutiny.meeting/1",
        "organisation": doc["organisation"],
        "board": doc["board"],
        "meeting": {"date": "2014-02-13"},
        "roles": [{"abbrev": "T/DCC", "title": "T/DCC"}],
        "attendance": [],
        "items": [
            {
                "title": "Professional Standards",
                "actions": [
                    {
                        "ref": "PPB 50",
                        "text": "T/DCC to develop publishing format for PSD data",
                        "owners": ["T/DCC"],
                    }
                ],
            }
        ],
    }
    import_doc(tmp_path, doc, "march.json")
    import_doc(tmp_path, earlier, "february.json")
    ppb50 = Action.objects.get(number=50)
    assert not ppb50.carried_forward
    assert ppb50.raised_at_meeting.held_on == datetime.date(2014, 2, 13)
    assert ppb50.owners_display() == "T/DCC"
    assert ppb50.updates.count() == 2
    assert ppb50.status == ActionStatus.IN_PROGRESS


def test_actions_without_a_printed_number_take_the_next_free_one(tmp_path):
    doc = load_example()
    doc["items"][2]["actions"] = [
        {"ref": "Action 3", "text": "First", "owners": ["CC"]},
        {"text": "Second", "owners": ["CC"]},
    ]
    import_doc(tmp_path, doc)
    first = Action.objects.get(text="First")
    assert first.legacy_ref == "Action 3"
    assert first.number >= 71
    assert Action.objects.get(text="Second").number == first.number + 1


def test_attendance_makes_appointments_that_answer_who_held_a_post(tmp_path):
    import_doc(tmp_path, load_example())
    on_the_day = datetime.date(2014, 3, 13)
    holders = Appointment.objects.current(on_the_day).filter(role__abbrev="T/ACC")
    assert [a.person.name for a in holders] == ["Pam Kelly"]
    assert holders.get().kind == Appointment.Kind.TEMPORARY
    assert (
        not Appointment.objects.current(datetime.date(2014, 1, 1))
        .filter(role__abbrev="T/ACC")
        .exists()
    )


def test_replace_keeps_numbers_and_does_not_duplicate_actions(tmp_path):
    doc = load_example()
    import_doc(tmp_path, doc)
    changed = copy.deepcopy(doc)
    changed["meeting"]["venue"] = "Carmarthen"
    import_doc(tmp_path, changed, "meeting.json", "--replace")
    meeting = Meeting.objects.get()
    assert meeting.venue == "Carmarthen"
    assert Action.objects.count() == 21
    assert Action.objects.get(number=60).raised_at_meeting == meeting
    assert Action.objects.get(number=50).updates.count() == 2


def test_roles_are_matched_within_the_body_that_owns_the_board(tmp_path):
    import_doc(tmp_path, load_example())
    other = load_example()
    other["organisation"] = "Office of the Police and Crime Commissioner for Gwent"
    import_doc(tmp_path, other, "other.json")
    assert Role.objects.filter(abbrev="PCC").count() == 2
    assert Person.objects.filter(name="Christopher Salmon").count() == 2
