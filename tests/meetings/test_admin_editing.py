"""Editing in the admin: a page is saved as one, an edit reopens approved minutes (and only a
real edit does), and nothing in published minutes is deleted."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action
from meetings.models import Meeting
from meetings.services import meeting_approve
from tests.admin_pages import page_data
from tests.factories import AgendaItemFactory, MeetingFactory, QuestionFactory

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
