"""Done means: a whole seed meeting typed into the editor alone, keyboard first, then published,
exports as the file it was typed from (apart from the numbers actions get on saving).

The reference data exists beforehand, as it would: the body, its groups and posts, the board and
the earlier actions the meeting reviews (carried forward under their printed refs). Everything
the meeting's file holds is entered in the editor: details, attendance, the agenda with its
sub-items, minutes and departures, the actions raised with their owners, and the review of the
earlier actions with what the minutes print of them. The effort is printed."""

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from actions.services import action_create
from meetings.models import AgendaItem, Board, Meeting, Organisation, Role
from minutes.services import meeting_approve, meeting_publish
from tests.browser.test_editor import open_editor, saved
from tests.browser.test_secretariat import sign_in
from tests.interchange import normalise

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "gwent-spb-2018-11-30.json"
STATUSES = {"in_attendance": "In attendance", "apologies": "Apologies", "absent": "Absent"}
REVIEW_STATUSES = {
    "": "No change",
    "in_progress": "In progress",
    "completed": "Completed",
    "closed": "Closed",
}


def walk(items, parent=None):
    for item in items:
        yield item, parent
        yield from walk(item.get("items", []), item)


def reference_data(data: dict) -> Meeting:
    body = Organisation.objects.create(name=data["organisation"])
    groups = {spec.get("organisation") for spec in data["roles"] + data["attendance"]}
    children = {
        name: Organisation.objects.create(name=name, parent=body)
        for name in sorted(group for group in groups if group)
    }
    for spec in data["roles"]:
        Role.objects.create(
            body=body,
            abbrev=spec["abbrev"],
            title=spec["title"],
            organisation=children.get(spec.get("organisation")),
        )
    board = Board.objects.create(
        body=body,
        name=data["board"]["name"],
        action_prefix=data["board"]["action_prefix"],
        slug="spb",
    )
    posts = {role.abbrev: role for role in Role.objects.filter(body=body)}
    for item, _parent in walk(data["items"]):
        for review in item.get("action_reviews", []):
            action_create(
                board=board,
                text=review["text"],
                owners=[posts[abbrev] for abbrev in review.get("owners", [])],
                raised_at=None,
                raised_on=datetime.date.fromisoformat(review["raised_on"]),
                legacy_ref=review["ref"],
                carried_forward=True,
                by=None,
            )
    return Meeting.objects.create(
        board=board, held_on=datetime.date.fromisoformat(data["meeting"]["date"])
    )


class Clerk:
    """Types and presses as a clerk at the keyboard does, and counts it: buttons, boxes and
    choices are reached with Tab (not counted) and pressed with Enter or Space; long text is
    pasted (one field); short look-ups are typed key by key."""

    def __init__(self, page):
        self.page = page
        self.presses = self.choices = self.fields = self.keystrokes = self.clicks = 0

    def press(self, locator, key="Enter"):
        locator.focus()
        self.presses += 1
        self.page.keyboard.press(key)

    def paste(self, locator, text: str):
        if not text:
            return
        locator.focus()
        self.fields += 1
        self.page.keyboard.press("Control+A")
        self.page.keyboard.insert_text(text)

    def type(self, locator, text: str):
        if not text:
            return
        locator.focus()
        self.fields += 1
        self.keystrokes += len(text)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def set(self, locator, value: str):
        """A date or time field, whose typed form follows the browser's locale."""
        if value:
            self.fields += 1
            self.keystrokes += len(value.replace(":", "").replace("-", ""))
            locator.fill(value)

    def choose(self, locator, label: str):
        self.choices += 1
        locator.select_option(label=label)


def enter_meeting(clerk: Clerk, meeting: Meeting, data: dict) -> None:
    page = clerk.page
    spec = data["meeting"]
    details = page.locator("#details")
    clerk.set(details.get_by_label("Start"), spec.get("start", ""))
    clerk.set(details.get_by_label("End"), spec.get("end", ""))
    clerk.type(details.get_by_label("Chair (post)"), spec.get("chair", ""))
    clerk.paste(details.get_by_label("Chair note"), spec.get("chair_note", ""))
    clerk.press(details.get_by_role("button", name="Save details"))
    saved(page.locator("#details"))

    grid = page.locator("#attendance")
    posts = {spec["abbrev"]: spec.get("organisation") for spec in data["roles"]}
    for index, person in enumerate(data["attendance"]):
        # The grid ends with a blank row; typing a name there opens the next.
        row = grid.locator("tbody tr").nth(index)
        clerk.type(row.get_by_role("combobox").first, person["name"])
        clerk.type(row.locator("input[name$='-role']"), person.get("role", ""))
        organisation = person.get("organisation", "")
        if organisation.endswith(")"):
            organisation = organisation[organisation.rindex("(") + 1 : -1]
        if organisation and person.get("organisation") != posts.get(person.get("role")):
            clerk.choose(row.locator("select"), organisation)  # not the post's own
        if person["status"] != "present":
            clerk.press(row.get_by_label(STATUSES[person["status"]]), "Space")
        clerk.set(row.locator("input[name$='arrival_time']"), person.get("arrived", ""))
        clerk.set(row.locator("input[name$='departure_time']"), person.get("left", ""))
        clerk.type(row.locator("input[name$='-note']"), person.get("note", ""))
    clerk.press(grid.get_by_role("button", name="Save attendance"))
    saved(page.locator("#attendance"))

    created = {}
    for item, parent in walk(data["items"]):
        if parent is None:
            clerk.type(page.locator("#new-item-title"), item["title"])
            clerk.presses += 1
            page.keyboard.press("Enter")
            page.locator("#agenda h3", has_text=item["title"]).first.wait_for()
            record = AgendaItem.objects.get(meeting=meeting, title=item["title"], parent=None)
        else:
            before = set(AgendaItem.objects.filter(meeting=meeting).values_list("pk", flat=True))
            clerk.press(page.locator(f"#move-add-{created[id(parent)].pk}"))
            page.wait_for_function(
                "n => document.querySelectorAll('#agenda .agenda-item').length === n",
                arg=len(before) + 1,
            )
            record = AgendaItem.objects.filter(meeting=meeting).exclude(pk__in=before).get()
            # Focus is in the new sub-item's title.
            page.wait_for_function(
                f"() => document.activeElement.id === 'id_item{record.pk}-title'"
            )
            clerk.type(page.locator(f"#id_item{record.pk}-title"), item["title"])
        created[id(item)] = record
        own = page.locator(f"#item-{record.pk}-own")
        clerk.type(own.get_by_label("Number"), item.get("number", ""))
        clerk.paste(own.get_by_label("Minutes", exact=True), item.get("minutes", ""))
        for departure in item.get("departures", []):
            clerk.press(own.get_by_role("button", name="Add a departure"))
            box = own.locator(".departure").last
            clerk.type(box.get_by_label("Who left (name as printed)"), departure["name"])
            clerk.set(box.get_by_label("Time"), departure.get("at", ""))
        if parent is not None or item.get("number") or item.get("minutes"):
            clerk.press(own.get_by_role("button", name="Save item"))
            saved(page.locator(f"#item-{record.pk}-own"))
        for action in item.get("actions", []):
            form = page.locator(f"#form-raise-{record.pk}")
            if not form.count():  # after raising one, the form stays open for the next
                clerk.press(page.locator(f"#item-{record.pk}-raise button"))
            page.wait_for_function(
                f"() => document.activeElement.id === 'id_raise{record.pk}-text'"
                " && !document.activeElement.value"
            )
            clerk.paste(form.get_by_label("Action", exact=True), action["text"])
            # Owners are typed by their posts, the browser offering the posts as they are typed.
            clerk.type(form.get_by_label("Owners (posts, by commas)"), ", ".join(action["owners"]))
            before = record.actions.count()
            clerk.press(form.get_by_role("button", name="Raise the action"))
            page.locator(f"#item-{record.pk}-actions .raised > li").nth(before).wait_for()

    review = page.locator("#review")
    search = review.get_by_label("Find an action by number or words")
    for item, _parent in walk(data["items"]):
        for spec in item.get("action_reviews", []):
            clerk.type(search, spec["text"])
            row = review.locator(".review-row:visible")
            assert row.count() == 1, spec["text"]
            clerk.press(row.get_by_role("button", name="Record progress"))
            clerk.paste(row.get_by_label("Progress at this meeting"), spec["progress"])
            # Pre-filled: "In progress", under the item reviewing the actions of the meeting
            # that raised it, printed as the register has the action; changed only if not so.
            if spec.get("status", "") != "in_progress":
                clerk.choose(row.get_by_label("Status"), REVIEW_STATUSES[spec.get("status", "")])
            assert (
                row.get_by_label("Minuted under").locator("option:checked").inner_text()
                == (item["title"])
            )
            row.locator("summary").click()  # only to check it, not counted
            expected = [
                ("Action as printed", spec.get("text", "")),
                ("Owners as printed", ", ".join(spec.get("owners", []))),
                ("Due date as printed", spec.get("due", "")),
                ("Raised on", spec.get("raised_on", "")),
            ]
            assert [(label, row.get_by_label(label).input_value()) for label, _v in expected] == (
                expected
            )
    clerk.press(review.get_by_role("button", name="Save the review"))
    saved(page.locator("#review"))


@pytest.mark.slow
def test_a_whole_seed_meeting_typed_into_the_editor_exports_as_its_file(
    page, clerk, approver, axe, screenshot
):
    data = json.loads(FIXTURE.read_text("utf-8"))
    meeting = reference_data(data)
    sign_in(page, "clerk")
    open_editor(page, meeting)
    loads = []
    page.on("framenavigated", lambda frame: loads.append(frame.url))
    typist = Clerk(page)
    enter_meeting(typist, meeting, data)
    assert loads == []  # one page: every save went through htmx
    screenshot("editor-whole-meeting")
    assert axe(page) == []

    meeting.refresh_from_db()
    meeting_approve(meeting=meeting, by=approver)
    meeting_publish(meeting=meeting, by=approver)
    out = StringIO()
    call_command("export_meeting", "SPB", data["meeting"]["date"], stdout=out)
    exported = json.loads(out.getvalue())
    assert normalise(exported) == normalise(data, numbered_like=exported)

    print(
        f"\nThe Gwent SPB of 30 November 2018 typed into the editor: {typist.clicks} mouse clicks,"
        f" {typist.presses} presses of buttons, boxes and radios (Enter or Space),"
        f" {typist.choices} choices from lists, {typist.fields} fields filled,"
        f" {typist.keystrokes} keystrokes in short and look-up fields, 1 page load."
    )
