"""Everything the interchange format holds can be entered in the meeting editor: the keys the
editor lacked (the posts and people the minutes name, the questions record's introduction,
whether the public may attend, an item kept in the questions record, a restricted response's
public reason, the paragraph that raised an action), each saved and exported."""

import pytest
from django.urls import reverse

from actions.models import Action
from meetings.models import AgendaItem, Meeting, Question, Role
from minutes.interchange.exporter import export_meeting_document
from tests.factories import AgendaItemFactory, MeetingFactory, PersonFactory, RoleFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def meeting(db):
    meeting = MeetingFactory()
    RoleFactory(body=meeting.board.body, abbrev="CC", title="Chief Constable")
    RoleFactory(body=meeting.board.body, abbrev="ACC", title="Assistant Chief Constable")
    return meeting


@pytest.fixture
def signed_in(client, clerk):
    client.force_login(clerk)
    return client


def url(meeting, name="meeting-edit", **kwargs):
    return reverse(f"editor:{name}", kwargs={"pk": meeting.pk, **kwargs})


def details(meeting, **changes):
    data = {
        "details-held_on": meeting.held_on.isoformat(),
        "details-title": meeting.title,
        "details-venue": meeting.venue,
        "details-chair_note": meeting.chair_note,
        "details-minute_taker": meeting.minute_taker,
        "details-is_public": "on" if meeting.is_public else "",
        "details-lock_version": meeting.version,
    }
    data.update({f"details-{k}": v for k, v in changes.items()})
    return data


def test_the_questions_records_introduction_and_a_private_meeting_are_entered_in_details(
    signed_in, meeting
):
    page = signed_in.get(url(meeting)).content.decode()
    assert 'name="details-questions_intro"' in page
    assert 'name="details-is_public"' in page
    data = details(meeting, questions_intro="The questions below were put.", is_public="")
    response = signed_in.post(url(meeting, "details"), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert (meeting.questions_intro, meeting.is_public) == ("The questions below were put.", False)
    document = export_meeting_document(meeting)
    assert document["meeting"]["questions_intro"] == "The questions below were put."
    assert document["meeting"]["public"] is False


def test_the_posts_and_people_the_minutes_name_are_entered_and_a_new_post_is_added(
    signed_in, meeting
):
    body = meeting.board.body
    PersonFactory(body=body, name="Mr D Llewelyn")
    page = signed_in.get(url(meeting)).content.decode()
    assert "Posts and people named in the minutes" in page
    form = signed_in.get(url(meeting, "named"), **HTMX).content.decode()
    assert 'name="named-roles"' in form
    data = {
        "named-roles": "ACC, HoSPC",
        "named-people": "Mr D Llewelyn\nMrs A Newcomer",
        "named-new_abbrev": "HoSPC",
        "named-new_title": "Head of Strategy, Performance and Change",
        "named-lock_version": meeting.version,
    }
    response = signed_in.post(url(meeting, "named"), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert sorted(r.abbrev for r in meeting.named_roles.all()) == ["ACC", "HoSPC"]
    assert sorted(p.name for p in meeting.named_people.all()) == [
        "Mr D Llewelyn",
        "Mrs A Newcomer",
    ]
    assert Role.objects.get(body=body, abbrev="HoSPC").title.startswith("Head of Strategy")
    html = response.content.decode()
    assert "HoSPC" in html
    assert "Mrs A Newcomer" in html
    assert 'id="editor-posts" hx-swap-oob="true"' in html  # offered at once in every post field
    document = export_meeting_document(meeting)
    assert {"abbrev": "HoSPC"} | {"title": "Head of Strategy, Performance and Change"} in [
        {k: r[k] for k in ("abbrev", "title")} for r in document["roles"]
    ]
    assert {p["name"] for p in document["people"]} == {"Mr D Llewelyn", "Mrs A Newcomer"}


def test_an_unknown_named_post_is_refused_and_what_was_typed_is_kept(signed_in, meeting):
    data = {
        "named-roles": "ACC, XYZ",
        "named-people": "Mrs A Newcomer",
        "named-lock_version": meeting.version,
    }
    response = signed_in.post(url(meeting, "named"), data, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "XYZ" in html
    assert "Mrs A Newcomer" in html
    assert not meeting.named_roles.exists()
    assert not meeting.named_people.exists()


def test_an_item_in_the_questions_record_and_a_restricted_responses_reason(signed_in, meeting):
    item = AgendaItemFactory(meeting=meeting, number="3", title="Custody", minutes="")
    p = f"item{item.pk}"
    page = signed_in.get(url(meeting)).content.decode()
    assert f'name="{p}-in_questions_record"' in page
    assert 'name="__formset__-__prefix__-restricted_reason"' in page  # the question template
    data = {
        f"{p}-number": "3",
        f"{p}-title": "Custody",
        f"{p}-minutes": "No comments were raised.",
        f"{p}-in_questions_record": "on",
        f"{p}-lock_version": item.version,
        f"{p}q-TOTAL_FORMS": 1,
        f"{p}q-INITIAL_FORMS": 0,
        f"{p}q-0-question": "How many detainees?",
        f"{p}q-0-response": "Forty-two.",
        f"{p}q-0-restricted": "on",
        f"{p}q-0-restricted_reason": "Details were given to the OPCC.",
    }
    response = signed_in.post(url(meeting, "item-save", item_pk=item.pk), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert AgendaItem.objects.get(pk=item.pk).in_questions_record is True
    question = Question.objects.get(item=item)
    assert (question.restricted, question.restricted_reason) == (
        True,
        "Details were given to the OPCC.",
    )
    assert 'value="Details were given to the OPCC."' in response.content.decode()
    exported = export_meeting_document(meeting)["items"][0]
    assert exported["in_questions_record"] is True
    assert exported["questions"][0]["restricted_reason"] == "Details were given to the OPCC."


def test_an_action_is_raised_in_the_paragraph_that_raised_it(signed_in, meeting):
    item = AgendaItemFactory(meeting=meeting, title="Budget", minutes="One.\n\nTwo.\n\nThree.")
    p = f"raise{item.pk}"
    form = signed_in.get(url(meeting, "action-raise", item_pk=item.pk), **HTMX).content.decode()
    assert f'name="{p}-paragraph"' in form
    data = {f"{p}-text": "Report back", f"{p}-owners": "CC", f"{p}-paragraph": "2"}
    response = signed_in.post(url(meeting, "action-raise", item_pk=item.pk), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    action = Action.objects.get(text="Report back")
    assert action.paragraph == 2
    edit = url(meeting, "action-edit", action_pk=action.pk)
    q = f"action{action.pk}"
    assert 'value="2"' in signed_in.get(edit, **HTMX).content.decode()
    data = {
        f"{q}-text": "Report back",
        f"{q}-owners": "CC",
        f"{q}-paragraph": "3",
        f"{q}-lock_version": action.version,
    }
    assert signed_in.post(edit, data, **HTMX).status_code == 200
    action.refresh_from_db()
    assert action.paragraph == 3
    assert export_meeting_document(meeting)["items"][0]["actions"][0]["paragraph"] == 3


def a_pdf(pages: int = 1) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_papers_pdf_is_uploaded_replaced_and_removed_in_the_editor(signed_in, meeting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meetings.models import Paper

    item = AgendaItemFactory(meeting=meeting, number="4", title="Budget", minutes="")
    p = f"item{item.pk}"
    save = url(meeting, "item-save", item_pk=item.pk)

    def data(**changes):
        item.refresh_from_db()
        return {
            f"{p}-number": "4",
            f"{p}-title": "Budget",
            f"{p}-minutes": "Received.",
            f"{p}-lock_version": item.version,
            f"{p}p-TOTAL_FORMS": 1,
            f"{p}p-INITIAL_FORMS": 0,
            f"{p}p-0-title": "Budget bid",
            **{f"{p}p-0-{k}": v for k, v in changes.items()},
        }

    # Not a PDF (judged by content, whatever its name): refused, what was typed kept.
    fake = SimpleUploadedFile("bid.pdf", b"<script>alert(1)</script>", "application/pdf")
    response = signed_in.post(save, data(upload=fake), **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The file is not a PDF" in html
    assert 'value="Budget bid"' in html
    assert "Received." in html
    assert not Paper.objects.filter(item=item).exists()

    upload = SimpleUploadedFile("bid.pdf", a_pdf(2), "application/pdf")
    response = signed_in.post(save, data(upload=upload), **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    paper = Paper.objects.select_related("file").get(item=item)
    assert paper.file.pages == 2
    html = response.content.decode()
    staff_link = f"/meetings/{meeting.pk}/papers/{paper.file_id}.pdf"
    assert staff_link in html  # the staff address, served by the application only
    assert "2 pages" in html
    assert signed_in.get(staff_link).status_code == 200
    assert signed_in.get(staff_link)["Content-Type"] == "application/pdf"

    # Replaced by another PDF, then removed.
    first = paper.file_id
    upload = SimpleUploadedFile("bid-v2.pdf", a_pdf(3), "application/pdf")
    changes = {"pk": paper.pk, "upload": upload}
    response = signed_in.post(save, {**data(**changes), f"{p}p-INITIAL_FORMS": 1}, **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    paper.refresh_from_db()
    assert paper.file_id != first
    assert paper.file.pages == 3
    changes = {"pk": paper.pk, "remove_file": "on"}
    response = signed_in.post(save, {**data(**changes), f"{p}p-INITIAL_FORMS": 1}, **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    paper.refresh_from_db()
    assert paper.file is None
    assert paper.title == "Budget bid"
