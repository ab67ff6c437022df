"""Editing in the admin: a page is saved as one, an edit reopens approved minutes (and only a
real edit does), and nothing in published minutes is deleted."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action
from actions.services import board_reserve_action_number
from meetings.models import Meeting
from minutes.services import meeting_approve, meeting_publish
from tests.admin_pages import page_data
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    ActionUpdateFactory,
    AgendaItemFactory,
    MeetingFactory,
    QuestionFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

REOPENED = "These minutes were changed, so they are a draft again"


@pytest.fixture
def published(db):
    """The Gwent minutes of 30 November 2018, published on import."""
    path = Path(settings.BASE_DIR) / "fixtures" / "gwent-spb-2018-11-30.json"
    call_command("import_meeting", str(path), stdout=StringIO())
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.PUBLISHED
    return meeting


@pytest.fixture
def approved_item(clerk, approver):
    meeting = MeetingFactory(created_by=clerk)
    item = AgendaItemFactory(meeting=meeting, title="Stop and Search", minutes="Noted.\n\nAgreed.")
    QuestionFactory(item=item, question="How many searches?", response="1,342.")
    meeting_approve(meeting=meeting, by=approver)
    return item


def change_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


@pytest.mark.parametrize("page", ["meeting", "item", "action"])
def test_saving_a_page_without_changes_leaves_published_minutes_published(
    client, clerk, published, page
):
    """Browsers send text areas with CRLF line endings: that is not a change."""
    record = {
        "meeting": published,
        "item": published.items.exclude(minutes="").filter(minutes__contains="\n").first(),
        "action": published.actions_raised.first(),
    }[page]
    client.force_login(clerk)
    url = change_url(record)
    response = client.post(url, page_data(client.get(url)), follow=True)
    assert response.status_code == 200
    assert REOPENED not in response.content.decode()
    published.refresh_from_db()
    assert published.status == Meeting.Status.PUBLISHED


def test_a_question_edited_on_its_items_page_reopens_approved_minutes(client, clerk, approved_item):
    client.force_login(clerk)
    url = change_url(approved_item)
    data = page_data(client.get(url))
    [response_key] = [key for key in data if key.endswith("-0-response")]
    data[response_key] = "1,343 after a recount."
    response = client.post(url, data, follow=True)
    assert REOPENED in response.content.decode()
    approved_item.meeting.refresh_from_db()
    assert approved_item.meeting.status == Meeting.Status.DRAFT
    assert approved_item.questions.get().response == "1,343 after a recount."


def test_the_question_list_sends_each_question_to_its_items_page(client, clerk, approved_item):
    client.force_login(clerk)
    question = approved_item.questions.get()
    response = client.get(change_url(question))
    assert response.status_code == 302
    assert response["Location"] == change_url(approved_item)
    assert client.get(reverse("admin:meetings_question_add")).status_code == 403


def test_two_people_editing_questions_on_one_item_page_the_second_is_refused(
    client, clerk, administrator, approved_item
):
    """Only the inline changes: the item's own fields are untouched on both pages."""
    url = change_url(approved_item)
    client.force_login(clerk)
    first = page_data(client.get(url))
    client.force_login(administrator)
    second = page_data(client.get(url))
    [key] = [key for key in first if key.endswith("-0-response")]

    first[key] = "The first answer."
    client.force_login(clerk)
    assert client.post(url, first).status_code == 302

    second[key] = "The second answer."
    client.force_login(administrator)
    refused = client.post(url, second)
    assert refused.status_code == 200
    content = refused.content.decode()
    assert "Someone else saved changes to this agenda item after you opened it" in content
    assert "The second answer." in content
    assert approved_item.questions.get().response == "The first answer."


def test_changing_the_text_of_a_published_action_reopens_its_minutes(client, clerk, published):
    action = published.actions_raised.first()
    client.force_login(clerk)
    url = change_url(action)
    data = page_data(client.get(url))
    data["text"] = "Rewritten after publication."
    response = client.post(url, data, follow=True)
    assert REOPENED in response.content.decode()
    published.refresh_from_db()
    assert published.status == Meeting.Status.DRAFT
    assert published.publications.get().is_live  # version 1 stays public until version 2


def test_an_action_in_published_minutes_is_never_deleted(client, clerk, published):
    action = published.actions_raised.first()
    client.force_login(clerk)
    delete_url = reverse("admin:actions_action_delete", args=[action.pk])
    assert client.get(delete_url).status_code == 403
    bulk = client.post(
        reverse("admin:actions_action_changelist"),
        {"action": "delete_selected", "_selected_action": [action.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert Action.objects.filter(pk=action.pk).exists()
    item_page = client.get(change_url(action.raised_at_item))
    [actions_inline] = [
        inline
        for inline in item_page.context["inline_admin_formsets"]
        if inline.formset.model is Action
    ]
    assert not actions_inline.has_delete_permission


@pytest.fixture
def reviewed(clerk, approver):
    """An action raised at one meeting and reviewed at a later, approved one."""
    first = MeetingFactory(created_by=clerk, held_on=datetime.date(2020, 1, 10))
    item = AgendaItemFactory(meeting=first, title="Finance")
    action = ActionFactory(
        board=first.board, raised_at_meeting=first, raised_at_item=item, text="Report the outturn"
    )
    ActionOwnerFactory(action=action)
    board_reserve_action_number(board=first.board, number=action.number)  # as a clerk's would be
    later = MeetingFactory(board=first.board, created_by=clerk, held_on=datetime.date(2020, 3, 10))
    review_item = AgendaItemFactory(meeting=later, title="Action review")
    ActionUpdateFactory(
        action=action, meeting=later, item=review_item, reported_on=later.held_on, text="Done."
    )
    meeting_approve(meeting=later, by=approver)
    return action, later


def test_changing_an_actions_text_reopens_the_minutes_that_reviewed_it(client, clerk, reviewed):
    action, later = reviewed
    client.force_login(clerk)
    data = page_data(client.get(change_url(action)))
    data["text"] = "Report the outturn to the panel"
    assert client.post(change_url(action), data).status_code == 302
    later.refresh_from_db()
    assert later.status == Meeting.Status.DRAFT


def test_an_action_added_to_approved_minutes_reopens_them(client, clerk, reviewed):
    _action, later = reviewed
    client.force_login(clerk)
    add = reverse("admin:actions_action_add")
    data = page_data(client.get(add))
    data.update(
        {
            "board": later.board_id,
            "text": "A new action after approval",
            "raised_at_meeting": later.pk,
            "owner_roles": [RoleFactory(body=later.board.body).pk],
        }
    )
    response = client.post(add, data, follow=True)
    assert REOPENED in response.content.decode()
    later.refresh_from_db()
    assert later.status == Meeting.Status.DRAFT


def test_a_review_edited_on_the_action_page_makes_an_open_meeting_page_stale(
    client, clerk, administrator, reviewed
):
    """The same progress report is on the meeting's page and on the action's page."""
    action, later = reviewed
    client.force_login(clerk)
    meeting_page = page_data(client.get(change_url(later)))
    client.force_login(administrator)
    action_page = page_data(client.get(change_url(action)))
    [key] = [k for k in action_page if k == "updates-0-text"]
    action_page[key] = "Done, and reported to the panel."
    assert client.post(change_url(action), action_page).status_code == 302

    [key] = [k for k in meeting_page if k.endswith("-0-text") and "action_updates" in k]
    meeting_page[key] = "Done, says the clerk."
    client.force_login(clerk)
    refused = client.post(change_url(later), meeting_page)
    assert refused.status_code == 200
    assert "Someone else saved changes to this meeting" in refused.content.decode()
    assert action.updates.get().text == "Done, and reported to the panel."


def test_an_item_with_an_action_raised_under_it_cannot_be_deleted(client, clerk, reviewed):
    """The item says whether the action was raised in private: it cannot go before it."""
    action, _later = reviewed
    client.force_login(clerk)
    page = client.get(reverse("admin:meetings_agendaitem_delete", args=[action.raised_at_item_id]))
    assert "protected related objects" in page.content.decode()
    client.post(
        reverse("admin:meetings_agendaitem_delete", args=[action.raised_at_item_id]),
        {"post": "yes"},
    )
    action.refresh_from_db()
    assert action.raised_at_item_id is not None


def test_a_draft_meeting_with_questions_and_progress_can_be_deleted(client, clerk):
    meeting = MeetingFactory(created_by=clerk)
    item = AgendaItemFactory(meeting=meeting, title="Finance")
    QuestionFactory(item=item)
    ActionUpdateFactory(meeting=meeting, item=item)
    client.force_login(clerk)
    url = reverse("admin:meetings_meeting_delete", args=[meeting.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()


def test_an_action_reviewed_in_published_minutes_is_not_deleted_from_its_meeting_page(
    client, clerk, reviewed, approver
):
    action, later = reviewed
    meeting_publish(meeting=later, by=approver)
    first = action.raised_at_meeting
    client.force_login(clerk)
    data = page_data(client.get(change_url(first)))
    [key] = [k for k in data if k.endswith("-0-id") and k.startswith("actions_raised")]
    data[key.replace("-id", "-DELETE")] = "on"
    response = client.post(change_url(first), data)
    assert response.status_code == 200
    assert "is in published minutes, so it is never deleted" in response.content.decode()
    assert Action.objects.filter(pk=action.pk).exists()


def test_a_bad_address_of_a_question_or_progress_report_is_not_an_error(client, clerk):
    client.force_login(clerk)
    for url in ("/admin/meetings/question/abc/change/", "/admin/actions/actionupdate/9999/"):
        response = client.get(url)
        assert response.status_code == 302, url


def test_the_welsh_of_an_action_added_in_the_admin_is_kept(client, clerk):
    meeting = MeetingFactory(created_by=clerk, held_on=datetime.date(2020, 1, 10))
    role = RoleFactory(body=meeting.board.body)
    client.force_login(clerk)
    add = reverse("admin:actions_action_add")
    data = page_data(client.get(add))
    data.update(
        {
            "board": meeting.board_id,
            "text": "Report on hate crime",
            "text_cy": "Adrodd ar droseddau casineb",
            "raised_at_meeting": meeting.pk,
            "owner_roles": [role.pk],
        }
    )
    assert client.post(add, data).status_code == 302
    assert Action.objects.get().text_cy == "Adrodd ar droseddau casineb"

    item = AgendaItemFactory(meeting=meeting)
    url = change_url(item)
    data = page_data(client.get(url))
    data.update(
        {
            "actions-TOTAL_FORMS": "1",
            "actions-0-text": "Report on knife crime",
            "actions-0-text_cy": "Adrodd ar droseddau cyllyll",
            "actions-0-owner_roles": [role.pk],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Action.objects.get(text="Report on knife crime").text_cy == "Adrodd ar droseddau cyllyll"
