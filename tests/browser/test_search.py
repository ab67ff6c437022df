"""A visitor searches the published minutes in a real browser, at desktop and phone widths."""

import pytest

from meetings.models import Paper
from minutes.services import meeting_publish
from tests.factories import AgendaItemFactory, MeetingFactory, QuestionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published():
    meeting = MeetingFactory(board__name="Police Performance Board")
    item = AgendaItemFactory(
        meeting=meeting,
        number="3",
        title="Neighbourhood Policing",
        minutes="The board discussed burglaries in Newport and the response times of patrols.",
    )
    Paper.objects.create(item=item, title="Report on burglaries in Newport", author="ACC")
    QuestionFactory(item=item, question="How are burglaries followed up?", response="By CID.")
    AgendaItemFactory(
        meeting=meeting,
        number="4",
        title="Estates",
        minutes="Private burglaries of the headquarters.",
        exempt=True,
        exempt_reason="Exempt under paragraph 3",
    )
    meeting_publish(meeting=meeting, by=None, check_permission=False)
    return meeting


@pytest.mark.parametrize("width", [1280, 390])
def test_a_visitor_searches_and_opens_the_minutes(page, published, screenshot, axe, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    page.get_by_role("link", name="Search").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Search", exact=True).is_visible()
    assert axe(page) == []
    page.get_by_label("Search for").fill("burglaries")
    page.get_by_label("Search for").press("Enter")
    page.wait_for_load_state()
    results = page.locator(".search-result")
    assert results.count() == 3  # the item, its question and the paper, never the exempt one
    assert page.locator(".search-result mark").first.inner_text().lower().startswith("burglar")
    assert "headquarters" not in page.content()
    screenshot(f"search-results-{width}")
    assert axe(page) == []
    results.first.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Neighbourhood Policing").is_visible()
