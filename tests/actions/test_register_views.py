"""The dashboard, the force-lead portal, the action page and what each persona may do there."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, ActionStatus, ActionUpdate
from actions.services import (
    action_close,
    action_create,
    action_delete,
    action_reassign,
    action_refresh_status,
)
from meetings.models import Person, Role
from tests.factories import AgendaItemFactory, BoardFactory, MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2020, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2020, 3, 10, 12, 0), tick=False):
        yield


@pytest.fixture
def hospc(force_lead):
    return Role.objects.get(abbrev="HoSPC")


@pytest.fixture
def acc(other_force_lead):
    return Role.objects.get(abbrev="ACC")


@pytest.fixture
def board(hospc):
    return BoardFactory(body=hospc.body, name="Strategy and Performance Board", action_prefix="SPB")


@pytest.fixture
def meeting(board):
    return MeetingFactory(board=board, held_on=datetime.date(2020, 1, 15))


def make(board, text, owners, *, due=None, meeting=None, status=ActionStatus.OPEN):
    return action_create(
        board=board,
        text=text,
        owners=owners,
        due_on=due,
        raised_at=meeting,
        status=status,
        by=None,
    )


def post_to(client, name: str, action, data: dict):
    """Submit one of the action page's forms as the page would: with the version it shows."""
    action.refresh_from_db()
    return client.post(
        reverse(f"actions:{name}", args=[action.pk]), {**data, "version": action.version}
    )


@pytest.fixture
def register(board, meeting, hospc, acc):
    return {
        "late": make(
            board,
            "Review mental health demand",
            [hospc],
            due=datetime.date(2020, 2, 1),
            meeting=meeting,
        ),
        "later": make(
            board, "Schedule of reporting", [hospc], due=datetime.date(2020, 3, 1), meeting=meeting
        ),
        "soon": make(
            board,
            "Context in the performance report",
            [hospc],
            due=datetime.date(2020, 4, 1),
            meeting=meeting,
        ),
        "acc": make(
            board, "Stop and search purpose", [acc], due=datetime.date(2020, 2, 20), meeting=meeting
        ),
        "closed": make(board, "Old closed action", [hospc], status=ActionStatus.CLOSED),
    }


# The dashboard ------------------------------------------------------------------------------


def test_dashboard_is_for_opcc_staff(client, force_lead, register):
    url = reverse("actions:action-list")
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    client.force_login(force_lead)
    assert client.get(url).status_code == 403


def test_dashboard_lists_outstanding_actions_most_overdue_first(client, clerk, register):
    client.force_login(clerk)
    response = client.get(reverse("actions:action-list"))
    assert response.status_code == 200
    content = response.content.decode()
    refs = [a.ref for a in response.context["actions"]]
    assert refs == [register[k].ref for k in ("late", "acc", "later", "soon")]
    assert "Old closed action" not in content
    assert "Overdue by 38 days" in content  # 1 February to 10 March 2020
    assert "4 actions match." in content
    assert dict((label, n) for label, n, _v in response.context["status_counts"]) == {"Open": 4}
    owners = {row["role__abbrev"]: row["n"] for row in response.context["owner_counts"]}
    assert owners == {"HoSPC": 3, "ACC": 1}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"owner_role": "ACC"}, ["acc"]),
        ({"overdue": "on"}, ["late", "acc", "later"]),
        ({"status": ["closed"]}, ["closed"]),
        (
            {"status": ["open", "in_progress", "completed", "closed", "withdrawn"]},
            ["late", "acc", "later", "soon", "closed"],
        ),
        ({"q": "mental health"}, ["late"]),
        ({"due_after": "2020-02-15", "due_before": "2020-03-05"}, ["acc", "later"]),
        ({"ordering": "-due"}, ["soon", "later", "acc", "late"]),
    ],
)
def test_dashboard_filters(client, clerk, register, params, expected):
    client.force_login(clerk)
    if "owner_role" in params:
        params = {**params, "owner_role": Role.objects.get(abbrev=params["owner_role"]).pk}
    response = client.get(reverse("actions:action-list"), params)
    assert [a.text for a in response.context["actions"]] == [register[k].text for k in expected]


def test_dashboard_finds_an_action_by_its_ref(client, clerk, register):
    client.force_login(clerk)
    ref = register["acc"].ref
    response = client.get(reverse("actions:action-list"), {"q": ref})
    assert [a.ref for a in response.context["actions"]] == [ref]


def test_dashboard_filters_by_meeting_and_person(client, clerk, board, meeting, register):
    person = PersonFactory(body=board.body, name="Dafydd Llewelyn")
    personal = make(board, "Discuss the strategic assessment", [person])
    client.force_login(clerk)
    by_person = client.get(reverse("actions:action-list"), {"owner_person": person.pk})
    assert list(by_person.context["actions"]) == [personal]
    by_meeting = client.get(reverse("actions:action-list"), {"raised_at": meeting.pk})
    assert personal not in by_meeting.context["actions"]
    assert len(by_meeting.context["actions"]) == 4


def test_the_person_filter_finds_what_their_posts_own_as_their_own_page_does(
    client, clerk, force_lead, register
):
    """The force lead holds HoSPC today: the dashboard, filtered by them, lists HoSPC's."""
    person = force_lead.person
    client.force_login(clerk)
    response = client.get(reverse("actions:action-list"), {"owner_person": person.pk})
    found = {a.text for a in response.context["actions"]}
    client.force_login(force_lead)
    theirs = {a.text for a in client.get(reverse("actions:action-mine")).context["actions"]}
    assert found == theirs
    assert register["late"].text in found
    assert register["acc"].text not in found


def test_people_posts_and_meetings_are_searched_not_listed(client, clerk, board, register):
    """Hundreds of people and meetings would be hundreds of options: they are typed instead."""
    for n in range(30):
        PersonFactory(body=board.body, name=f"Unlisted Person {n}")
        MeetingFactory(board=board, held_on=datetime.date(2019, 1, 1) + datetime.timedelta(n))
    client.force_login(clerk)
    content = client.get(reverse("actions:action-list")).content.decode()
    assert "Unlisted Person" not in content
    assert "2 January 2019" not in content
    assert 'type="search" name="owner_person"' in content
    assert 'type="search" name="raised_at"' in content


@pytest.mark.parametrize("name", ["owner_person", "owner_role", "raised_at"])
@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "99999999999999999999999"])
def test_a_search_box_given_a_digit_that_is_no_number_finds_nothing(
    client, clerk, register, name, value
):
    """ "²" and "٣" are digits to Python but no record's number; nor is a 23-digit number."""
    client.force_login(clerk)
    for url in ("actions:action-list", "actions:action-export-csv"):
        response = client.get(reverse(url), {name: value})
        assert response.status_code == 200, url
    page = client.get(reverse("actions:action-list"), {name: value}).content.decode()
    assert "0 actions match." in page


def test_the_person_filter_takes_words_of_a_name(client, clerk, board, register):
    person = PersonFactory(body=board.body, name="Dafydd Llewelyn")
    personal = make(board, "Discuss the strategic assessment", [person])
    client.force_login(clerk)
    response = client.get(reverse("actions:action-list"), {"owner_person": "llewelyn"})
    assert list(response.context["actions"]) == [personal]
    assert 'value="llewelyn"' in response.content.decode()


def test_a_link_naming_a_person_by_number_shows_their_name(client, clerk, board, register):
    person = PersonFactory(body=board.body, name="Dafydd Llewelyn")
    client.force_login(clerk)
    response = client.get(reverse("actions:action-list"), {"owner_person": person.pk})
    assert 'value="Dafydd Llewelyn"' in response.content.decode()


def test_the_post_filter_takes_an_abbreviation_or_words_of_the_title(client, clerk, register):
    client.force_login(clerk)
    by_abbrev = client.get(reverse("actions:action-list"), {"owner_role": "acc"})
    assert [a.text for a in by_abbrev.context["actions"]] == [register["acc"].text]
    title = Role.objects.get(abbrev="ACC").title
    by_title = client.get(reverse("actions:action-list"), {"owner_role": title})
    assert [a.text for a in by_title.context["actions"]] == [register["acc"].text]


@pytest.mark.parametrize("typed", ["15/01/2020", "2020-01-15", "SPB 15 January 2020"])
def test_the_meeting_filter_takes_its_date(client, clerk, board, register, typed):
    MeetingFactory(board=board, held_on=datetime.date(2020, 2, 15))
    client.force_login(clerk)
    response = client.get(reverse("actions:action-list"), {"raised_at": typed})
    assert len(response.context["actions"]) == 4


def test_a_meeting_that_is_not_a_date_says_so_and_keeps_what_was_typed(client, clerk, register):
    client.force_login(clerk)
    response = client.get(reverse("actions:action-list"), {"raised_at": "last March"})
    content = response.content.decode()
    assert "Enter the meeting&#x27;s date, such as 13/03/2024" in content
    assert 'value="last March"' in content


def test_ticked_statuses_list_each_action_once(client, clerk, board, register, hospc, acc):
    shared = make(board, "Owned twice", [hospc, acc])
    ActionUpdate.objects.create(action=shared, reported_on=TODAY, text="First")
    ActionUpdate.objects.create(action=shared, reported_on=TODAY, text="Second")
    client.force_login(clerk)
    response = client.get(
        reverse("actions:action-list"), {"status": ["open", "closed"], "q": "owned"}
    )
    assert [a.text for a in response.context["actions"]] == ["Owned twice"]
    assert "1 action matches." in response.content.decode()


def test_a_bad_filter_value_says_so_and_keeps_what_was_typed(client, clerk, register):
    client.force_login(clerk)
    response = client.get(reverse("actions:action-list"), {"due_after": "not a date", "q": "x"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Enter a valid date." in content
    assert 'value="not a date"' in content


def test_dashboard_paginates(client, clerk, board, hospc):
    for n in range(30):
        make(board, f"Action number {n}", [hospc])
    client.force_login(clerk)
    first = client.get(reverse("actions:action-list"))
    assert len(first.context["actions"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("actions:action-list"), {"page": 2})
    assert len(second.context["actions"]) == 5


def _bulk(board, owner, n):
    for i in range(n):
        action = make(board, f"Bulk {i}", [owner], due=datetime.date(2020, 1, 1))
        ActionUpdate.objects.create(action=action, reported_on=TODAY, text=f"Progress {i}")
        ActionUpdate.objects.create(action=action, reported_on=TODAY, text=f"More {i}")


EVERY_STATUS = [value for value, _label in ActionStatus.choices]


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("actions:action-list", {}),
        ("actions:action-list", {"status": EVERY_STATUS}),
        ("actions:action-list", {"q": "bulk", "status": EVERY_STATUS}),
        ("actions:action-list", {"q": "SPB 3"}),
        ("actions:action-list", {"owner_person": "LEAD", "ordering": "-updated"}),
        ("actions:action-list", {"owner_role": "HoSPC", "raised_at": "10/03/2020"}),
        ("actions:action-mine", {}),
        ("actions:action-mine", {"q": "progress", "show": "all"}),
    ],
)
def test_query_count_does_not_grow_with_actions(
    client, clerk, force_lead, board, hospc, django_assert_max_num_queries, url_name, params
):
    user = clerk if url_name == "actions:action-list" else force_lead
    client.force_login(user)
    if params.get("owner_person") == "LEAD":
        params = {**params, "owner_person": force_lead.person.name}
    _bulk(board, hospc, 3)
    with django_assert_max_num_queries(15) as small:
        assert client.get(reverse(url_name), params).status_code == 200
    _bulk(board, hospc, 22)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    if url_name == "actions:action-list":
        # django-filter's default DISTINCT made the database sort every matching row whole.
        assert all("DISTINCT" not in q["sql"] for q in small.captured_queries)


def test_the_register_looks_the_words_up_once_a_request(client, clerk, board, hospc):
    """Free text over every progress report is the costly part of a search (at 120,000 actions
    the matching alone is most of the request): the page, its counts by status and by owner
    all come from one lookup of the words, not one each."""
    _bulk(board, hospc, 30)
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("actions:action-list"), {"q": "bulk", "status": EVERY_STATUS})
    page = response.content.decode()
    assert "30 actions" in page
    assert "Page 1 of 2" in page
    lookups = [q for q in queries.captured_queries if "%BULK%" in q["sql"].upper()]
    assert len(lookups) == 1, [q["sql"] for q in lookups]


# Exports ------------------------------------------------------------------------------------


def test_csv_export_has_the_filtered_rows(client, clerk, register):
    register["acc"].text = '=HYPERLINK("http://evil")'
    register["acc"].save()
    ActionUpdate.objects.create(action=register["late"], reported_on=TODAY, text="Half done")
    client.force_login(clerk)
    response = client.get(reverse("actions:action-export-csv"), {"due_before": "2020-02-25"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Board",
        "Ref",
        "Action",
        "Owners",
        "Owners' titles",
        "Raised on",
        "Raised under item",
        "Carried forward",
        "Due",
        "Status",
        "Overdue",
        "Days overdue",
        "Latest progress",
        "Progress date",
        "Progress minuted at",
        "Due as minuted",
    ]
    by_ref = {row[1]: row for row in rows[1:]}
    assert set(by_ref) == {register["late"].ref, register["acc"].ref}
    late = by_ref[register["late"].ref]
    hospc_title = Role.objects.get(abbrev="HoSPC").title
    assert late == [
        "Strategy and Performance Board",
        register["late"].ref,
        "Review mental health demand",
        "HoSPC",
        hospc_title,
        "2020-01-15",
        "",
        "No",
        "2020-02-01",
        "Open",
        "Yes",
        "38",
        "Half done",
        "2020-03-10",
        "Reported by the force on 10 March 2020",
        "",  # due by a date, not by a meeting
    ]
    assert by_ref[register["acc"].ref][2] == '\'=HYPERLINK("http://evil")'


def test_xlsx_export(client, clerk, register):
    client.force_login(clerk)
    response = client.get(reverse("actions:action-export-xlsx"))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "Ref"
    assert {row[1] for row in values[1:]} == {
        register[k].ref for k in ("late", "later", "soon", "acc")
    }


def test_exports_are_for_staff_only(client, force_lead, register):
    client.force_login(force_lead)
    assert client.get(reverse("actions:action-export-csv")).status_code == 403
    assert client.get(reverse("actions:action-export-xlsx")).status_code == 403


# The force-lead portal ----------------------------------------------------------------------


def test_force_lead_sees_the_outstanding_actions_of_their_posts(client, force_lead, register):
    client.force_login(force_lead)
    response = client.get(reverse("actions:action-mine"))
    assert response.status_code == 200
    assert [a.text for a in response.context["actions"]] == [
        "Review mental health demand",
        "Schedule of reporting",
        "Context in the performance report",
    ]
    content = response.content.decode()
    assert "Stop and search purpose" not in content
    assert "2 actions are overdue." in content
    everything = client.get(reverse("actions:action-mine"), {"show": "all"})
    assert "Old closed action" in everything.content.decode()


def test_actions_follow_the_post_to_its_new_holder(
    client, force_lead, other_force_lead, register, hospc
):
    successor = Person.objects.get(user=other_force_lead)
    hospc.appointments.update(end_on=datetime.date(2020, 3, 1))
    hospc.appointments.create(person=successor, start_on=datetime.date(2020, 3, 2))
    client.force_login(other_force_lead)
    texts = [a.text for a in client.get(reverse("actions:action-mine")).context["actions"]]
    assert "Review mental health demand" in texts
    client.force_login(force_lead)
    assert list(client.get(reverse("actions:action-mine")).context["actions"]) == []


def test_a_user_who_is_no_person_in_the_record_is_told_why(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("actions:action-mine"))
    assert response.status_code == 403


def test_force_lead_reports_progress_and_completion(client, force_lead, register):
    action = register["late"]
    client.force_login(force_lead)
    page = client.get(action.get_absolute_url())
    assert page.status_code == 200
    assert "Report progress" in page.content.decode()
    assert "OPCC decisions" not in page.content.decode()
    response = post_to(
        client,
        "action-update-create",
        action,
        {"text": "Evaluation received from Swansea University", "status": "completed"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED
    update = action.updates.get()
    assert update.reported_by.user == force_lead
    assert update.created_by == force_lead
    assert update.reported_on == TODAY
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Evaluation received from Swansea University" in page
    assert "Status: Completed" in page


def test_an_empty_update_is_refused_and_keeps_the_choice(client, force_lead, register):
    action = register["late"]
    client.force_login(force_lead)
    response = post_to(
        client, "action-update-create", action, {"text": "   ", "status": "in_progress"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "This cannot be empty." in content
    assert (
        'value="in_progress" checked' in content
        or 'checked value="in_progress"' in content
        or ('value="in_progress"' in content and "checked" in content)
    )
    assert not action.updates.exists()


def test_another_leads_action_is_not_found_by_url_or_post(client, force_lead, register):
    other = register["acc"]
    client.force_login(force_lead)
    assert client.get(other.get_absolute_url()).status_code == 404
    response = client.post(
        reverse("actions:action-update-create", args=[other.pk]), {"text": "Sneaky"}
    )
    assert response.status_code == 404
    assert not other.updates.exists()


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("action-close", {"note": "done"}),
        ("action-reopen", {"reason": "x"}),
        ("action-withdraw", {"reason": "x"}),
        ("action-due", {"due_on": "2030-01-01"}),
        ("action-link", {"ref": "SPB 2"}),
    ],
)
def test_force_lead_cannot_decide_on_their_own_action(client, force_lead, register, url_name, data):
    action = register["late"]
    client.force_login(force_lead)
    response = client.post(reverse(f"actions:{url_name}", args=[action.pk]), data)
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    assert action.due_on == datetime.date(2020, 2, 1)
    assert not action.updates.exists()


def test_force_lead_cannot_change_owners_by_crafted_post(client, force_lead, register, acc):
    action = register["late"]
    client.force_login(force_lead)
    response = post_to(client, "action-reassign", action, {"roles": [acc.pk]})
    assert response.status_code == 403
    assert action.owners_display() == "HoSPC"


# OPCC decisions ---------------------------------------------------------------------------


def test_clerk_closes_a_completed_action_and_reopens_it_with_a_reason(client, clerk, register):
    action = register["late"]
    client.force_login(clerk)
    post_to(client, "action-close", action, {"note": ""})
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
    refused = post_to(client, "action-reopen", action, {"reason": ""})
    assert refused.status_code == 400
    assert "Give the reason for reopening." in refused.content.decode()
    post_to(client, "action-reopen", action, {"reason": "The evaluation is incomplete"})
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Reopened: The evaluation is incomplete" in page
    assert "Completion accepted; action closed." in page


def test_clerk_withdraws_reassigns_and_links(client, clerk, register, acc):
    action = register["later"]
    client.force_login(clerk)
    post_to(client, "action-reassign", action, {"roles": [acc.pk]})
    assert action.owners_display() == "ACC"
    post_to(client, "action-link", action, {"ref": register["late"].ref})
    assert list(action.see_also.all()) == [register["late"]]
    post_to(client, "action-withdraw", action, {"reason": "Superseded"})
    action.refresh_from_db()
    assert action.status == ActionStatus.WITHDRAWN
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Owners changed from HoSPC to ACC." in page
    assert f"See {register['late'].ref}." in page
    assert "Withdrawn: Superseded" in page


def test_a_due_date_before_the_action_was_raised_is_refused(client, clerk, register):
    action = register["late"]
    client.force_login(clerk)
    response = post_to(client, "action-due", action, {"due_on": "2019-12-01"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "The due date cannot be before the action was raised (15 January 2020)." in content
    assert 'value="2019-12-01"' in content
    action.refresh_from_db()
    assert action.due_on == datetime.date(2020, 2, 1)


def test_linking_an_unknown_ref_says_so(client, clerk, register):
    client.force_login(clerk)
    response = client.post(
        reverse("actions:action-link", args=[register["late"].pk]), {"ref": "SPB 999"}
    )
    assert response.status_code == 400
    assert "There is no action SPB 999." in response.content.decode()


# The meeting's action review -----------------------------------------------------------------


def test_meeting_review_shows_progress_as_at_that_meeting(client, clerk, board, meeting, hospc):
    earlier = MeetingFactory(board=board, held_on=datetime.date(2019, 10, 1))
    action = make(board, "Evaluate mental health practitioners", [hospc], meeting=earlier)
    item = AgendaItemFactory(meeting=meeting, title="Actions")
    ActionUpdate.objects.create(
        action=action,
        reported_on=meeting.held_on,
        meeting=meeting,
        item=item,
        text="Swansea University evaluating",
        status="in_progress",
    )
    ActionUpdate.objects.create(
        action=action,
        reported_on=datetime.date(2020, 3, 1),
        text="Completed later",
        status="completed",
    )
    action_refresh_status(action=action)
    new = make(board, "A new action", [hospc], meeting=meeting)
    client.force_login(clerk)
    response = client.get(reverse("actions:meeting-action-review", args=[meeting.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Swansea University evaluating" in content
    assert "Completed later" not in content
    assert "In progress" in content
    assert new.ref in content
    assert "A new action" in content
    assert Action.objects.get(pk=action.pk).status == ActionStatus.COMPLETED


@pytest.mark.parametrize(
    ("persona", "lands_on"),
    [("force_lead", "actions:action-mine"), ("clerk", "actions:action-list")],
)
def test_signing_in_lands_where_the_work_is(client, request, persona, lands_on):
    user = request.getfixturevalue(persona)
    user.set_password("a long enough passphrase")
    user.save()
    page = client.get(reverse("login"))
    assert reverse("password_reset") in page.content.decode()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "a long enough passphrase"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(lands_on)


def test_a_form_address_opened_after_signing_in_again_leads_back_to_the_action(client, force_lead):
    action = action_create(
        board=BoardFactory(),
        text="Review demand",
        owners=[Role.objects.get(abbrev="HoSPC")],
        raised_at=None,
        by=None,
    )
    client.force_login(force_lead)
    response = client.get(reverse("actions:action-update-create", args=[action.pk]))
    assert response.status_code == 302
    assert response["Location"] == action.get_absolute_url()


def test_the_action_page_links_the_meeting_that_raised_it_as_the_reader_may_see_it(
    client, clerk, force_lead, board, meeting
):
    item = AgendaItemFactory(meeting=meeting, number="2", title="Minutes", minutes="We noted it.")
    action = action_create(
        board=board,
        text="Review demand",
        owners=[Role.objects.get(abbrev="HoSPC")],
        raised_at=meeting,
        item=item,
        by=None,
    )
    client.force_login(clerk)
    staff_page = client.get(action.get_absolute_url()).content.decode()
    assert f'<a href="{meeting.get_absolute_url()}">at the meeting of 15 January 2020</a>' in (
        staff_page
    )
    assert "We noted it." in staff_page
    client.force_login(force_lead)
    lead_page = client.get(action.get_absolute_url()).content.decode()
    assert "at the meeting of 15 January 2020" in lead_page
    assert meeting.get_absolute_url() not in lead_page  # a draft: not theirs to read
    assert "We noted it." not in lead_page


def test_a_form_posted_without_the_version_it_was_opened_at_is_refused(
    client, force_lead, register
):
    """Without it, a save could overwrite a change made since: the lead is told what to do."""
    action = register["late"]
    client.force_login(force_lead)
    response = client.post(
        reverse("actions:action-update-create", args=[action.pk]),
        {"text": "Evaluation received", "status": "completed"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "This form is out of date: open the action again and resubmit." in content
    assert "Evaluation received" in content  # what was typed is kept
    assert not action.updates.exists()


@pytest.mark.parametrize(
    ("published", "exempt", "shown"),
    [
        (False, False, "an item taken in private"),
        (False, True, "an item taken in private"),
        (True, True, "an item taken in private"),
        (True, False, "Canary open title"),
    ],
)
def test_force_leads_see_an_items_title_only_where_the_public_may(
    client, force_lead, published, exempt, shown
):
    """Force leads saw exempt and draft agenda-item titles on their own action pages."""
    from minutes.services import meeting_publish

    hospc = Role.objects.get(abbrev="HoSPC")
    board = BoardFactory(body=hospc.body, public_exempt_titles=False)
    meeting = MeetingFactory(board=board)
    title = "Canary open title" if not exempt else "Canary exempt title"
    item = AgendaItemFactory(meeting=meeting, title=title, exempt=exempt, exempt_reason="S7")
    action = action_create(
        board=board, text="Ours", owners=[hospc], raised_at=meeting, item=item, by=None
    )
    if published:
        meeting_publish(meeting=meeting, by=None, check_permission=False)
    client.force_login(force_lead)
    page = client.get(reverse("actions:action-detail", args=[action.pk])).content.decode()
    assert shown in page
    if shown != title:
        assert title not in page


def test_the_filter_form_shows_what_each_address_asks_for(client, clerk, register, board):
    """The drawn filter form is reused for the same address: never another address's values,
    nor a board list from before a board was added."""
    client.force_login(clerk)
    url = reverse("actions:action-list")
    assert 'value="mental health"' in client.get(url, {"q": "mental health"}).content.decode()
    page = client.get(url, {"q": "stop and search", "status": ["closed"]}).content.decode()
    assert 'value="stop and search"' in page
    assert 'value="mental health"' not in page
    assert re.search(r'value="closed"\s+id="id_status_3"\s+checked', page)
    again = client.get(url, {"q": "mental health"}).content.decode()
    assert 'value="mental health"' in again
    assert "Joint Audit Committee" not in again
    BoardFactory(body=board.body, name="Joint Audit Committee", slug="jac")
    assert "Joint Audit Committee" in client.get(url, {"q": "mental health"}).content.decode()
    refused = client.get(url, {"due_after": "not a date"}).content.decode()
    assert "Enter a valid date." in refused
    assert 'value="not a date"' in refused


def test_the_counts_follow_every_change_at_once(client, clerk, register, hospc, acc):
    """The counts beside the register are reused while nothing changes, and a new action, a
    closed one, new owners or a deletion shows in them at once."""
    client.force_login(clerk)
    url = reverse("actions:action-list")

    def counts():
        response = client.get(url)
        statuses = {label: n for label, n, _v in response.context["status_counts"]}
        owners = {row["role__abbrev"]: row["n"] for row in response.context["owner_counts"]}
        return response.context["paginator"].count, statuses, owners

    assert counts() == (4, {"Open": 4}, {"HoSPC": 3, "ACC": 1})
    assert counts() == (4, {"Open": 4}, {"HoSPC": 3, "ACC": 1})
    extra = make(register["late"].board, "One more", [acc], due=datetime.date(2020, 5, 1))
    assert counts() == (5, {"Open": 5}, {"HoSPC": 3, "ACC": 2})
    action_close(action=register["soon"], by=clerk, on=TODAY)
    assert counts() == (4, {"Open": 4}, {"HoSPC": 2, "ACC": 2})
    action_reassign(action=register["late"], owners=[acc], by=clerk, on=TODAY)
    assert counts() == (4, {"Open": 4}, {"HoSPC": 1, "ACC": 3})
    action_delete(action=extra, by=clerk)
    assert counts() == (3, {"Open": 3}, {"HoSPC": 1, "ACC": 2})
