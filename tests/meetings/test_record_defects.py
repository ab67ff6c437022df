"""Defects found in the record (issue 9), each pinned by what the user gets."""

import copy
import datetime
import json
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.urls import reverse

from actions.models import Action
from meetings.models import Meeting
from minutes.documents import render_minutes_pdf, render_questions_pdf
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    ActionUpdateFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    QuestionFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
EXAMPLE = json.loads((FIXTURES / "gwent-spb-2019-11-26.json").read_text(encoding="utf-8"))


def pdf_text(pdf: bytes, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        ["pdftotext", "-layout", *pages, "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


# 1. The questions-and-responses record holds only the questions record.


def test_the_questions_record_leaves_out_the_minutes_of_sibling_items():
    meeting = MeetingFactory()
    asked = AgendaItemFactory(meeting=meeting, title="Finance report", position=0)
    QuestionFactory(item=asked, question="How is the overspend covered?", response="Reserves.")
    AgendaItemFactory(
        meeting=meeting,
        title="Chief Constable's update",
        minutes=(
            "The Chief Constable spoke at length about recruitment: 120 officers joined this "
            "year and 40 more start in January.\n\nThe PCC asked how the new officers are "
            "placed across the four areas, and the Chief Constable explained the allocation."
        ),
        position=1,
    )
    text = pdf_text(render_questions_pdf(meeting, public=True))
    assert "How is the overspend covered?" in text
    assert "recruitment" not in text
    assert "Chief Constable's update" not in text


# 2. Choices are scoped to the board's body and refused on save.


@pytest.fixture
def two_bodies():
    gwent = OrganisationFactory(name="Office of the Police and Crime Commissioner for Gwent")
    dyfed = OrganisationFactory(name="Office of the Police and Crime Commissioner for Dyfed-Powys")
    return gwent, dyfed


def test_a_meeting_is_not_saved_with_a_post_of_another_body(client, clerk, two_bodies):
    gwent, dyfed = two_bodies
    meeting = MeetingFactory(board=BoardFactory(body=gwent), created_by=clerk)
    foreign = RoleFactory(body=dyfed, abbrev="DPCC")
    client.force_login(clerk)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    from tests.admin_pages import page_data

    data = page_data(client.get(url))
    data["chair_role"] = str(foreign.pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Dyfed-Powys" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.chair_role_id is None


def test_an_action_is_not_tied_to_an_item_of_another_body(client, clerk, two_bodies):
    gwent, dyfed = two_bodies
    board = BoardFactory(body=gwent)
    meeting = MeetingFactory(board=board)
    old_item = AgendaItemFactory(meeting=MeetingFactory(board=BoardFactory(body=dyfed)))
    action = ActionFactory(board=board, raised_at_meeting=meeting)
    ActionOwnerFactory(action=action, role=RoleFactory(body=gwent))
    client.force_login(clerk)
    url = reverse("admin:actions_action_change", args=[action.pk])
    from tests.admin_pages import page_data

    data = page_data(client.get(url))
    data["raised_at_item"] = str(old_item.pk)
    client.post(url, data)
    action.refresh_from_db()
    assert action.raised_at_item_id is None


# 3. No per-request state on shared objects.


def test_the_add_meeting_page_offers_owners_whatever_meeting_was_opened_last(
    client, clerk, two_bodies
):
    """The add page offers the owners of the board chosen (issue 9's body scoping: the board
    comes first), never those of the meeting opened last."""
    gwent, dyfed = two_bodies
    gwent_post = RoleFactory(body=gwent, abbrev="HoSPC")
    dyfed_post = RoleFactory(body=dyfed, abbrev="DCC")
    meeting = MeetingFactory(board=BoardFactory(body=dyfed))
    AgendaItemFactory(meeting=meeting)
    client.force_login(clerk)
    client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    gwent_board = BoardFactory(body=gwent)
    add = client.get(reverse("admin:meetings_meeting_add") + f"?board={gwent_board.pk}")
    [inline] = [
        inline for inline in add.context["inline_admin_formsets"] if inline.formset.model is Action
    ]
    offered = {label for _value, label in inline.formset.empty_form.fields["owner_roles"].choices}
    assert str(gwent_post) in offered
    assert str(dyfed_post) not in offered


# 4. Progress reviewed without an item is printed.


def test_progress_reviewed_without_an_item_is_printed(client, approver, clerk):
    meeting = MeetingFactory(created_by=clerk)
    AgendaItemFactory(meeting=meeting, title="Welcome")
    action = ActionFactory(board=meeting.board, text="Review the estate strategy")
    ActionUpdateFactory(
        action=action, meeting=meeting, item=None, text="The strategy went to the panel."
    )
    for public in (True, False):
        assert "The strategy went to the panel." in pdf_text(
            render_minutes_pdf(meeting, public=public)
        )
    client.force_login(clerk)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "The strategy went to the panel." in page


# 5. Deleting a draft meeting deletes the actions it raised, and says so first.


def test_deleting_a_draft_meeting_lists_and_removes_its_actions(client, clerk):
    meeting = MeetingFactory(created_by=clerk, board=BoardFactory(action_prefix="SPB"))
    item = AgendaItemFactory(meeting=meeting)
    action = ActionFactory(
        board=meeting.board, number=7, raised_at_meeting=meeting, raised_at_item=item
    )
    client.force_login(clerk)
    url = reverse("admin:meetings_meeting_delete", args=[meeting.pk])
    assert "SPB 7" in client.get(url).content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()
    assert not Meeting.objects.filter(pk=meeting.pk).exists()


# 6. A number once issued on a board is never issued again.


def _document(number: int, date: str, *, with_action: bool = True) -> dict:
    doc = {
        "format": "scrutiny.meeting/1",
        "organisation": "Office of the Police and Crime Commissioner for Gwent",
        "board": {"name": "Strategy and Performance Board", "action_prefix": "SPB"},
        "meeting": {"date": date, "status": "published"},
        "roles": [{"abbrev": "HoSPC", "title": "Head of Strategy"}],
        "attendance": [],
        "items": [{"title": "Finance", "minutes": "Discussed."}],
    }
    if with_action:
        doc["items"][0]["actions"] = [
            {"ref": f"SPB {number}", "text": "Report the outturn", "owners": ["HoSPC"]}
        ]
    return doc


def test_replacing_a_withdrawn_meeting_keeps_its_actions_and_their_numbers(tmp_path, approver):
    from minutes.services import meeting_withdraw

    first = tmp_path / "first.json"
    first.write_text(json.dumps(_document(7, "2019-01-10")))
    call_command("import_meeting", str(first), stdout=StringIO())
    meeting = Meeting.objects.get()
    meeting_withdraw(meeting=meeting, by=approver, reason="Published in error.")
    again = tmp_path / "again.json"
    doc = _document(7, "2019-01-10", with_action=False)
    doc["meeting"]["status"] = "draft"
    again.write_text(json.dumps(doc))
    call_command("import_meeting", "--replace", str(again), stdout=StringIO())
    assert Action.objects.filter(board=meeting.board, number=7).exists()

    later = tmp_path / "later.json"
    later.write_text(json.dumps(_document(7, "2019-02-10")))
    with pytest.raises(CommandError, match="SPB 7"):
        call_command("import_meeting", str(later), stdout=StringIO())
    assert Action.objects.filter(board=meeting.board, number=7).count() == 1


def test_a_deleted_actions_number_is_never_issued_again(tmp_path, clerk):
    board = BoardFactory(action_prefix="SPB", body=OrganisationFactory())
    meeting = MeetingFactory(board=board, created_by=clerk)
    ActionFactory(board=board, number=3, raised_at_meeting=meeting)
    from actions.services import action_delete

    action_delete(action=Action.objects.get(number=3), by=clerk)
    doc = _document(3, "2019-05-01")
    doc["organisation"] = board.body.name
    doc["board"]["name"] = board.name
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match="SPB 3"):
        call_command("import_meeting", str(path), stdout=StringIO())


# 7. The commands find a meeting by PREFIX DATE, list several, and show their help.


@pytest.fixture
def titled():
    board = BoardFactory(action_prefix="MAM")
    return MeetingFactory(
        board=board, held_on=datetime.date(2018, 8, 28), title="Monthly Assurance Meeting"
    )


def test_commands_find_a_titled_meeting_by_prefix_and_date(titled, tmp_path):
    out = StringIO()
    call_command("export_meeting", "MAM", "2018-08-28", stdout=out)
    assert json.loads(out.getvalue())["meeting"]["title"] == "Monthly Assurance Meeting"
    for command in ("render_minutes", "render_questions"):
        target = tmp_path / f"{command}.pdf"
        call_command(command, "MAM", "2018-08-28", "--full", "-o", str(target), stdout=StringIO())
        assert target.read_bytes().startswith(b"%PDF")


def test_commands_list_meetings_sharing_a_date_and_ask_for_a_title(titled, tmp_path):
    MeetingFactory(board=titled.board, held_on=titled.held_on, title="Extraordinary")
    for args in (
        ["export_meeting", "MAM", "2018-08-28"],
        ["render_minutes", "MAM", "2018-08-28", "--full", "-o", str(tmp_path / "m.pdf")],
    ):
        with pytest.raises(CommandError) as refused:
            call_command(*args, stdout=StringIO())
        message = str(refused.value)
        assert "Monthly Assurance Meeting" in message
        assert "Extraordinary" in message
        assert "--title" in message


@pytest.mark.parametrize(
    "name", ["render_minutes", "render_questions", "export_meeting", "import_meeting"]
)
def test_command_help_is_shown(name):
    app = "minutes"
    command = load_command_class(app, name)
    text = command.create_parser("manage.py", name).format_help()
    assert "--" in text
    assert str(command.help).split()[0] in text


# 8. Items nest to a documented depth; the importer enforces the text limits.


def _nested(depth: int) -> list:
    items = [{"title": f"Level {depth}"}]
    for level in range(depth - 1, 0, -1):
        items = [{"title": f"Level {level}", "items": items}]
    return items


def test_items_nested_past_the_documented_depth_are_refused_with_the_path(tmp_path):
    doc = copy.deepcopy(EXAMPLE)
    doc["items"] = _nested(150)
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match=r"items\[0\](\.items\[0\]){6}"):
        call_command("import_meeting", str(path), stdout=StringIO())
    assert not Meeting.objects.exists()


def test_minutes_longer_than_the_documented_limit_are_refused_at_import(tmp_path):
    doc = copy.deepcopy(EXAMPLE)
    doc["items"][0]["minutes"] = "x" * 200_001
    path = tmp_path / "long.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match=r"items\[0\]\.minutes"):
        call_command("import_meeting", str(path), stdout=StringIO())
    assert not Meeting.objects.exists()


# 9. A NUL byte in an address is a bad request, not a server error.


@pytest.mark.parametrize("url", ["/boards/a%00b/", "/?q=%00", "/meetings/1/?v=a%00"])
def test_a_nul_byte_in_an_address_is_a_bad_request(client, url):
    BoardFactory(slug="gwent-spb")
    assert client.get(url).status_code == 400


def test_a_nul_byte_in_a_search_is_a_bad_request_not_a_server_error(client, clerk):
    """On PostgreSQL the search reached the database, which refuses NUL: a server error."""
    client.force_login(clerk)
    client.raise_request_exception = False
    assert client.get("/actions/", {"q": "budget\x00"}).status_code == 400


# 10. Previews are marked as drafts on every page.


@pytest.mark.real_pdf
def test_a_draft_preview_is_marked_on_every_page(client, clerk):
    meeting = MeetingFactory(created_by=clerk)
    for n in range(40):
        AgendaItemFactory(meeting=meeting, position=n, minutes="A long minute. " * 60)
    client.force_login(clerk)
    url = reverse(
        "minutes:preview-document", kwargs={"pk": meeting.pk, "kind": "minutes", "variant": "full"}
    )
    page = client.post(url, follow=True)
    response = client.get(page.context["pdf_url"])
    pdf = response.content
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    pages = int(
        next(line for line in info.stdout.decode().splitlines() if "Pages" in line).split()[1]
    )
    assert pages > 2
    for page in range(1, pages + 1):
        assert "DRAFT – not approved" in pdf_text(pdf, page)
