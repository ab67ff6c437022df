"""The read-only JSON API: what is published, as published, paginated; nothing else."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from meetings.models import Paper
from meetings.services import meeting_start_correction
from minutes import api
from minutes.services import meeting_publish, meeting_withdraw
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    QuestionFactory,
)
from tests.meetings.test_canaries import site  # noqa: F401 - the planted site, a fixture

pytestmark = pytest.mark.django_db

INDEX = reverse("minutes:api-index")


def publish(meeting, note=""):
    return meeting_publish(meeting=meeting, by=None, check_permission=False, note=note)


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def published():
    meeting = MeetingFactory(board__name="Police Performance Board", board__slug="ppb")
    item = AgendaItemFactory(
        meeting=meeting, number="3", title="Neighbourhood Policing", minutes="Burglaries fell."
    )
    Paper.objects.create(item=item, title="Outturn Report", author="CFO")
    QuestionFactory(item=item, question="How many officers?", response="1,342 officers.")
    QuestionFactory(item=item, question="Stop search?", response="Secret answer", restricted=True)
    action = ActionFactory(
        board=meeting.board,
        number=60,
        text="Circulate the dashboard",
        raised_at_meeting=meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action)
    publish(meeting)
    return meeting


def test_the_index_leads_to_boards_and_meetings(client, published):
    index = get(client, INDEX)
    assert index["apiVersion"] == "1"
    boards = get(client, index["boards"])
    assert [b["name"] for b in boards["data"]] == ["Police Performance Board"]
    assert boards["pagination"]["totalElements"] == 1
    board = get(client, boards["data"][0]["id"])
    meetings = get(client, board["meetings"])
    assert [m["name"] for m in meetings["data"]] == [published.publications.get().title]
    assert meetings["data"][0]["date"] == published.held_on.isoformat()
    actions = get(client, board["actions"])
    assert actions["data"][0]["ref"] == action_ref(published)
    assert actions["data"][0]["text"] == "Circulate the dashboard"
    assert actions["data"][0]["status"] == "open"


def action_ref(meeting):
    return f"{meeting.board.action_prefix} 60"


def test_a_meeting_is_shown_as_published(client, published):
    meeting = get(client, reverse("minutes:api-meeting-detail", kwargs={"pk": published.pk}))
    (item,) = meeting["agendaItem"]
    assert item["number"] == "3"
    assert item["name"] == "Neighbourhood Policing"
    assert item["minutes"] == "Burglaries fell."
    assert item["papers"] == [
        {"name": "Outturn Report", "author": "CFO", "textLanguage": {"name": "en"}}
    ]
    responses = [q["response"] for q in item["questions"]]
    assert responses[0] == "1,342 officers."
    assert "Secret answer" not in json.dumps(meeting)
    files = meeting["auxiliaryFile"]
    assert {f["name"] for f in files} == {"Minutes", "Questions and responses"}
    pdf = client.get(files[0]["accessUrl"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert int(pdf["Content-Length"]) == files[0]["size"]


def test_a_correction_shows_only_once_published(client, published):
    item = published.items.get()
    item.minutes = "Burglaries rose."
    item.save()
    meeting_start_correction(meeting=published)
    url = reverse("minutes:api-meeting-detail", kwargs={"pk": published.pk})
    assert get(client, url)["agendaItem"][0]["minutes"] == "Burglaries fell."
    published.refresh_from_db()
    publish(published, note="Minute 3 corrected")
    meeting = get(client, url)
    assert meeting["version"] == 2
    assert meeting["agendaItem"][0]["minutes"] == "Burglaries rose."
    assert meeting["earlierVersions"][0]["version"] == 1


def test_unpublished_and_withdrawn_meetings_are_not_found(client, published, approver):
    draft = MeetingFactory(board=published.board)
    get(client, reverse("minutes:api-meeting-detail", kwargs={"pk": draft.pk}), status=404)
    lonely = BoardFactory(slug="nothing-published")
    MeetingFactory(board=lonely)
    get(client, reverse("minutes:api-board-detail", kwargs={"slug": lonely.slug}), status=404)
    get(client, reverse("minutes:api-board-meetings", kwargs={"slug": lonely.slug}), status=404)
    meeting_withdraw(meeting=published, by=approver, reason="In error")
    get(client, reverse("minutes:api-meeting-detail", kwargs={"pk": published.pk}), status=404)
    assert get(client, reverse("minutes:api-meeting-list"))["data"] == []
    assert get(client, reverse("minutes:api-board-list"))["data"] == []


def test_lists_are_paginated(client, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(api, "PAGE_SIZE", 2)
    board = BoardFactory()
    for day in range(1, 4):
        meeting = MeetingFactory(board=board, held_on=datetime.date(2019, 1, day))
        publish(meeting)
    url = reverse("minutes:api-meeting-list")
    with django_assert_max_num_queries(4):
        first = get(client, url)
    assert [m["date"] for m in first["data"]] == ["2019-01-03", "2019-01-02"]
    assert first["pagination"] == {
        "totalElements": 3,
        "elementsPerPage": 2,
        "currentPage": 1,
        "totalPages": 2,
    }
    assert "prev" not in first["links"]
    second = get(client, first["links"]["next"])
    assert [m["date"] for m in second["data"]] == ["2019-01-01"]
    assert "next" not in second["links"]
    for bad in ("0", "3", "x", "-1", "%C2%B2", "99999999999999999999999"):
        error = get(client, f"{url}?page={bad}", status=400)
        assert error["error"] == "page must be a number from 1 to 2"


def test_the_api_is_read_only(client, published):
    assert client.post(INDEX).status_code == 405
    assert client.delete(reverse("minutes:api-board-list")).status_code == 405


def api_urls(value) -> list[str]:
    if isinstance(value, dict):
        return [url for v in value.values() for url in api_urls(v)]
    if isinstance(value, list):
        return [url for v in value for url in api_urls(v)]
    if isinstance(value, str) and value.startswith("http://testserver/api/"):
        return [value.removeprefix("http://testserver")]
    return []


@pytest.mark.parametrize("persona", ["anonymous", "approver"])
def test_a_crawl_of_the_api_finds_no_canary(client, site, persona, request):  # noqa: F811
    """Staff too: the API only ever shows what is published."""
    if persona == "approver":
        client.force_login(request.getfixturevalue("approver"))
    queue, seen, leaks = [INDEX], set(), []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        data = get(client, url)
        leaks += [(url, label) for label in site.found_in(json.dumps(data, ensure_ascii=False))]
        queue += api_urls(data)
    meetings = [u for u in seen if re.fullmatch(r"/api/v1/meetings/\d+/", u)]
    assert len(meetings) == len(site.live) + 1  # and the corrected one, as version 1
    assert leaks == []
    for meeting in site.unpublished.values():
        get(client, reverse("minutes:api-meeting-detail", kwargs={"pk": meeting.pk}), 404)


SOON = datetime.date(2099, 3, 2)


@pytest.fixture
def forthcoming(approver):
    """A board that withholds exempt titles announces a meeting and publishes its agenda: a
    public item with a paper (PDF) and an exempt paper, and an exempt item with a paper. It
    also announces one meeting it then cancels, and one it never publishes an agenda for."""
    from meetings.services import meeting_announce, meeting_cancel
    from minutes.services import agenda_publish, paper_attach_pdf
    from tests.factories import pdf_with_text

    board = BoardFactory(name="Joint Audit Committee", slug="jac", public_exempt_titles=False)
    meeting = meeting_announce(
        board=board,
        held_on=SOON,
        start_time=datetime.time(10, 0),
        end_time=datetime.time(12, 30),
        venue="Police Headquarters, Cwmbran",
        by=None,
    )
    item = AgendaItemFactory(meeting=meeting, number="1", title="Treasury Management", minutes="")
    paper = Paper.objects.create(item=item, title="Treasury Report", author="CFO")
    paper_attach_pdf(paper=paper, data=pdf_with_text("Treasury"), by=None)
    Paper.objects.create(item=item, title="HIDDENPAPER", exempt=True)
    private = AgendaItemFactory(
        meeting=meeting,
        number="2",
        title="HIDDENTITLE",
        exempt=True,
        exempt_reason="Schedule 12A, paragraph 3",
        minutes="",
    )
    Paper.objects.create(item=private, title="HIDDENPRIVATEPAPER")
    agenda_publish(meeting=meeting, by=approver)
    cancelled = meeting_announce(
        board=board, held_on=SOON + datetime.timedelta(days=7), start_time=None, by=None
    )
    meeting_cancel(meeting=cancelled)
    later = meeting_announce(
        board=board,
        held_on=SOON + datetime.timedelta(days=14),
        start_time=datetime.time(14, 0),
        is_public=False,
        by=None,
    )
    return meeting, cancelled, later


def test_forthcoming_meetings_are_listed_as_announced(client, forthcoming):
    meeting, cancelled, later = forthcoming
    MeetingFactory(board=meeting.board, held_on=SOON + datetime.timedelta(days=3))  # unannounced
    index = get(client, INDEX)
    listed = get(client, index["forthcoming"])["data"]
    assert [m["date"] for m in listed] == ["2099-03-02", "2099-03-09", "2099-03-16"]
    first, second, third = listed
    assert first["name"] == "2 March 2099"
    assert first["start"] == "2099-03-02T10:00:00+00:00"
    assert first["end"] == "2099-03-02T12:30:00+00:00"
    assert first["location"]["description"] == "Police Headquarters, Cwmbran"
    assert (first["public"], first["cancelled"], first["hasAgenda"]) == (True, False, True)
    assert (second["cancelled"], second["start"], second["hasAgenda"]) == (True, None, False)
    assert (third["public"], third["cancelled"]) == (False, False)
    # No end entered: the board's default length gives it, as the calendar's DTEND does.
    assert third["start"] == "2099-03-16T14:00:00+00:00"
    assert third["end"] == "2099-03-16T16:00:00+00:00"
    assert second["end"] is None  # no start time announced: no end either
    board = get(client, get(client, index["boards"])["data"][0]["id"])
    assert [m["id"] for m in get(client, board["forthcoming"])["data"]] == [m["id"] for m in listed]
    # The board has published no minutes: it is listed for its announced meetings only.
    assert get(client, board["meetings"])["data"] == []


def test_a_forthcoming_meeting_shows_its_published_agenda_and_public_papers(client, forthcoming):
    meeting, cancelled, later = forthcoming
    data = get(client, reverse("minutes:api-meeting-detail", kwargs={"pk": meeting.pk}))
    assert data["type"] == api.OPARL + "Meeting"
    agenda = data["agenda"]
    assert agenda["version"] == 1
    public, private = agenda["agendaItem"]
    assert (public["number"], public["name"], public["public"]) == (
        "1",
        "Treasury Management",
        True,
    )
    assert public["exemptReason"] is None
    [paper] = public["papers"]
    assert (paper["name"], paper["author"], paper["file"]["pageCount"]) == (
        "Treasury Report",
        "CFO",
        1,
    )
    response = client.get(paper["file"]["accessUrl"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (private["name"], private["public"], private["papers"]) == ("Exempt item", False, [])
    assert private["exemptReason"] == "Schedule 12A, paragraph 3"
    [pack] = agenda["auxiliaryFile"]
    assert client.get(pack["accessUrl"]).status_code == 200
    text = json.dumps(data)
    for hidden in ("HIDDENTITLE", "HIDDENPAPER", "HIDDENPRIVATEPAPER"):
        assert hidden not in text
    later_data = get(client, reverse("minutes:api-meeting-detail", kwargs={"pk": later.pk}))
    assert later_data["agenda"] is None
    cancelled_data = get(client, reverse("minutes:api-meeting-detail", kwargs={"pk": cancelled.pk}))
    assert cancelled_data["cancelled"] is True


def test_a_withdrawn_agenda_and_a_published_meeting_leave_the_forthcoming_list(
    client, forthcoming, approver
):
    from minutes.services import agenda_withdraw

    meeting, cancelled, later = forthcoming
    url = reverse("minutes:api-meeting-detail", kwargs={"pk": meeting.pk})
    agenda_withdraw(meeting=meeting, by=approver)
    assert get(client, url)["agenda"] is None
    publish(later)
    listed = get(client, reverse("minutes:api-forthcoming-list"))["data"]
    assert [m["date"] for m in listed] == ["2099-03-02", "2099-03-09"]
    published = get(client, reverse("minutes:api-meeting-detail", kwargs={"pk": later.pk}))
    assert published["version"] == 1  # now shown as published


def test_the_forthcoming_list_costs_the_same_queries_however_long(
    client, forthcoming, django_assert_max_num_queries
):
    from meetings.services import meeting_announce

    meeting = forthcoming[0]
    url = reverse("minutes:api-forthcoming-list")
    with django_assert_max_num_queries(4) as few:
        get(client, url)
    for day in range(20, 40):
        meeting_announce(
            board=meeting.board,
            held_on=SOON + datetime.timedelta(days=day),
            start_time=None,
            by=None,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(get(client, url)["data"]) == 23
