"""Welsh in a real browser: the switcher turns a meeting page into Welsh and back, and every page
of every persona passes axe (WCAG 2.2 AA) in English and Welsh, on a desktop and a phone."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from meetings.models import AgendaItem, Meeting
from minutes.services import agenda_publish, meeting_approve, meeting_publish
from tests.conftest import PASSWORD
from tests.test_permissions import MATRIX, PERSONAS, objects, personas  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(settings.BASE_DIR) / "tests" / "fixtures"
BILINGUAL = FIXTURES / "dyfed-powys-ppb-2014-03-13.bilingual.json"
WIDTHS = {"desktop": 1280, "phone": 390}
# URL names whose answer is not a page: PDFs, feeds, exports, a logo, a style sheet.
FILES = (
    "document",
    "document-language",
    "calendar",
    "csv",
    "xlsx",
    "download",
    "paper",
    "agenda-pack",
    "agenda-pack-language",
    "feed",
    "feed-language",
    "calendar-language",
    "logo",
    "style",
    "pdf",  # a staff preview's PDF (its page, preview-status, is walked)
)
# Parts of a page fetched into it (htmx), walked by axe in place by the editor's browser tests.
FRAGMENTS = ("editor:named", "editor:board")


@pytest.fixture
def bilingual(clerk, approver):
    call_command("import_meeting", str(BILINGUAL), stdout=StringIO())
    meeting = Meeting.objects.get(board__action_prefix="PPB")
    meeting.created_by = clerk
    meeting.save()
    meeting_approve(meeting=meeting, by=approver)
    meeting_publish(meeting=meeting, by=approver)
    agenda_publish(meeting=meeting, by=approver)  # its agenda in Welsh and English, walked too
    return meeting


def test_the_switcher_turns_a_meeting_page_into_welsh_and_back(page, bilingual, screenshot):
    with translation.override("en"):
        english_url = bilingual.get_absolute_url()
    page.goto(english_url)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Hate Crime").is_visible()

    page.get_by_role("link", name="Cymraeg").click()
    page.wait_for_url(f"**/cy/meetings/{bilingual.pk}/")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", name="Troseddau Casineb").is_visible()
    assert page.get_by_role("heading", name="Cofnodion Bwrdd Perfformiad Plismona").is_visible()
    assert page.get_by_text("Dydd Iau 13 Mawrth 2014").is_visible()
    assert page.get_by_role("link", name="Cofnodion (yn Gymraeg").is_visible()
    screenshot("meeting-welsh")

    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"**/en/meetings/{bilingual.pk}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Hate Crime").is_visible()
    assert page.get_by_text("Troseddau Casineb").count() == 0


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()


def pages_for(persona: str, objects, bilingual) -> list[str]:  # noqa: F811
    """Every page the persona may open (the permission matrix's GET rows that answer 200), and
    for the secretariat the admin pages they use. The approver and the administrator see the
    clerk's pages through the same templates: they walk what only they see."""
    item = AgendaItem.objects.filter(meeting=bilingual).first()
    draft = objects["draft"].pk
    if persona == "approver":
        return [
            reverse("admin:meetings_meeting_workflow", args=[draft, "approve"]),
            reverse("admin:meetings_meeting_workflow", args=[bilingual.pk, "withdraw"]),
            reverse("minutes:meeting-detail", args=[draft]),
        ]
    if persona == "administrator":
        return [reverse("admin:index"), reverse("admin:auth_user_changelist")]
    urls = []
    for name, rows in MATRIX.items():
        for _state, method, args, expected in rows:
            if method != "get" or expected[persona] != 200:
                continue
            if ":api-" in name or name.endswith(FILES) or name in FRAGMENTS:
                continue  # files, feeds, JSON and fragments, not pages
            urls.append(reverse(name, args=args(objects)))
    urls.append(bilingual.get_absolute_url())
    # A forthcoming meeting's page: its agenda and papers.
    urls.append(reverse("minutes:meeting-detail", args=[objects["forthcoming"].pk]))
    if persona == "clerk":
        urls += [
            reverse("admin:index"),
            reverse("admin:meetings_meeting_changelist"),
            reverse("admin:meetings_meeting_add"),
            reverse("admin:meetings_meeting_change", args=[bilingual.pk]),
            # The editor of a Welsh body's meeting: the Welsh twins beside the English.
            reverse("editor:meeting-edit", args=[bilingual.pk]),
            reverse("admin:meetings_agendaitem_change", args=[item.pk]),
            reverse("admin:actions_action_changelist"),
            reverse("admin:actions_action_change", args=[objects["own"].pk]),
        ]
    return sorted(set(urls))


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.slow
def test_every_page_passes_axe(page, objects, bilingual, personas, persona, language, axe):  # noqa: F811
    user = personas[persona]
    if user is not None:
        sign_in(page, user.username)
    with translation.override(language):
        urls = pages_for(persona, objects, bilingual)
    # The visitor chooses the language once, with the switcher; the choice holds on every page.
    page.goto(reverse("login") if user is None else "/actions/mine/")
    if language == "cy":
        page.get_by_role("button", name="Cymraeg").click()
        page.wait_for_load_state()
    found = {}
    for url in urls:
        page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language, url
        # Each width on the same load: the layout follows the viewport's media queries.
        for width_name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            violations = axe(page)
            if violations:
                found[f"{width_name} {url}"] = violations
    assert found == {}, "\n".join(f"{where}: {v}" for where, vs in found.items() for v in vs)


def test_the_clerk_types_the_welsh_in_the_editor_and_sees_what_is_left(
    page, bilingual, clerk, screenshot, axe
):
    item = AgendaItem.objects.filter(meeting=bilingual).exclude(minutes_cy="").first()
    item.minutes_cy = ""
    item.save()
    sign_in(page, clerk.username)
    page.goto(reverse("editor:meeting-edit", args=[bilingual.pk]))
    summary = page.locator(".welsh-summary summary")
    assert summary.inner_text() == "1 printed text has no Welsh yet"
    own = page.locator(f"#item-{item.pk}-own")
    assert own.get_by_text("Welsh: 1 text here has no Welsh yet.").is_visible()
    welsh_box = own.get_by_label("Minutes in Welsh")
    assert welsh_box.get_attribute("lang") == "cy"
    welsh_box.fill("Nododd y bwrdd yr adroddiad.")
    own.get_by_role("button", name="Save item").click()
    own = page.locator(f"#item-{item.pk}-own")
    own.get_by_text("Welsh: every text here has its Welsh.").wait_for()
    item.refresh_from_db()
    assert item.minutes_cy == "Nododd y bwrdd yr adroddiad."
    screenshot("editor-welsh")
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == []


def test_the_clerk_gives_a_raised_action_its_welsh_in_the_editor(
    page, bilingual, clerk, screenshot, axe
):
    from actions.models import Action

    action = Action.objects.filter(raised_at_meeting=bilingual).order_by("number").first()
    action.text_cy = ""
    action.save()
    sign_in(page, clerk.username)
    page.goto(reverse("editor:meeting-edit", args=[bilingual.pk]))
    assert f"{action.ref}: text" in page.locator(".welsh-summary").inner_text()
    page.get_by_role("button", name=f"Change {action.ref}").click()
    form = page.locator(f"#form-action-{action.pk}")
    welsh_box = form.get_by_label("Action in Welsh")
    assert welsh_box.get_attribute("lang") == "cy"
    welsh_box.fill("Adrodd yn ôl i'r bwrdd")
    screenshot("editor-welsh-action")
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        assert axe(page) == []
    form.get_by_role("button", name=f"Save {action.ref}").click()
    page.locator(f"#item-{action.raised_at_item_id}-actions").get_by_text(
        f"{action.ref} saved."
    ).wait_for()
    action.refresh_from_db()
    assert action.text_cy == "Adrodd yn ôl i'r bwrdd"


def test_the_welsh_actions_log_reads_in_welsh_and_marks_the_english(
    page, clerk, approver, screenshot, axe
):
    """The Welsh log shows the Welsh the minutes printed; an action with none is in English,
    read as English and said so."""
    call_command("import_meeting", str(BILINGUAL), stdout=StringIO())
    meeting = Meeting.objects.select_related("board__body").get(board__action_prefix="PPB")
    body = meeting.board.body
    body.welsh_required = False
    body.save()
    untranslated = meeting.board.actions.get(number=70)
    untranslated.text_cy = ""
    untranslated.save()
    meeting.refresh_from_db()
    meeting.created_by = clerk
    meeting.status = Meeting.Status.DRAFT
    meeting.save()
    meeting_approve(meeting=meeting, by=approver)
    meeting_publish(meeting=meeting, by=approver)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/cy/boards/{meeting.board.slug}/actions/")
    heading = page.get_by_role("heading", name="Camau gweithredu Bwrdd Perfformiad Plismona")
    assert heading.is_visible()
    row = page.get_by_role("row").filter(has_text="PPB 60")
    assert "Argymhellion prosiect ymchwil troseddau casineb" in row.inner_text()
    # The action's text is the row's first cell; the owners' posts (no Welsh twin) are English too.
    english = page.locator('td:nth-of-type(1) [lang="en"]')
    assert english.count() == 1
    assert english.inner_text().startswith("LA to forward integrity questions")
    assert page.locator('td:nth-of-type(2) [lang="en"]').count() >= 1
    assert page.get_by_role("note").filter(has_text="yn Saesneg yn unig").is_visible()
    screenshot("actions-log-welsh")
    assert axe(page) == []
