"""Canaries for search: nothing exempt, restricted, draft, unpublished or withdrawn is found by
anyone who may not see it (the planted site of tests/meetings/test_canaries.py)."""

import pytest
from django.urls import reverse

from tests.meetings.test_canaries import site  # noqa: F401 - the planted site, a fixture

pytestmark = pytest.mark.django_db

SEARCH = reverse("minutes:search")


def results(client, query):
    """The results part of the search page: after the form, which repeats the query."""
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    return response.content.decode().split('id="search-help"', 1)[1]


# What staff search in the live record: items, papers, questions and the register.
FOUND_BY_STAFF = {
    "restricted response",
    "exempt item minutes",
    "exempt item paper",
    "exempt item question",
    "exempt item response",
    "action raised under an exempt item",
    "sub-item title of an exempt item",
    "sub-item minutes of an exempt item",
    "action under a sub-item of an exempt item",
    "action four levels under an exempt item",
    "exempt title on a board that hides them",
    "draft item title",
    "draft minutes",
    "action of a draft meeting",
    "approved minutes",
    "action of an approved meeting",
    "minutes changed in a correction",
    "action text changed in a correction",
    "action added in a correction",
    "withdrawn minutes",
    "action of a withdrawn meeting",
}


@pytest.fixture(params=["anonymous", "force_lead"])
def visitor(request, client):
    if request.param == "force_lead":
        client.force_login(request.getfixturevalue("force_lead"))
    return client


def test_search_finds_no_canary_for_the_public(visitor, site):  # noqa: F811
    # The search works on this site: public text is found.
    assert "Budget Bid" in results(visitor, "budget discussed")
    leaks = []
    for label, (value, _meeting) in site.canaries.items():
        page = results(visitor, value)
        leaks += [(label, found) for found in site.found_in(page)]
        assert "0 results" in page, label
    # Nor by a query for the words around them.
    for words in ("Exempt", "paragraph", "stop search ratio", "progress", "private"):
        page = results(visitor, words)
        leaks += [(words, found) for found in site.found_in(page)]
    assert leaks == []


def test_staff_find_the_canaries_of_the_full_record(client, approver, site):  # noqa: F811
    client.force_login(approver)
    missing = [
        label
        for label in FOUND_BY_STAFF
        if label not in site.found_in(results(client, site.canaries[label][0]))
    ]
    assert missing == []
