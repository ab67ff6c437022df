"""Every change to the record says who made it and when, with the values before and after."""

import pytest
from django.urls import reverse

from actions.models import Action
from meetings.models import AgendaItem, Meeting
from tests.factories import ActionFactory, ActionOwnerFactory, AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_an_admin_edit_is_recorded_with_before_and_after(client, clerk):
    meeting = MeetingFactory(venue="Police Headquarters")
    item = AgendaItemFactory(meeting=meeting, title="Data Quality", minutes="Old text")
    client.force_login(clerk)
    url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
    prefixes = [f.formset.prefix for f in client.get(url).context["inline_admin_formsets"]]
    data = {
        "lock_version": item.version,
        "meeting": meeting.pk,
        "position": 0,
        "title": "Data Quality",
        "minutes": "New text",
    }
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    assert client.post(url, data).status_code == 302
    record = AgendaItem.history.filter(id=item.pk).latest("history_date")
    assert record.history_user == clerk
    assert record.history_type == "~"
    assert record.history_date.utcoffset().total_seconds() == 0
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert "Changes to the record" in page
    assert "<del>Old text</del> → <ins>New text</ins>" in page
    assert clerk.username in page


def test_admin_bulk_delete_is_recorded(client, clerk):
    meetings = [MeetingFactory(), MeetingFactory()]
    client.force_login(clerk)
    response = client.post(
        reverse("admin:meetings_meeting_changelist"),
        {"action": "delete_selected", "_selected_action": [m.pk for m in meetings], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk__in=[m.pk for m in meetings]).exists()
    deleted = Meeting.history.filter(history_type="-", id__in=[m.pk for m in meetings])
    assert deleted.count() == 2
    assert {record.history_user for record in deleted} == {clerk}


def test_action_changes_show_on_the_action_page(client, clerk, force_lead):
    action = ActionFactory(text="Review demand")
    ActionOwnerFactory(action=action)
    client.force_login(clerk)
    response = client.post(
        reverse("actions:action-due", args=[action.pk]),
        {"due_on": "2030-01-31", "version": action.version},
    )
    assert response.status_code == 302
    record = Action.history.filter(id=action.pk).latest("history_date")
    assert record.history_user == clerk
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Changes to the record" in page
    assert "due: <del>–</del> → <ins>2030-01-31</ins>" in page
