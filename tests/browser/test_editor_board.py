"""The board's settings in the meeting editor, and the drafts of the forms the editor fetches on
demand (changing a raised action, the posts and people named, the board), in a real browser."""

import datetime

import pytest

from actions.models import Action
from meetings.models import Meeting
from tests.browser.test_editor import meeting, open_editor, saved  # noqa: F401 (a fixture)
from tests.browser.test_secretariat import sign_in
from tests.factories import ActionFactory, ActionOwnerFactory, AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_clerk_changes_the_board_from_the_keyboard_and_is_told_it_applies_everywhere(
    page,
    meeting,  # noqa: F811
    clerk,
    axe,
    screenshot,
):
    approved = MeetingFactory(
        board=meeting.board, held_on=datetime.date(2023, 11, 1), status=Meeting.Status.APPROVED
    )
    sign_in(page, "clerk")
    open_editor(page, meeting)
    section = page.locator("#board")
    assert "apply to every meeting of the Strategy and Performance Board" in section.inner_text()
    page.get_by_role("button", name="Change the board's settings and members").focus()
    page.keyboard.press("Enter")
    form = page.locator("#form-board")
    form.wait_for()
    page.wait_for_function("() => document.activeElement.id === 'id_board-question_label'")
    page.keyboard.type("Findings")
    page.keyboard.press("Tab")
    page.keyboard.type("Update")
    form.get_by_label("Print actions in a column beside the minutes").check()
    form.get_by_label("1.00pm (12-hour clock)").check()
    form.get_by_label("Name of the member").first.fill("Ms A Chair")
    form.locator("input[name='member-0-role']").fill("CC")
    form.locator("input[name='member-0-start_on']").fill("2023-05-01")
    form.get_by_role("button", name="Add a member").click()
    page.keyboard.type("Mr B Deputy")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == []
        screenshot(f"editor-board-form-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    form.get_by_role("button", name="Save the board's settings").click()
    saved(page.locator("#board"))
    section = page.locator("#board")
    assert "Findings / Update" in section.inner_text()
    assert "their approval was reopened" in section.inner_text()
    page.wait_for_function("() => document.activeElement.id === 'board-change'")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == []
    screenshot("editor-board-saved")
    board = meeting.board
    board.refresh_from_db()
    assert (board.question_label, board.response_label, board.action_column) == (
        "Findings",
        "Update",
        True,
    )
    assert board.body.time_style == "12h"
    assert [(m.person.name, m.role and m.role.abbrev) for m in board.memberships.all()] == [
        ("Ms A Chair", "CC"),
        ("Mr B Deputy", None),
    ]
    approved.refresh_from_db()
    assert approved.status == Meeting.Status.DRAFT


def test_drafts_of_the_forms_fetched_on_demand_are_offered_back_after_a_reload(
    page,
    meeting,  # noqa: F811
    clerk,
    axe,
    screenshot,
):
    item = AgendaItemFactory(meeting=meeting, number="1", title="Custody")
    action = ActionFactory(
        board=meeting.board,
        number=21,
        text="Visit the custody suite",
        raised_at_meeting=meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action, role=meeting.board.body.roles.get(abbrev="CC"))
    sign_in(page, "clerk")
    open_editor(page, meeting)
    page.get_by_role("button", name="Change SPB 21").click()
    change = page.locator(f"#form-action-{action.pk}")
    change.get_by_label("Action", exact=True).fill("Visit the custody suite with the panel")
    page.get_by_role("button", name="Change the posts and people named").click()
    named = page.locator("#form-named")
    named.get_by_label("People named in the minutes (one a line)").fill("Mr D Llewelyn")
    page.get_by_role("button", name="Change the board's settings and members").click()
    board = page.locator("#form-board")
    board.get_by_label("Word for a question").fill("Findings")
    board.get_by_label("Name of the member").first.fill("Ms A Chair")

    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.wait_for_function("() => window.htmx !== undefined")
    forms = (f"form-action-{action.pk}", "form-named", "form-board")
    for form in forms:
        page.locator(f"#{form} .draft-offer").wait_for()
    # Fetched for the offer, not by the clerk: the focus stays at the top of the page.
    assert page.evaluate("document.activeElement === document.body")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == []
    screenshot("editor-draft-offer-on-demand")
    page.set_viewport_size({"width": 1280, "height": 900})
    for form in forms:
        page.locator(f"#{form} .draft-offer").get_by_role("button", name="Restore my text").click()
    change = page.locator(f"#form-action-{action.pk}")
    assert change.get_by_label("Action", exact=True).input_value() == (
        "Visit the custody suite with the panel"
    )
    named = page.locator("#form-named")
    assert named.get_by_label("People named in the minutes (one a line)").input_value() == (
        "Mr D Llewelyn"
    )
    board = page.locator("#form-board")
    assert board.get_by_label("Word for a question").input_value() == "Findings"
    assert board.get_by_label("Name of the member").first.input_value() == "Ms A Chair"

    # Saved: the draft is done with. Cancelled: the draft is discarded with the form.
    change.get_by_role("button", name="Save SPB 21").click()
    page.locator(f"#item-{item.pk}-actions").get_by_text("SPB 21 saved.").wait_for()
    assert Action.objects.get(pk=action.pk).text == "Visit the custody suite with the panel"
    named.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Change the posts and people named").wait_for()
    board.get_by_role("button", name="Save the board's settings").click()
    saved(page.locator("#board"))
    assert page.evaluate("Object.keys(localStorage)") == []
    page.reload()
    page.wait_for_function("() => window.htmx !== undefined")
    page.wait_for_load_state("networkidle")
    assert page.locator(".draft-offer").count() == 0
    assert page.locator("#form-named, #form-board").count() == 0
