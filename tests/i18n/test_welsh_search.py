"""The Welsh passages of published minutes stored for search carry the Welsh item and paper
titles where they exist, and a Welsh reader's results name the board and meeting in Welsh."""

from io import StringIO

import pytest
from django.core.management import call_command

from meetings.models import AgendaItem, Meeting, Paper, PublishedText
from minutes.services import meeting_approve, meeting_publish
from tests.i18n.test_bilingual import BILINGUAL

pytestmark = pytest.mark.django_db  # the passages come from the content, not the PDFs


@pytest.fixture
def published(clerk, approver):
    call_command("import_meeting", str(BILINGUAL), stdout=StringIO())
    meeting = Meeting.objects.select_related("board__body").get()
    Paper.objects.create(
        item=AgendaItem.objects.get(title="Hate Crime"),
        title="Hate crime research report",
        title_cy="Adroddiad ymchwil troseddau casineb",
        author="Swansea University",
    )
    meeting.created_by = clerk
    meeting.status = Meeting.Status.DRAFT
    meeting.save()
    meeting_approve(meeting=meeting, by=approver)
    return meeting_publish(meeting=meeting, by=approver)


def test_welsh_passages_take_the_welsh_item_and_paper_titles(published):
    welsh = published.texts.filter(language="cy")
    items = set(welsh.filter(kind=PublishedText.Kind.ITEM).values_list("title", flat=True))
    assert "Troseddau Casineb" in items
    assert "Hate Crime" not in items
    papers = welsh.filter(kind=PublishedText.Kind.PAPER)
    assert list(papers.values_list("title", flat=True)) == ["Adroddiad ymchwil troseddau casineb"]
    questions = welsh.filter(kind=PublishedText.Kind.QUESTION).values_list("title", flat=True)
    assert "Hate Crime" not in set(questions)
    # An untranslated text is not stored twice: the Welsh passage of an English-only text
    # would be the English one again.
    english = set(published.texts.filter(language="en").values_list("text", flat=True))
    assert not english & set(welsh.exclude(text="").values_list("text", flat=True))


def test_the_welsh_reader_finds_the_welsh_titles(client, published):
    page = client.get("/cy/search/", {"q": "ymchwil"}).content.decode()
    assert "Adroddiad ymchwil troseddau casineb" in page
    assert "Bwrdd Perfformiad Plismona" in page  # the board, named in Welsh
    assert "Policing Performance Board" not in page.split('class="search-results', 1)[1]
