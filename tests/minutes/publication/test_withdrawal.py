"""Withdrawal, and nothing published is changed or deleted."""

import re

import pytest
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from meetings.models import ImmutableError, Meeting, Publication, PublishedDocument
from minutes.services import (
    PublicationError,
    meeting_withdraw,
)
from tests.minutes.publication.helpers import (
    documents_of,
    workflow,
)

pytestmark = pytest.mark.django_db


# --- Nothing published is changed or deleted ----------------------------------------------


def test_published_minutes_cannot_be_deleted(client, clerk, published):
    client.force_login(clerk)
    delete_url = reverse("admin:meetings_meeting_delete", args=[published.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:meetings_meeting_changelist")
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"}
    )
    assert Meeting.objects.filter(pk=published.pk).exists()

    publication = Publication.objects.get(meeting=published)
    document = documents_of(published)[0]
    with pytest.raises(ImmutableError):
        publication.delete()
    with pytest.raises(ImmutableError):
        document.delete()
    document.pdf = b"%PDF-1.7 something else"
    with pytest.raises(ImmutableError):
        document.save()
    publication.note = "Quietly changed"
    with pytest.raises(ImmutableError):
        publication.save()
    with pytest.raises(ProtectedError), transaction.atomic():
        published.delete()
    assert Publication.objects.filter(meeting=published).count() == 1
    assert len(documents_of(published)) == 2


def test_published_documents_cannot_be_deleted_or_changed_in_bulk(published):
    document = documents_of(published)[0]
    stored = bytes(document.pdf)
    refused = (ImmutableError, ProtectedError, DatabaseError)
    with pytest.raises(refused), transaction.atomic():
        PublishedDocument.objects.filter(pk=document.pk).update(pdf=b"%PDF-1.7 forged")
    with pytest.raises(refused), transaction.atomic():
        PublishedDocument.objects.filter(pk=document.pk).delete()
    document.refresh_from_db()
    assert bytes(document.pdf) == stored


def test_withdrawal_needs_a_reason_and_takes_every_version_down_at_once(
    client, clerk, withdrawer, published_twice
):
    meeting = published_twice
    urls = [meeting.get_absolute_url(), *(d.get_absolute_url() for d in documents_of(meeting))]
    assert len(urls) == 5
    assert [client.get(url).status_code for url in urls] == [200] * 5
    # A cache may keep a PDF, but must ask again before using it: the withdrawal reaches it.
    pdf = client.get(urls[1])
    assert pdf["Cache-Control"] == "public, no-cache"
    again = client.get(urls[1], headers={"If-None-Match": pdf["ETag"]})
    assert again.status_code == 304

    client.force_login(withdrawer)
    response = workflow(client, meeting, "withdraw", "   ")
    assert response.status_code == 200
    assert "Give the reason for withdrawing the minutes." in response.content.decode()
    assert meeting.publications.filter(withdrawn_at__isnull=True).count() == 2

    response = workflow(client, meeting, "withdraw", "It names a witness")
    assert response.status_code == 302
    client.logout()
    assert [client.get(url).status_code for url in urls] == [404] * 5
    assert client.get(urls[1], headers={"If-None-Match": pdf["ETag"]}).status_code == 404

    # The record stays, with who withdrew it and why, for those signed in to see it.
    publications = list(meeting.publications.order_by("version"))
    assert [(p.withdrawn_by, p.withdrawn_reason) for p in publications] == [
        (withdrawer, "It names a witness")
    ] * 2
    client.force_login(clerk)
    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200
    blocks = re.split(r"</p>|</li>|</tr>", page.content.decode())
    withdrawals = [block for block in blocks if "It names a witness" in block]
    assert len(withdrawals) == 2
    assert all("withdrawer" in block for block in withdrawals), withdrawals


def test_withdrawing_unpublished_minutes_is_refused(approver, prepared):
    with pytest.raises(PublicationError, match="not published"):
        meeting_withdraw(meeting=prepared, by=approver, reason="Mistake")
