"""The meeting editor of a Welsh body takes the Welsh twin beside each printed text, saves it
through the services, and shows what still has no Welsh; an English body's editor neither shows
nor touches the twins."""

import pytest
from django.urls import reverse

from actions.models import Action, ActionUpdate
from meetings.models import AgendaItem, Question
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    MeetingFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def welsh_meeting(db):
    meeting = MeetingFactory(title="Policing Performance Board")
    body = meeting.board.body
    body.welsh = True
    body.save()
    RoleFactory(body=body, abbrev="CC", title="Chief Constable")
    return meeting


@pytest.fixture
def signed_in(client, clerk):
    client.force_login(clerk)
    return client


def url(meeting, name="meeting-edit", **kwargs):
    return reverse(f"editor:{name}", kwargs={"pk": meeting.pk, **kwargs})


def item_data(item, **changes):
    p = f"item{item.pk}"
    data = {
        f"{p}-number": item.number,
        f"{p}-title": item.title,
        f"{p}-minutes": item.minutes,
        f"{p}-exempt_reason": "",
        f"{p}-lock_version": item.version,
        f"{p}q-TOTAL_FORMS": 0,
        f"{p}q-INITIAL_FORMS": 0,
    }
    data.update({f"{p}-{k}": v for k, v in changes.items()})
    return data


def test_the_clerk_enters_the_welsh_beside_the_english_and_sees_what_is_left(
    signed_in, welsh_meeting
):
    item = AgendaItemFactory(meeting=welsh_meeting, number="1", title="Hate Crime", minutes="")
    page = signed_in.get(url(welsh_meeting)).content.decode()
    assert 'name="details-title_cy"' in page
    assert f'name="item{item.pk}-minutes_cy"' in page
    assert 'lang="cy"' in page  # the Welsh boxes are marked as Welsh
    assert "printed texts have no Welsh yet" in page  # the meeting's and the item's titles
    assert "Meeting: title" in page
    assert "Item 1: title" in page

    data = item_data(
        item,
        title_cy="Troseddau Casineb",
        minutes="The board noted the report.",
        minutes_cy="Nododd y bwrdd yr adroddiad.",
        **{
            "q-TOTAL_FORMS": 1,
            "q-0-question": "How many reports?",
            "q-0-question_cy": "Faint o adroddiadau?",
            "q-0-response": "Forty.",
        },
    )
    # The question rows' keys sit under the item's prefix: item<pk>q-0-...
    data = {k.replace(f"item{item.pk}-q-", f"item{item.pk}q-"): v for k, v in data.items()}
    response = signed_in.post(url(welsh_meeting, "item-save", item_pk=item.pk), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:3000]
    item.refresh_from_db()
    assert (item.title_cy, item.minutes_cy) == ("Troseddau Casineb", "Nododd y bwrdd yr adroddiad.")
    question = Question.objects.get(item=item)
    assert (question.question_cy, question.response_cy) == ("Faint o adroddiadau?", "")
    # The item's section now says what it still lacks: the response's Welsh.
    assert "Welsh: 1 text here has no Welsh yet." in response.content.decode()


def test_an_action_and_its_progress_are_raised_and_minuted_in_both_languages(
    signed_in, welsh_meeting
):
    item = AgendaItemFactory(meeting=welsh_meeting, title="Actions")
    cc = welsh_meeting.board.body.roles.get(abbrev="CC")
    p = f"raise{item.pk}"
    response = signed_in.post(
        url(welsh_meeting, "action-raise", item_pk=item.pk),
        {
            f"{p}-text": "Report on hate crime",
            f"{p}-text_cy": "Adrodd ar droseddau casineb",
            f"{p}-owners": "CC",
        },
        **HTMX,
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    action = Action.objects.get(text="Report on hate crime")
    assert action.text_cy == "Adrodd ar droseddau casineb"

    earlier_meeting = MeetingFactory(
        board=welsh_meeting.board, held_on=welsh_meeting.held_on.replace(year=2000)
    )
    earlier = ActionFactory(
        board=welsh_meeting.board,
        number=7,
        text="Review custody",
        raised_at_meeting=earlier_meeting,
        raised_at_item=AgendaItemFactory(meeting=earlier_meeting),
    )
    ActionOwnerFactory(action=earlier, role=cc)
    from minutes.editor.views import review_fingerprint, review_rows

    p = f"rev-{earlier.pk}"
    data = {
        "fingerprint": review_fingerprint(review_rows(welsh_meeting)[1]),
        f"{p}-action": earlier.pk,
        f"{p}-text": "Custody reviewed.",
        f"{p}-text_cy": "Adolygwyd y ddalfa.",
        f"{p}-item": item.pk,
    }
    response = signed_in.post(url(welsh_meeting, "review"), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:3000]
    update = ActionUpdate.objects.get(action=earlier, meeting=welsh_meeting)
    assert (update.text, update.text_cy) == ("Custody reviewed.", "Adolygwyd y ddalfa.")
    # Correcting only the Welsh is a change too.
    data["fingerprint"] = review_fingerprint(review_rows(welsh_meeting)[1])
    data[f"{p}-text_cy"] = "Mae'r ddalfa wedi'i hadolygu."
    assert signed_in.post(url(welsh_meeting, "review"), data, **HTMX).status_code == 200
    update.refresh_from_db()
    assert update.text_cy == "Mae'r ddalfa wedi'i hadolygu."


def test_an_english_bodys_editor_neither_shows_nor_empties_the_welsh(signed_in):
    meeting = MeetingFactory()
    item = AgendaItemFactory(meeting=meeting, title="Custody", title_cy="Dalfa")
    page = signed_in.get(url(meeting)).content.decode()
    assert "_cy" not in page
    assert "no Welsh yet" not in page
    data = item_data(item, minutes="Noted.")
    response = signed_in.post(url(meeting, "item-save", item_pk=item.pk), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:3000]
    item = AgendaItem.objects.get(pk=item.pk)
    assert (item.minutes, item.title_cy) == ("Noted.", "Dalfa")


def test_a_raised_action_and_a_paper_take_their_welsh_in_the_editor(signed_in, welsh_meeting):
    item = AgendaItemFactory(meeting=welsh_meeting, number="2", title="Custody", title_cy="Dalfa")
    cc = welsh_meeting.board.body.roles.get(abbrev="CC")
    action = ActionFactory(
        board=welsh_meeting.board,
        number=4,
        text="Report on custody",
        raised_at_meeting=welsh_meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action, role=cc)
    data = item_data(item, title_cy="Dalfa", minutes="")
    data |= {
        f"item{item.pk}p-TOTAL_FORMS": 1,
        f"item{item.pk}p-INITIAL_FORMS": 0,
        f"item{item.pk}p-0-title": "Custody report",
    }
    response = signed_in.post(url(welsh_meeting, "item-save", item_pk=item.pk), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:3000]
    html = response.content.decode()
    assert "Welsh: 1 text here has no Welsh yet." in html  # the paper's title
    page = signed_in.get(url(welsh_meeting)).content.decode()
    assert f"{action.ref}: text" in page
    assert "Item 2, paper: title" in page

    paper = item.papers.get()
    data[f"item{item.pk}-lock_version"] = AgendaItem.objects.get(pk=item.pk).version
    data |= {
        f"item{item.pk}p-INITIAL_FORMS": 1,
        f"item{item.pk}p-0-pk": paper.pk,
        f"item{item.pk}p-0-title_cy": "Adroddiad y ddalfa",
    }
    response = signed_in.post(url(welsh_meeting, "item-save", item_pk=item.pk), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert "Welsh: every text here has its Welsh." in response.content.decode()
    paper.refresh_from_db()
    assert paper.title_cy == "Adroddiad y ddalfa"

    edit = url(welsh_meeting, "action-edit", action_pk=action.pk)
    form = signed_in.get(edit, **HTMX).content.decode()
    assert "Action in Welsh" in form
    assert 'lang="cy"' in form
    p = f"action{action.pk}"
    response = signed_in.post(
        edit,
        {
            f"{p}-text": "Report on custody",
            f"{p}-text_cy": "Adrodd ar y ddalfa",
            f"{p}-owners": "CC",
            f"{p}-lock_version": action.version,
        },
        **HTMX,
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    action.refresh_from_db()
    assert action.text_cy == "Adrodd ar y ddalfa"
    page = signed_in.get(url(welsh_meeting)).content.decode()
    assert f"{action.ref}: text" not in page
    assert "Item 2, paper: title" not in page


def test_an_english_bodys_action_form_keeps_the_stored_welsh(signed_in):
    meeting = MeetingFactory()
    cc = RoleFactory(body=meeting.board.body, abbrev="CC")
    item = AgendaItemFactory(meeting=meeting, title="Custody")
    action = ActionFactory(
        board=meeting.board,
        text="Report",
        text_cy="Adrodd",
        raised_at_meeting=meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action, role=cc)
    edit = url(meeting, "action-edit", action_pk=action.pk)
    assert "in Welsh" not in signed_in.get(edit, **HTMX).content.decode()
    p = f"action{action.pk}"
    data = {f"{p}-text": "Report back", f"{p}-owners": "CC", f"{p}-lock_version": action.version}
    assert signed_in.post(edit, data, **HTMX).status_code == 200
    action.refresh_from_db()
    assert (action.text, action.text_cy) == ("Report back", "Adrodd")


def test_every_printed_text_has_its_welsh_box_and_counts_until_translated(signed_in, welsh_meeting):
    """The questions record's introduction, a restricted response's public reason and the
    action as a review prints it take their Welsh in the editor, and are listed until they
    have it."""
    from minutes.editor.views import review_fingerprint, review_rows

    welsh_meeting.questions_intro = "Questions put by the OPCC."
    welsh_meeting.save()
    item = AgendaItemFactory(
        meeting=welsh_meeting, number="1", title="Custody", title_cy="Dalfa", minutes=""
    )
    question = Question.objects.create(
        item=item,
        question="How many?",
        question_cy="Faint?",
        response="Forty.",
        response_cy="Deugain.",
        restricted=True,
        restricted_reason="Given to the OPCC.",
    )
    page = signed_in.get(url(welsh_meeting)).content.decode()
    assert 'name="details-questions_intro_cy"' in page
    assert f'name="item{item.pk}q-0-restricted_reason_cy"' in page
    assert "Meeting: introduction to the questions record" in page
    assert "Item 1, question 0: public reason for the restriction" in page

    data = {
        "details-held_on": welsh_meeting.held_on.isoformat(),
        "details-title": welsh_meeting.title,
        "details-title_cy": "Bwrdd Perfformiad Plismona",
        "details-is_public": "on",
        "details-questions_intro": "Questions put by the OPCC.",
        "details-questions_intro_cy": "Cwestiynau gan SCHTh.",
        "details-lock_version": welsh_meeting.version,
    }
    response = signed_in.post(url(welsh_meeting, "details"), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:3000]
    welsh_meeting.refresh_from_db()
    assert welsh_meeting.questions_intro_cy == "Cwestiynau gan SCHTh."

    p = f"item{item.pk}"
    data = item_data(item, title_cy="Dalfa")
    data |= {
        f"{p}q-TOTAL_FORMS": 1,
        f"{p}q-INITIAL_FORMS": 1,
        f"{p}q-0-pk": question.pk,
        f"{p}q-0-question": "How many?",
        f"{p}q-0-question_cy": "Faint?",
        f"{p}q-0-response": "Forty.",
        f"{p}q-0-response_cy": "Deugain.",
        f"{p}q-0-restricted": "on",
        f"{p}q-0-restricted_reason": "Given to the OPCC.",
        f"{p}q-0-restricted_reason_cy": "Fe'i rhoddwyd i SCHTh.",
    }
    response = signed_in.post(url(welsh_meeting, "item-save", item_pk=item.pk), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:3000]
    question.refresh_from_db()
    assert question.restricted_reason_cy == "Fe'i rhoddwyd i SCHTh."
    assert "Welsh: every text here has its Welsh." in response.content.decode()

    earlier_meeting = MeetingFactory(
        board=welsh_meeting.board, held_on=welsh_meeting.held_on.replace(year=2000)
    )
    earlier = ActionFactory(
        board=welsh_meeting.board,
        number=3,
        text="Review custody",
        raised_at_meeting=earlier_meeting,
        raised_at_item=AgendaItemFactory(meeting=earlier_meeting),
    )
    row = signed_in.get(url(welsh_meeting, "review-row", action_pk=earlier.pk), **HTMX)
    p = f"rev-{earlier.pk}"
    assert f'name="{p}-summary_cy"' in row.content.decode()  # the review's printed fields
    data = {
        "fingerprint": review_fingerprint(review_rows(welsh_meeting)[1]),
        f"{p}-action": earlier.pk,
        f"{p}-text": "Custody reviewed.",
        f"{p}-text_cy": "Adolygwyd y ddalfa.",
        f"{p}-item": item.pk,
        f"{p}-summary": "Review custody",
        f"{p}-summary_cy": "Adolygu'r ddalfa",
    }
    response = signed_in.post(url(welsh_meeting, "review"), data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:3000]
    update = ActionUpdate.objects.get(action=earlier, meeting=welsh_meeting)
    assert update.summary_cy == "Adolygu'r ddalfa"
    page = signed_in.get(url(welsh_meeting)).content.decode()
    assert "Every printed text has its Welsh" in page
