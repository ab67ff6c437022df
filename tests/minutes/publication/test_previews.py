"""Staff previews of the documents (issue 14): asked for from the meeting's pages, prepared in
the task queue, offered on a page of their own while they still show the meeting as it is."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from minutes.models import DocumentPreview
from scrutiny import pdf
from scrutiny.languages import SESSION_KEY
from scrutiny.pdf import RenderError
from tests.factories import AgendaItemFactory, MeetingFactory
from tests.minutes.publication.helpers import CORRECTED, ORIGINAL, correct, pdf_text

pytestmark = pytest.mark.django_db


def ask(client, meeting, kind="minutes", variant="full"):
    """Ask for a preview as the clerk does (the button of the page a preview link leads to):
    to the preview's page."""
    url = reverse("minutes:preview-document", args=[meeting.pk, kind, variant])
    return client.post(url, follow=True)


def opened(client, page) -> bytes:
    """The PDF the ready preview's page offers."""
    link = page.context["pdf_url"]
    assert link in page.content.decode()
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    return response.content


@pytest.fixture
def with_exempt_item(prepared):
    AgendaItemFactory(
        meeting=prepared,
        number="2",
        position=2,
        title="Estates Disposal",
        minutes="The sale of the old station was agreed.",
        exempt=True,
        exempt_reason="Paragraph 3",
    )
    return prepared


def test_the_public_preview_leaves_out_the_exempt_item_the_full_one_shows_it(
    client, clerk, with_exempt_item
):
    client.force_login(clerk)
    public = ask(client, with_exempt_item, variant="public")
    assert public.status_code == 200
    assert "The preview is ready." in public.content.decode()
    assert "Minutes, public" in public.content.decode()
    public_text = pdf_text(opened(client, public))
    full = ask(client, with_exempt_item, variant="full")
    full_text = pdf_text(opened(client, full))
    assert ORIGINAL in public_text
    assert ORIGINAL in full_text
    assert "sale of the old station" in full_text
    assert "sale of the old station" not in public_text
    assert "DRAFT" in full_text
    assert public.context["preview"].pk != full.context["preview"].pk


def test_the_questions_preview_is_the_questions_document(client, clerk, prepared):
    client.force_login(clerk)
    page = ask(client, prepared, kind="questions", variant="public")
    assert "Questions and responses, public" in page.content.decode()
    assert "How many officers?" in pdf_text(opened(client, page))


@pytest.mark.parametrize("persona", [None, "force_lead", "other_force_lead"])
def test_only_staff_who_see_the_full_record_ask_for_or_open_a_preview(
    client, clerk, prepared, persona, request
):
    client.force_login(clerk)
    page = ask(client, prepared)
    urls = [
        reverse("minutes:preview-document", args=[prepared.pk, "minutes", "full"]),
        reverse("minutes:preview-status", args=[prepared.pk, page.context["preview"].pk]),
        page.context["pdf_url"],
    ]
    client.logout()
    if persona:
        client.force_login(request.getfixturevalue(persona))
    count = DocumentPreview.objects.count()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404
        assert ORIGINAL.encode() not in response.content
    assert DocumentPreview.objects.count() == count


def test_a_preview_is_never_served_for_another_meeting(client, clerk, prepared):
    client.force_login(clerk)
    page = ask(client, prepared)
    other = MeetingFactory(board=prepared.board)
    token = page.context["preview"].pk
    assert client.get(reverse("minutes:preview-status", args=[other.pk, token])).status_code == 404
    assert client.get(reverse("minutes:preview-pdf", args=[other.pk, token])).status_code == 404


def test_a_preview_of_a_meeting_changed_since_is_out_of_date_and_not_served(
    client, clerk, prepared
):
    client.force_login(clerk)
    page = ask(client, prepared)
    assert ORIGINAL in pdf_text(opened(client, page))
    correct(prepared)  # an edit of an item's minutes, not of the meeting's own row
    status_url = reverse("minutes:preview-status", args=[prepared.pk, page.context["preview"].pk])
    again = client.get(status_url)
    text = again.content.decode()
    assert "This preview is out of date." in text
    assert page.context["pdf_url"] not in text
    response = client.get(page.context["pdf_url"])
    assert response.status_code == 302
    assert response["Location"] == status_url
    assert f'<form method="post" action="{again.context["again_url"]}"' in text
    fresh = client.post(again.context["again_url"], follow=True)
    assert CORRECTED in pdf_text(opened(client, fresh))


def test_a_failed_render_says_why_on_the_page(client, clerk, prepared, monkeypatch):
    def too_large(html, **limits):
        raise RenderError("The document is too large to render; shorten the longest items.")

    monkeypatch.setattr(pdf, "render", too_large)
    client.force_login(clerk)
    page = ask(client, prepared)
    assert page.status_code == 200
    text = page.content.decode()
    assert "The preview could not be prepared." in text
    assert "The document is too large to render; shorten the longest items." in text
    assert "Try again" in text
    assert client.get(page.context["pdf_url"]).status_code == 302


def test_the_meeting_page_and_the_secretariat_pages_lead_to_the_preview(client, approver, prepared):
    client.force_login(approver)
    link = reverse("minutes:preview-document", args=[prepared.pk, "minutes", "public"])
    pages = [
        prepared.get_absolute_url(),
        reverse("admin:meetings_meeting_change", args=[prepared.pk]),
        reverse("admin:meetings_meeting_workflow", args=[prepared.pk, "approve"]),
    ]
    for url in pages:
        assert link in client.get(url).content.decode(), url
    assert "Prepare the preview" in client.get(link).content.decode()
    page = client.post(link, follow=True)
    assert page.redirect_chain[-1][0] == page.context["request"].path
    assert "The preview is ready." in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_request_only_queues_the_render_a_worker_prepares_it(
    client, clerk, prepared, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    fake = pdf.render

    def not_in_a_request(html, **limits):
        raise AssertionError("a request rendered a PDF")

    monkeypatch.setattr(pdf, "render", not_in_a_request)
    client.force_login(clerk)
    first = ask(client, prepared)
    text = first.content.decode()
    assert "The preview is being prepared." in text
    assert 'hx-trigger="every 2s"' in text
    assert f'href="{first.context["request"].path}">Check again' in text
    assert client.get(first.context["pdf_url"]).status_code == 302
    second = ask(client, prepared)  # a second click while it is queued
    assert second.context["preview"].pk == first.context["preview"].pk
    assert DocumentPreview.objects.count() == 1

    monkeypatch.setattr(pdf, "render", fake)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    monkeypatch.setattr(pdf, "render", not_in_a_request)
    ready = client.get(first.context["request"].path)
    assert "The preview is ready." in ready.content.decode()
    assert "hx-trigger" not in ready.content.decode()
    assert ORIGINAL in pdf_text(opened(client, ready))


def test_old_previews_are_removed_when_the_next_is_asked_for(client, clerk, prepared):
    client.force_login(clerk)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        old = ask(client, prepared)
        old_status = old.context["request"].path
    with time_machine.travel(datetime.datetime(2026, 3, 2, 11, 0, tzinfo=datetime.UTC)):
        assert client.get(old_status).status_code == 404  # no longer kept
        ask(client, prepared, variant="public")
        assert list(DocumentPreview.objects.values_list("public", flat=True)) == [True]


def test_a_welsh_preview_is_drawn_in_the_language_the_clerk_chose(client, clerk, prepared):
    client.force_login(clerk)
    session = client.session
    session[SESSION_KEY] = "cy"
    session.save()
    welsh = ask(client, prepared)
    assert welsh.context["preview"].language == "cy"
    assert "DRAFFT – heb ei gymeradwyo" in pdf_text(opened(client, welsh))
    session = client.session
    session[SESSION_KEY] = "en"
    session.save()
    english = ask(client, prepared)
    assert english.context["preview"].pk != welsh.context["preview"].pk
    assert "DRAFT – not approved" in pdf_text(opened(client, english))


def test_following_a_preview_link_queues_nothing_its_button_does(client, clerk, prepared):
    """A link (a GET: a crawler, a prefetch, a reload) only shows the state of the document's
    preview and a button; the button (a POST) asks for one. Following the link again leads to
    the preview kept."""
    client.force_login(clerk)
    url = reverse("minutes:preview-document", args=[prepared.pk, "minutes", "full"])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "No preview of this document has been prepared in the last hour." in text
    assert f'<form method="post" action="{url}"' in text
    assert "Prepare the preview" in text
    assert DocumentPreview.objects.count() == 0
    ready = client.post(url, follow=True)
    assert "The preview is ready." in ready.content.decode()
    again = client.get(url, follow=True)
    assert again.context["preview"].pk == ready.context["preview"].pk
    assert "The preview is ready." in again.content.decode()
    assert DocumentPreview.objects.count() == 1


def test_the_daily_run_removes_the_previews_kept_past_the_hour(client, clerk, prepared):
    """Previews older than an hour are removed by the daily run (manage.py
    send_action_reminders), not only when the next preview is asked for; its dry run removes
    nothing."""
    client.force_login(clerk)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        ask(client, prepared)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 50, tzinfo=datetime.UTC)):
        ask(client, prepared, variant="public")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 30, tzinfo=datetime.UTC)):
        call_command("send_action_reminders", "--dry-run", stdout=StringIO())
        assert DocumentPreview.objects.count() == 2
        call_command("send_action_reminders", stdout=StringIO())
    assert list(DocumentPreview.objects.values_list("public", flat=True)) == [True]


WORKERS_STOPPED = "The background workers that prepare previews seem not to be running"


@pytest.mark.django_db(transaction=True)
def test_a_preview_no_worker_has_started_says_the_workers_seem_stopped(
    client, clerk, prepared, settings
):
    """A preview still waiting after two minutes: no worker took it, so the page says plainly
    that the background workers seem not to be running and what to do, and still offers the
    preview once a worker has prepared it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(clerk)
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        status_url = ask(client, prepared).context["request"].path
    with time_machine.travel(start + datetime.timedelta(seconds=90), tick=False):
        waiting = client.get(status_url).content.decode()
        assert "The preview is being prepared." in waiting
        assert WORKERS_STOPPED not in waiting
    with time_machine.travel(start + datetime.timedelta(minutes=3), tick=False):
        stuck = client.get(status_url).content.decode()
        assert WORKERS_STOPPED in stuck
        assert "manage.py db_worker" in stuck
        assert 'hx-trigger="every 2s"' in stuck  # it still checks by itself
        call_command(
            "db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO()
        )
        ready = client.get(status_url).content.decode()
    assert "The preview is ready." in ready
    assert WORKERS_STOPPED not in ready
