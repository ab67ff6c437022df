"""The board's settings in the meeting editor: the format's board keys (members, the words for
a question and a response, the Action column, the bilingual line, the Welsh name) and how the
body writes times, changed through the reference services by those who may change boards; a
change to what approved minutes print reopens their approval."""

import datetime

import pytest
from django.urls import reverse

from meetings.models import Board, BoardMembership, Meeting
from meetings.reference import board_ensure, board_save, body_ensure
from minutes.interchange.exporter import export_meeting_document
from tests.factories import MeetingFactory, PersonFactory, RoleFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def meeting(db):
    meeting = MeetingFactory(held_on=datetime.date(2024, 3, 5))
    body = meeting.board.body
    RoleFactory(body=body, abbrev="CC", title="Chief Constable")
    RoleFactory(body=body, abbrev="DPCC", title="Deputy Police and Crime Commissioner")
    PersonFactory(body=body, name="Ms E Thomas")
    return meeting


@pytest.fixture
def signed_in(client, clerk):
    client.force_login(clerk)
    return client


def url(meeting, name="board"):
    return reverse(f"editor:{name}", kwargs={"pk": meeting.pk})


def board_data(meeting, members=(), **changes) -> dict:
    """The form as the page sends it, from the board as saved now, with these changes."""
    board = Board.objects.select_related("body").get(pk=meeting.board_id)
    data = {
        "board-question_label": board.question_label,
        "board-response_label": board.response_label,
        "board-time_style": board.body.time_style,
        "board-lock_version": board.version,
        "fingerprint": "",
    }
    if board.action_column:
        data["board-action_column"] = "on"
    if board.welsh_statement:
        data["board-welsh_statement"] = "on"
    data.update({f"board-{key}": value for key, value in changes.items()})
    page = members_page(meeting)
    data["fingerprint"] = page["fingerprint"]
    rows = list(page["rows"]) + list(members)
    data.update({"member-TOTAL_FORMS": len(rows), "member-INITIAL_FORMS": 0})
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"member-{index}-{key}"] = value
    return data


def members_page(meeting) -> dict:
    from minutes.editor.views import members_fingerprint

    memberships = list(meeting.board.memberships.order_by("position", "pk"))
    rows = [
        {
            "pk": m.pk,
            "name": m.person.name,
            "role": m.role.abbrev if m.role else "",
            "start_on": m.start_on.isoformat() if m.start_on else "",
            "end_on": m.end_on.isoformat() if m.end_on else "",
        }
        for m in memberships
    ]
    return {"rows": rows, "fingerprint": members_fingerprint(memberships)}


def test_the_editor_shows_the_boards_settings_and_says_they_apply_to_every_meeting(
    signed_in, meeting
):
    html = signed_in.get(url(meeting, "meeting-edit")).content.decode()
    section = html[html.index('<section id="board"') : html.index('<section id="attendance"')]
    assert "apply to every meeting of the" in section
    assert "Question / Response" in section
    assert "13:00 (24-hour clock)" in section
    assert "Change the board's settings and members" in section
    form = signed_in.get(url(meeting), **HTMX).content.decode()
    for label in (
        "Word for a question",
        "Word for a response",
        "Print actions in a column beside the minutes",
        "Print the bilingual-availability line",
        "How the body writes times",
        "Members of the board",
    ):
        assert label in form
    assert "in Welsh" not in form  # the Welsh twins only for a Welsh body


def test_a_clerk_sets_every_board_key_of_the_format_and_it_is_exported(signed_in, meeting):
    body = meeting.board.body
    body.welsh, body.name_cy = True, "Swyddfa"
    body.save()
    data = board_data(
        meeting,
        members=[
            {"name": "Ms E Thomas", "role": "dpcc", "start_on": "2016-05-12"},
            {"name": "Mr N Newmember", "start_on": "2020-01-01", "end_on": "2024-12-31"},
        ],
        question_label="Findings",
        question_label_cy="Canfyddiadau",
        response_label="Update",
        response_label_cy="Diweddariad",
        name_cy="Bwrdd Strategaeth",
        action_column="on",
        welsh_statement="on",
        time_style="12h",
    )
    response = signed_in.post(url(meeting), data, **HTMX)
    assert response.status_code == 200, response.content.decode()
    html = response.content.decode()
    assert "Saved at" in html
    assert "Findings / Update" in html
    assert "1.00pm (12-hour clock)" in html
    board = meeting.board
    board.refresh_from_db()
    body.refresh_from_db()
    assert (board.question_label, board.question_label_cy) == ("Findings", "Canfyddiadau")
    assert (board.response_label, board.response_label_cy) == ("Update", "Diweddariad")
    assert board.name_cy == "Bwrdd Strategaeth"
    assert board.action_column
    assert board.welsh_statement
    assert body.time_style == "12h"
    members = list(board.memberships.order_by("position"))
    assert [(m.person.name, m.role and m.role.abbrev) for m in members] == [
        ("Ms E Thomas", "DPCC"),
        ("Mr N Newmember", None),
    ]
    assert members[1].end_on == datetime.date(2024, 12, 31)
    assert members[1].person.body == body  # a name new to the body is added to it

    document = export_meeting_document(meeting)
    assert document["time_style"] == "12h"
    exported = document["board"]
    assert exported["question_label"] == "Findings"
    assert exported["response_label_cy"] == "Diweddariad"
    assert exported["name_cy"] == "Bwrdd Strategaeth"
    assert exported["action_column"] is True
    assert exported["welsh_statement"] is True
    assert exported["members"] == [
        {"name": "Ms E Thomas", "role": "DPCC", "from": "2016-05-12"},
        {"name": "Mr N Newmember", "from": "2020-01-01", "to": "2024-12-31"},
    ]

    # A member changed and another removed, in the same form.
    again = board_data(meeting)
    again["member-0-end_on"] = "2024-05-01"
    again["member-1-remove"] = "on"
    assert signed_in.post(url(meeting), again, **HTMX).status_code == 200
    assert [(m.person.name, m.end_on) for m in board.memberships.all()] == [
        ("Ms E Thomas", datetime.date(2024, 5, 1))
    ]


def test_a_change_to_what_approved_minutes_print_reopens_them_and_the_clerk_is_told(
    signed_in, meeting, clerk
):
    approved = MeetingFactory(
        board=meeting.board, held_on=datetime.date(2024, 1, 10), status=Meeting.Status.APPROVED
    )
    published = MeetingFactory(
        board=meeting.board, held_on=datetime.date(2023, 11, 1), status=Meeting.Status.PUBLISHED
    )
    members_only = board_data(meeting, members=[{"name": "Ms E Thomas"}])
    assert signed_in.post(url(meeting), members_only, **HTMX).status_code == 200
    approved.refresh_from_db()
    assert approved.status == Meeting.Status.APPROVED  # members are not printed

    response = signed_in.post(url(meeting), board_data(meeting, question_label="Findings"), **HTMX)
    assert response.status_code == 200
    assert "their approval was reopened" in response.content.decode()
    approved.refresh_from_db()
    published.refresh_from_db()
    assert approved.status == Meeting.Status.DRAFT
    assert clerk in approved.changed_since_approval_by.all()  # may not approve it now
    assert published.status == Meeting.Status.PUBLISHED  # keeps its published documents

    approved.status = Meeting.Status.APPROVED
    approved.save()
    response = signed_in.post(url(meeting), board_data(meeting, time_style="12h"), **HTMX)
    assert "their approval was reopened" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == Meeting.Status.DRAFT


def test_the_import_and_the_admins_service_reopen_approved_minutes_too(meeting, clerk):
    """The same rule whichever page or command changes the board (ADR 0005)."""
    board, body = meeting.board, meeting.board.body
    approved = MeetingFactory(board=board, status=Meeting.Status.APPROVED)

    def reopened_after(change) -> bool:
        Meeting.objects.filter(pk=approved.pk).update(status=Meeting.Status.APPROVED)
        change()
        approved.refresh_from_db()
        return approved.status == Meeting.Status.DRAFT

    board.refresh_from_db()
    board.action_column = True
    assert reopened_after(lambda: board_save(board=board, by=clerk))
    board.refresh_from_db()
    board.introduction = "What the board is for."  # not printed in the minutes
    assert not reopened_after(lambda: board_save(board=board, by=clerk))
    assert reopened_after(
        lambda: board_ensure(
            body=body, name=board.name, action_prefix=board.action_prefix, response_label="Update"
        )
    )
    assert not reopened_after(
        lambda: board_ensure(
            body=body, name=board.name, action_prefix=board.action_prefix, response_label="Update"
        )
    )
    assert reopened_after(lambda: body_ensure(name=body.name, time_style="12h"))


def test_a_membership_ending_before_it_starts_is_refused_and_nothing_is_saved(signed_in, meeting):
    data = board_data(
        meeting,
        members=[{"name": "Ms E Thomas", "start_on": "2024-05-01", "end_on": "2024-01-01"}],
        question_label="Findings",
    )
    response = signed_in.post(url(meeting), data, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "A membership cannot end before it starts." in html
    assert 'value="Findings"' in html
    assert 'value="Ms E Thomas"' in html
    meeting.board.refresh_from_db()
    assert meeting.board.question_label == ""
    assert not BoardMembership.objects.exists()


def test_an_unknown_post_and_hostile_text_are_refused_or_kept_harmless(signed_in, meeting):
    data = board_data(meeting, members=[{"name": "Ms E Thomas", "role": "XYZ"}])
    response = signed_in.post(url(meeting), data, **HTMX)
    assert response.status_code == 422
    assert "No post XYZ in this body" in response.content.decode()
    assert not BoardMembership.objects.exists()

    hostile = "<script>alert(1)</script>{{"
    data = board_data(meeting, question_label=hostile[:40])
    assert signed_in.post(url(meeting), data, **HTMX).status_code == 200
    html = signed_in.get(url(meeting, "meeting-edit")).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{" in html


def test_someone_elses_save_is_not_overwritten_and_what_was_typed_is_kept(signed_in, meeting):
    mine = board_data(meeting, question_label="Mine")
    theirs = board_data(meeting, question_label="Theirs")
    assert signed_in.post(url(meeting), theirs, **HTMX).status_code == 200
    response = signed_in.post(url(meeting), mine, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved changes" in html
    assert 'value="Mine"' in html
    meeting.board.refresh_from_db()
    assert meeting.board.question_label == "Theirs"
    # Saving again, having seen theirs, applies mine: the form now carries the current version.
    assert f'name="board-lock_version" value="{meeting.board.version}"' in html
    mine["board-lock_version"] = meeting.board.version
    assert signed_in.post(url(meeting), mine, **HTMX).status_code == 200
    meeting.board.refresh_from_db()
    assert meeting.board.question_label == "Mine"

    # Members someone else changed meanwhile: refused too, with the typing kept.
    stale = board_data(meeting, members=[{"name": "Mr N Newmember"}])
    signed_in.post(url(meeting), board_data(meeting, members=[{"name": "Ms E Thomas"}]), **HTMX)
    response = signed_in.post(url(meeting), stale, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "members as saved now:" in html
    assert "<li>Ms E Thomas</li>" in html
    assert 'value="Mr N Newmember"' in html
    assert [m.person.name for m in meeting.board.memberships.all()] == ["Ms E Thomas"]


def test_an_approver_sees_the_settings_but_may_not_change_them(client, approver, meeting):
    client.force_login(approver)
    html = client.get(url(meeting, "meeting-edit")).content.decode()
    section = html[html.index('<section id="board"') : html.index('<section id="attendance"')]
    assert "Only staff who may change boards can change these." in section
    assert "board-change" not in section
    assert client.get(url(meeting), **HTMX).status_code == 403
    data = board_data(meeting, question_label="Findings")
    assert client.post(url(meeting), data, **HTMX).status_code == 403
    meeting.board.refresh_from_db()
    assert meeting.board.question_label == ""
