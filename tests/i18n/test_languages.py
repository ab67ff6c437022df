"""Which language a page is in: the address for public pages, the visitor's choice elsewhere,
kept on a signed-in user's profile; old addresses redirect; lang tells the truth."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minutes.services import meeting_publish
from scrutiny.models import Profile
from tests.conftest import PASSWORD
from tests.factories import AgendaItemFactory, BoardFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def listed_board(**kwargs):
    """A board the public sees: it has announced a meeting."""
    board = BoardFactory(**kwargs)
    MeetingFactory(board=board, announced_at=timezone.now())
    return board


def test_public_pages_are_under_en_and_cy(client):
    english = client.get("/en/")
    welsh = client.get("/cy/")
    assert '<html lang="en">' in english.content.decode()
    assert "Boards and minutes" in english.content.decode()
    assert '<html lang="cy">' in welsh.content.decode()
    assert "Byrddau a chofnodion" in welsh.content.decode()
    assert welsh["Content-Language"] == "cy"


def test_an_old_address_redirects_to_the_visitors_language(client):
    board = listed_board(slug="ppb")
    response = client.get("/boards/ppb/")
    assert response.status_code == 302
    assert response["Location"] == "/en/boards/ppb/"
    welsh_browser = client.get("/boards/ppb/", headers={"accept-language": "cy"})
    assert welsh_browser["Location"] == "/cy/boards/ppb/"
    assert client.get(welsh_browser["Location"]).status_code == 200
    assert board.name in client.get("/cy/boards/ppb/").content.decode()


def test_every_page_links_its_other_language_and_the_switcher_keeps_the_page(client):
    listed_board(slug="ppb")
    page = client.get("/en/boards/ppb/").content.decode()
    assert 'hreflang="cy" href="http://testserver/cy/boards/ppb/"' in page
    assert 'hreflang="en" href="http://testserver/en/boards/ppb/"' in page
    assert '<a href="/cy/boards/ppb/" hreflang="cy" lang="cy"' in page
    switched = client.post("/i18n/setlang/", {"language": "cy", "next": "/en/boards/ppb/"})
    assert switched.status_code == 302
    assert switched["Location"] == "/cy/boards/ppb/"


@pytest.mark.parametrize("path", ["/en/", "/en/boards/ppb/", "meeting"])
def test_every_visitor_of_a_cached_page_can_switch_language(path):
    """A cached public page carries nothing of its first visitor (no CSRF token): a second
    visitor, with no cookie at all, switches to Welsh from it."""
    board = listed_board(slug="ppb", name="Policing Board", name_cy="Bwrdd Plismona")
    if path == "meeting":
        meeting = MeetingFactory(board=board, held_on=datetime.date(2020, 1, 1))
        AgendaItemFactory(meeting=meeting)
        meeting_publish(meeting=meeting, by=None, check_permission=False)
        path = meeting.get_absolute_url()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    assert first.get(path).status_code == 200
    page = second.get(path).content.decode()
    assert "csrfmiddlewaretoken" not in page
    link = re.search(r'<a href="([^"]+)" hreflang="cy" lang="cy" class="[^"]*language-choice', page)
    welsh = second.get(link[1])
    assert welsh.status_code == 200
    assert '<html lang="cy">' in welsh.content.decode()


def test_a_signed_in_users_choice_is_kept_and_applied_at_the_next_sign_in(client, clerk):
    client.force_login(clerk)
    assert '<html lang="en">' in client.get("/actions/").content.decode()
    client.post("/i18n/setlang/", {"language": "cy", "next": "/actions/"})
    assert Profile.objects.get(user=clerk).language == "cy"
    page = client.get("/actions/").content.decode()
    assert '<html lang="cy">' in page
    assert "Cofrestr camau gweithredu" in page

    client.logout()
    client.cookies.clear()
    response = client.post(
        reverse("login"), {"username": clerk.username, "password": PASSWORD}, follow=True
    )
    assert '<html lang="cy">' in response.content.decode()
    assert "Cofrestr camau gweithredu" in response.content.decode()


def test_the_switcher_on_a_staff_page_keeps_the_address(client, clerk):
    client.force_login(clerk)
    response = client.post("/i18n/setlang/", {"language": "cy", "next": "/actions/?q=PPB"})
    assert response["Location"] == "/actions/?q=PPB"
    page = client.get("/actions/").content.decode()
    assert 'rel="alternate"' not in page  # only public pages have addresses per language


def test_an_error_page_does_not_echo_the_address(client):
    page = client.get("/cy/boards/<script>x</script>/").content.decode()
    assert "<script>x" not in page
    assert '<html lang="cy">' in page
    assert "Heb ddod o hyd i'r dudalen" in page
