"""Search: the public finds the published record as published; staff find the full record."""

import pytest
from django.db import connection
from django.urls import reverse

from meetings.models import Paper, PublishedText
from meetings.services import meeting_start_correction
from minutes.search import search_vector
from minutes.services import meeting_publish
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    MeetingFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("minutes:search")


def publish(meeting, note=""):
    return meeting_publish(meeting=meeting, by=None, check_permission=False, note=note)


def results_page(client, query):
    """The results part of the search page: after the form, which repeats the query."""
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    return page.split('id="search-help"', 1)[1].split("</main>", 1)[0]


@pytest.fixture
def published():
    meeting = MeetingFactory(board__name="Police Performance Board", board__action_prefix="PPB")
    item = AgendaItemFactory(
        meeting=meeting,
        number="3",
        title="Neighbourhood Policing",
        minutes="The board discussed burglaries in Newport and the response times of patrols.",
    )
    Paper.objects.create(item=item, title="Outturn Report 2018/19", author="CFO")
    QuestionFactory(
        item=item, question="How many officers attend burglaries?", response="Every one is seen."
    )
    action = ActionFactory(
        board=meeting.board,
        number=60,
        text="Circulate the burglary dashboard to members",
        raised_at_meeting=meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action)
    publish(meeting)
    return meeting


def test_a_visitor_finds_minutes_questions_papers_and_actions(client, published):
    page = results_page(client, "burglaries")
    assert "Neighbourhood Policing" in page
    assert "Question</p>" in page or "Question ·" in page
    assert published.get_absolute_url() in page
    assert "<mark>" in page  # the words found are highlighted
    assert "Outturn Report 2018/19" in results_page(client, "outturn")
    page = results_page(client, "dashboard")
    assert "PPB 60" in page
    assert reverse("minutes:board-actions", kwargs={"slug": published.board.slug}) in page


def test_every_word_must_match(client, published):
    assert "1 result" in results_page(client, "officers burglaries")
    assert "0 results" in results_page(client, "burglaries giraffe")
    assert "Nothing matches" in results_page(client, "giraffe")


def test_an_empty_or_huge_query_is_harmless(client, published):
    assert "result" not in results_page(client, "   ")
    assert "harmless" not in results_page(client, '"harmless" -- ( ) & | ! : * <> or and')
    assert results_page(client, "burglar " * 10_000)  # cut to 200 characters


def test_the_public_find_the_latest_version_as_published(client, published):
    item = published.items.get()
    item.minutes = "The board revisited the matter of vandalism."
    item.save()
    meeting_start_correction(meeting=published)
    # Until the correction is published, the public still find version 1, and only it.
    assert "0 results" in results_page(client, "vandalism")
    assert "Neighbourhood Policing" in results_page(client, "Newport")
    published.refresh_from_db()
    publish(published, note="Minute 3 corrected")
    assert "Neighbourhood Policing" in results_page(client, "vandalism")
    assert "0 results" in results_page(client, "Newport")


def test_hostile_text_is_shown_as_text(client):
    meeting = MeetingFactory()
    AgendaItemFactory(
        meeting=meeting, title="Hostile", minutes="<script>alert('x')</script> zebra {{ secret }}"
    )
    publish(meeting)
    page = results_page(client, "zebra")
    assert "<script>alert" not in page
    assert "<mark>zebra</mark>" in page
    # PostgreSQL's snippet drops what looks like a tag; SQLite's shows it escaped.
    assert "&lt;script&gt;" in page or "alert(&#x27;x&#x27;)" in page


def test_staff_find_drafts_and_the_register(client, member, published):
    draft = MeetingFactory(board=published.board)
    AgendaItemFactory(meeting=draft, title="Draft item", minutes="Unpublished pangolin text.")
    client.force_login(member)
    page = results_page(client, "pangolin")
    assert "Draft item" in page
    assert "(Draft)" in page
    assert "PPB 60" in results_page(client, "dashboard")
    assert "The full record" in client.get(SEARCH).content.decode()


def test_welsh_text_is_found_word_for_word(client, published):
    publication = published.publications.get()
    PublishedText.objects.create(
        publication=publication,
        kind=PublishedText.Kind.ITEM,
        number="3",
        title="Plismona yn y gymdogaeth",
        text="Trafododd y bwrdd fyrgleriaethau yng Nghasnewydd.",
        language="cy",
    )
    assert "Plismona yn y gymdogaeth" in results_page(client, "Nghasnewydd")


@pytest.mark.postgres
def test_public_search_uses_the_gin_index(require_postgres, published):
    from django.contrib.postgres.search import SearchQuery

    for language, config in (("en", "english"), ("cy", "simple")):
        tsquery = SearchQuery("burglaries", search_type="websearch", config=config)
        # The passages alone: on a table this small the planner may start from the publication
        # instead; what matters is that the search expression is the indexed one.
        queryset = (
            PublishedText.objects.filter(language=language)
            .annotate(search=search_vector(config))
            .filter(search=tsquery)
        )
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            plan = queryset.explain()
            cursor.execute("SET enable_seqscan = on")
        assert f"publishedtext_search_{language}" in plan


def test_a_published_agenda_is_found_before_the_meeting(client, approver):
    from minutes.services import agenda_publish, agenda_withdraw

    meeting = MeetingFactory(board__name="Police Performance Board")
    item = AgendaItemFactory(meeting=meeting, number="5", title="Hate Crime Monitoring", minutes="")
    Paper.objects.create(item=item, title="Hate Crime Monitoring Report", author="ACC")
    Paper.objects.create(item=item, title="Secret annex on informants", exempt=True)
    private = AgendaItemFactory(
        meeting=meeting,
        number="6",
        title="Informants",
        minutes="",
        exempt=True,
        exempt_reason="Exempt under paragraph 7",
    )
    Paper.objects.create(item=private, title="Informant handling review")
    meeting.board.public_exempt_titles = False
    meeting.board.save()
    agenda_publish(meeting=meeting, by=approver)
    page = results_page(client, "hate crime")
    assert "5 Hate Crime Monitoring" in page
    assert "Hate Crime Monitoring Report" in page
    assert "agenda of" in page
    assert "0 results" in results_page(client, "informants")
    assert "0 results" in results_page(client, "informant")
    agenda_withdraw(meeting=meeting, by=approver)
    assert "0 results" in results_page(client, "hate crime")
