"""The action register in a real browser: a force lead reports, the OPCC accepts."""

import csv
import datetime
import io

import pytest

from actions.models import ActionStatus
from actions.services import action_create
from meetings.models import Role
from tests.conftest import PASSWORD
from tests.factories import BoardFactory, MeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def register(force_lead, other_force_lead, clerk):
    hospc = Role.objects.get(abbrev="HoSPC")
    acc = Role.objects.get(abbrev="ACC")
    board = BoardFactory(
        body=hospc.body, name="Strategy and Performance Board", action_prefix="SPB", slug="spb"
    )
    meeting = MeetingFactory(board=board, held_on=datetime.date(2024, 1, 10))
    mine = action_create(
        board=board,
        text="Review service demand for mental health practitioners",
        owners=[hospc],
        raised_at=meeting,
        due_on=datetime.date(2024, 2, 1),
        by=None,
    )
    action_create(
        board=board,
        text="Provide a schedule of performance reporting",
        owners=[hospc],
        raised_at=meeting,
        by=None,
    )
    action_create(
        board=board,
        text="Clarify the purpose of stop and search",
        owners=[acc],
        raised_at=meeting,
        by=None,
    )
    return mine


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")  # by keyboard
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_force_lead_reports_completion_and_the_clerk_closes_it(page, register, screenshot, axe):
    sign_in(page, "force_lead")
    page.goto("/actions/mine/")
    assert page.get_by_role("heading", name="My actions").is_visible()
    assert page.get_by_text("Clarify the purpose of stop and search").count() == 0
    screenshot("portal")
    assert axe(page) == []

    page.get_by_label("Search").fill("mental health")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    rows = page.locator("table.register tbody tr")
    assert rows.count() == 1
    assert "overdue" in rows.first.inner_text().lower()
    rows.first.get_by_role("link", name=register.ref).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=register.ref).is_visible()
    assert page.get_by_text("OPCC decisions").count() == 0
    assert axe(page) == []

    # An empty update is refused and says why.
    page.get_by_role("button", name="Add update").click()
    page.wait_for_load_state()
    assert page.get_by_text("This cannot be empty.").is_visible()

    page.get_by_role("textbox", name="Progress").fill(
        "Swansea University delivered the evaluation."
    )
    page.get_by_label("Completed: ask the OPCC to close it").check()
    page.get_by_role("button", name="Add update").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your update on").is_visible()
    assert page.get_by_text("Swansea University delivered the evaluation.").is_visible()
    screenshot("action-after-update")
    register.refresh_from_db()
    assert register.status == ActionStatus.COMPLETED
    sign_out(page)

    sign_in(page, "clerk")
    page.goto("/actions/")
    assert page.get_by_role("heading", name="Action register").is_visible()
    page.get_by_label("Completed").first.check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    table = page.locator("table.register")
    assert table.get_by_text("Review service demand for mental health practitioners").is_visible()
    assert table.get_by_text("Swansea University delivered the evaluation.").is_visible()
    screenshot("dashboard-completed")
    assert axe(page) == []

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    path = download_info.value.path()
    rows = list(csv.reader(io.StringIO(open(path, encoding="utf-8-sig").read())))
    assert [register.ref, "Strategy and Performance Board"] == rows[1][:2]
    assert rows[1][6] == "Completed"
    assert rows[1][7] == "Swansea University delivered the evaluation."

    table.get_by_role("link", name=register.ref).click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Accept and close").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"{register.ref} is closed.").is_visible()
    register.refresh_from_db()
    assert register.status == ActionStatus.CLOSED
    screenshot("action-closed")
    assert axe(page) == []


def test_the_register_works_by_keyboard(page, register):
    sign_in(page, "force_lead")
    page.goto("/actions/mine/")
    # The first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Enter")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").strip() == register.ref:
            break
    else:
        pytest.fail("the action's link cannot be reached with the Tab key")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("textbox", name="Progress").focus()
    page.keyboard.type("Reached by keyboard alone.")
    page.keyboard.press("Tab")  # the status radios, one stop
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "Add update"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Reached by keyboard alone.").is_visible()
