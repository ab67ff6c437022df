"""The clerk's meeting editor in a real browser: each section saves on its own, nothing typed is
lost (leaving, reloading, an expired session, a conflict), and every state passes axe at 1280
and 390 px."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from actions.models import Action, ActionUpdate
from meetings.models import AgendaItem, Attendance, Meeting, Question
from meetings.services import meeting_update
from tests.browser.test_secretariat import sign_in
from tests.factories import (
    ActionFactory,
    ActionOwnerFactory,
    ActionUpdateFactory,
    AgendaItemFactory,
    AttendanceFactory,
    BoardFactory,
    MeetingFactory,
    PersonFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def meeting(db):
    """A new draft meeting of a board whose previous meeting had two attendees and raised three
    actions (SPB 2, SPB 12, SPB 20)."""
    board = BoardFactory(action_prefix="SPB", name="Strategy and Performance Board")
    body = board.body
    cc = RoleFactory(body=body, abbrev="CC", title="Chief Constable")
    acc = RoleFactory(body=body, abbrev="ACC", title="Assistant Chief Constable")
    RoleFactory(body=body, abbrev="CFO", title="Chief Finance Officer")
    previous = MeetingFactory(board=board, held_on=datetime.date(2024, 1, 10))
    chair = PersonFactory(body=body, name="Ms A Chair")
    deputy = PersonFactory(body=body, name="Mr B Deputy")
    AttendanceFactory(meeting=previous, person=chair, role=cc, position=0)
    AttendanceFactory(meeting=previous, person=deputy, role=acc, position=1)
    item = AgendaItemFactory(meeting=previous, title="Performance")
    for number, text in [
        (2, "Review custody staffing"),
        (12, "Report on stop and search"),
        (20, "Brief the panel on the budget"),
    ]:
        action = ActionFactory(
            board=board, number=number, text=text, raised_at_meeting=previous, raised_at_item=item
        )
        ActionOwnerFactory(action=action, role=cc)
    ActionUpdateFactory(
        action=Action.objects.get(number=12),
        text="Data requested from the force.",
        reported_on=datetime.date(2024, 2, 1),
    )
    board.next_action_number = 21
    board.save()
    return MeetingFactory(board=board, held_on=datetime.date(2024, 3, 5))


def open_editor(page, meeting, width=1280):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/secretariat/meetings/{meeting.pk}/edit/")
    page.wait_for_function("() => window.htmx !== undefined")


def saved(locator):
    locator.locator(".save-status", has_text="Saved at").wait_for()


def test_clerk_enters_a_meeting_section_by_section(page, meeting, clerk, screenshot, axe):
    sign_in(page, "clerk")
    open_editor(page, meeting)
    assert axe(page) == []

    # Details.
    details = page.locator("#details")
    details.get_by_label("Venue").fill("Police Headquarters, Cwmbran")
    details.get_by_label("Start").fill("10:00")
    details.get_by_label("Chair (post)").fill("CC")
    details.get_by_role("button", name="Save details").click()
    saved(page.locator("#details"))

    # Attendance, pre-filled from the previous meeting: one click per status.
    grid = page.locator("#attendance")
    assert grid.get_by_text("Pre-filled from").is_visible()
    grid.get_by_role("group", name="Status Mr B Deputy").get_by_label("Apologies").check()
    # The grid ends with a blank row for the next person ("Add a person" goes to it); typing a
    # name there opens another.
    assert grid.locator("tbody tr").count() == 3
    grid.get_by_role("button", name="Add a person").click()
    row = grid.locator("tbody tr").nth(2)
    row.get_by_role("combobox").first.fill("Mrs C Newcomer")
    assert grid.locator("tbody tr").count() == 4
    row.locator("input[name$='-role']").fill("CFO")
    row.get_by_label("In attendance").check()
    grid.get_by_role("button", name="Save attendance").click()
    saved(page.locator("#attendance"))
    rows = list(Attendance.objects.filter(meeting=meeting).order_by("position"))
    assert [(r.person.name, r.role.abbrev, r.status) for r in rows] == [
        ("Ms A Chair", "CC", "present"),
        ("Mr B Deputy", "ACC", "apologies"),
        ("Mrs C Newcomer", "CFO", "in_attendance"),
    ]

    # Agenda: add, nest and reorder from the keyboard, number.
    agenda = page.locator("#agenda")
    for title in ("Apologies", "Performance", "Actions"):
        page.locator("#agenda").get_by_label("Title of a new item").fill(title)
        page.locator("#agenda").get_by_role("button", name="Add item").click()
        agenda.get_by_role("heading", name=f"Item {title}", exact=True).wait_for()
        page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")
    actions_item = AgendaItem.objects.get(meeting=meeting, title="Actions")
    up = page.locator(f"#move-up-{actions_item.pk}")
    up.focus()
    order = (
        "() => Array.from(document.querySelectorAll('#agenda h3'))"
        ".map(h => h.textContent).join('|')"
    )
    page.keyboard.press("Enter")
    page.wait_for_function(f"{order} === 'Item Apologies|Item Actions|Item Performance'")
    # Focus stays on the moved item's button, so a second Enter moves it again.
    page.wait_for_function(f"() => document.activeElement.id === 'move-up-{actions_item.pk}'")
    page.keyboard.press("Enter")
    page.wait_for_function(f"{order} === 'Item Actions|Item Apologies|Item Performance'")
    page.locator(f"#move-up-{actions_item.pk}[disabled]").wait_for()
    performance = AgendaItem.objects.get(meeting=meeting, title="Performance")
    page.locator(f"#move-in-{performance.pk}").click()
    page.locator(f"#move-out-{performance.pk}:not([disabled])").wait_for()
    page.get_by_role("button", name="Renumber items").click()
    page.get_by_role("heading", name="Item 2.1 Performance", exact=True).wait_for()
    order = [
        (i.number, i.title, i.parent.title if i.parent else None)
        for i in AgendaItem.objects.filter(meeting=meeting).order_by("parent_id", "position")
    ]
    assert sorted(order) == [
        ("1", "Actions", None),
        ("2", "Apologies", None),
        ("2.1", "Performance", "Apologies"),
    ]

    # A question and its response inline under the item; then an action under it.
    performance.refresh_from_db()
    item = page.locator(f"#item-{performance.pk}")
    item.get_by_label("Minutes", exact=True).fill("The board received the report.")
    item.get_by_role("button", name="Add a question").click()
    item.get_by_label("Question", exact=True).fill("How many officers are trained?")
    item.get_by_label("Response", exact=True).fill("All of them.")
    item.get_by_label("Responder (post)").fill("ACC")
    item.get_by_label("Response restricted").check()
    item.get_by_role("button", name="Save item 2.1 Performance").click()
    saved(page.locator(f"#item-{performance.pk}-own"))
    question = Question.objects.get(item=performance)
    assert question.responder.abbrev == "ACC"
    assert question.restricted

    page.get_by_role("button", name="Raise an action under item 2.1 Performance").click()
    raise_form = page.locator(f"#form-raise-{performance.pk}")
    raise_form.get_by_label("Action", exact=True).fill("Publish the training figures")
    # Owners are typed; the browser offers the posts at this meeting first, then the next post
    # after a comma.
    owners = raise_form.get_by_label("Owners (posts, by commas)")
    owners.focus()
    offered = owners.evaluate("el => Array.from(el.list.options).map(o => o.value)")
    assert offered[:3] == ["CC", "ACC", "CFO"]
    page.keyboard.type("CC, A")
    offered = owners.evaluate("el => Array.from(el.list.options).map(o => o.value)")
    assert "CC, ACC" in offered
    assert "CC, CC" not in offered
    owners.fill("ACC")
    assert raise_form.get_by_label("By a date").is_checked()
    raise_form.get_by_label("Date (of the meeting, when due by a meeting)").fill("2024-06-30")
    screenshot("editor-raise-action")
    assert axe(page) == []
    raise_form.get_by_role("button", name="Raise the action").click()
    page.locator(f"#item-{performance.pk}-actions").get_by_text("SPB 21").first.wait_for()
    action = Action.objects.get(text="Publish the training figures")
    assert action.ref == "SPB 21"
    assert action.owners_display() == "ACC"

    # The review: every outstanding action, found by its ref, with its latest progress.
    review = page.locator("#review")
    assert review.get_by_text("Data requested from the force.").is_visible()
    search = review.get_by_label("Find an action by number or words")
    for query, shown in [
        ("SPB 2", ["SPB 2"]),
        ("SPB2", ["SPB 2"]),
        ("2", ["SPB 2"]),
        ("12", ["SPB 12"]),
        ("budget", ["SPB 20"]),
        ("", ["SPB 2", "SPB 12", "SPB 20"]),
    ]:
        search.fill(query)
        assert review.locator(".review-row:visible strong").all_inner_texts() == shown, query
    visible = review.locator(".review-row:visible strong")
    # Each row is short until the clerk records progress against it: its form comes in place,
    # the focus in its progress.
    assert review.locator("textarea").count() == 0
    row = review.locator(".review-row", has=page.locator("strong", has_text="SPB 12"))
    screenshot("editor-review-rows")
    assert row.get_by_role("button", name="Record progress on SPB 12").is_visible()
    # Enter in the search opens the one action found (several found: nothing opens, nothing is
    # sent), and the focus goes into its progress.
    search.fill("")
    search.press("Enter")
    assert review.locator("textarea").count() == 0
    assert not review.locator(".save-status", has_text="Saved at").count()
    search.fill("SPB 12")
    search.press("Enter")
    page.wait_for_function("() => document.activeElement.name?.endsWith('-text')")
    assert not ActionUpdate.objects.filter(meeting=meeting).exists()  # Enter sent nothing
    page.keyboard.type("Report received; closed.")
    search.fill("")
    row = review.locator(".review-row", has=page.locator("strong", has_text="SPB 12"))
    row.get_by_label("Status").select_option(label="Closed")
    row.get_by_label("Minuted under").select_option(label="1 Actions")
    screenshot("editor-review-row-open")
    assert axe(page) == []
    review.get_by_role("button", name="Save the review").click()
    saved(page.locator("#review"))
    update = ActionUpdate.objects.get(meeting=meeting)
    assert (update.action.number, update.status, update.item.title) == (12, "closed", "Actions")
    # The row closes again, saying what this meeting minuted.
    row = review.locator(".review-row", has=page.locator("strong", has_text="SPB 12"))
    row.get_by_text("Report received; closed.").wait_for()
    assert row.get_by_role("button", name="Change progress on SPB 12").is_visible()
    assert visible.all_inner_texts() == ["SPB 2", "SPB 12", "SPB 20"]

    # Next meeting.
    nxt = page.locator("#next")
    nxt.get_by_label("Date").fill("2024-06-04")
    nxt.get_by_label("Venue").fill("Police Headquarters")
    nxt.get_by_role("button", name="Save next meeting").click()
    saved(page.locator("#next"))
    meeting.refresh_from_db()
    assert meeting.next_meeting_on == datetime.date(2024, 6, 4)
    assert meeting.venue == "Police Headquarters, Cwmbran"  # the details save was kept

    screenshot("editor-1280")
    assert axe(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("editor-390")
    assert axe(page) == []


def test_leaving_with_unsaved_changes_warns_and_a_draft_is_offered_back(
    page, meeting, clerk, axe, screenshot
):
    item = AgendaItemFactory(meeting=meeting, number="1", title="Performance", minutes="")
    sign_in(page, "clerk")
    open_editor(page, meeting)
    box = page.locator(f"#item-{item.pk}").get_by_label("Minutes", exact=True)
    box.click()
    box.fill("Long minutes the clerk has not saved yet.")
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.evaluate("document.querySelector('a[href=\"#review\"]').href = '/'")
    page.get_by_role("link", name="Review of earlier actions").click()
    page.wait_for_timeout(0)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/edit/") or "#review" in page.url
    page.remove_listener("dialog", on_dialog)

    # The browser closes anyway (or the tab is reloaded): the text is offered back.
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.wait_for_function("() => window.htmx !== undefined")
    offer = page.locator(f"#form-item-{item.pk} .draft-offer")
    offer.wait_for()
    assert "was not saved" in offer.inner_text()
    screenshot("editor-draft-offer")
    assert axe(page) == []
    page.get_by_role("button", name="Restore my text").click()
    assert box.input_value() == "Long minutes the clerk has not saved yet."
    page.get_by_role("button", name="Save item 1 Performance").click()
    saved(page.locator(f"#item-{item.pk}-own"))
    item.refresh_from_db()
    assert item.minutes == "Long minutes the clerk has not saved yet."
    page.reload()
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.locator(".draft-offer").count() == 0


def test_an_expired_session_asks_for_the_password_in_place_then_saves(
    page, meeting, clerk, axe, screenshot
):
    from tests.conftest import PASSWORD

    sign_in(page, "clerk")
    open_editor(page, meeting)
    page.locator("#details").get_by_label("Venue").fill("Typed before the session expired")
    Session.objects.all().delete()
    page.get_by_role("button", name="Save details").click()
    dialog = page.get_by_role("dialog", name="Your session has expired")
    dialog.wait_for()
    screenshot("editor-reauth")
    assert axe(page) == []
    dialog.get_by_label("Password").fill("wrong password")
    dialog.get_by_role("button", name="Sign in and save").click()
    page.locator("#reauth-error").get_by_text("enter a correct username").wait_for()
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.get_by_role("button", name="Sign in and save").click()
    saved(page.locator("#details"))
    meeting.refresh_from_db()
    assert meeting.venue == "Typed before the session expired"


def test_a_conflict_shows_both_versions_and_keeps_mine(page, meeting, clerk, axe, screenshot):
    sign_in(page, "clerk")
    open_editor(page, meeting)
    meeting.venue = "Their venue"  # someone else saves the details meanwhile
    meeting_update(meeting=meeting, by=None, expected_version=meeting.version)
    page.locator("#details").get_by_label("Venue").fill("My venue")
    page.get_by_role("button", name="Save details").click()
    conflict = page.locator("#details .conflict")
    conflict.wait_for()
    assert "Their venue" in conflict.inner_text()
    assert "My venue" in conflict.inner_text()
    assert page.locator("#details").get_by_label("Venue").input_value() == "My venue"
    screenshot("editor-conflict")
    assert axe(page) == []
    page.get_by_role("button", name="Save details").click()
    saved(page.locator("#details"))
    assert Meeting.objects.get(pk=meeting.pk).venue == "My venue"


def test_two_enters_on_up_move_an_item_twice_from_the_keyboard(page, meeting, clerk):
    """The second Enter comes straight after the first move's swap, focus still on the button:
    it is taken as a second move (it was lost on an idle machine)."""
    for position, title in enumerate(("Apologies", "Performance", "Actions")):
        AgendaItemFactory(meeting=meeting, title=title, position=position)
    actions_item = AgendaItem.objects.get(meeting=meeting, title="Actions")
    sign_in(page, "clerk")
    open_editor(page, meeting)
    order = (
        "() => Array.from(document.querySelectorAll('#agenda h3'))"
        ".map(h => h.textContent).join('|')"
    )
    page.locator(f"#move-up-{actions_item.pk}").focus()
    # The page tells when the first move's agenda is swapped in; the second Enter follows at once.
    page.evaluate(
        "() => { window.agendaSwapped = new Promise(resolve => document.addEventListener("
        "'htmx:afterSwap', () => resolve(document.activeElement.id), {once: true})); }"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("() => window.agendaSwapped") == f"move-up-{actions_item.pk}"
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.activeElement.id === 'move-up-{actions_item.pk}'")
    page.wait_for_function(f"{order} === 'Item Actions|Item Apologies|Item Performance'")
    page.locator(f"#move-up-{actions_item.pk}[disabled]").wait_for()
    titles = AgendaItem.objects.filter(meeting=meeting).order_by("position")
    assert [item.title for item in titles] == ["Actions", "Apologies", "Performance"]


def test_papers_and_departures_are_entered_under_their_item_from_the_keyboard(
    page, meeting, clerk, axe, screenshot
):
    item = AgendaItemFactory(meeting=meeting, number="4", title="Budget", minutes="")
    sign_in(page, "clerk")
    open_editor(page, meeting)
    own = page.locator(f"#item-{item.pk}-own")
    own.get_by_role("button", name="Add a paper").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("Chief Constable's Budget Bid 2019/20")
    own.get_by_role("button", name="Add a departure").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # a time without the name of who left
    page.locator(":focus").fill("12:30")  # the time field's segments follow the browser's locale
    own.get_by_role("button", name="Save item 4 Budget").focus()
    page.keyboard.press("Enter")
    error = own.get_by_text("Give the name of who left.")
    error.wait_for()
    # Shown where it is, and nothing typed is lost.
    assert (
        own.get_by_label("Paper", exact=True).input_value()
        == "Chief Constable's Budget Bid 2019/20"
    )
    assert own.get_by_label("Time").input_value() == "12:30"
    screenshot("editor-departure-error")
    assert axe(page) == []
    own.get_by_label("Who left (name as printed)").fill("Ms J Everson")
    own.get_by_role("button", name="Save item 4 Budget").focus()
    page.keyboard.press("Enter")
    saved(page.locator(f"#item-{item.pk}-own"))
    assert item.papers.get().title == "Chief Constable's Budget Bid 2019/20"
    departure = item.departures.get()
    assert (departure.name, departure.left_at) == ("Ms J Everson", datetime.time(12, 30))
    assert page.locator(f"#item-{item.pk}-own").get_by_label("Time").input_value() == "12:30"


def test_a_raised_action_is_changed_and_deleted_in_the_editor(
    page, meeting, clerk, axe, screenshot
):
    item = AgendaItemFactory(meeting=meeting, number="1", title="Custody")
    AttendanceFactory(
        meeting=meeting,
        person__body=meeting.board.body,
        role=RoleFactory(body=meeting.board.body, abbrev="DCC", title="Deputy Chief Constable"),
    )
    action = ActionFactory(
        board=meeting.board,
        number=21,
        text="Visit the custody suite",
        raised_at_meeting=meeting,
        raised_at_item=item,
    )
    ActionOwnerFactory(action=action, role=meeting.board.body.roles.get(abbrev="CC"))
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.APPROVED)
    sign_in(page, "clerk")
    open_editor(page, meeting)
    page.get_by_role("button", name="Change SPB 21").focus()
    page.keyboard.press("Enter")
    form = page.locator(f"#form-action-{action.pk}")
    form.wait_for()
    # Focus is in the text, and the clerk is told before saving what a change does.
    page.wait_for_function("() => document.activeElement.tagName === 'TEXTAREA'")
    assert "a change to what they print" in form.inner_text()
    screenshot("editor-action-change")
    assert axe(page) == []
    page.keyboard.press("Control+A")
    page.keyboard.type("Visit the custody suite with the panel")
    owners = form.get_by_label("Owners (posts or people, by commas)")
    assert owners.input_value() == "CC"
    page.keyboard.press("Tab")
    page.wait_for_function("() => document.activeElement.dataset.owners !== undefined")
    page.keyboard.press("End")
    page.keyboard.type(", DCC")
    form.get_by_role("button", name="Save SPB 21").click()
    actions = page.locator(f"#item-{item.pk}-actions")
    actions.get_by_text("SPB 21 saved.").wait_for()
    assert "their approval was reopened" in actions.inner_text()
    assert "Visit the custody suite with the panel (CC / DCC)" in actions.inner_text()
    page.wait_for_function(f"() => document.activeElement.id === 'change-action-{action.pk}'")
    assert axe(page) == []
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT

    page.on("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Delete SPB 21").click()
    actions.get_by_text("SPB 21 deleted.").wait_for()
    assert not Action.objects.filter(pk=action.pk).exists()


def test_the_review_takes_what_the_minutes_print_of_an_action(
    page, meeting, clerk, axe, screenshot
):
    AgendaItemFactory(meeting=meeting, number="3", title="Actions")
    sign_in(page, "clerk")
    open_editor(page, meeting)
    review = page.locator("#review")
    row = review.locator(".review-row", has=page.locator("strong", has_text="SPB 12"))
    row.get_by_role("button", name="Record progress").click()
    row.get_by_label("Progress at this meeting").fill("Report received.")
    row.get_by_label("Minuted under").select_option(label="3 Actions")
    row.locator("summary").focus()
    page.keyboard.press("Enter")  # opens the printed details, focus in the first
    page.wait_for_function("() => document.activeElement.name?.endsWith('-summary')")
    page.keyboard.type("Stop and search report")
    page.keyboard.press("Tab")
    page.keyboard.type("CC, ACC")
    row.get_by_label("Raised on").fill("2024-01-10")
    screenshot("editor-review-printed")
    assert axe(page) == []
    review.get_by_role("button", name="Save the review").click()
    saved(page.locator("#review"))
    update = ActionUpdate.objects.get(meeting=meeting)
    assert (update.summary, update.printed_owners) == ("Stop and search report", ["CC", "ACC"])
    assert update.printed_raised_on == datetime.date(2024, 1, 10)
    row = page.locator("#review .review-row", has=page.locator("strong", has_text="SPB 12"))
    row.get_by_role("button", name="Change progress").click()
    assert row.get_by_label("Action as printed").input_value() == "Stop and search report"
    assert row.get_by_label("Minuted under").input_value() == str(update.item_id)


def test_an_item_is_dragged_to_another_place_among_its_siblings(
    page, meeting, clerk, axe, screenshot
):
    for position, title in enumerate(("Apologies", "Minutes", "Performance", "Actions")):
        AgendaItemFactory(meeting=meeting, title=title, position=position)
    actions_item = AgendaItem.objects.get(meeting=meeting, title="Actions")
    minutes_item = AgendaItem.objects.get(meeting=meeting, title="Minutes")
    sign_in(page, "clerk")
    open_editor(page, meeting)
    page.wait_for_function("() => window.Sortable !== undefined")
    order = (
        "() => Array.from(document.querySelectorAll('#agenda h3'))"
        ".map(h => h.textContent).join('|')"
    )
    # Dragged by its handle from the bottom onto the second item: it goes second. (A tall
    # window, so both are on screen.)
    page.set_viewport_size({"width": 1280, "height": 4000})
    page.evaluate("() => { document.getElementById('agenda').dataset.before = '1'; }")
    handle = page.locator(f"#item-{actions_item.pk} .drag-handle")
    target = page.locator(f"#item-{minutes_item.pk}-heading")
    box, goal = handle.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(
            box["x"] + box["width"] / 2,
            box["y"] + (goal["y"] + goal["height"] / 2 - box["y"]) * step / 20,
        )
    page.mouse.up()
    page.wait_for_function(
        f"{order} === 'Item Apologies|Item Actions|Item Minutes|Item Performance'"
    )
    # The agenda comes back from the server in its new order.
    page.wait_for_function("() => !document.getElementById('agenda').dataset.before")
    page.wait_for_function(
        f"{order} === 'Item Apologies|Item Actions|Item Minutes|Item Performance'"
    )
    titles = AgendaItem.objects.filter(meeting=meeting).order_by("position")
    assert [item.title for item in titles] == ["Apologies", "Actions", "Minutes", "Performance"]
    screenshot("editor-agenda-dragged")
    assert axe(page) == []
    # The keyboard's way is unchanged: the buttons still move it.
    page.locator(f"#move-down-{actions_item.pk}").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"{order} === 'Item Apologies|Item Minutes|Item Actions|Item Performance'"
    )


def test_rows_added_but_not_saved_are_offered_back_after_a_reload(
    page, meeting, clerk, axe, screenshot
):
    """Attendees, questions, papers, departures and a raised action typed into rows the page
    added, then lost to a reload: the drafts bring the rows back with their text."""
    item = AgendaItemFactory(meeting=meeting, number="1", title="Performance", minutes="")
    earlier = Action.objects.get(number=2)
    sign_in(page, "clerk")
    open_editor(page, meeting)
    grid = page.locator("#attendance")
    grid.locator("tbody tr").nth(2).locator("input[name$='-name']").fill("Mrs C Newcomer")
    grid.locator("tbody tr").nth(3).locator("input[name$='-name']").fill("Mr D Latecomer")
    grid.locator("tbody tr").nth(3).get_by_label("Apologies").check()
    own = page.locator(f"#item-{item.pk}-own")
    own.get_by_role("button", name="Add a question").click()
    own.get_by_label("Question", exact=True).fill("How many officers are trained?")
    own.get_by_role("button", name="Add a paper").click()
    own.get_by_label("Paper", exact=True).fill("Training report")
    own.get_by_role("button", name="Add a departure").click()
    own.get_by_label("Who left (name as printed)").fill("Ms A Chair")
    page.get_by_role("button", name="Raise an action under item 1 Performance").click()
    raise_form = page.locator(f"#form-raise-{item.pk}")
    raise_form.get_by_label("Action", exact=True).fill("Publish the training figures")
    raise_form.get_by_label("Owners (posts, by commas)").fill("ACC")
    row = page.locator(f"#review-row-{earlier.pk}")
    row.get_by_role("button", name="Record progress").click()
    row.get_by_label("Progress at this meeting").fill("Staffing reviewed.")
    row.locator("details.printed > summary").click()
    row.get_by_label("Action as printed").fill("Review custody staffing levels")

    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.wait_for_function("() => window.htmx !== undefined")
    for form in ("form-attendance", f"form-item-{item.pk}", f"form-raise-{item.pk}", "form-review"):
        page.locator(f"#{form} .draft-offer").wait_for()
    screenshot("editor-draft-offer-rows")
    assert axe(page) == []
    for form in ("form-attendance", f"form-item-{item.pk}", f"form-raise-{item.pk}", "form-review"):
        page.locator(f"#{form} .draft-offer").get_by_role("button", name="Restore my text").click()

    grid = page.locator("#attendance")
    names = grid.locator("tbody tr input[name$='-name']:not([type=hidden])")
    assert [names.nth(i).input_value() for i in range(2)] == ["Mrs C Newcomer", "Mr D Latecomer"]
    assert grid.locator("tbody tr").nth(3).get_by_label("Apologies").is_checked()
    own = page.locator(f"#item-{item.pk}-own")
    assert own.get_by_label("Question", exact=True).input_value() == (
        "How many officers are trained?"
    )
    assert own.get_by_label("Paper", exact=True).input_value() == "Training report"
    assert own.get_by_label("Who left (name as printed)").input_value() == "Ms A Chair"
    raise_form = page.locator(f"#form-raise-{item.pk}")
    assert raise_form.get_by_label("Action", exact=True).input_value() == (
        "Publish the training figures"
    )
    # The review's row the clerk had opened is opened again, with what was typed in it.
    row = page.locator(f"#review-row-{earlier.pk}")
    expect(row.get_by_label("Progress at this meeting")).to_have_value("Staffing reviewed.")
    expect(row.get_by_label("Action as printed")).to_have_value("Review custody staffing levels")
    expect(row.locator("details.printed")).to_have_attribute("open", "")

    grid.get_by_role("button", name="Save attendance").click()
    saved(grid)
    own.get_by_role("button", name="Save item 1 Performance").click()
    saved(page.locator(f"#item-{item.pk}-own"))
    raise_form.get_by_role("button", name="Raise the action (numbered on save)").click()
    page.locator(f"#item-{item.pk}-actions", has_text="raised.").wait_for()
    names = [a.person.name for a in Attendance.objects.filter(meeting=meeting).order_by("position")]
    assert names == ["Ms A Chair", "Mr B Deputy", "Mrs C Newcomer", "Mr D Latecomer"]
    assert Attendance.objects.get(meeting=meeting, person__name="Mr D Latecomer").status == (
        "apologies"
    )
    assert item.questions.get().question == "How many officers are trained?"
    assert item.papers.get().title == "Training report"
    assert item.departures.get().name == "Ms A Chair"
    assert Action.objects.get(raised_at_item=item).text == "Publish the training figures"


def test_the_posts_and_people_named_and_a_papers_pdf_from_the_editor(
    page, meeting, clerk, axe, screenshot, tmp_path
):
    """The rarely used parts fetched when asked for: the posts and people the minutes name (a
    new post offered at once in the post fields), and a paper's PDF uploaded in its item."""
    from tests.minutes.test_editor_format import a_pdf

    item = AgendaItemFactory(meeting=meeting, number="1", title="Budget", minutes="")
    sign_in(page, "clerk")
    open_editor(page, meeting)
    named = page.locator("#named")
    named.get_by_role("button", name="Change the posts and people named").click()
    named.get_by_label("Posts named in the minutes (abbreviations, by commas)").fill("CFO, HoSPC")
    named.get_by_label("People named in the minutes (one a line)").fill("Mr D Llewelyn")
    named.get_by_label("Abbreviation of the new post").fill("HoSPC")
    named.get_by_label("Title of the new post").fill("Head of Strategy, Performance and Change")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == []
    screenshot("editor-named-form")
    named.get_by_role("button", name="Save the posts and people named").click()
    saved(page.locator("#named"))
    assert "HoSPC" in page.locator("#named").inner_text()
    assert "HoSPC" in page.locator("#editor-posts").inner_html()
    meeting.refresh_from_db()
    assert sorted(r.abbrev for r in meeting.named_roles.all()) == ["CFO", "HoSPC"]

    page.set_viewport_size({"width": 1280, "height": 900})
    own = page.locator(f"#item-{item.pk}-own")
    own.get_by_role("button", name="Add a paper").click()
    own.get_by_label("Paper", exact=True).fill("Budget report")
    pdf = tmp_path / "budget.pdf"
    pdf.write_bytes(a_pdf(2))
    own.get_by_label("PDF", exact=True).set_input_files(str(pdf))
    own.get_by_role("button", name="Save item 1 Budget").click()
    saved(page.locator(f"#item-{item.pk}-own"))
    own = page.locator(f"#item-{item.pk}-own")
    assert "2 pages" in own.inner_text()
    assert item.papers.get().file.pages == 2
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == []
    screenshot("editor-paper-pdf")
