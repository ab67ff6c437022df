"""The clerk's effort to enter a whole meeting in the meeting editor, in a real browser.

Run: .venv/bin/python benchmarks/bench_editor.py [fixture.json]

It enters the Gwent Strategy and Performance Board of 30 November 2018 (fixtures/) field by field
as a clerk would, in Playwright on Debian's Chromium against a live server on a throwaway SQLite
database: the details, the attendance (no earlier meeting or members, so every person is typed
once), the agenda with its sub-items, minutes and questions, the actions raised with their
owners, the review of the earlier actions (found by their reference) and the next meeting. The
reference data (the body, its posts and groups, the board) and the earlier actions the meeting
reviews exist beforehand, as they would; the meeting is opened in the editor already created.

It prints the clicks, the fields filled, the keystrokes typed into look-up fields (posts, names,
the review's search), the full page loads after signing in, the HTML size of the editor page and
the server time of every save (median and slowest), and the editor page's server time on the
demo data. Departures are entered under their items, and the review takes what the minutes
print of each action (the action as printed, owners, raised-on date).
"""

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FIXTURE = BASE_DIR / "fixtures" / "gwent-spb-2018-11-30.json"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "benchmark-password-1"


def setup_django(database: Path) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "scrutiny.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    seeded = os.environ.get("BENCH_SQLITE_MIGRATED")  # a migrated empty file to start from
    if seeded and not Path(database).exists():
        shutil.copyfile(seeded, database)
    os.environ.setdefault("ADMIN_REQUIRE_OTP", "false")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def walk(items, parent=None):
    for item in items:
        yield item, parent
        yield from walk(item.get("items", []), item)


def reference_data(data: dict):
    """What exists before the clerk starts: the body, its posts and groups, the board, and the
    earlier actions this meeting reviews (as the "Done means" browser test has them)."""
    from django.contrib.auth import get_user_model

    from tests.browser.test_editor_whole_meeting import reference_data as before_the_meeting

    get_user_model().objects.create_superuser("clerk", "clerk@example.org", PASSWORD)
    meeting = before_the_meeting(data)
    reviews = [r for item, _p in walk(data["items"]) for r in item.get("action_reviews", [])]
    return meeting, reviews


class Clerk:
    """Drives the page and counts what a clerk does."""

    def __init__(self, page):
        self.page = page
        self.clicks = self.fields = self.keystrokes = self.loads = 0
        page.on("framenavigated", lambda frame: self._load(frame))

    def _load(self, frame):
        if frame == self.page.main_frame:
            self.loads += 1

    def click(self, locator):
        self.clicks += 1
        locator.click()
        self.page.wait_for_load_state()

    def fill(self, locator, text: str, *, lookup: bool = False):
        if not text:
            return
        self.fields += 1
        if lookup:
            self.keystrokes += len(text)
        locator.fill(text)

    def press(self, locator, key: str):
        self.keystrokes += 1
        locator.press(key)

    def choose(self, locator, label: str):
        self.fields += 1
        self.clicks += 1
        locator.select_option(label=label)

    def saved(self, section):
        section.locator(".save-status", has_text="Saved at").wait_for()


def enter(clerk: Clerk, meeting, data: dict, reviews: list[dict]) -> None:
    page = clerk.page
    spec = data["meeting"]
    details = page.locator("#details")
    clerk.fill(details.get_by_label("Start"), spec.get("start", ""))
    clerk.fill(details.get_by_label("End"), spec.get("end", ""))
    clerk.fill(details.get_by_label("Venue"), spec.get("venue", ""))
    clerk.fill(details.get_by_label("Chair (post)"), spec.get("chair", ""), lookup=True)
    clerk.fill(details.get_by_label("Chair note"), spec.get("chair_note", ""))
    clerk.click(details.get_by_role("button", name="Save details"))
    clerk.saved(page.locator("#details"))

    grid = page.locator("#attendance")
    statuses = {
        "present": "Present",
        "in_attendance": "In attendance",
        "apologies": "Apologies",
        "absent": "Absent",
    }
    posts = {spec["abbrev"]: spec.get("organisation") for spec in data["roles"]}
    for index, person in enumerate(data["attendance"]):
        # The grid ends with a blank row; typing a name there opens the next.
        row = grid.locator("tbody tr").nth(index)
        clerk.fill(row.get_by_role("combobox").first, person["name"], lookup=True)
        clerk.fill(row.locator("input[name$='-role']"), person.get("role", ""), lookup=True)
        # "Listed under" is the post's own organisation unless chosen.
        if person.get("organisation") and person["organisation"] != posts.get(person.get("role")):
            short = person["organisation"]
            if short.endswith(")"):
                short = short[short.rindex("(") + 1 : -1]
            clerk.choose(row.locator("select"), short)
        if person["status"] != "present":
            clerk.click(row.get_by_label(statuses[person["status"]]))
        clerk.fill(row.locator("input[name$='arrival_time']"), person.get("arrived", ""))
        clerk.fill(row.locator("input[name$='departure_time']"), person.get("left", ""))
        clerk.fill(row.locator("input[name$='-note']"), person.get("note", ""))
    clerk.click(grid.get_by_role("button", name="Save attendance"))
    clerk.saved(page.locator("#attendance"))

    from meetings.models import AgendaItem

    created = {}
    for item, parent in walk(data["items"]):
        if parent is None:
            title_box = page.locator("#new-item-title")
            clerk.fill(title_box, item["title"])
            title_box.press("Enter")
            page.locator("#agenda h3", has_text=item["title"]).first.wait_for()
            record = AgendaItem.objects.get(meeting=meeting, title=item["title"], parent=None)
        else:
            parent_record = created[id(parent)]
            before = set(AgendaItem.objects.filter(meeting=meeting).values_list("pk", flat=True))
            clerk.click(page.locator(f"#move-add-{parent_record.pk}"))
            page.wait_for_function(
                "n => document.querySelectorAll('#agenda .agenda-item').length === n",
                arg=len(before) + 1,
            )
            record = AgendaItem.objects.filter(meeting=meeting).exclude(pk__in=before).get()
            clerk.fill(page.locator(f"#id_item{record.pk}-title"), item["title"])
        created[id(item)] = record
        own = page.locator(f"#item-{record.pk}-own")
        clerk.fill(own.get_by_label("Number"), item.get("number", ""))
        clerk.fill(own.get_by_label("Minutes", exact=True), item.get("minutes", ""))
        if item.get("exempt"):
            clerk.click(own.get_by_label("Exempt (taken in private)"))
            clerk.fill(own.get_by_label("Exemption reason"), item.get("exempt_reason", ""))
        for question in item.get("questions", []):
            clerk.click(own.get_by_role("button", name="Add a question"))
            box = own.locator(".question").last
            clerk.fill(box.get_by_label("Question number"), question.get("number", ""))
            clerk.fill(box.get_by_label("Question", exact=True), question["question"])
            clerk.fill(box.get_by_label("Asked by"), question.get("asked_by", ""))
            clerk.fill(box.get_by_label("Response", exact=True), question.get("response", ""))
            clerk.fill(
                box.get_by_label("Responder (post)"), question.get("responder", ""), lookup=True
            )
            if question.get("restricted"):
                clerk.click(box.get_by_label("Response restricted"))
        for departure in item.get("departures", []):
            clerk.click(own.get_by_role("button", name="Add a departure"))
            box = own.locator(".departure").last
            clerk.fill(box.get_by_label("Who left (name as printed)"), departure["name"])
            clerk.fill(box.get_by_label("Time"), departure.get("at", ""))
        if own.locator(".save-status").count() and (
            item.get("number") or item.get("minutes") or item.get("questions") or parent
        ):
            clerk.click(own.get_by_role("button", name="Save item"))
            clerk.saved(page.locator(f"#item-{record.pk}-own"))
        for action in item.get("actions", []):
            form = page.locator(f"#form-raise-{record.pk}")
            if not form.count():  # after raising one, the form stays open for the next
                clerk.click(page.locator(f"#item-{record.pk}-raise button"))
            clerk.fill(form.get_by_label("Action", exact=True), action["text"])
            owners = ", ".join(action["owners"])
            clerk.fill(form.get_by_label("Owners (posts, by commas)"), owners, lookup=True)
            if action.get("due"):
                clerk.fill(form.get_by_label("Date (of the meeting"), action["due"])
            before = record.actions.count()
            clerk.click(form.get_by_role("button", name="Raise the action"))
            page.locator(f"#item-{record.pk}-actions .raised > li").nth(before).wait_for()

    review = page.locator("#review")
    search = review.get_by_label("Find an action by number or words")
    from actions.models import Action

    items_by_review = {
        id(r): created[id(item)]
        for item, _p in walk(data["items"])
        for r in item.get("action_reviews", [])
    }
    for spec in reviews:
        action = Action.objects.get(text=spec.get("text") or spec["ref"])
        clerk.fill(search, str(action.number), lookup=True)
        row = review.locator(".review-row:visible")
        clerk.press(search, "Enter")  # opens the one action found
        row.get_by_label("Progress at this meeting").wait_for()
        clerk.fill(row.get_by_label("Progress at this meeting"), spec["progress"])
        # Pre-filled: "In progress", the item reviewing the actions of the meeting that raised
        # it, and what the minutes print as the register has it: changed only where it differs.
        status = {"completed": "Completed", "closed": "Closed", "": "No change"}
        if spec.get("status", "") != "in_progress":
            clerk.choose(row.get_by_label("Status"), status[spec.get("status", "")])
        item = items_by_review[id(spec)]
        item.refresh_from_db()
        label = f"{item.number} {item.title}".strip()
        if row.get_by_label("Minuted under").locator("option:checked").inner_text() != label:
            clerk.choose(row.get_by_label("Minuted under"), label)
        printed = {
            "Action as printed": spec.get("text", ""),
            "Owners as printed": ", ".join(spec.get("owners", [])),
            "Due date as printed": spec.get("due", ""),
            "Raised on": spec.get("raised_on", ""),
        }
        shown = {label: row.get_by_label(label).input_value() for label in printed}
        if shown != printed:
            clerk.click(row.locator("summary"))
            for label, value in printed.items():
                if shown[label] != value:
                    clerk.fill(row.get_by_label(label), value, lookup=label.startswith("Owners"))
    clerk.click(review.get_by_role("button", name="Save the review"))
    clerk.saved(page.locator("#review"))

    nxt = spec_next = data["meeting"].get("next_meeting", {})
    if spec_next:
        section = page.locator("#next")
        clerk.fill(section.get_by_label("Date"), nxt.get("date", ""))
        clerk.fill(section.get_by_label("Start"), nxt.get("start", ""))
        clerk.fill(section.get_by_label("Venue"), nxt.get("venue", ""))
        clerk.click(section.get_by_role("button", name="Save next meeting"))
        clerk.saved(page.locator("#next"))


def board_saves(client, meeting) -> list[float]:
    """Server time of the board section's save (fetch the form, change the word for a question
    and a member's date), five times: the section is not in the clerk's path above."""
    from meetings.models import Board
    from minutes.editor.views import members_fingerprint

    url = f"/secretariat/meetings/{meeting.pk}/edit/board/"
    times = []
    for run in range(5):
        board = Board.objects.select_related("body").get(pk=meeting.board_id)
        members = list(board.memberships.select_related("person").order_by("position", "pk"))
        data = {
            "board-question_label": f"Question {run}",
            "board-response_label": board.response_label,
            "board-time_style": board.body.time_style,
            "board-lock_version": board.version,
            "fingerprint": members_fingerprint(members),
            "member-TOTAL_FORMS": 1,
            "member-INITIAL_FORMS": 0,
            "member-0-name": "Ms E Thomas",
            "member-0-start_on": f"2016-05-1{run}",
            "member-0-pk": members[0].pk if members else "",
        }
        if board.action_column:
            data["board-action_column"] = "on"
        started = time.perf_counter()
        client.get(url, HTTP_HX_REQUEST="true")
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"The board's save failed: {response.status_code}")
    return times


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE
    data = json.loads(path.read_text("utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.handlers.wsgi import WSGIHandler
        from django.test.testcases import LiveServerThread

        timings: list[tuple[str, str, float]] = []
        original = WSGIHandler.__call__

        def timed(self, environ, start_response):
            started = time.perf_counter()
            try:
                return original(self, environ, start_response)
            finally:
                timings.append(
                    (
                        environ["REQUEST_METHOD"],
                        environ["PATH_INFO"],
                        (time.perf_counter() - started) * 1000,
                    )
                )

        WSGIHandler.__call__ = timed
        meeting, reviews = reference_data(data)
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override={})
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        base = f"http://127.0.0.1:{server.port}"
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            context = browser.new_context(
                base_url=base, locale="en-GB", viewport={"width": 1280, "height": 900}
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill("clerk")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            clerk = Clerk(page)
            started = time.perf_counter()
            page.goto(f"/secretariat/meetings/{meeting.pk}/edit/")
            if "/edit/" not in page.url:
                raise SystemExit(f"The editor did not open: {page.url}")
            page.wait_for_function("() => window.htmx !== undefined")
            timings.clear()
            enter(clerk, meeting, data, reviews)
            elapsed = time.perf_counter() - started
            browser.close()
        saves = [ms for method, _path, ms in timings if method == "POST"]

        # The editor page of the meeting just entered: the demo 2018 meeting's content.
        from django.contrib.auth import get_user_model
        from django.test import Client

        client = Client()
        client.force_login(get_user_model().objects.get(username="clerk"))
        demo = meeting
        page_times, size = [], 0
        for _ in range(5):
            started_page = time.perf_counter()
            response = client.get(f"/secretariat/meetings/{demo.pk}/edit/")
            page_times.append((time.perf_counter() - started_page) * 1000)
            size = len(response.content)
        board_times = board_saves(client, demo)
        server.terminate()

    print(f"Entering {path.name} in the meeting editor (Chromium, 1280 px):")
    print(f"  clicks                      {clerk.clicks}")
    print(f"  fields filled               {clerk.fields}")
    print(f"  keystrokes in look-up fields {clerk.keystrokes}")
    print(f"  full page loads             {clerk.loads} (after signing in)")
    print(f"  saves (htmx requests)       {len(saves)}")
    median, slowest = statistics.median(saves), max(saves)
    print(f"  server time per save        median {median:.0f} ms, slowest {slowest:.0f} ms")
    by_kind: dict[str, list[float]] = {}
    for method, path_info, ms in timings:
        if method == "POST":
            kind = path_info.rstrip("/").split("/edit/")[-1].split("/")[0]
            by_kind.setdefault(kind, []).append(ms)
    for kind, values in sorted(by_kind.items()):
        print(
            f"    {kind:<12} {len(values):>3} saves, median {statistics.median(values):.0f} ms,"
            f" slowest {max(values):.0f} ms"
        )
    print(f"  wall time of the script     {elapsed:.1f} s")
    print(
        f"  board section (not in the path: the board is set up): form and save, median of 5 "
        f"{statistics.median(board_times):.0f} ms, slowest {max(board_times):.0f} ms"
    )
    print(
        f"Editor page of the meeting entered: {size / 1024:.0f} KB of HTML, "
        f"median {statistics.median(page_times):.0f} ms server time over 5 loads (SQLite)"
    )


if __name__ == "__main__":
    main()
