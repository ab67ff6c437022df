"""Publication: stored versions and what the public is served, failures that leave nothing
half-published, publishing in the background, and importing a published file."""

import hashlib
from io import StringIO
from pathlib import Path

import pytest
import weasyprint
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, Publication, PublishedDocument
from minutes.services import (
    PublicationError,
    meeting_approve,
    meeting_publish,
)
from scrutiny.pdf import RenderError
from tests.minutes.publication.helpers import (
    CORRECTED,
    HELD_ON,
    ORIGINAL,
    admin_change_data,
    correct,
    documents_of,
    item_field,
    pdf_text,
    squashed,
    workflow,
)

pytestmark = pytest.mark.django_db


# --- Publication and what the public is served --------------------------------------------


def test_publishing_stores_version_1_with_its_checksum(client, approver, approved):
    client.force_login(approver)
    before = timezone.now()
    response = workflow(client, approved, "publish")
    assert response.status_code == 302
    publication = Publication.objects.get(meeting=approved)
    assert publication.version == 1
    assert publication.published_by == approver
    assert before <= publication.published_at <= timezone.now()
    assert publication.withdrawn_at is None
    documents = documents_of(approved)
    assert [d.kind for d in documents] == ["minutes", "questions"]
    for document in documents:
        pdf = bytes(document.pdf)
        assert pdf.startswith(b"%PDF-")
        assert hashlib.sha256(pdf).hexdigest() == document.sha256
        assert len(pdf) == document.size
    approved.refresh_from_db()
    assert approved.status == Meeting.Status.PUBLISHED


def test_the_public_is_served_what_was_stored_and_nothing_is_rendered(
    client, published, monkeypatch
):
    def no_rendering(*args, **kwargs):
        raise AssertionError("a public request rendered a document")

    monkeypatch.setattr("minutes.documents.render_pdf", no_rendering)
    monkeypatch.setattr("scrutiny.pdf.render_pdf", no_rendering)
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", no_rendering)

    publication = Publication.objects.get(meeting=published)
    page = client.get(published.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    assert publication.minutes_html in content
    documents = documents_of(published)
    assert len(documents) == 2
    for document in documents:
        assert document.get_absolute_url() in content
        response = client.get(document.get_absolute_url())
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content == bytes(document.pdf)
        assert response["ETag"] == f'"{document.sha256}"'


def test_editing_published_minutes_in_the_admin_starts_a_correction(client, clerk, published):
    stored = {d.kind: bytes(d.pdf) for d in documents_of(published)}
    client.force_login(clerk)
    url = reverse("admin:meetings_meeting_change", args=[published.pk])
    form = client.get(url)
    data = admin_change_data(form)
    data[item_field(form, "1", "minutes")] = CORRECTED
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, response.context["errors"] if response.context else ""
    assert "they are a draft again" in response.content.decode()

    published.refresh_from_db()
    assert published.status == Meeting.Status.DRAFT
    assert published.items.get(number="1").minutes == CORRECTED
    assert Publication.objects.filter(meeting=published).count() == 1

    client.logout()
    page = client.get(published.get_absolute_url()).content.decode()
    assert ORIGINAL in page
    assert CORRECTED not in page
    for kind, pdf in stored.items():
        assert client.get(f"/meetings/{published.pk}/v1/{kind}.pdf").content == pdf
        assert client.get(f"/meetings/{published.pk}/v2/{kind}.pdf").status_code == 404


def test_a_second_version_needs_a_note(client, approver, published):
    correct(published)
    meeting_approve(meeting=published, by=approver)
    client.force_login(approver)
    response = workflow(client, published, "publish")
    assert response.status_code == 200
    assert "Say what changed: this will be version 2." in response.content.decode()
    assert Publication.objects.filter(meeting=published).count() == 1

    response = workflow(client, published, "publish", "Corrected the decision on the budget")
    assert response.status_code == 302
    assert list(published.publications.order_by("version").values_list("version", "note")) == [
        (1, ""),
        (2, "Corrected the decision on the budget"),
    ]

    client.logout()
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Version 1" in page
    assert "Version 2" in page
    assert "Corrected the decision on the budget" in page
    assert CORRECTED in page
    assert ORIGINAL not in page
    for document in documents_of(published):
        assert document.get_absolute_url() in page
        assert client.get(document.get_absolute_url()).content == bytes(document.pdf)


# --- Failures leave nothing half-published ------------------------------------------------


def test_a_render_failure_publishes_nothing(client, approver, approved, monkeypatch):
    def broken(html, **kwargs):
        raise RenderError("Rendering took longer than 120 seconds and was stopped.")

    monkeypatch.setattr("minutes.documents.render_pdf", broken)
    client.force_login(approver)
    response = workflow(client, approved, "publish")
    # Publication runs in the background; the approver is shown the failure when it happens.
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Publishing failed" in page
    assert "Rendering took longer than 120 seconds" in page
    assert "Publishing…" not in page
    assert not Publication.objects.exists()
    assert not PublishedDocument.objects.exists()
    approved.refresh_from_db()
    assert approved.status == Meeting.Status.APPROVED


def test_a_failure_on_the_second_document_publishes_nothing(approver, approved, monkeypatch):
    from scrutiny.pdf import render_pdf

    calls = []

    def fails_second_time(html, **kwargs):
        calls.append(html)
        if len(calls) > 1:
            raise RenderError("The document is too large to render.")
        return render_pdf(html, **kwargs)

    monkeypatch.setattr("minutes.documents.render_pdf", fails_second_time)
    with pytest.raises(RenderError):
        meeting_publish(meeting=approved, by=approver)
    assert len(calls) == 2
    assert not Publication.objects.exists()
    approved.refresh_from_db()
    assert approved.status == Meeting.Status.APPROVED


def test_an_edit_saved_while_publishing_renders_is_not_marked_published(
    approver, approved, monkeypatch
):
    """Rendering takes seconds: a clerk's edit saved meanwhile starts a correction. The result
    must be consistent: the stored PDF and page show the same text, and minutes are only
    marked published when what is published is their current text."""
    from scrutiny.pdf import render_pdf

    def edit_while_rendering(html, **kwargs):
        if Meeting.objects.get(pk=approved.pk).status == Meeting.Status.APPROVED:
            correct(Meeting.objects.get(pk=approved.pk))
        return render_pdf(html, **kwargs)

    monkeypatch.setattr("minutes.documents.render_pdf", edit_while_rendering)
    try:
        meeting_publish(meeting=approved, by=approver)
    except PublicationError:
        pass
    meeting = Meeting.objects.get(pk=approved.pk)
    publication = meeting.publications.first()
    if publication is None:
        assert meeting.status == Meeting.Status.DRAFT
        return
    minutes_pdf = squashed(pdf_text(bytes(publication.documents.get(kind="minutes").pdf)))
    assert (squashed(CORRECTED) in minutes_pdf) == (CORRECTED in publication.minutes_html)
    assert meeting.status != Meeting.Status.PUBLISHED or CORRECTED in publication.minutes_html


# --- Publication in the background --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_publishing_runs_in_the_background_and_the_approver_sees_it_through(
    client, approver, approved, settings, monkeypatch
):
    """Publishing a long meeting outlasted gunicorn's timeout and stored nothing (issue 10):
    the request queues the work and returns; a worker renders; the page shows the outcome."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from minutes import documents

    renders = []
    real = documents.render_pdf
    monkeypatch.setattr(
        "minutes.documents.render_pdf", lambda html, **kw: renders.append(1) or real(html, **kw)
    )
    client.force_login(approver)
    response = workflow(client, approved, "publish")
    assert response.status_code == 302
    assert renders == []  # the request never waited for WeasyPrint
    page = client.get(response["Location"]).content.decode()
    assert "Publishing…" in page
    assert not Publication.objects.exists()
    # A second press while it is queued does not queue it twice.
    again = workflow(client, approved, "publish")
    assert again.status_code == 200
    assert "already being published" in again.content.decode()

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    assert renders
    publication = Publication.objects.get(meeting=approved)
    assert publication.published_by == approver
    page = client.get(reverse("admin:meetings_meeting_change", args=[approved.pk]))
    text = page.content.decode()
    assert "Publishing…" not in text
    assert "Version 1 of the minutes is published" in text


@pytest.mark.django_db(transaction=True)
def test_a_background_failure_is_shown_and_publishes_nothing(
    client, approver, approved, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def broken(html, **kwargs):
        raise RenderError("The renderer ran out of memory.")

    monkeypatch.setattr("minutes.documents.render_pdf", broken)
    client.force_login(approver)
    assert workflow(client, approved, "publish").status_code == 302
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    page = client.get(reverse("admin:meetings_meeting_change", args=[approved.pk]))
    text = page.content.decode()
    assert "Publishing failed" in text
    assert "The renderer ran out of memory." in text
    assert not Publication.objects.exists()
    assert not PublishedDocument.objects.exists()
    approved.refresh_from_db()
    assert approved.status == Meeting.Status.APPROVED


# --- Import ------------------------------------------------------------------------------


def test_importing_a_published_file_publishes_it(client):
    source = Path(settings.BASE_DIR) / "fixtures" / "gwent-spb-2019-11-26.json"
    call_command("import_meeting", str(source), stdout=StringIO())
    meeting = Meeting.objects.get(board__action_prefix="SPB", held_on=HELD_ON)
    publication = meeting.publications.get()
    assert publication.version == 1
    assert publication.is_live
    assert meeting.status == Meeting.Status.PUBLISHED
    assert sorted(publication.documents.values_list("kind", flat=True)) == [
        "minutes",
        "questions",
    ]
    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200
    assert "Crime Prevention Response Report" in page.content.decode()
