"""A visitor before a meeting, in a real browser: the body's own site, a forthcoming meeting
with its agenda and papers, a paper downloaded, the feeds; axe on every page at two widths."""

import datetime
import io
from xml.etree import ElementTree

import icalendar
import pytest
from PIL import Image

from meetings.models import Paper
from meetings.services import meeting_announce
from minutes.services import agenda_publish, meeting_publish, paper_attach_pdf
from tests.conftest import PASSWORD
from tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    UserFactory,
    pdf_with_text,
)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def forthcoming():
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), "#1d3557").save(logo, "PNG")
    body = OrganisationFactory(
        name="Office of the Police and Crime Commissioner for Gwent",
        slug="gwent",
        display_name="Police and Crime Commissioner for Gwent",
        logo=logo.getvalue(),
        logo_type="image/png",
        logo_alt="Gwent Police and Crime Commissioner",
        header_colour="#0b3d2e",
        header_text_colour="#ffffff",
        link_colour="#0b4ea2",
        footer_text="Police and Crime Commissioner for Gwent, Llanfrechfa Grange, Cwmbran",
        contact_email="commissioner@gwent.example",
        contact_phone="01633 642200",
        privacy_notice_url="https://gwent.example/privacy",
        accessibility_statement="This site aims to meet WCAG 2.2 AA.",
    )
    board = BoardFactory(
        body=body,
        name="Strategy and Performance Board",
        slug="spb",
        action_prefix="SPB",
        introduction="The Commissioner holds the Chief Constable to account for the force's "
        "performance and its use of resources.",
    )
    held = MeetingFactory(board=board, held_on=datetime.date(2026, 11, 26))
    AgendaItemFactory(meeting=held, number="1", title="Apologies", minutes="None received.")
    meeting_publish(meeting=held, by=None, check_permission=False)

    meeting = meeting_announce(
        board=board,
        held_on=datetime.date(2099, 2, 28),
        start_time=datetime.time(10, 0),
        end_time=datetime.time(12, 30),
        venue="Conference Room 1, Police Headquarters, Cwmbran",
        by=None,
    )
    AgendaItemFactory(meeting=meeting, position=1, number="1", title="Apologies", minutes="")
    finance = AgendaItemFactory(
        meeting=meeting, position=2, number="2", title="Operational Delivery Plan Outturn"
    )
    AgendaItemFactory(
        meeting=meeting,
        position=3,
        number="3",
        title="Estates strategy",
        exempt=True,
        exempt_reason="Commercially sensitive information (Schedule 12A, paragraph 3)",
    )
    report = Paper.objects.create(item=finance, title="Outturn report 2019/20", author="CFO")
    paper_attach_pdf(paper=report, data=pdf_with_text("Outturn 2019/20", pages=4), by=None)
    secret = Paper.objects.create(item=finance, title="Confidential appendix", exempt=True)
    paper_attach_pdf(paper=secret, data=pdf_with_text("Confidential"), by=None)
    agenda_publish(meeting=meeting, by=UserFactory(username="publisher", is_superuser=True))
    return meeting


def check_page(page, axe, screenshot, name):
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == [], f"{name} at {width}px"
        screenshot(f"forthcoming-{name}-{label}")


def test_a_visitor_finds_the_agenda_downloads_a_paper_and_subscribes(
    page, axe, screenshot, forthcoming
):
    page.goto("/gwent/")
    assert page.get_by_role("heading", name="Forthcoming meetings").is_visible()
    assert page.get_by_role("img", name="Gwent Police and Crime Commissioner").is_visible()
    check_page(page, axe, screenshot, "body-home")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role(
        "link", name="Strategy and Performance Board: Saturday 28 February 2099"
    ).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Agenda and papers").is_visible()
    text = page.locator("main").inner_text()
    assert "Operational Delivery Plan Outturn" in text
    assert "Commercially sensitive information" in text
    assert "Confidential appendix" not in text
    assert "4 pages" in text
    check_page(page, axe, screenshot, "meeting")

    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download:
        page.get_by_role("link", name="Outturn report 2019/20").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    pack = page.get_by_role("link", name="Agenda pack")
    response = page.request.get(pack.get_attribute("href"))
    assert response.status == 200
    assert response.body().startswith(b"%PDF-")

    page.get_by_role("link", name="Strategy and Performance Board").first.click()
    page.wait_for_load_state()
    assert "holds the Chief Constable to account" in page.locator("main").inner_text()
    check_page(page, axe, screenshot, "board")

    atom = page.request.get(
        page.get_by_role("link", name="New publications (Atom feed)").first.get_attribute("href")
    )
    titles = [
        e.text
        for e in ElementTree.fromstring(atom.body()).iter("{http://www.w3.org/2005/Atom}title")
    ]
    assert any(t.startswith("Agenda published") for t in titles)
    assert any(t.startswith("Minutes published") for t in titles)
    ics = page.request.get(
        page.get_by_role("link", name="Forthcoming meetings (calendar feed)").get_attribute("href")
    )
    (event,) = icalendar.Calendar.from_ical(ics.body()).walk("VEVENT")
    assert event["LOCATION"] == "Conference Room 1, Police Headquarters, Cwmbran"

    page.get_by_role("link", name="Accessibility statement").click()
    page.wait_for_load_state()
    assert "WCAG 2.2 AA" in page.locator("main").inner_text()
    check_page(page, axe, screenshot, "accessibility")

    page.goto("/")
    check_page(page, axe, screenshot, "home")
    page.goto(forthcoming.board.meetings.order_by("held_on").first().get_absolute_url())
    check_page(page, axe, screenshot, "published-minutes")


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_the_clerk_announces_uploads_a_paper_and_the_approver_publishes_the_agenda(
    page, axe, screenshot, clerk, approver, tmp_path
):
    board = BoardFactory(
        body=OrganisationFactory(name="Gwent OPCC", slug="gwent"),
        name="Joint Audit Committee",
        slug="jac",
        action_prefix="JAC",
    )
    sign_in(page, "clerk")
    page.goto("/admin/meetings/meeting/")
    page.get_by_role("link", name="Announce a meeting").click()
    page.wait_for_load_state()
    assert axe(page) == []
    screenshot("admin-announce")
    page.get_by_label("Board").select_option(label="Joint Audit Committee")
    page.get_by_label("Date").fill("15/03/2099")
    page.get_by_label("Start").fill("14:00")
    page.locator("#id_venue").fill("Council Chamber")
    page.get_by_role("button", name="Announce").click()
    page.wait_for_load_state()
    assert page.get_by_text("The meeting is announced.").is_visible()
    meeting = board.meetings.get()
    item = AgendaItemFactory(meeting=meeting, number="1", title="Internal audit report")
    Paper.objects.create(item=item, title="Internal audit annual report")

    page.goto(f"/admin/meetings/agendaitem/{item.pk}/change/")
    report = tmp_path / "annual-report.pdf"
    report.write_bytes(pdf_with_text("Annual report", pages=2))
    page.locator("input[type=file][name$='-upload']").first.set_input_files(str(report))
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist, .errornote").all_inner_texts() == []
    assert Paper.objects.get().file.pages == 2
    assert page.get_by_role("link", name="2 pages").is_visible()
    screenshot("admin-item-paper")

    page.context.clear_cookies()
    sign_in(page, "approver")
    page.goto(f"/admin/meetings/meeting/{meeting.pk}/change/")
    page.get_by_role("link", name="Publish the agenda").click()
    page.wait_for_load_state()
    assert axe(page) == []
    page.get_by_role("button", name="Publish the agenda").click()
    page.wait_for_load_state()
    assert page.get_by_text("Version 1 of the agenda is published.").is_visible()

    page.context.clear_cookies()
    page.goto(meeting.get_absolute_url())
    assert page.get_by_role("link", name="Internal audit annual report").is_visible()
    assert "2 pages" in page.locator("main").inner_text()
