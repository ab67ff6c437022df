"""A clerk and a visitor use the product in a real browser."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from actions.models import Action
from meetings.models import Meeting
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(db):
    files = sorted((Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
    call_command("import_meeting", *map(str, files), stdout=StringIO())


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_visitor_reads_the_boards_and_published_minutes(page, demo, screenshot, axe):
    page.goto("/")
    assert page.get_by_role("heading", name="Boards and minutes").is_visible()
    assert page.get_by_role("link", name="Strategy and Performance Board", exact=True).is_visible()
    screenshot("home-public")
    assert axe(page) == []
    published = Meeting.objects.published().order_by("held_on").first()
    assert published is not None, "the demo data has a published meeting"
    page.goto(published.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text().startswith("Minutes of the")
    screenshot("meeting-public")
    assert axe(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Minutes (PDF").first.click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    for url in (
        published.board.get_absolute_url(),
        f"/boards/{published.board.slug}/actions/",
    ):
        page.goto(url)
        screenshot("public-" + url.strip("/").replace("/", "-")[:60])
        assert axe(page) == [], url


def test_clerk_adds_an_action_at_a_meeting_and_gets_the_next_number(page, demo, clerk, screenshot):
    sign_in(page, "clerk")
    meeting = Meeting.objects.get(board__action_prefix="PPB")
    page.goto(f"/admin/meetings/meeting/{meeting.pk}/change/")
    # The people of the page are chosen from lists of the body's (no search across bodies).
    chosen_people = page.locator("select[name$='person'] option:checked").all_inner_texts()
    chosen_people += page.locator("select[name$='named_people'] option:checked").all_inner_texts()
    assert "Christopher Salmon" in chosen_people
    group = page.locator("#actions_raised-group")
    group.get_by_text("Add another Action raised").click()
    form = group.locator(".inline-related:not(.empty-form)").last
    form.locator("select[name$='raised_at_item']").select_option(label="Data Quality")
    form.locator("textarea[name$='-text']").fill("CC to report the data quality inspection")
    # The two-list picker: choose from the available posts, then add them to the chosen ones.
    form.locator("select[id$='owner_roles_from']").select_option(label="CC – Chief Constable")
    form.locator("button[id$='owner_roles_add']").click()
    chosen = form.locator("select[id$='owner_roles_to'] option").all_inner_texts()
    assert chosen == ["CC – Chief Constable"]
    screenshot("admin-meeting-action")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    screenshot("admin-meeting-saved")
    errors = page.locator(".errorlist, .errornote").all_inner_texts()
    assert errors == []
    assert page.get_by_text("was changed successfully").is_visible()
    action = Action.objects.get(text="CC to report the data quality inspection")
    assert action.ref == "PPB 71"
    assert page.get_by_text("PPB 71").first.is_visible()


def _choose(page, name: str, term: str, label: str) -> None:
    """Type in a search box (the admin's autocomplete) and pick what it finds."""
    page.locator(f"select[name='{name}'] + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=label).first.click()


def _found(page, name: str, term: str) -> list[str]:
    """What a search box finds for a term (then closed, nothing picked)."""
    page.locator(f"select[name='{name}'] + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    options = page.locator(".select2-results__option:not(.loading-results)")
    options.first.wait_for()
    page.wait_for_function(
        "() => !document.querySelector('.select2-results__option.loading-results')"
    )
    found = options.all_inner_texts()
    page.keyboard.press("Escape")
    return found


def test_clerk_adds_an_action_on_its_own_page_searching_for_its_owner(
    page, demo, clerk, screenshot, axe
):
    """No board is chosen when the admin's add-action page opens, so its owners are searched
    (every body's would be listed): the post is found by typing, and the action is saved."""
    sign_in(page, "clerk")
    page.goto("/admin/actions/action/add/")
    assert axe(page) == []
    meeting = Meeting.objects.get(board__action_prefix="PPB")
    # Before a board is chosen, every body's posts are searched (Gwent's ACC among them).
    assert any("Assistant Chief Constable" in text for text in _found(page, "owner_roles", "Chief"))
    _choose(page, "board", meeting.board.name[:8], meeting.board.name)
    # Once it is, its body's only: Dyfed-Powys has no ACC, and no post is told apart by body.
    found = _found(page, "owner_roles", "Chief")
    assert "CC – Chief Constable" in found
    assert not [text for text in found if "Assistant Chief" in text or "Gwent" in text]
    page.locator("textarea[name='text']").fill("CC to brief the board on rural crime")
    _choose(page, "owner_roles", "Chief", "CC – Chief Constable")
    [chosen] = page.locator("select[name='owner_roles'] option:checked").all_inner_texts()
    assert chosen.startswith("CC – Chief Constable")
    screenshot("admin-action-add-owner-searched")
    assert axe(page) == []
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist, .errornote").all_inner_texts() == []
    action = Action.objects.get(text="CC to brief the board on rural crime")
    assert [owner.role.abbrev for owner in action.owners.all()] == ["CC"]
