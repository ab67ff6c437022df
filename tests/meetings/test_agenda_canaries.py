"""Canaries for what is published before a meeting: a unique string planted in every exempt
paper (title and PDF), exempt item, draft minute text, unpublished or withdrawn agenda and
board that has published nothing, then looked for in an anonymous crawl of the public site
(pages, papers, agenda packs, Atom and iCalendar feeds) and at every paper and pack address.
Staff see each one where it belongs, so a canary never found still proves something."""

import datetime
import re

import pytest
from django.urls import reverse

from meetings.models import AgendaPublication, Meeting, Paper, PaperFile
from meetings.services import meeting_announce
from minutes.services import agenda_publish, agenda_withdraw, paper_attach_pdf
from tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    OrganisationFactory,
    UserFactory,
    pdf_with_text,
)
from tests.meetings.test_canaries import Site, crawl, pdf_internals, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]

SOON = datetime.date(2099, 3, 1)


@pytest.fixture
def publisher():
    return UserFactory(username="publisher", is_superuser=True)


def _paper(site: Site, item, label: str, meeting: Meeting, *, exempt=False, public_text=""):
    title = site.plant(f"{label} title", meeting) if label else "Public report"
    text = site.plant(f"{label} pdf", meeting) if label else public_text
    paper = Paper.objects.create(item=item, title=title, exempt=exempt)
    paper_attach_pdf(paper=paper, data=pdf_with_text(text), by=None)
    return paper


def _announce(board, day_offset: int) -> Meeting:
    return meeting_announce(
        board=board,
        held_on=SOON + datetime.timedelta(days=day_offset),
        start_time=datetime.time(10, 0),
        venue="Police Headquarters",
        by=None,
    )


@pytest.fixture
def planted(publisher) -> Site:
    site = Site()
    body = OrganisationFactory(name="Gwent OPCC", slug="gwent")
    spb = BoardFactory(body=body, name="Strategy Board", slug="spb", action_prefix="SPB")
    jac = BoardFactory(
        body=body,
        name="Audit Committee",
        slug="jac",
        action_prefix="JAC",
        public_exempt_titles=False,
    )

    # An agenda with a public paper, an exempt paper, an exempt item (title allowed) with a
    # paper, and draft minute text; then an item added after publication.
    meeting = _announce(spb, 0)
    site.live.append(meeting)
    public = AgendaItemFactory(
        meeting=meeting, number="1", title="Finance", minutes=site.plant("draft minute", meeting)
    )
    _paper(site, public, "", meeting, public_text="PUBLICPAPERTEXT")
    _paper(site, public, "exempt paper", meeting, exempt=True)
    private = AgendaItemFactory(
        meeting=meeting,
        number="2",
        title="Estates",
        exempt=True,
        exempt_reason="Schedule 12A",
        minutes=site.plant("exempt item minute", meeting),
    )
    _paper(site, private, "paper of an exempt item", meeting)
    sub = AgendaItemFactory(
        meeting=meeting, parent=private, number="2.1", title=site.plant("exempt sub-item", meeting)
    )
    _paper(site, sub, "paper of an exempt sub-item", meeting)
    agenda_publish(meeting=meeting, by=publisher)
    AgendaItemFactory(meeting=meeting, number="3", title=site.plant("item added after", meeting))

    # A board that withholds exempt titles.
    hidden = _announce(jac, 1)
    site.live.append(hidden)
    AgendaItemFactory(meeting=hidden, number="1", title="Minutes of the last meeting")
    AgendaItemFactory(
        meeting=hidden,
        number="2",
        title=site.plant("withheld exempt title", hidden),
        title_cy=site.plant("withheld exempt Welsh title", hidden),
        exempt=True,
        exempt_reason="Schedule 12A",
    )
    AgendaItemFactory(
        meeting=hidden,
        number="3",
        title="Estates",
        title_cy="Ystadau",
        minutes=site.plant("draft minute of a Welsh agenda", hidden),
        minutes_cy=site.plant("draft Welsh minute", hidden),
    )
    agenda_publish(meeting=hidden, by=publisher)

    # An agenda never published, and one withdrawn.
    unpublished = _announce(spb, 2)
    item = AgendaItemFactory(meeting=unpublished, title=site.plant("unpublished item", unpublished))
    _paper(site, item, "unpublished agenda's paper", unpublished)
    site.unpublished["agenda never published"] = unpublished
    withdrawn = _announce(spb, 3)
    item = AgendaItemFactory(meeting=withdrawn, title=site.plant("withdrawn item", withdrawn))
    _paper(site, item, "withdrawn agenda's paper", withdrawn)
    agenda_publish(meeting=withdrawn, by=publisher)
    agenda_withdraw(meeting=withdrawn, by=publisher)
    site.unpublished["agenda withdrawn"] = withdrawn

    # A board of the body that has published nothing, with a meeting never announced.
    silent = BoardFactory(body=body, name="SILENTBOARD", slug="silent", action_prefix="SIL")
    site.canaries["board that published nothing"] = ("SILENTBOARD", None)
    AgendaItemFactory(meeting__board=silent, title=site.plant("unannounced item", None))
    return site


FEEDS = [
    "/en/",
    "/en/gwent/",
    "/gwent/feed.atom",
    "/gwent/meetings.ics",
    "/meetings.ics",
    "/boards/spb/feed.atom",
    "/boards/jac/feed.atom",
    "/boards/spb/meetings.ics",
    "/boards/jac/meetings.ics",
    "/en/gwent/accessibility/",
]


def test_anonymous_crawl_finds_no_paper_agenda_or_draft_canary(client, planted):
    result = crawl(client, planted, FEEDS)

    assert {path: status for path, status in result.visited.items() if status != 200} == {}
    assert result.leaks == []
    # The crawl reached what is public: each agenda, its public paper and pack.
    public_paper = Paper.objects.get(title="Public report")
    paper_url = reverse("minutes:paper", args=[public_paper.item.meeting_id, public_paper.file_id])
    assert paper_url in result.visited
    for meeting in planted.live:
        assert meeting.get_absolute_url() in result.visited
        assert reverse("minutes:agenda-pack", args=[meeting.pk, 1]) in result.visited
    assert "/en/boards/silent/" not in result.visited


def test_agenda_packs_hold_no_canary_in_any_object(client, planted):
    packs = AgendaPublication.objects.filter(withdrawn_at__isnull=True)
    assert packs.count() == 2
    for agenda in packs:
        response = client.get(reverse("minutes:agenda-pack", args=[agenda.meeting_id, 1]))
        assert response.status_code == 200
        assert planted.found_in(pdf_internals(response.content)) == []
        assert planted.found_in(pdf_text(response.content)) == []
    spb_pack = packs.get(meeting__board__slug="spb")
    assert "PUBLICPAPERTEXT" in pdf_text(bytes(spb_pack.pack))


def test_every_paper_and_pack_address_is_refused_unless_public(client, planted):
    public_file = Paper.objects.get(title="Public report").file_id
    served = []
    for meeting in Meeting.objects.all():
        for file_id in PaperFile.objects.values_list("pk", flat=True):
            url = reverse("minutes:paper", args=[meeting.pk, file_id])
            if client.get(url).status_code != 404:
                served.append((meeting.pk, file_id))
        for version in (1, 2):
            response = client.get(reverse("minutes:agenda-pack", args=[meeting.pk, version]))
            if response.status_code != 404:
                served.append((meeting.pk, f"pack v{version}"))
    expected = [(planted.live[0].pk, public_file)]
    expected += [(meeting.pk, "pack v1") for meeting in planted.live]
    assert sorted(served, key=str) == sorted(expected, key=str)
    assert client.get("/en/boards/silent/").status_code == 404
    assert client.get("/boards/silent/feed.atom").status_code == 404
    assert client.get("/boards/silent/meetings.ics").status_code == 404
    for meeting in planted.unpublished.values():
        page = client.get(meeting.get_absolute_url()).content.decode()
        assert planted.found_in(page) == []


def test_staff_see_each_paper_canary_where_it_belongs(client, member, planted):
    """The positive control: the planted papers are served to those entitled."""
    client.force_login(member)
    seen: list[str] = []
    for paper in Paper.objects.select_related("item"):
        response = client.get(reverse("minutes:paper", args=[paper.item.meeting_id, paper.file_id]))
        assert response.status_code == 200
        seen += planted.found_in(pdf_text(response.content))
    assert {label for label in seen} == {
        label for label in planted.canaries if label.endswith("pdf")
    }


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_crawl_of_the_api_finds_no_agenda_canary(client, planted, language):
    """The API's forthcoming meetings and agendas: what the pages show, never more, in English
    and in Welsh (the Welsh twins of what is withheld are planted too)."""
    import json

    from tests.minutes.test_api import api_urls

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language

    queue, seen, leaks, files = [reverse("minutes:api-index")], set(), [], []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        text = json.dumps(response.json(), ensure_ascii=False)
        leaks += [(url, label) for label in planted.found_in(text)]
        queue += api_urls(response.json())
        files += re.findall(r'"accessUrl": "http://testserver([^"]+)"', text)
    assert leaks == []
    for meeting in planted.live:
        data = client.get(reverse("minutes:api-meeting-detail", args=[meeting.pk])).json()
        assert data["agenda"]["version"] == 1
    for meeting in planted.unpublished.values():
        data = client.get(reverse("minutes:api-meeting-detail", args=[meeting.pk])).json()
        assert data["agenda"] is None
    # The public paper and both packs, each served, none holding a canary.
    assert len(set(files)) == 3
    for url in set(files):
        response = client.get(url)
        assert response.status_code == 200
        assert planted.found_in(pdf_text(response.content)) == []


def test_the_api_lists_carry_each_published_agenda_and_no_canary(client, planted):
    """The lists named only whether an agenda was published: a meeting's agenda (forthcoming,
    then past with its minutes) is in the lists as on its own address, and nothing more."""
    import json

    from minutes.services import meeting_publish

    def listed(name):
        return {m["id"]: m for m in client.get(reverse(name)).json()["data"]}

    def detail(meeting):
        return client.get(reverse("minutes:api-meeting-detail", args=[meeting.pk])).json()

    forthcoming = listed("minutes:api-forthcoming-list")
    for meeting in planted.live:
        data = detail(meeting)
        assert forthcoming[data["id"]]["agenda"] == data["agenda"]
        assert data["agenda"]["agendaItem"]
    for meeting in planted.unpublished.values():
        assert forthcoming[detail(meeting)["id"]]["agenda"] is None
    withheld = [
        item["name"] for item in forthcoming[detail(planted.live[1])["id"]]["agenda"]["agendaItem"]
    ]
    assert withheld == ["Minutes of the last meeting", "Exempt item", "Estates"]

    # Its minutes published, the meeting leaves the forthcoming list with its agenda.
    past = planted.live[1]
    meeting_publish(meeting=past, by=None, check_permission=False)
    [entry] = listed("minutes:api-meeting-list").values()
    assert entry["id"] == detail(past)["id"]
    assert entry["agenda"] == detail(past)["agenda"]
    assert entry["agenda"]["version"] == 1
    for name in ("minutes:api-meeting-list", "minutes:api-forthcoming-list"):
        text = json.dumps(client.get(reverse(name)).json(), ensure_ascii=False)
        assert planted.found_in(text) == []
