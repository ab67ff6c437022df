"""The API and the feeds in Welsh: `?lang=cy` (or Accept-Language: cy) answers with the Welsh
twins, falling back to English per text and saying which language each text is in, and links
the Welsh documents and agenda pack; the Atom and iCalendar feeds have Welsh variants, linked
from the Welsh pages."""

import json
import xml.etree.ElementTree as ET
from io import StringIO

import icalendar
import pytest
from django.core.management import call_command
from django.urls import reverse

from meetings.models import Meeting
from minutes.services import agenda_publish, meeting_approve, meeting_publish
from tests.i18n.test_bilingual import BILINGUAL
from tests.i18n.test_welsh_agenda import announced
from tests.i18n.test_welsh_agenda import body as body  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, response.content
    return response


@pytest.fixture
def agenda_meeting(body, approver):  # noqa: F811
    meeting = announced(body)
    meeting.venue_cy = "Pencadlys yr Heddlu"
    meeting.save()
    agenda_publish(meeting=meeting, by=approver)
    return meeting


@pytest.fixture
def published(clerk, approver):
    call_command("import_meeting", str(BILINGUAL), stdout=StringIO())
    meeting = Meeting.objects.select_related("board__body").get()
    meeting.created_by = clerk
    meeting.status = Meeting.Status.DRAFT
    meeting.save()
    meeting_approve(meeting=meeting, by=approver)
    meeting_publish(meeting=meeting, by=approver)
    return meeting


def test_the_api_answers_in_welsh_with_the_welsh_agenda_and_pack(client, agenda_meeting):
    url = reverse("minutes:api-meeting-detail", args=[agenda_meeting.pk])
    welsh = get(client, url + "?lang=cy")
    assert welsh["Content-Language"] == "cy"
    data = welsh.json()
    assert data["language"] == "cy"
    assert data["name"] == "13 Mawrth 2099"
    assert data["location"]["description"] == "Pencadlys yr Heddlu"
    items = data["agenda"]["agendaItem"]
    hate, quality, exempt = items
    assert hate["name"] == "Troseddau Casineb"
    assert hate["textLanguage"] == {"name": "cy"}
    assert quality["name"] == "Data Quality"
    assert quality["textLanguage"] == {"name": "en"}  # no Welsh: the English, said so
    assert exempt["exemptReason"] == "Masnachol sensitif"
    [paper] = hate["papers"]
    assert (paper["name"], paper["textLanguage"]) == ("Adroddiad troseddau casineb", {"name": "cy"})
    packs = {f["language"]: f for f in data["agenda"]["auxiliaryFile"]}
    assert set(packs) == {"cy", "en"}
    assert packs["cy"]["accessUrl"].endswith(f"/meetings/{agenda_meeting.pk}/agenda-pack-v1.cy.pdf")
    assert get(client, packs["cy"]["accessUrl"])["Content-Type"] == "application/pdf"
    assert data["agenda"]["auxiliaryFile"][0]["language"] == "cy"  # the Welsh first
    text = json.dumps(data, ensure_ascii=False)
    for secret in ("Llandeilo", "Exempt annex", "Atodiad eithriedig", "Hate Crime"):
        assert secret not in text

    # The same by Accept-Language; the English as before, each text said to be English.
    assert get(client, url, HTTP_ACCEPT_LANGUAGE="cy").json() == data
    english = get(client, url).json()
    assert english["language"] == "en"
    assert english["agenda"]["agendaItem"][0]["name"] == "Hate Crime"
    assert english["location"]["description"] == "Police Headquarters"
    assert english["agenda"]["auxiliaryFile"][0]["language"] == "en"
    # The lists too, and their pages keep the language.
    listed = get(client, reverse("minutes:api-forthcoming-list") + "?lang=cy").json()
    assert listed["data"][0]["agenda"] == data["agenda"]
    assert "lang=cy" in listed["links"]["first"]
    assert client.get(url + "?lang=xx").status_code == 400


def test_the_api_gives_the_welsh_minutes_and_documents(client, published):
    url = reverse("minutes:api-meeting-detail", args=[published.pk])
    data = get(client, url + "?lang=cy").json()
    assert data["name"] == "13 Mawrth 2014"
    names = [item["name"] for item in data["agendaItem"]]
    assert "Troseddau Casineb" in names
    assert "Hate Crime" not in json.dumps(data, ensure_ascii=False)
    files = data["auxiliaryFile"]
    assert [f["language"] for f in files] == ["cy", "en"]
    assert files[0]["accessUrl"].endswith("/v1/minutes.cy.pdf")
    english = get(client, url).json()
    english_names = [item["name"] for item in english["agendaItem"]]
    assert "Hate Crime" in english_names
    assert "Troseddau Casineb" not in english_names  # the Welsh passages are not items
    assert len(english_names) == len(names)
    board = get(client, reverse("minutes:api-board-list") + "?lang=cy").json()["data"][0]
    assert board["name"] == "Bwrdd Perfformiad Plismona"
    assert board["body"] == "Comisiynydd Heddlu a Throseddu Dyfed-Powys"


def test_the_atom_feeds_have_welsh_variants_linked_from_the_welsh_pages(client, published):
    slug = published.board.slug
    welsh_page = get(client, f"/cy/boards/{slug}/").content.decode()
    feed_url = reverse("minutes:board-feed-language", args=[slug, "cy"])
    assert f'href="{feed_url}"' in welsh_page
    assert '<link rel="alternate" type="application/atom+xml" hreflang="cy"' in welsh_page
    feed = ET.fromstring(get(client, feed_url).content)
    assert feed.get(XML_LANG) == "cy"
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.get(XML_LANG) == "cy"
    assert "Bwrdd Perfformiad Plismona" in entry.find(f"{ATOM}title").text
    assert "13 Mawrth 2014" in entry.find(f"{ATOM}title").text
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/cy/meetings/{published.pk}/#v1")
    english = ET.fromstring(get(client, f"/boards/{slug}/feed.atom").content)
    assert english.find(f"{ATOM}entry").get(XML_LANG) == "en"
    assert "Policing Performance Board" in english.find(f"{ATOM}entry/{ATOM}title").text
    body = published.board.body
    body.slug = "dyfed-powys"
    body.save()
    body_feed = reverse("minutes:body-feed-language", args=[body.slug, "cy"])
    assert f'href="{body_feed}"' in get(client, "/cy/dyfed-powys/").content.decode()
    assert ET.fromstring(get(client, body_feed).content).get(XML_LANG) == "cy"


def test_the_calendar_has_a_welsh_variant(client, agenda_meeting):
    url = reverse("minutes:board-calendar-language", args=["ppb", "cy"])
    assert f'href="{url}"' in get(client, "/cy/boards/ppb/").content.decode()
    [event] = icalendar.Calendar.from_ical(get(client, url).content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Bwrdd Perfformiad Plismona"
    assert event["SUMMARY"].params["LANGUAGE"] == "cy"
    assert str(event["LOCATION"]) == "Pencadlys yr Heddlu"
    assert event["LOCATION"].params["LANGUAGE"] == "cy"
    assert event["URL"].endswith(f"/cy/meetings/{agenda_meeting.pk}/")
    agenda_meeting.venue_cy = ""
    agenda_meeting.save()
    [event] = icalendar.Calendar.from_ical(get(client, url).content).walk("VEVENT")
    assert str(event["LOCATION"]) == "Police Headquarters"
    assert event["LOCATION"].params["LANGUAGE"] == "en"
    english = reverse("minutes:board-calendar", args=["ppb"])
    [event] = icalendar.Calendar.from_ical(get(client, english).content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Policing Performance Board"
    assert event["SUMMARY"].params["LANGUAGE"] == "en"
    unknown = reverse("minutes:calendar-language", args=["xx"])
    assert client.get(unknown, follow=True).status_code == 404
