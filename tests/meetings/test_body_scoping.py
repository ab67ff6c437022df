"""A meeting's record holds only its own body's people and posts: the pickers of the
secretariat pages offer only those, the services refuse any other, and a save the services
refuse after the form validated shows the form again with the reason and everything typed."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import AgendaItem, Attendance, BoardMembership, Meeting, Organisation, Question
from tests.admin_pages import page_data
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_bodies(db):
    gwent = OrganisationFactory(name="OPCC for Gwent")
    dyfed = OrganisationFactory(name="OPCC for Dyfed-Powys")
    meeting = MeetingFactory(board=BoardFactory(body=gwent))
    return {
        "meeting": meeting,
        "item": AgendaItemFactory(meeting=meeting, title="Finance"),
        "ours": PersonFactory(body=gwent, name="Mrs E Ackland"),
        "our_post": RoleFactory(body=gwent, abbrev="HoSPC"),
        "theirs": PersonFactory(body=dyfed, name="Mr D Llewellyn"),
        "their_post": RoleFactory(body=dyfed, abbrev="DPXX"),
        "dyfed": dyfed,
    }


def _inline(response, model):
    return next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is model
    )


def _offered(field) -> set[str]:
    return {label for value, label in field.choices if value != ""}


def test_the_attendance_pickers_offer_only_the_meetings_body(client, clerk, two_bodies):
    client.force_login(clerk)
    meeting = two_bodies["meeting"]
    response = client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    form = _inline(response, Attendance).empty_form
    assert _offered(form.fields["person"]) == {"Mrs E Ackland"}
    assert {label.split(" ")[0] for label in _offered(form.fields["role"])} == {"HoSPC"}
    assert "OPCC for Dyfed-Powys" not in _offered(form.fields["organisation"])
    page = response.content.decode()
    assert "Mrs E Ackland" in page
    assert "Mr D Llewellyn" not in page
    assert "DPXX" not in page


def test_the_responder_picker_offers_only_the_meetings_body(client, clerk, two_bodies):
    client.force_login(clerk)
    item = two_bodies["item"]
    response = client.get(reverse("admin:meetings_agendaitem_change", args=[item.pk]))
    form = _inline(response, Question).empty_form
    assert {label.split(" ")[0] for label in _offered(form.fields["responder"])} == {"HoSPC"}
    assert "DPXX" not in response.content.decode()


def test_the_services_refuse_another_bodys_person_and_post(two_bodies):
    meeting, item = two_bodies["meeting"], two_bodies["item"]
    theirs, their_post = two_bodies["theirs"], two_bodies["their_post"]
    with pytest.raises(services.RecordError) as refused:
        services.attendance_save(
            attendance=Attendance(meeting=meeting, person=theirs, status="present"), by=None
        )
    assert (
        str(refused.value)
        == "Mr D Llewellyn belongs to OPCC for Dyfed-Powys, not to OPCC for Gwent."
    )
    assert refused.value.field == "person"
    with pytest.raises(services.RecordError) as refused:
        services.question_save(
            question=Question(item=item, question="Why?", responder=their_post), by=None
        )
    assert "belongs to OPCC for Dyfed-Powys, not to OPCC for Gwent" in str(refused.value)
    assert refused.value.field == "responder"
    # The batch of the importer applies the same rule, before writing anything.
    new_item = AgendaItem(meeting=meeting, title="Questions")
    with pytest.raises(services.RecordError) as refused:
        services.meeting_record_create(
            meeting=meeting,
            attendance=[Attendance(person=two_bodies["ours"], role=their_post, status="present")],
            items=[new_item],
            by=None,
        )
    assert refused.value.field == "role"
    assert "DPXX" in str(refused.value)
    assert "OPCC for Dyfed-Powys" in str(refused.value)
    with pytest.raises(services.RecordError):
        services.meeting_record_create(
            meeting=meeting,
            items=[new_item],
            questions=[Question(item=new_item, question="Why?", responder=their_post)],
            by=None,
        )
    with pytest.raises(services.RecordError):
        services.meeting_record_create(
            meeting=meeting,
            attendance=[
                Attendance(
                    person=two_bodies["ours"],
                    organisation=Organisation.objects.create(
                        name="OCC", parent=two_bodies["dyfed"]
                    ),
                    status="present",
                )
            ],
            by=None,
        )
    assert meeting.attendance.count() == 0
    assert list(meeting.items.values_list("title", flat=True)) == ["Finance"]


def test_the_service_refuses_moving_an_item_to_another_bodys_meeting(two_bodies):
    """Its questions' responders and its people are of its body: the service says so before
    the database refuses it (ADR 0011)."""
    item = two_bodies["item"]
    item.meeting = MeetingFactory(board=BoardFactory(body=two_bodies["dyfed"]))
    with pytest.raises(services.RecordError) as refused:
        services.meeting_item_save(item=item, by=None)
    assert refused.value.field == "meeting"
    assert "another body" in str(refused.value)


def test_a_refused_save_shows_the_form_again_with_the_reason_and_what_was_typed(
    client, clerk, two_bodies
):
    """The services refuse to move a meeting that raised actions to another board, after the
    form validated: the page is shown again, not redirected, with everything typed."""
    meeting = two_bodies["meeting"]
    ActionFactory(board=meeting.board, number=1, raised_at_meeting=meeting, text="Report back")
    other_board = BoardFactory(body=meeting.board.body, name="Joint Audit Committee")
    client.force_login(clerk)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    data = page_data(client.get(url))
    data |= {"board": str(other_board.pk), "venue": "Council Chamber, typed before the refusal"}
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This meeting raised actions numbered on its board, so it cannot change board." in page
    assert "Council Chamber, typed before the refusal" in page
    assert response.context["adminform"].form["board"].value() == str(other_board.pk)
    meeting.refresh_from_db()
    assert meeting.board != other_board
    assert meeting.venue != "Council Chamber, typed before the refusal"


def test_a_refused_row_on_the_add_page_keeps_the_whole_page(client, clerk, two_bodies):
    """A row of another body posted to the add page (its pickers do not offer it) is refused by
    the service, and the page comes back with the reason and the typed rows."""
    meeting = two_bodies["meeting"]
    client.force_login(clerk)
    url = reverse("admin:meetings_meeting_add") + f"?board={meeting.board.pk}"
    data = page_data(client.get(url))
    attendance = _inline(client.get(url), Attendance).prefix
    data |= {
        "board": str(meeting.board.pk),
        "held_on": "2019-11-26",
        "venue": "Police Headquarters, Croesyceiliog",
        f"{attendance}-TOTAL_FORMS": "1",
        f"{attendance}-0-position": "0",
        f"{attendance}-0-person": str(two_bodies["theirs"].pk),
        f"{attendance}-0-status": "present",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mr D Llewellyn belongs to OPCC for Dyfed-Powys, not to OPCC for Gwent." in page
    assert "Police Headquarters, Croesyceiliog" in page
    assert not Meeting.objects.filter(venue="Police Headquarters, Croesyceiliog").exists()


def test_adding_a_meeting_asks_for_the_board_first(client, clerk, two_bodies):
    """Before the board is chosen no picker lists anyone: the boards are listed with their
    body, as two bodies may name their boards alike."""
    gwent_board = two_bodies["meeting"].board
    BoardFactory(body=two_bodies["dyfed"], name=gwent_board.name)
    client.force_login(clerk)
    response = client.get(reverse("admin:meetings_meeting_add"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{gwent_board.name} (OPCC for Gwent)" in page
    assert f"{gwent_board.name} (OPCC for Dyfed-Powys)" in page
    assert "Mrs E Ackland" not in page
    assert "Mr D Llewellyn" not in page
    assert 'name="chair"' not in page


def test_the_add_and_change_pages_offer_only_the_boards_body(client, clerk, two_bodies):
    meeting = two_bodies["meeting"]
    client.force_login(clerk)
    for url in (
        reverse("admin:meetings_meeting_add") + f"?board={meeting.board.pk}",
        reverse("admin:meetings_meeting_change", args=[meeting.pk]),
    ):
        response = client.get(url)
        form = response.context["adminform"].form
        for name in ("chair", "named_people"):
            assert _offered(form.fields[name]) == {"Mrs E Ackland"}, (url, name)
        for name in ("chair_role", "named_roles"):
            offered = {label.split(" ")[0] for label in _offered(form.fields[name])}
            assert offered == {"HoSPC"}, (url, name)
        page = response.content.decode()
        assert "Mr D Llewellyn" not in page
        assert "DPXX" not in page
        if "add" in url:
            assert form["board"].value() == str(meeting.board.pk)


def test_the_editor_offers_only_the_meetings_body(client, clerk, two_bodies):
    """The meeting editor's lists of posts and people are its body's (issue 11's pickers)."""
    client.force_login(clerk)
    response = client.get(reverse("editor:meeting-edit", args=[two_bodies["meeting"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="HoSPC">' in page
    assert '<option value="Mrs E Ackland">' in page
    assert "DPXX" not in page
    assert "Mr D Llewellyn" not in page


def test_a_search_box_spanning_bodies_tells_alike_names_apart_by_body(client, clerk, two_bodies):
    """The appointment page's post search lists every body's posts: two PCCs read alike."""
    RoleFactory(body=two_bodies["dyfed"], abbrev="PCC", title="PCC")
    RoleFactory(body=two_bodies["meeting"].board.body, abbrev="PCC", title="PCC")
    client.force_login(clerk)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "PCC",
            "app_label": "meetings",
            "model_name": "appointment",
            "field_name": "role",
        },
    )
    assert response.status_code == 200
    texts = sorted(result["text"] for result in response.json()["results"])
    assert texts == ["PCC (OPCC for Dyfed-Powys)", "PCC (OPCC for Gwent)"]


def test_the_board_members_pickers_offer_only_the_boards_body(client, admin_user, two_bodies):
    board = two_bodies["meeting"].board
    client.force_login(admin_user)
    response = client.get(reverse("admin:meetings_board_change", args=[board.pk]))
    form = _inline(response, BoardMembership).empty_form
    assert _offered(form.fields["person"]) == {"Mrs E Ackland"}
    page = response.content.decode()
    assert "Mr D Llewellyn" not in page
    assert "DPXX" not in page


@pytest.mark.parametrize("board", ["\u00b2", "99999999999999999999999"])
def test_adding_a_meeting_for_a_board_that_is_no_number_asks_for_the_board(client, clerk, board):
    client.force_login(clerk)
    response = client.get(reverse("admin:meetings_meeting_add") + f"?board={board}")
    assert response.status_code == 200
    assert 'name="chair"' not in response.content.decode()


def test_the_services_refuse_a_link_to_another_bodys_action(two_bodies):
    """See also: the services say which action belongs to which body before the database
    refuses it (ADR 0011); nothing is linked."""
    import datetime

    from actions import services as actions

    action = ActionFactory(board=two_bodies["meeting"].board)
    theirs = ActionFactory(board=BoardFactory(body=two_bodies["dyfed"], action_prefix="PPB"))
    with pytest.raises(actions.ActionError) as refused:
        actions.action_update(action=action, by=None, see_also=[theirs])
    assert refused.value.field == "see_also"
    assert f"{theirs.ref} belongs to OPCC for Dyfed-Powys, not to OPCC for Gwent." == str(
        refused.value
    )
    with pytest.raises(actions.ActionError):
        actions.action_link(action=action, other=theirs, by=None, on=datetime.date(2026, 1, 5))
    assert not action.see_also.exists()


def test_the_services_refuse_a_group_of_another_body_for_a_person_or_post(two_bodies):
    from meetings import reference

    their_group = Organisation.objects.create(name="Dyfed-Powys Police", parent=two_bodies["dyfed"])
    person, post = two_bodies["ours"], two_bodies["our_post"]
    person.organisation = their_group
    with pytest.raises(services.RecordError) as refused:
        reference.person_save(person=person, by=None)
    assert refused.value.field == "organisation"
    assert (
        str(refused.value)
        == "Dyfed-Powys Police belongs to OPCC for Dyfed-Powys, not to OPCC for Gwent."
    )
    post.organisation = their_group
    with pytest.raises(services.RecordError) as refused:
        reference.role_save(role=post, by=None)
    assert refused.value.field == "organisation"
    # The importer's batches apply the same rule.
    with pytest.raises(services.RecordError):
        reference.people_ensure(
            body=two_bodies["meeting"].board.body, people=[("Mr New", their_group)]
        )
    with pytest.raises(services.RecordError):
        reference.roles_ensure(
            body=two_bodies["meeting"].board.body, roles=[("NEW", "New post", their_group)]
        )
    # A group that people are listed under keeps its body.
    ours = Organisation.objects.create(name="Gwent Police", parent=two_bodies["meeting"].board.body)
    two_bodies["ours"].refresh_from_db()
    reference.person_save(person=two_bodies["ours"], by=None)
    type(two_bodies["ours"]).objects.filter(pk=two_bodies["ours"].pk).update(organisation=ours)
    ours.parent = two_bodies["dyfed"]
    with pytest.raises(services.RecordError) as refused:
        reference.organisation_save(organisation=ours, by=None)
    assert refused.value.field == "parent"


def _search(client, bound_field, term: str) -> list[str]:
    """Type `term` in a search box, as the page's script does: the box's own address with the
    page's parameters."""
    import html
    import re
    from urllib.parse import parse_qsl, urlsplit

    url = html.unescape(re.search(r'data-ajax--url="([^"]*)"', str(bound_field)).group(1))
    model = bound_field.form._meta.model
    params = {
        **dict(parse_qsl(urlsplit(url).query)),
        "term": term,
        "app_label": model._meta.app_label,
        "model_name": model._meta.model_name,
        "field_name": bound_field.name,
    }
    found = client.get(urlsplit(url).path, params)
    assert found.status_code == 200
    return sorted(result["text"] for result in found.json()["results"])


def test_the_meeting_pages_progress_search_finds_only_the_bodys_actions(client, clerk, two_bodies):
    """The review of earlier actions on a meeting's admin page: its action search lists the
    meeting's body's actions, not another body's action of the same number."""
    from actions.models import ActionUpdate

    meeting = two_bodies["meeting"]
    ActionFactory(board=meeting.board, number=60, text="Ours")
    ActionFactory(
        board=BoardFactory(body=two_bodies["dyfed"], action_prefix=meeting.board.action_prefix),
        number=60,
        text="Theirs",
    )
    client.force_login(clerk)
    response = client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    found = _search(client, _inline(response, ActionUpdate).empty_form["action"], "60")
    assert found == [f"{meeting.board.action_prefix} 60"]


def test_the_action_pages_progress_search_finds_only_the_bodys_meetings(client, clerk, two_bodies):
    """The progress history on an action's admin page: its meeting search lists the action's
    body's meetings only, and a meeting of another body posted anyway is refused."""
    from actions.models import ActionUpdate

    meeting = two_bodies["meeting"]
    theirs = MeetingFactory(
        board=BoardFactory(body=two_bodies["dyfed"], name=meeting.board.name),
        held_on=meeting.held_on,
    )
    action = ActionFactory(board=meeting.board, raised_at_meeting=meeting)
    ActionOwnerFactory(action=action, role=two_bodies["our_post"])
    client.force_login(clerk)
    url = reverse("admin:actions_action_change", args=[action.pk])
    response = client.get(url)
    box = _inline(response, ActionUpdate).empty_form["meeting"]
    found = _search(client, box, meeting.board.name[:8])
    assert found == [str(meeting)]
    assert str(theirs) == str(meeting)  # they read alike: only one of them is offered
    data = page_data(response)
    data.update(
        {
            "updates-TOTAL_FORMS": "1",
            "updates-0-reported_on": meeting.held_on.isoformat(),
            "updates-0-status": "in_progress",
            "updates-0-text": "Reported at their meeting",
            "updates-0-meeting": str(theirs.pk),
        }
    )
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert not action.updates.exists()


def test_the_action_pages_own_search_boxes_find_only_the_bodys_records(client, clerk, two_bodies):
    """An action's page: its "see also" search lists its body's actions only (another body's
    is refused on save by the service and the database)."""
    meeting = two_bodies["meeting"]
    action = ActionFactory(board=meeting.board, number=1, raised_at_meeting=meeting)
    ActionOwnerFactory(action=action, role=two_bodies["our_post"])
    ActionFactory(board=meeting.board, number=60)
    ActionFactory(
        board=BoardFactory(body=two_bodies["dyfed"], action_prefix=meeting.board.action_prefix),
        number=60,
    )
    client.force_login(clerk)
    response = client.get(reverse("admin:actions_action_change", args=[action.pk]))
    found = _search(client, response.context["adminform"].form["see_also"], "60")
    assert found == [f"{meeting.board.action_prefix} 60"]


def test_the_action_pages_owner_lists_offer_only_the_actions_body(client, clerk, two_bodies):
    meeting = two_bodies["meeting"]
    action = ActionFactory(board=meeting.board, raised_at_meeting=meeting)
    ActionOwnerFactory(action=action, role=two_bodies["our_post"])
    client.force_login(clerk)
    response = client.get(reverse("admin:actions_action_change", args=[action.pk]))
    form = response.context["adminform"].form
    assert {label.split(" ")[0] for label in _offered(form.fields["owner_roles"])} == {"HoSPC"}
    assert {label.split(" (")[0] for label in _offered(form.fields["owner_people"])} == {
        "Mrs E Ackland"
    }
    page = response.content.decode()
    assert "Mr D Llewellyn" not in page
    assert "DPXX" not in page


def _type_in(client, bound_field, term: str) -> list[str]:
    """Type `term` in a search box as its script does: the address and the record it searches
    for are read from the box as rendered."""
    import html
    import re
    from urllib.parse import parse_qsl, urlsplit

    box = str(bound_field)
    url = urlsplit(html.unescape(re.search(r'data-ajax--url="([^"]*)"', box).group(1)))
    params = {
        name: re.search(rf'data-{name.replace("_", "-")}="([^"]*)"', box).group(1)
        for name in ("app_label", "model_name", "field_name")
    }
    # The box's own query (`?body=`) is kept, as the script keeps it.
    found = client.get(url.path, {**dict(parse_qsl(url.query)), **params, "term": term})
    assert found.status_code == 200
    return sorted(result["text"] for result in found.json()["results"])


def test_the_add_action_page_searches_owners_rather_than_listing_every_bodys(
    client, clerk, two_bodies
):
    """No board is chosen yet on the admin's add-action page, so its owners are searched, not
    listed: every body's posts and people were listed (0.5 s and 355 KB a page at 100 bodies)."""
    client.force_login(clerk)
    response = client.get(reverse("admin:actions_action_add"))
    page = response.content.decode()
    for name in ("Mrs E Ackland", "Mr D Llewellyn", "HoSPC", "DPXX"):
        assert name not in page
    form = response.context["adminform"].form
    assert _type_in(client, form["owner_people"], "Llew") == ["Mr D Llewellyn"]
    assert [label.split(" ")[0] for label in _type_in(client, form["owner_roles"], "DP")] == [
        "DPXX"
    ]


def test_an_owner_of_another_body_chosen_on_the_add_action_page_is_refused(
    client, clerk, two_bodies
):
    """The search spans bodies (no board is chosen when it is typed in): an owner of another
    body than the board's is refused by the service, with the reason, and nothing typed is
    lost; the owner chosen is shown chosen again."""
    from actions.models import Action

    meeting = two_bodies["meeting"]
    client.force_login(clerk)
    add = reverse("admin:actions_action_add")
    data = page_data(client.get(add))
    data.update(
        {
            "board": meeting.board_id,
            "text": "Report on rural crime",
            "raised_at_meeting": meeting.pk,
            "owner_people": [two_bodies["theirs"].pk],
        }
    )
    refused = client.post(add, data)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Report on rural crime" in page
    assert "Mr D Llewellyn belongs to OPCC for Dyfed-Powys, not to OPCC for Gwent." in page
    assert "Mr D Llewellyn (OPCC for Dyfed-Powys)</option>" in page  # still chosen
    assert "Mrs E Ackland" not in page  # and nothing else listed
    assert not Action.objects.exists()
    data["owner_people"] = [two_bodies["ours"].pk]
    assert client.post(add, data).status_code == 302
    assert [str(owner) for owner in Action.objects.get().owners.all()] == ["Mrs E Ackland"]


def test_once_a_board_is_chosen_the_add_action_page_searches_its_bodys_owners(
    client, clerk, two_bodies
):
    """The board's search result carries its body, which the page's script gives the owners'
    boxes once the board is chosen; a form sent back (refused, or opened for a board) searches
    the chosen board's body's owners only."""
    meeting = two_bodies["meeting"]
    client.force_login(clerk)
    add = reverse("admin:actions_action_add")
    boards = client.get(
        reverse("admin:autocomplete"),
        {
            "term": meeting.board.name[:5],
            "app_label": "actions",
            "model_name": "action",
            "field_name": "board",
        },
    ).json()["results"]
    assert [result["body"] for result in boards] == [str(meeting.board.body_id)]

    opened = client.get(add, {"board": meeting.board_id})
    form = opened.context["adminform"].form
    assert _type_in(client, form["owner_people"], "M") == ["Mrs E Ackland"]
    assert [label.split(" ")[0] for label in _type_in(client, form["owner_roles"], "")] == ["HoSPC"]

    data = page_data(client.get(add))
    data.update({"board": meeting.board_id, "text": "", "raised_at_meeting": meeting.pk})
    refused = client.post(add, data)
    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert _type_in(client, form["owner_people"], "Llew") == []
    assert _type_in(client, form["owner_people"], "Ack") == ["Mrs E Ackland"]
