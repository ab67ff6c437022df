"""What the benchmarks do to a database before measuring it (benchmarks/common.py)."""

import sys

import pytest
from django.conf import settings

from meetings.models import PublishedText
from minutes.services import meeting_publish
from tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def common():
    sys.path.insert(0, str(settings.BASE_DIR / "benchmarks"))
    try:
        import common

        yield common
    finally:
        sys.path.remove(str(settings.BASE_DIR / "benchmarks"))


def test_the_search_benchmark_gives_publications_without_passages_theirs(common):
    """A database generated before site search stored passages has none: the visitors' search
    benchmark measured an empty index. The publications without any are given the passages
    publication stores; those with some are left as they are."""
    searched = MeetingFactory()
    AgendaItemFactory(meeting=searched, title="Body Worn Video", minutes="Cameras were agreed.")
    meeting_publish(meeting=searched, by=None, check_permission=False)
    kept = MeetingFactory()
    AgendaItemFactory(meeting=kept, title="Estates", minutes="The old station was sold.")
    meeting_publish(meeting=kept, by=None, check_permission=False)
    stored = sorted(
        PublishedText.objects.filter(publication__meeting=searched).values_list("kind", "text")
    )
    kept_rows = set(PublishedText.objects.filter(publication__meeting=kept).values_list("pk"))
    # As on a database generated before passages were stored (they are never deleted else).
    PublishedText.objects.filter(publication__meeting=searched)._raw_delete("default")

    assert common.ensure_search_passages() == 1
    again = PublishedText.objects.filter(publication__meeting=searched).values_list("kind", "text")
    assert sorted(again) == stored
    assert any("Cameras were agreed." in text for _kind, text in again)
    assert set(PublishedText.objects.filter(publication__meeting=kept).values_list("pk")) == (
        kept_rows
    )
    assert common.ensure_search_passages() == 0
