"""The public actions log in Welsh (/cy/boards/<slug>/actions/ and the API's ?lang=cy): each
action's text, summary and progress as the live publications printed their Welsh, the English
marked lang="en" where a text has none; and a correction's note in Welsh, entered by the
approver, on the Welsh meeting page, feed and API."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionStatus
from meetings.models import Meeting, Publication
from minutes import documents
from minutes.actions_log import build_log
from minutes.services import PublicationError, meeting_publish
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    ActionUpdateFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def board():
    body = OrganisationFactory(
        name="Dyfed-Powys OPCC",
        name_cy="Comisiynydd Heddlu a Throseddu Dyfed-Powys",
        welsh=True,
        welsh_required=False,
    )
    return BoardFactory(
        body=body,
        name="Policing Performance Board",
        name_cy="Bwrdd Perfformiad Plismona",
        slug="ppb",
        action_prefix="PPB",
    )


def publish(meeting, **kwargs):
    return meeting_publish(meeting=meeting, by=None, check_permission=False, **kwargs)


@pytest.fixture
def meetings(board):
    """PPB 60 raised at the first meeting with its Welsh, its progress minuted in Welsh at the
    second; PPB 61 raised and reviewed with no Welsh at all; PPB 50, raised at a meeting that is
    not published, known from the review's Welsh summary. Both meetings published."""
    first = MeetingFactory(board=board, held_on=datetime.date(2014, 3, 13), title_cy="")
    item = AgendaItemFactory(meeting=first, title="Hate Crime", title_cy="Troseddau Casineb")
    ppb60 = ActionFactory(
        board=board,
        number=60,
        text="Recommendations from hate crime research to be presented",
        text_cy="Argymhellion ymchwil troseddau casineb i'w cyflwyno",
        raised_at_meeting=first,
        raised_at_item=item,
        status=ActionStatus.OPEN,
    )
    ppb61 = ActionFactory(
        board=board,
        number=61,
        text="Key barriers to a MASH to be considered",
        raised_at_meeting=first,
        raised_at_item=item,
    )
    unpublished = MeetingFactory(board=board, held_on=datetime.date(2014, 1, 9))
    ppb50 = ActionFactory(
        board=board, number=50, text="The live text", raised_at_meeting=unpublished
    )
    for action in (ppb60, ppb61, ppb50):
        ActionOwnerFactory(action=action)
    publish(first)
    second = MeetingFactory(board=board, held_on=datetime.date(2014, 5, 15))
    later = AgendaItemFactory(meeting=second, title="Action review", title_cy="Adolygu camau")
    ActionUpdateFactory(
        action=ppb60,
        meeting=second,
        item=later,
        reported_on=second.held_on,
        text="Research presented in April",
        text_cy="Cyflwynwyd yr ymchwil ym mis Ebrill",
    )
    ActionUpdateFactory(
        action=ppb61, meeting=second, item=later, reported_on=second.held_on, text="In progress"
    )
    ActionUpdateFactory(
        action=ppb50,
        meeting=second,
        item=later,
        reported_on=second.held_on,
        summary="T/DCC to develop a publishing format",
        summary_cy="Y DGC Dros Dro i ddatblygu fformat cyhoeddi",
        text="Completed",
        text_cy="Wedi'i gwblhau",
    )
    publish(second)
    return first, second


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.content.decode()


def row(html: str, ref: str) -> str:
    match = re.search(r'<tr>\s*<th scope="row"[^>]*>' + ref + r"</th>.*?</tr>", html, re.S)
    assert match, ref
    return match.group(0)


def text_and_progress(html_row: str) -> str:
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html_row, re.S)
    return cells[0] + cells[-1]


def test_the_welsh_log_shows_the_welsh_as_published_and_the_english_said_so(client, meetings):
    welsh = page(client, "/cy/boards/ppb/actions/")
    ppb60 = row(welsh, "PPB 60")
    assert "Argymhellion ymchwil troseddau casineb i&#x27;w cyflwyno" in ppb60
    assert "Cyflwynwyd yr ymchwil ym mis Ebrill" in ppb60
    assert 'lang="en"' not in text_and_progress(ppb60)  # the owners' titles are English
    assert "hate crime research" not in ppb60
    # Known only from the review's summary: its Welsh, and the Welsh progress.
    ppb50 = row(welsh, "PPB 50")
    assert "Y DGC Dros Dro i ddatblygu fformat cyhoeddi" in ppb50
    assert "Wedi&#x27;i gwblhau" in ppb50
    assert 'lang="en"' not in text_and_progress(ppb50)
    assert "The live text" not in ppb50
    # No Welsh: the English, marked as English, and the page says so plainly.
    ppb61 = row(welsh, "PPB 61")
    assert '<span lang="en">Key barriers to a MASH to be considered</span>' in ppb61
    assert '<span lang="en">In progress</span>' in ppb61
    assert "only-in-english" in welsh
    assert "Saesneg" in welsh.split("only-in-english", 1)[1].split("</p>", 1)[0]

    english = page(client, "/en/boards/ppb/actions/")
    assert "Recommendations from hate crime research to be presented" in english
    assert "Research presented in April" in english
    assert "T/DCC to develop a publishing format" in english
    assert "Argymhellion" not in english
    assert "Cyflwynwyd" not in english
    assert 'lang="en"' not in row(english, "PPB 61")
    assert "only-in-english" not in english


def test_the_api_gives_the_welsh_log_and_says_which_language(client, meetings):
    url = reverse("minutes:api-board-actions", args=["ppb"])
    response = client.get(url + "?lang=cy")
    assert response.status_code == 200
    entries = {entry["ref"]: entry for entry in response.json()["data"]}
    assert entries["PPB 60"]["text"] == "Argymhellion ymchwil troseddau casineb i'w cyflwyno"
    assert entries["PPB 60"]["latestProgress"] == "Cyflwynwyd yr ymchwil ym mis Ebrill"
    assert entries["PPB 60"]["textLanguage"] == {
        "text": "cy",
        "latestProgress": "cy",
        "owners": "en",
    }
    assert entries["PPB 50"]["text"] == "Y DGC Dros Dro i ddatblygu fformat cyhoeddi"
    assert entries["PPB 50"]["textLanguage"] == {
        "text": "cy",
        "latestProgress": "cy",
        "owners": "en",
    }
    assert entries["PPB 61"]["text"] == "Key barriers to a MASH to be considered"
    assert entries["PPB 61"]["textLanguage"] == {
        "text": "en",
        "latestProgress": "en",
        "owners": "en",
    }
    english = {entry["ref"]: entry for entry in client.get(url).json()["data"]}
    assert english["PPB 60"]["text"] == "Recommendations from hate crime research to be presented"
    assert english["PPB 60"]["textLanguage"] == {
        "text": "en",
        "latestProgress": "en",
        "owners": "en",
    }


def test_an_unpublished_welsh_edit_never_reaches_the_log(client, meetings, board):
    first, _second = meetings
    action = board.actions.get(number=60)
    action.text_cy = "Testun Cymraeg heb ei gyhoeddi"
    action.save()
    update = action.updates.get()
    update.text_cy = "Cynnydd heb ei gyhoeddi"
    update.save()
    # Another publication of the board rebuilds the log: still only what was published.
    third = MeetingFactory(board=board, held_on=datetime.date(2014, 7, 10))
    AgendaItemFactory(meeting=third, title="Other business")
    publish(third)
    welsh = page(client, "/cy/boards/ppb/actions/")
    api = client.get(reverse("minutes:api-board-actions", args=["ppb"]) + "?lang=cy").content
    for shown in (welsh, api.decode()):
        assert "heb ei gyhoeddi" not in shown
    assert "Argymhellion ymchwil troseddau casineb" in welsh
    assert "Cyflwynwyd yr ymchwil ym mis Ebrill" in welsh


def test_an_english_body_publishes_no_welsh_to_the_log(client, meetings, board):
    """A Welsh text left in the record of a body that no longer publishes in Welsh is not
    printed, so the log does not carry it either."""
    body = board.body
    body.welsh = False
    body.save()
    first, _second = meetings
    correct(first, note="Republished")
    response = client.get(reverse("minutes:api-board-actions", args=["ppb"]) + "?lang=cy")
    entries = {entry["ref"]: entry for entry in response.json()["data"]}
    assert entries["PPB 60"]["text"] == "Recommendations from hate crime research to be presented"
    assert entries["PPB 60"]["textLanguage"]["text"] == "en"


def test_the_welsh_action_text_is_found_by_the_welsh_search(client, meetings):
    results = page(client, "/cy/search/?q=Argymhellion")
    assert "PPB 60" in results


def welsh_feed_entry(client, guid: str):
    feed = ET.fromstring(client.get("/boards/ppb/feed.cy.atom").content)
    [entry] = [e for e in feed.findall(f"{ATOM}entry") if e.find(f"{ATOM}id").text.endswith(guid)]
    return entry


def correct(meeting, **notes):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.APPROVED)
    meeting.refresh_from_db()
    return publish(meeting, **notes)


def test_a_corrections_welsh_note_is_on_the_welsh_page_feed_and_api(client, meetings):
    first, _second = meetings
    correct(first, note="Date of PPB 60 corrected", note_cy="Cywirwyd dyddiad PPB 60")
    welsh = page(client, f"/cy/meetings/{first.pk}/")
    assert "Cywirwyd dyddiad PPB 60" in welsh
    assert "Date of PPB 60 corrected" not in welsh
    english = page(client, f"/en/meetings/{first.pk}/")
    assert "Date of PPB 60 corrected" in english
    assert "Cywirwyd" not in english

    correction = welsh_feed_entry(client, f"minutes-{first.pk}-v2")
    assert correction.get(XML_LANG) == "cy"
    assert correction.find(f"{ATOM}summary").text == "Cywirwyd dyddiad PPB 60"
    assert "Bwrdd Perfformiad Plismona" in correction.find(f"{ATOM}title").text
    english_feed = client.get("/boards/ppb/feed.atom").content.decode()
    assert "Date of PPB 60 corrected" in english_feed
    assert "Cywirwyd" not in english_feed

    url = reverse("minutes:api-meeting-detail", args=[first.pk])
    data = client.get(url + "?lang=cy").json()
    assert data["versionNote"] == "Cywirwyd dyddiad PPB 60"
    assert data["textLanguage"]["versionNote"] == "cy"
    assert client.get(url).json()["versionNote"] == "Date of PPB 60 corrected"


def test_a_note_with_no_welsh_is_given_in_english_and_said_so(client, meetings):
    first, _second = meetings
    correct(first, note="Typo corrected")
    welsh = page(client, f"/cy/meetings/{first.pk}/")
    assert '<span lang="en">Typo corrected</span>' in welsh
    url = reverse("minutes:api-meeting-detail", args=[first.pk])
    data = client.get(url + "?lang=cy").json()
    assert (data["versionNote"], data["textLanguage"]["versionNote"]) == ("Typo corrected", "en")
    correction = welsh_feed_entry(client, f"minutes-{first.pk}-v2")
    assert correction.get(XML_LANG) == "en"  # the note is English: so is its entry


def test_a_body_that_requires_welsh_needs_the_notes_welsh(meetings, board):
    first, _second = meetings
    body = board.body
    body.welsh_required = True
    body.save()
    Meeting.objects.filter(pk=first.pk).update(status=Meeting.Status.APPROVED)
    first.refresh_from_db()
    with pytest.raises(PublicationError, match="Meeting: what changed"):
        publish(first, note="Typo corrected")
    assert first.publications.count() == 1
    # With its Welsh the note is no longer among the missing texts (other texts still are).
    with pytest.raises(PublicationError) as refused:
        publish(first, note="Typo corrected", note_cy="Cywirwyd gwall teipio")
    assert "what changed" not in str(refused.value)
    assert str(refused.value).endswith("English: Item Hate Crime: minutes; PPB 61: text.")


def test_the_approver_enters_the_welsh_note_where_the_note_is_entered(
    client, meetings, board, approver
):
    first, _second = meetings
    Meeting.objects.filter(pk=first.pk).update(status=Meeting.Status.APPROVED)
    client.force_login(approver)
    url = reverse("admin:meetings_meeting_workflow", args=[first.pk, "publish"])
    form = page(client, url)
    assert 'name="text_cy"' in form
    assert 'lang="cy"' in form
    response = client.post(url, {"text": "Typo corrected", "text_cy": "Cywirwyd gwall teipio"})
    assert response.status_code == 302
    publication = first.publications.get(version=2)
    assert (publication.note, publication.note_cy) == ("Typo corrected", "Cywirwyd gwall teipio")
    # An English body's approver sees no Welsh box.
    body = board.body
    body.welsh = False
    body.save()
    assert 'name="text_cy"' not in page(client, url)


def test_a_refused_welsh_note_keeps_what_was_typed(client, meetings, board, approver):
    first, _second = meetings
    body = board.body
    body.welsh_required = True
    body.save()
    Meeting.objects.filter(pk=first.pk).update(status=Meeting.Status.APPROVED)
    client.force_login(approver)
    url = reverse("admin:meetings_meeting_workflow", args=[first.pk, "publish"])
    response = client.post(url, {"text": "Typo corrected", "text_cy": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Typo corrected" in html
    assert "errornote" in html
    response = client.post(url, {"text": "", "text_cy": "Cywirwyd gwall teipio"})
    assert "Cywirwyd gwall teipio" in response.content.decode()


def test_the_first_build_of_the_log_still_accepts_its_entries(meetings):
    """minutes/migrations/0002 builds PublicAction(**entry) from build_log with the model as it
    stood at minutes 0001 (no text_cy, no progress_cy)."""
    state = MigrationLoader(connection).project_state(("minutes", "0001_public_action"))
    OldPublicAction = state.apps.get_model("minutes", "PublicAction")
    ordered = [
        (p.meeting_id, p.meeting.held_on, p.actions)
        for p in Publication.objects.order_by("meeting__held_on")
    ]
    entries = build_log(ordered, set())
    assert entries
    for pk, entry in entries.items():
        OldPublicAction(action_id=pk, board_id=1, **entry)


def test_the_welsh_log_marks_the_owners_english_titles(client, meetings):
    """A post's title has no Welsh: on the Welsh log it is English, marked lang="en"; the API
    says so in textLanguage."""
    ppb60 = row(page(client, "/cy/boards/ppb/actions/"), "PPB 60")
    owners = re.findall(r"<td>(.*?)</td>", ppb60, re.S)[1]
    assert "Head of Department" in owners
    assert 'lang="en"' in owners, owners
    english = row(page(client, "/en/boards/ppb/actions/"), "PPB 60")
    assert 'lang="en"' not in re.findall(r"<td>(.*?)</td>", english, re.S)[1]
    url = reverse("minutes:api-board-actions", args=["ppb"])
    [ppb60] = [a for a in client.get(url + "?lang=cy").json()["data"] if a["ref"] == "PPB 60"]
    assert ppb60["textLanguage"]["owners"] == "en"
    [ppb60] = [a for a in client.get(url).json()["data"] if a["ref"] == "PPB 60"]
    assert ppb60["textLanguage"]["owners"] == "en"


HOSTILE = '<script>alert("cy")</script>{{ request.user }}{% now "Y" %}'


def test_a_hostile_welsh_note_is_harmless(client, meetings):
    first, _second = meetings
    correct(first, note="Typo corrected", note_cy=HOSTILE)
    welsh = page(client, f"/cy/meetings/{first.pk}/")
    assert "<script>alert" not in welsh
    assert "&lt;script&gt;alert(&quot;cy&quot;)&lt;/script&gt;{{ request.user }}{% now" in welsh
    entry = welsh_feed_entry(client, f"minutes-{first.pk}-v2")
    assert entry.find(f"{ATOM}summary").text == HOSTILE
    data = client.get(reverse("minutes:api-meeting-detail", args=[first.pk]) + "?lang=cy").json()
    assert data["versionNote"] == HOSTILE


def test_a_welsh_only_note_on_a_first_version_is_not_published(client, board, approver):
    """Version 1 has no note: a Welsh note given alone is not stored, and the approver is not
    offered a Welsh box for it."""
    first = MeetingFactory(board=board, held_on=datetime.date(2014, 3, 13))
    AgendaItemFactory(meeting=first, title="Hate Crime", title_cy="Troseddau Casineb")
    Meeting.objects.filter(pk=first.pk).update(status=Meeting.Status.APPROVED)
    client.force_login(approver)
    form = page(client, reverse("admin:meetings_meeting_workflow", args=[first.pk, "publish"]))
    assert 'name="text_cy"' not in form
    publication = publish(first, note_cy="Nodyn Cymraeg yn unig")
    assert publication.note_cy == ""
    url = reverse("minutes:api-meeting-detail", args=[first.pk])
    assert client.get(url).json()["versionNote"] == ""
    assert client.get(url + "?lang=cy").json()["versionNote"] == ""


def test_a_body_that_requires_welsh_never_publishes_an_english_only_correction_note(
    board, monkeypatch
):
    """Another approver's version 1 lands while this publication renders: this one would be
    version 2, so its note needs its Welsh, checked again under the lock."""
    body = board.body
    body.welsh_required = True
    body.save()
    first = MeetingFactory(board=board, held_on=datetime.date(2014, 3, 13))
    AgendaItemFactory(
        meeting=first,
        title="Hate Crime",
        title_cy="Troseddau Casineb",
        minutes="Noted.",
        minutes_cy="Nodwyd.",
    )
    render = documents.render_pdf

    def render_while_another_approver_publishes(html):
        if not first.publications.exists():
            Publication.objects.create(
                meeting=first,
                version=1,
                published_at=timezone.now(),
                minutes_html="<p></p>",
                title="13 March 2014",
            )
        return render(html)

    monkeypatch.setattr(documents, "render_pdf", render_while_another_approver_publishes)
    with pytest.raises(PublicationError, match="Meeting: what changed"):
        publish(first, note="Typo corrected")
    assert list(first.publications.values_list("version", flat=True)) == [1]
