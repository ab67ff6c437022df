"""Approval and publication: the workflow in the secretariat pages and the services, stored
versions and what the public is served, corrections, withdrawal, immutability, the render
commands and previews, the calendar feed, the board's actions log, and the renderer's defences."""

import datetime
import hashlib
import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
import weasyprint
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from meetings.models import ImmutableError, Meeting, Paper, Publication, PublishedDocument
from meetings.services import meeting_start_correction
from minutes.services import (
    PublicationError,
    meeting_approve,
    meeting_publish,
    meeting_withdraw,
)
from scrutiny.groups import APPROVER, ensure_groups
from scrutiny.pdf import OwnFilesOnlyFetcher, RenderError
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    AttendanceFactory,
    BoardFactory,
    MeetingFactory,
    QuestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HELD_ON = datetime.date(2019, 11, 26)
ORIGINAL = "The budget was discussed and agreed."
CORRECTED = "The budget was discussed and deferred to January."


# --- Data ----------------------------------------------------------------------------------


@pytest.fixture
def board():
    return BoardFactory(name="Strategy and Performance Board", slug="spb", action_prefix="SPB")


@pytest.fixture
def prepared(board, clerk):
    """Draft minutes the clerk entered: an item with a paper, a question and an action."""
    meeting = MeetingFactory(board=board, held_on=HELD_ON, created_by=clerk)
    AttendanceFactory(meeting=meeting, person__name="Mrs P Kelly")
    item = AgendaItemFactory(meeting=meeting, number="1", title="Budget Bid", minutes=ORIGINAL)
    Paper.objects.create(item=item, title="Budget Report")
    QuestionFactory(item=item, question="How many officers?", response="1,342 officers.")
    action = ActionFactory(
        board=board,
        number=1,
        text="Publish the budget",
        raised_at_meeting=meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action, role__abbrev="CFO")
    return meeting


@pytest.fixture
def approved(prepared, approver):
    return meeting_approve(meeting=prepared, by=approver)


@pytest.fixture
def published(approved, approver):
    meeting_publish(meeting=approved, by=approver)
    return approved


def correct(meeting: Meeting, minutes: str = CORRECTED) -> None:
    """What saving an edit in the secretariat pages does (tested through the admin below)."""
    item = meeting.items.get(number="1")
    item.minutes = minutes
    item.save()
    meeting_start_correction(meeting=meeting)


@pytest.fixture
def withdrawer():
    """A second approver, so that the name on the withdrawal is not the approver's."""
    user = UserFactory(username="withdrawer", is_staff=True)
    user.groups.add(ensure_groups()[APPROVER])
    return user


@pytest.fixture
def published_twice(published, approver):
    correct(published)
    meeting_approve(meeting=published, by=approver)
    meeting_publish(meeting=published, by=approver, note="Corrected the decision")
    return published


# --- Helpers -------------------------------------------------------------------------------


def workflow(client, meeting: Meeting, step: str, text: str = ""):
    url = reverse("admin:meetings_meeting_workflow", args=[meeting.pk, step])
    return client.post(url, {"text": text})


def documents_of(meeting: Meeting) -> list[PublishedDocument]:
    return list(
        PublishedDocument.objects.filter(publication__meeting=meeting)
        .select_related("publication")
        .order_by("publication__version", "kind")
    )


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def squashed(text: str) -> str:
    return "".join(text.split())


def _form_values(form) -> dict:
    """What the browser would send back for an unchanged form."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple) or hasattr(value, "all"):
            value = [getattr(v, "pk", v) for v in value]
        else:
            value = getattr(value, "pk", value)
        data[form.add_prefix(name)] = value
    return data


def admin_change_data(response) -> dict:
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(_form_values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_form_values(form))
    return data


def item_field(response, number: str, name: str) -> str:
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            if inline.formset.model._meta.model_name == "agendaitem":
                if form.instance.number == number:
                    return form.add_prefix(name)
    raise AssertionError(f"no item {number} on the page")


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
        assert client.get(f"/en/meetings/{published.pk}/v1/{kind}.pdf").content == pdf
        assert client.get(f"/en/meetings/{published.pk}/v2/{kind}.pdf").status_code == 404


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


# --- Failures leave nothing half-published ------------------------------------------------


def test_a_render_failure_publishes_nothing(client, approver, approved, monkeypatch):
    def broken(html, **kwargs):
        raise RenderError("Rendering took longer than 120 seconds and was stopped.")

    monkeypatch.setattr("minutes.documents.render_pdf", broken)
    client.force_login(approver)
    response = workflow(client, approved, "publish")
    assert response.status_code == 200
    assert "Rendering took longer than 120 seconds" in response.content.decode()
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


# --- Render commands and previews ---------------------------------------------------------


@pytest.mark.parametrize("command", ["render_minutes", "render_questions"])
def test_render_commands_write_the_public_and_the_full_pdf(command, prepared, tmp_path):
    texts = {}
    for variant in ("public", "full"):
        output = tmp_path / f"{variant}.pdf"
        out = StringIO()
        call_command(command, "SPB", "2019-11-26", f"--{variant}", "-o", str(output), stdout=out)
        assert output.read_bytes().startswith(b"%PDF-")
        assert str(output) in out.getvalue()
        texts[variant] = pdf_text(output.read_bytes())
    assert "NOT FOR PUBLICATION" in texts["full"]
    assert "NOT FOR PUBLICATION" not in texts["public"]
    assert "1,342 officers." in texts["public"]


@pytest.mark.parametrize("command", ["render_minutes", "render_questions"])
def test_render_commands_need_public_or_full(command, prepared, tmp_path):
    output = tmp_path / "out.pdf"
    with pytest.raises(CommandError, match="--public"):
        call_command(command, "SPB", "2019-11-26", "-o", str(output), stdout=StringIO())
    assert not output.exists()


@pytest.mark.parametrize("command", ["render_minutes", "render_questions"])
def test_render_commands_name_a_missing_meeting(command, prepared, tmp_path):
    output = tmp_path / "out.pdf"
    with pytest.raises(CommandError) as error:
        call_command(command, "SPB", "2031-01-31", "--public", "-o", str(output))
    assert "SPB" in str(error.value)
    assert "2031-01-31" in str(error.value)
    assert not output.exists()


PREVIEWS = [(k, v) for k in ("minutes", "questions") for v in ("public", "full")]


def test_previews_are_pdfs_for_staff_and_not_found_for_the_public(client, clerk, prepared):
    urls = [
        reverse("minutes:preview-document", args=[prepared.pk, kind, variant])
        for kind, variant in PREVIEWS
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(clerk)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert "no-store" in response["Cache-Control"]


# --- Calendar feed -------------------------------------------------------------------------


def calendar_lines(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode("utf-8")
    assert body.endswith("\r\n")
    lines = body.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    # Unfold continuation lines (RFC 5545, 3.1).
    unfolded: list[str] = []
    for line in lines:
        if line.startswith(" ") and unfolded:
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    return unfolded


def test_calendar_lists_the_next_meeting_from_published_minutes_only(client, board, approver):
    soon = timezone.localdate() + datetime.timedelta(days=14)
    meeting = MeetingFactory(
        board=board,
        next_meeting_on=soon,
        next_meeting_start=datetime.time(10, 0),
        next_meeting_venue="Room 1, Police HQ; Croesyceiliog\nCwmbran",
    )
    AgendaItemFactory(meeting=meeting, title="Budget Bid")
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    MeetingFactory(
        board=BoardFactory(slug="jac"), next_meeting_on=soon, next_meeting_venue="Draft venue"
    )
    # A correction's new venue is not published until the next version is.
    meeting.next_meeting_venue = "Unpublished venue"
    meeting.save()
    meeting_start_correction(meeting=meeting)

    for url in (reverse("minutes:calendar"), reverse("minutes:board-calendar", args=["spb"])):
        lines = calendar_lines(client, url)
        assert lines[0] == "BEGIN:VCALENDAR"
        assert lines[-1] == "END:VCALENDAR"
        assert "VERSION:2.0" in lines
        assert lines.count("BEGIN:VEVENT") == 1
        assert lines.count("END:VEVENT") == 1
        assert f"DTSTART;TZID=Europe/London:{soon:%Y%m%d}T100000" in lines
        assert "LOCATION:Room 1\\, Police HQ\\; Croesyceiliog\\nCwmbran" in lines
        assert not any("Draft venue" in line or "Unpublished venue" in line for line in lines)

    assert (
        calendar_lines(client, reverse("minutes:board-calendar", args=["jac"])).count(
            "BEGIN:VEVENT"
        )
        == 0
    )


# --- The board's actions log ---------------------------------------------------------------


def raise_action(meeting, item, number: int, text: str):
    action = ActionFactory(
        board=meeting.board,
        number=number,
        text=text,
        raised_at_meeting=meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action)
    return action


def actions_log(client, board) -> str:
    response = client.get(reverse("minutes:board-actions", args=[board.slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def with_exempt_item(board):
    meeting = MeetingFactory(board=board)
    open_item = AgendaItemFactory(meeting=meeting, number="1", title="Budget Bid")
    exempt = AgendaItemFactory(
        meeting=meeting, number="2", title="Estates", exempt=True, exempt_reason="Paragraph 3"
    )
    raise_action(meeting, open_item, 1, "Publish the budget")
    raise_action(meeting, exempt, 2, "Value the police house privately")
    sub = AgendaItemFactory(meeting=meeting, parent=exempt, number="2.1", title="Valuation")
    raise_action(meeting, sub, 3, "Instruct the surveyor privately")
    return meeting


def test_actions_log_lists_published_actions_but_not_exempt_or_unpublished_ones(
    client, board, with_exempt_item
):
    meeting_publish(meeting=with_exempt_item, by=None, check_permission=False)
    draft = MeetingFactory(board=board)
    raise_action(draft, AgendaItemFactory(meeting=draft), 4, "Draft action not yet agreed")

    content = actions_log(client, board)
    assert "Publish the budget" in content
    assert "SPB 1" in content
    assert "Value the police house privately" not in content
    assert "Instruct the surveyor privately" not in content
    assert "Draft action not yet agreed" not in content


def test_actions_log_leaves_out_actions_however_deep_under_an_exempt_item(
    client, board, with_exempt_item
):
    sub = with_exempt_item.items.get(number="2.1")
    detail = AgendaItemFactory(meeting=with_exempt_item, parent=sub, number="a", title="Detail")
    deeper = AgendaItemFactory(meeting=with_exempt_item, parent=detail, number="i", title="More")
    raise_action(with_exempt_item, deeper, 5, "Brief the buyer privately")
    meeting_publish(meeting=with_exempt_item, by=None, check_permission=False)
    public_minutes = client.get(with_exempt_item.get_absolute_url()).content.decode()
    assert "Brief the buyer privately" not in public_minutes
    assert "Brief the buyer privately" not in actions_log(client, board)


def test_actions_log_shows_what_was_published_not_an_unpublished_correction(
    client, board, with_exempt_item
):
    meeting = with_exempt_item
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    published_action = meeting.actions_raised.get(number=1)
    published_action.text = "Publish the budget and the reserves strategy"
    published_action.save()
    raise_action(meeting, meeting.items.get(number="1"), 6, "Action added in the correction")
    meeting_start_correction(meeting=meeting)

    content = actions_log(client, board)
    assert "Action added in the correction" not in content
    assert "the reserves strategy" not in content


# --- The renderer fetches nothing but our own files ---------------------------------------

HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel=stylesheet href="http://127.0.0.1:1/x.css">',
    "url(file:///etc/hostname)",
]


def test_references_in_minutes_print_as_text_and_fetch_nothing(board):
    from minutes.documents import minutes_html
    from scrutiny.pdf import render

    meeting = MeetingFactory(board=board)
    AgendaItemFactory(meeting=meeting, title="Hostile", minutes="\n\n".join(HOSTILE))
    rendered = render(minutes_html(meeting, public=True))
    text = squashed(pdf_text(rendered.pdf))
    assert [s for s in HOSTILE if squashed(s) not in text] == []
    assert rendered.attempts == []  # escaped, the references are text: nothing tries to fetch


def test_the_renderer_logs_and_refuses_what_a_document_tries_to_fetch():
    """The control for the test above: a reference that is markup is tried, and refused."""
    from scrutiny.pdf import render

    rendered = render(
        '<html lang="en-GB"><title>T</title><p>Hi</p>'
        '<img src="file:///etc/hostname"><img src="http://127.0.0.1:1/x.png"></html>'
    )
    assert rendered.pdf.startswith(b"%PDF")
    assert rendered.refused == ["file:///etc/hostname", "http://127.0.0.1:1/x.png"]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:1/x.css",
        "https://example.org/x.css",
        "data:text/css,body{}",
        "scrutiny-static:/../../settings.py",
        "scrutiny-static:/../../../../etc/passwd",
        "scrutiny-static:/no-such-file.css",
    ],
)
def test_fetcher_refuses_anything_but_our_document_files(url):
    fetcher = OwnFilesOnlyFetcher()
    with pytest.raises(ValueError, match="Refused to fetch|No such document asset"):
        fetcher.fetch(url)
    assert fetcher.refused


def test_fetcher_serves_the_document_stylesheet():
    response = OwnFilesOnlyFetcher().fetch("scrutiny-static:/document.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
