"""Search: the public finds the published record as published; staff find the full record."""

import pytest
from django.db import connection
from django.urls import reverse

from meetings.models import Paper, PublishedText
from meetings.services import meeting_start_correction
from minutes import search
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
def test_every_search_finds_its_matches_through_a_gin_index(require_postgres, published):
    """The public's passages and agendas, and staff's items, papers, questions, responses and
    actions: each source's query reads its stored vector's GIN index."""
    sources = search._public_sources() + search._staff_sources(register=True)
    assert len(sources) == 9
    with connection.cursor() as cursor:
        # On tables this small the planner would rather read them whole, or walk them in the
        # order of another index (publication_id) for a nested loop or merge join, filtering as
        # it goes. Left with hash joins and bitmap scans, a table is read through the index
        # that answers its own condition, which is what this checks exists and fits the query.
        settings = ("enable_seqscan", "enable_indexscan", "enable_nestloop", "enable_mergejoin")
        for setting in settings:
            cursor.execute(f"SET {setting} = off")
        try:
            for source in sources:
                model = source.queryset.model
                plan = source.matching("burglaries").explain()
                assert f"{model._meta.db_table}_{source.column}" in plan, plan
        finally:
            for setting in settings:
                cursor.execute(f"RESET {setting}")


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


def _passages(count: int, *, board, word: str = "budget") -> None:
    """`count` published meetings of 5 passages each that all hold `word`, stored as
    publication stores them, plus a live agenda that holds it too."""
    from django.utils import timezone

    from meetings.models import AgendaPublication, Publication
    from minutes.models import AgendaText
    from minutes.search import agenda_texts

    for _ in range(count):
        meeting = MeetingFactory(board=board, status="published")
        publication = Publication.objects.create(
            meeting=meeting, version=1, published_at=timezone.now(), minutes_html="", title="x"
        )
        PublishedText.objects.bulk_create(
            PublishedText(
                publication=publication,
                kind=PublishedText.Kind.ITEM,
                position=n,
                number=str(n),
                title=f"Item {n}",
                text=f"The board discussed the {word} at length.",
            )
            for n in range(5)
        )
    agenda = AgendaPublication.objects.create(
        meeting=MeetingFactory(board=board),
        version=1,
        published_at=timezone.now(),
        items=[{"number": "1", "title": f"The {word}", "reason": "", "papers": []}],
    )
    AgendaText.objects.bulk_create(agenda_texts(agenda))


@pytest.mark.parametrize("page", [1, 2])
def test_a_common_word_costs_the_same_queries_however_much_matches(
    client, page, django_assert_max_num_queries
):
    """Ranked ids first, then the page's rows and snippets: a constant number of queries."""
    from tests.factories import BoardFactory

    board = BoardFactory()
    _passages(6, board=board)  # 31 matches: two pages
    with django_assert_max_num_queries(8) as few:
        response = client.get(SEARCH, {"q": "budget", "page": page})
    assert "31 results" in response.content.decode()
    _passages(24, board=board)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(SEARCH, {"q": "budget", "page": page})
    assert "152 results" in response.content.decode()
    assert response.content.decode().count('<li class="search-result') == 20


def test_staff_search_costs_the_same_queries_however_much_matches(
    client, member, django_assert_max_num_queries
):
    client.force_login(member)
    meeting = MeetingFactory()

    def add(count):
        for _ in range(count):
            item = AgendaItemFactory(meeting=meeting, title="Budget", minutes="The budget.")
            QuestionFactory(item=item, question="Budget?", response="Budget.")
            Paper.objects.create(item=item, title="Budget report", author="CFO")

    add(3)
    with django_assert_max_num_queries(20) as few:
        assert client.get(SEARCH, {"q": "budget"}).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(SEARCH, {"q": "budget"}).status_code == 200


def test_the_second_page_shows_the_next_results_with_their_snippets(client):
    from tests.factories import BoardFactory

    _passages(6, board=BoardFactory())
    first = results_page(client, "budget")
    second = client.get(SEARCH, {"q": "budget", "page": 2}).content.decode()
    assert first.count("<mark>budget</mark>") == 20
    assert second.count("<mark>budget</mark>") == 11
    assert "Page 2 of 2" in second


@pytest.fixture
def agenda_in_two_languages(approver):
    """A published agenda, with the Welsh twin of an item's title as a bilingual agenda stores
    it ("title_cy")."""
    from django.utils import timezone

    from meetings.models import AgendaPublication
    from minutes.models import AgendaText
    from minutes.search import agenda_texts
    from minutes.services import agenda_publish

    meeting = MeetingFactory(board__name="Police Performance Board")
    AgendaItemFactory(meeting=meeting, number="4", title="Domestic abuse reports", minutes="")
    agenda_publish(meeting=meeting, by=approver)
    welsh = AgendaPublication.objects.create(
        meeting=MeetingFactory(board=meeting.board),
        version=1,
        published_at=timezone.now(),
        items=[
            {
                "number": "2",
                "title": "Violence at home",
                "title_cy": "Trais yn y cartref",
                "reason": "",
                "papers": [{"title": "Report", "title_cy": "Adroddiad heddweision"}],
            }
        ],
    )
    AgendaText.objects.bulk_create(agenda_texts(welsh))
    return meeting


def test_an_agendas_welsh_text_is_found(client, agenda_in_two_languages):
    assert "2 Trais yn y cartref" in results_page(client, "cartref")
    assert "Adroddiad heddweision" in results_page(client, "heddweision")
    assert "4 Domestic abuse reports" in results_page(client, "abuse reports")


@pytest.mark.postgres
def test_agendas_are_searched_with_stemming_in_english_and_word_for_word_in_welsh(
    require_postgres, client, agenda_in_two_languages
):
    """Agendas were matched word by word in Python: "reported" did not find "reports"."""
    assert "4 Domestic abuse reports" in results_page(client, "reported abuse")
    # English stemming would read "trais" (violence) as "trai" (ebb), and "heddweision"
    # (police officers) as "heddweis": Welsh is read as written.
    assert "0 results" in results_page(client, "trai")
    assert "0 results" in results_page(client, "heddweis")
    assert "2 Trais yn y cartref" in results_page(client, "trais")


def test_every_match_is_counted_and_can_be_paged_to(client):
    """A common word said "200 results" however many matched, and the 201st was out of reach."""
    from tests.factories import BoardFactory

    _passages(50, board=BoardFactory())  # 250 published passages and an agenda's: 251
    first = client.get(SEARCH, {"q": "budget"}).content.decode()
    assert "251 results" in first
    assert "the best matches only" not in first
    assert "Page 1 of 13" in first
    last = client.get(SEARCH, {"q": "budget", "page": 13}).content.decode()
    assert "Page 13 of 13" in last
    assert last.count('<li class="search-result') == 11
    assert 'start="241"' in last
    seen = set()
    for page in range(1, 14):
        html = client.get(SEARCH, {"q": "budget", "page": page}).content.decode()
        seen.update(html.split('<li class="search-result')[1:])
    assert len(seen) == 251  # every match once, none twice


def test_the_best_results_are_listed_and_no_page_ranks_beyond_them(client, monkeypatch):
    """A page far down (or asked for beyond the end) ranked every match of a common word again
    (179,000 at 120,000 actions: over a second). The best MAX_RESULTS are listed, the count says
    how many match, and a page past them shows the last page listed."""
    from minutes import search
    from tests.factories import BoardFactory

    monkeypatch.setattr(search, "MAX_RESULTS", 40)
    monkeypatch.setattr(search, "FIRST_DEPTH", 20)
    ranked_to = []
    ranked = search.Source.ranked

    def spy(source, query, depth):
        ranked_to.append(depth)
        return ranked(source, query, depth)

    monkeypatch.setattr(search.Source, "ranked", spy)
    _passages(12, board=BoardFactory())  # 61 matches
    first = client.get(SEARCH, {"q": "budget"}).content.decode()
    assert "61 results" in first
    assert "The best 40 are listed: add words to narrow the search." in first
    assert "Page 1 of 2" in first
    for page in (2, 3, 999999):
        ranked_to.clear()
        html = client.get(SEARCH, {"q": "budget", "page": page}).content.decode()
        assert "Page 2 of 2" in html
        assert html.count('<li class="search-result') == 20
        assert ranked_to
        assert max(ranked_to) <= 40  # ranked to the page asked for, never beyond the best 40


def test_a_large_count_is_written_with_thousands_separated(rf):
    """ "179009 results" read as one run of digits beside "The best 1,000 are listed"."""
    from django.template.loader import render_to_string

    html = render_to_string(
        "meetings/search.html",
        {"query": "plan", "count": 179009, "listed": 1000, "results": []},
        request=rf.get("/en/search/"),
    )
    assert "179,009 results" in html
    assert "The best 1,000 are listed" in html
