"""The admin's change page of a meeting reads its choices once a page, not once a row: its
query count stays the same however many attendees, items, actions and reviews the meeting has,
and however much else the database holds."""

import pytest
from django.urls import reverse

from actions.services import action_create, action_review_record
from meetings.models import Attendance
from tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db


def _grow(meeting, earlier, n: int, start: int) -> None:
    """n more of everything on the meeting's page: attendees, items, actions raised (owned by
    a post and a person), and progress on earlier actions."""
    body = meeting.board.body
    for i in range(start, start + n):
        role = RoleFactory(body=body, abbrev=f"HoX{i}", title=f"Head of Unit {i}")
        person = PersonFactory(body=body, name=f"Attendee Number {i}")
        Attendance.objects.create(meeting=meeting, position=i, person=person, role=role)
        item = AgendaItemFactory(meeting=meeting, position=i, number=str(i), title=f"Topic {i}")
        action_create(
            board=meeting.board,
            text=f"Raised here {i}",
            owners=[role, person],
            raised_at=meeting,
            by=None,
            item=item,
        )
        old = action_create(
            board=meeting.board, text=f"Earlier {i}", owners=[role], raised_at=earlier, by=None
        )
        action_review_record(action=old, meeting=meeting, text=f"Progress {i}.", by=None, item=item)
    # Elsewhere in the database: another body's records, which the page never lists.
    other = BoardFactory(body=OrganisationFactory(name=f"Another body {start}"))
    for i in range(start, start + n):
        PersonFactory(body=other.body, name=f"Elsewhere {i}")
        RoleFactory(body=other.body, abbrev=f"Else{i}")


def test_the_meeting_change_page_costs_the_same_queries_however_big(
    client, clerk, django_assert_max_num_queries
):
    board = BoardFactory(action_prefix="SPB")
    earlier = MeetingFactory(board=board)
    meeting = MeetingFactory(board=board)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    client.force_login(clerk)
    _grow(meeting, earlier, 2, start=1)
    with django_assert_max_num_queries(60) as few:
        page = client.get(url)
    assert page.status_code == 200

    _grow(meeting, earlier, 10, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    content = page.content.decode()
    # Every row still shows its own choices: the attendee chosen in each row of attendance,
    # the raised action's owners among the body's posts and people, each review's action.
    for i in range(1, 13):
        assert f"selected>Attendee Number {i}</option>" in content
        assert f"Topic {i}</option>" in content
        assert f"Raised here {i}" in content
        assert f"Progress {i}." in content
    formsets = {f.formset.prefix: f.formset for f in page.context["inline_admin_formsets"]}
    review = next(fs for fs in formsets.values() if fs.model.__name__ == "ActionUpdate")
    assert len(review.forms) == 12
    labels = {str(form["action"]) for form in review.forms}
    assert len(labels) == 12  # each row shows its own action, not a neighbour's
    raised = next(
        fs
        for fs in formsets.values()
        if getattr(fs, "fk", None) and fs.fk.name == "raised_at_meeting"
    )
    first = raised.forms[0]
    assert "HoX1 – Head of Unit 1" in str(first["owner_roles"])
    assert "Elsewhere" not in content  # another body's people are never offered
