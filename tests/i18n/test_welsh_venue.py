"""The venue's Welsh twin: entered when the meeting is announced (admin) or in the editor,
printed in the Welsh minutes and agenda, shown on the Welsh pages, and carried by the
interchange format (1.1); a change to it after approval reopens the minutes."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from meetings.models import Meeting
from meetings.services import meeting_update
from minutes.documents import render_minutes_pdf
from minutes.services import agenda_publish, meeting_approve
from tests.factories import MeetingFactory
from tests.i18n.test_bilingual import BILINGUAL, pdf_text
from tests.i18n.test_welsh_agenda import announced
from tests.i18n.test_welsh_agenda import body as body  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_welsh_venue_round_trips_and_prints_in_the_welsh_minutes():
    call_command("import_meeting", str(BILINGUAL), stdout=StringIO())
    meeting = Meeting.objects.get()
    assert (meeting.venue, meeting.venue_cy) == ("Police Headquarters", "Pencadlys yr Heddlu")
    out = StringIO()
    call_command("export_meeting", "PPB", "2014-03-13", stdout=out)
    exported = json.loads(out.getvalue())["meeting"]
    assert (exported["venue"], exported["venue_cy"]) == (
        "Police Headquarters",
        "Pencadlys yr Heddlu",
    )
    welsh = pdf_text(render_minutes_pdf(meeting, public=True, language="cy"))
    assert "Pencadlys yr Heddlu" in welsh
    assert "Police Headquarters" not in welsh
    assert "Police Headquarters" in pdf_text(render_minutes_pdf(meeting, public=True))


def test_the_welsh_pages_and_agenda_pack_show_the_welsh_venue(client, body, approver):  # noqa: F811
    meeting = announced(body)
    meeting.venue_cy = "Pencadlys yr Heddlu"
    meeting.save()
    agenda_publish(meeting=meeting, by=approver)
    for url in (f"/cy/meetings/{meeting.pk}/", "/cy/boards/ppb/", "/cy/"):
        page = client.get(url).content.decode()
        assert "Pencadlys yr Heddlu" in page, url
        assert "Police Headquarters" not in page, url
    english = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert "Police Headquarters" in english
    assert "Pencadlys yr Heddlu" not in english
    pack = client.get(f"/meetings/{meeting.pk}/agenda-pack-v1.cy.pdf").content
    assert "Pencadlys yr Heddlu" in pdf_text(pack)
    # Where no Welsh was entered, the English venue, marked as English.
    meeting.venue_cy = ""
    meeting.save()
    page = client.get(f"/cy/meetings/{meeting.pk}/").content.decode()
    assert '<dd><span lang="en">Police Headquarters</span></dd>' in page


def test_the_admin_announces_a_meeting_with_its_welsh_venue(client, body, clerk):  # noqa: F811
    board = announced(body).board
    client.force_login(clerk)
    response = client.post(
        reverse("admin:meetings_meeting_announce"),
        {
            "board": board.pk,
            "held_on": "28/02/2099",
            "start_time": "10:00",
            "venue": "HQ",
            "venue_cy": "Y Pencadlys",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    assert Meeting.objects.get(held_on=datetime.date(2099, 2, 28)).venue_cy == "Y Pencadlys"


def test_the_editor_takes_the_welsh_venue_beside_the_english(client, clerk):
    from tests.minutes.test_editor import details_data

    meeting = MeetingFactory(venue="Police Headquarters")
    meeting.board.body.welsh = True
    meeting.board.body.save()
    client.force_login(clerk)
    url = reverse("editor:details", kwargs={"pk": meeting.pk})
    page = client.get(reverse("editor:meeting-edit", kwargs={"pk": meeting.pk})).content.decode()
    assert 'name="details-venue_cy"' in page
    response = client.post(url, details_data(meeting, venue_cy="Pencadlys yr Heddlu"), **HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert meeting.venue_cy == "Pencadlys yr Heddlu"


def test_a_change_to_the_welsh_venue_after_approval_reopens_the_minutes(clerk, approver):
    meeting = MeetingFactory(created_by=clerk, venue="Police Headquarters")
    meeting_approve(meeting=meeting, by=approver)
    meeting.refresh_from_db()
    meeting.venue_cy = "Pencadlys yr Heddlu"
    meeting_update(meeting=meeting, by=clerk)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


def test_forthcoming_meetings_are_listed_in_welsh_with_the_bodys_times(client, body, approver):  # noqa: F811
    """The lists of forthcoming meetings named the board and meeting in English on the Welsh
    pages, and printed "10:00" for a body that writes "10.00am" (the agenda pack too)."""
    meeting = announced(body)
    meeting.title, meeting.title_cy = "Budget meeting", "Cyfarfod y gyllideb"
    meeting.end_time = datetime.time(12, 30)
    meeting.save()
    body.time_style = "12h"
    body.save()
    agenda_publish(meeting=meeting, by=approver)
    home = client.get("/cy/").content.decode()
    assert "Bwrdd Perfformiad Plismona: Dydd Gwener 13 Mawrth 2099, 10.00am" in home
    assert "Cyfarfod y gyllideb" in home
    assert "Budget meeting" not in home
    page = client.get(f"/cy/meetings/{meeting.pk}/").content.decode()
    assert "<dd>10.00am–12.30pm</dd>" in page
    english = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert "<dd>10.00am–12.30pm</dd>" in english
    pack = pdf_text(client.get(f"/meetings/{meeting.pk}/agenda-pack-v1.pdf").content)
    assert "10.00am–12.30pm" in pack


def test_a_meeting_published_only_in_english_is_listed_as_english_on_welsh_pages(client):
    """The Welsh board page listed "30 November 2018" (a publication with no Welsh title) as if
    it were Welsh: a screen reader read it with Welsh pronunciation."""
    from minutes.services import meeting_publish

    meeting = MeetingFactory(held_on=datetime.date(2018, 11, 30), board__slug="spb")
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    page = client.get("/cy/boards/spb/").content.decode()
    assert '<span lang="en">30 November 2018</span>' in page
    english = client.get("/en/boards/spb/").content.decode()
    assert "30 November 2018</a>" in english
