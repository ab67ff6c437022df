"""Approval: who may approve, previews, and an edit that starts a correction."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from meetings.models import Meeting, Publication
from meetings.services import meeting_start_correction
from minutes.services import (
    PublicationError,
    meeting_publish,
)
from tests.minutes.publication.helpers import (
    workflow,
)

pytestmark = pytest.mark.django_db


# --- Approval ------------------------------------------------------------------------------


def test_the_clerk_who_prepared_minutes_cannot_approve_them_even_with_the_permission(
    client, clerk, prepared
):
    clerk.user_permissions.add(Permission.objects.get(codename="approve_meeting"))
    client.force_login(clerk)
    response = workflow(client, prepared, "approve")
    assert response.status_code == 200
    assert "You prepared these minutes: another approver has to approve them." in (
        response.content.decode()
    )
    prepared.refresh_from_db()
    assert prepared.status == Meeting.Status.DRAFT
    assert prepared.approved_by is None


def test_workflow_steps_need_the_approver_permission(client, clerk, prepared):
    client.force_login(clerk)
    for step in ("approve", "publish", "withdraw"):
        assert workflow(client, prepared, step).status_code == 403
    prepared.refresh_from_db()
    assert prepared.status == Meeting.Status.DRAFT


def test_an_approver_approves(client, approver, prepared):
    client.force_login(approver)
    response = workflow(client, prepared, "approve")
    assert response.status_code == 302
    prepared.refresh_from_db()
    assert prepared.status == Meeting.Status.APPROVED
    assert prepared.approved_by == approver
    assert prepared.approved_at is not None


def test_the_approver_sees_what_they_approve_with_previews(client, approver, prepared):
    client.force_login(approver)
    url = reverse("admin:meetings_meeting_workflow", args=[prepared.pk, "approve"])
    page = client.get(url).content.decode()
    assert page.count("<h1>Approve the minutes</h1>") == 1
    assert "On the public site</dt><dd>nothing yet" in page
    assert reverse("minutes:preview-document", args=[prepared.pk, "minutes", "public"]) in page
    assert reverse("minutes:preview-document", args=[prepared.pk, "minutes", "full"]) in page
    change = client.get(reverse("admin:meetings_meeting_change", args=[prepared.pk]))
    tools = change.content.decode()
    assert "Approve</a>" in tools
    # Nothing is public yet, so there is nothing to withdraw.
    withdraw = reverse("admin:meetings_meeting_workflow", args=[prepared.pk, "withdraw"])
    assert withdraw not in tools


def test_a_correction_is_named_as_such_in_the_meeting_list(client, approver, published):
    meeting_start_correction(meeting=published)
    client.force_login(approver)
    page = client.get(reverse("admin:meetings_meeting_changelist")).content.decode()
    assert "Draft: a correction (version 1 is public)" in page
    change = client.get(reverse("admin:meetings_meeting_change", args=[published.pk]))
    assert reverse("admin:meetings_meeting_workflow", args=[published.pk, "withdraw"]) in (
        change.content.decode()
    )


def test_publishing_needs_approved_minutes(client, approver, prepared):
    client.force_login(approver)
    response = workflow(client, prepared, "publish")
    assert response.status_code == 200
    assert "Minutes are approved before they are published." in response.content.decode()
    assert not Publication.objects.filter(meeting=prepared).exists()
    with pytest.raises(PublicationError):
        meeting_publish(meeting=prepared, by=approver)
