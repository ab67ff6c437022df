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
    # The body's posts, people and the meeting's items are read once a page, however many
    # fields and inlines list them (64 when they were read once a field); the count stays the
    # same however many rows (below).
    with django_assert_max_num_queries(45) as few:
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


def test_a_big_meeting_page_lists_its_review_and_links_to_the_editor(client, clerk):
    """A meeting reviewing more earlier actions than the admin page draws as forms (issue 14:
    175 reviews made the page 3 s and 1.9 MB at 120,000 actions) shows its review as a
    read-only list with links to the meeting editor; the rest of the page is edited and saved
    as before, and the review is left as it was."""
    from actions.models import ActionUpdate
    from minutes.admin import INLINE_FORMS_MAX
    from tests.admin_pages import page_data

    board = BoardFactory(action_prefix="SPB")
    earlier = MeetingFactory(board=board)
    meeting = MeetingFactory(board=board, venue="Old venue")
    _grow(meeting, earlier, 2, start=1)
    role = RoleFactory(body=board.body, abbrev="HoY", title="Head of Y")
    item = AgendaItemFactory(meeting=meeting, position=99, number="99", title="Action log")
    reviews = INLINE_FORMS_MAX + 1
    for i in range(reviews):
        old = action_create(
            board=board, text=f"Reviewed {i}", owners=[role], raised_at=earlier, by=None
        )
        action_review_record(
            action=old, meeting=meeting, text=f"Reported progress {i}.", by=None, item=item
        )
    client.force_login(clerk)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    page = client.get(url)
    content = page.content.decode()
    models = [f.formset.model.__name__ for f in page.context["inline_admin_formsets"]]
    assert "ActionUpdate" not in models  # no form for each review
    assert "Attendance" in models  # the small parts are still edited here
    assert "Reported progress 0." in content
    assert f"Reported progress {reviews - 1}." in content
    editor = reverse("editor:meeting-edit", args=[meeting.pk])
    assert f'href="{editor}#review"' in content
    assert f"{reviews + 2} earlier actions" in content

    data = page_data(page)
    data["venue"] = "New venue"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert meeting.venue == "New venue"
    assert ActionUpdate.objects.filter(meeting=meeting).count() == reviews + 2
