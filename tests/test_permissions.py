"""Every URL name of the project, with every persona and object state, and its documented
outcome (docs/permissions.md). A URL without a row here fails `test_every_url_has_a_row`."""

import datetime
import io

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse
from PIL import Image

from actions.models import ActionExport
from actions.services import action_create, action_export_build
from meetings.models import Paper, Role
from meetings.services import meeting_announce
from minutes.services import agenda_publish, meeting_publish, paper_attach_pdf, preview_request
from tests.factories import (
    AgendaItemFactory,
    BoardFactory,
    MeetingFactory,
    QuestionFactory,
    UserFactory,
    pdf_with_text,
)

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "clerk", "approver", "member", "force_lead", "administrator"]
# A clerk who signed in with a password alone where two-factor is required: whatever the route
# of sign-in, they get what the public gets and nothing more.
PASSWORD_ONLY = "staff_password_only"
LOGIN = "login"  # a redirect to the sign-in page
ADMIN_LOGIN = "admin-login"  # a redirect to the admin's sign-in page

# Who gets what. Columns follow PERSONAS; "login" and "admin-login" are redirects.
STAFF_READ = {
    "anonymous": LOGIN,
    "clerk": 200,
    "approver": 200,
    "member": 200,
    "force_lead": 403,
    "administrator": 200,
}
STAFF_WRITE_POST = {
    "anonymous": LOGIN,
    "clerk": 400,
    "approver": 403,
    "member": 403,
    "force_lead": 403,
    "administrator": 400,
}
SEEN_THEN_SENT_BACK = {**STAFF_READ, "clerk": 302, "approver": 302, "member": 302}
SEEN_THEN_SENT_BACK["administrator"] = 302
PUBLIC = dict.fromkeys(PERSONAS, 200)
ANYONE_SIGNED_IN = {**dict.fromkeys(PERSONAS, 200), "anonymous": LOGIN}
FULL_RECORD_ONLY = {
    "anonymous": 404,
    "clerk": 200,
    "approver": 200,
    "member": 200,
    "force_lead": 404,
    "administrator": 200,
}
PREVIEW_ASK = {persona: 302 if code == 200 else code for persona, code in FULL_RECORD_ONLY.items()}
NOT_FOUND = dict.fromkeys(FULL_RECORD_ONLY, 404)

# The meeting editor: staff who change meetings (clerks, approvers, administrators); others are
# sent to the secretariat's sign-in (anonymous) or refused. An empty post is refused as invalid
# (422); an item that is not the meeting's is not found.
EDITOR_GET = {**STAFF_READ, "anonymous": 302, "member": 403}
EDITOR_POST = {**EDITOR_GET, "clerk": 422, "approver": 422, "administrator": 422}
EDITOR_NO_ITEM = {**EDITOR_GET, "clerk": 404, "approver": 404, "administrator": 404}
# The board's settings: only those who may change boards (clerks, administrators), as on the
# secretariat's Boards page; an approver changes meetings, not boards.
EDITOR_BOARD_GET = {**EDITOR_GET, "approver": 403}
EDITOR_BOARD_POST = {**EDITOR_POST, "approver": 403}
EDITOR_ROWS = {
    "editor:meeting-edit": [("draft", "get", lambda o: [o["draft"].pk], EDITOR_GET)],
    "editor:details": [("empty post", "post", lambda o: [o["draft"].pk], EDITOR_POST)],
    "editor:next": [("empty post", "post", lambda o: [o["draft"].pk], EDITOR_POST)],
    "editor:named": [
        ("form", "get", lambda o: [o["draft"].pk], EDITOR_GET),
        ("empty post", "post", lambda o: [o["draft"].pk], EDITOR_POST),
    ],
    "editor:board": [
        ("form", "get", lambda o: [o["draft"].pk], EDITOR_BOARD_GET),
        ("empty post", "post", lambda o: [o["draft"].pk], EDITOR_BOARD_POST),
    ],
    "editor:attendance": [("empty post", "post", lambda o: [o["draft"].pk], EDITOR_POST)],
    "editor:review": [("empty post", "post", lambda o: [o["draft"].pk], EDITOR_POST)],
    "editor:review-row": [("no action", "get", lambda o: [o["draft"].pk, 0], EDITOR_NO_ITEM)],
    "editor:item-save": [("no item", "post", lambda o: [o["draft"].pk, 0], EDITOR_NO_ITEM)],
    "editor:action-raise": [("no item", "get", lambda o: [o["draft"].pk, 0], EDITOR_NO_ITEM)],
    "editor:action-edit": [("no action", "get", lambda o: [o["draft"].pk, 0], EDITOR_NO_ITEM)],
    "editor:agenda": [("renumber", "post", lambda o: [o["draft"].pk, "renumber"], EDITOR_GET)],
    "editor:agenda-item": [("no item", "post", lambda o: [o["draft"].pk, "up", 0], EDITOR_NO_ITEM)],
    "editor:reauth": [("no password", "post", lambda o: [], dict.fromkeys(PERSONAS, 400))],
}
# url name -> list of (state, method, args(objects) -> list, expected per persona)
MATRIX = {
    "home": [("-", "get", lambda o: [], PUBLIC)],
    "login": [("-", "get", lambda o: [], PUBLIC)],
    "logout": [("-", "post", lambda o: [], dict.fromkeys(PERSONAS, 302))],
    "password_change": [("-", "get", lambda o: [], ANYONE_SIGNED_IN)],
    "password_change_done": [("-", "get", lambda o: [], ANYONE_SIGNED_IN)],
    "password_reset": [("-", "get", lambda o: [], PUBLIC)],
    "password_reset_done": [("-", "get", lambda o: [], PUBLIC)],
    "password_reset_confirm": [
        ("bad token", "get", lambda o: ["MQ", "bad-token"], PUBLIC),
    ],
    "password_reset_complete": [("-", "get", lambda o: [], PUBLIC)],
    "minutes:board-detail": [("-", "get", lambda o: [o["board"].slug], PUBLIC)],
    "minutes:board-actions": [("-", "get", lambda o: [o["board"].slug], PUBLIC)],
    "minutes:board-calendar": [("-", "get", lambda o: [o["board"].slug], PUBLIC)],
    "minutes:calendar": [("-", "get", lambda o: [], PUBLIC)],
    "minutes:calendar-language": [("-", "get", lambda o: ["cy"], PUBLIC)],
    "minutes:board-calendar-language": [("-", "get", lambda o: [o["board"].slug, "cy"], PUBLIC)],
    "minutes:board-feed-language": [("-", "get", lambda o: [o["board"].slug, "cy"], PUBLIC)],
    "minutes:meeting-detail": [
        ("published", "get", lambda o: [o["published"].pk], PUBLIC),
        ("draft", "get", lambda o: [o["draft"].pk], FULL_RECORD_ONLY),
    ],
    "minutes:published-document": [
        ("published", "get", lambda o: [o["published"].pk, 1, "minutes"], PUBLIC),
        ("draft", "get", lambda o: [o["draft"].pk, 1, "minutes"], dict.fromkeys(PERSONAS, 404)),
    ],
    "minutes:paper": [
        ("public paper", "get", lambda o: [o["forthcoming"].pk, o["public_file"]], PUBLIC),
        (
            "exempt paper",
            "get",
            lambda o: [o["forthcoming"].pk, o["exempt_file"]],
            FULL_RECORD_ONLY,
        ),
    ],
    "minutes:agenda-pack": [("published", "get", lambda o: [o["forthcoming"].pk, 1], PUBLIC)],
    "minutes:agenda-pack-language": [
        ("published", "get", lambda o: [o["forthcoming"].pk, 1, "en"], PUBLIC),
        (
            "no Welsh",
            "get",
            lambda o: [o["forthcoming"].pk, 1, "cy"],
            dict.fromkeys(PERSONAS, 404),
        ),
    ],
    "minutes:board-feed": [("-", "get", lambda o: [o["board"].slug], PUBLIC)],
    **{
        f"minutes:body-{name}": [("-", "get", lambda o: [o["board"].body.slug], PUBLIC)]
        for name in ["home", "feed", "calendar", "accessibility", "logo", "style"]
    },
    **{
        f"minutes:body-{name}-language": [
            ("-", "get", lambda o: [o["board"].body.slug, "cy"], PUBLIC)
        ]
        for name in ["feed", "calendar"]
    },
    "minutes:search": [("-", "get", lambda o: [], PUBLIC)],
    "minutes:api-index": [("-", "get", lambda o: [], PUBLIC)],
    "minutes:api-board-list": [("-", "get", lambda o: [], PUBLIC)],
    "minutes:api-meeting-list": [("-", "get", lambda o: [], PUBLIC)],
    "minutes:api-forthcoming-list": [("-", "get", lambda o: [], PUBLIC)],
    **{
        f"minutes:api-board-{name}": [("-", "get", lambda o: [o["board"].slug], PUBLIC)]
        for name in ["detail", "meetings", "forthcoming", "actions"]
    },
    "minutes:api-meeting-detail": [
        ("published", "get", lambda o: [o["published"].pk], PUBLIC),
        # The API shows only what is published, to staff too.
        ("draft", "get", lambda o: [o["draft"].pk], dict.fromkeys(PERSONAS, 404)),
    ],
    "minutes:published-document-language": [
        ("published", "get", lambda o: [o["published"].pk, 1, "minutes", "en"], PUBLIC),
        (
            "no Welsh",
            "get",
            lambda o: [o["published"].pk, 1, "minutes", "cy"],
            dict.fromkeys(PERSONAS, 404),
        ),
        (
            "draft",
            "get",
            lambda o: [o["draft"].pk, 1, "minutes", "cy"],
            dict.fromkeys(PERSONAS, 404),
        ),
    ],
    "set_language": [("-", "post", lambda o: [], dict.fromkeys(PERSONAS, 302))],
    # A preview's link shows its state; its button queues one and leads to its page; the page
    # and the PDF, as above.
    "minutes:preview-document": [
        ("draft", "get", lambda o: [o["draft"].pk, "minutes", "full"], FULL_RECORD_ONLY),
        ("draft", "post", lambda o: [o["draft"].pk, "minutes", "full"], PREVIEW_ASK),
        ("exempt", "post", lambda o: [o["published"].pk, "minutes", "public"], PREVIEW_ASK),
    ],
    "minutes:preview-status": [
        ("full", "get", lambda o: [o["published"].pk, o["preview"].pk], FULL_RECORD_ONLY),
        ("other meeting", "get", lambda o: [o["draft"].pk, o["preview"].pk], NOT_FOUND),
    ],
    "minutes:preview-pdf": [
        ("full", "get", lambda o: [o["published"].pk, o["preview"].pk], FULL_RECORD_ONLY),
        ("other meeting", "get", lambda o: [o["draft"].pk, o["preview"].pk], NOT_FOUND),
    ],
    "actions:action-list": [("-", "get", lambda o: [], STAFF_READ)],
    "actions:action-export-csv": [("-", "get", lambda o: [], STAFF_READ)],
    "actions:action-export-xlsx": [("-", "get", lambda o: [], STAFF_READ)],
    # A finished background export: the clerk's own, any staff user's too, no other reader's.
    "actions:action-export-download": [
        ("clerk's export", "get", lambda o: [o["export"].pk], {**STAFF_READ, "member": 404}),
    ],
    "actions:meeting-action-review": [("draft", "get", lambda o: [o["draft"].pk], STAFF_READ)],
    "actions:action-mine": [
        (
            "-",
            "get",
            lambda o: [],
            {**dict.fromkeys(PERSONAS, 403), "anonymous": LOGIN, "force_lead": 200},
        ),
    ],
    "actions:action-detail": [
        ("own action", "get", lambda o: [o["own"].pk], {**STAFF_READ, "force_lead": 200}),
        (
            "another lead's action",
            "get",
            lambda o: [o["other"].pk],
            {**STAFF_READ, "force_lead": 404},
        ),
    ],
    "actions:action-update-create": [
        # Someone signed in again after their session ended mid-form is sent back to the page.
        ("own action", "get", lambda o: [o["own"].pk], {**SEEN_THEN_SENT_BACK, "force_lead": 302}),
        (
            "another lead's action",
            "get",
            lambda o: [o["other"].pk],
            {**SEEN_THEN_SENT_BACK, "force_lead": 404},
        ),
        (
            "own action",
            "post",
            lambda o: [o["own"].pk],
            {
                "anonymous": LOGIN,
                "clerk": 400,
                "approver": 403,
                "member": 403,
                "force_lead": 400,
                "administrator": 400,
            },
        ),
        (
            "another lead's action",
            "post",
            lambda o: [o["other"].pk],
            {
                "anonymous": LOGIN,
                "clerk": 400,
                "approver": 403,
                "member": 403,
                "force_lead": 404,
                "administrator": 400,
            },
        ),
    ],
    **{
        f"actions:{name}": [
            ("own action", "post", lambda o: [o["own"].pk], STAFF_WRITE_POST),
            (
                "another lead's action",
                "post",
                lambda o: [o["other"].pk],
                {**STAFF_WRITE_POST, "force_lead": 404},
            ),
        ]
        for name in ["action-reopen", "action-withdraw", "action-reassign", "action-link"]
    },
    # Closing needs no note and an empty due date clears it, but an empty post lacks the version
    # the page carries: staff pass the permission check and are told (400), others are refused.
    **{
        f"actions:{name}": [
            ("own action", "post", lambda o: [o["own"].pk], STAFF_WRITE_POST),
            (
                "another lead's action",
                "post",
                lambda o: [o["other"].pk],
                {**STAFF_WRITE_POST, "force_lead": 404},
            ),
        ]
        for name in ["action-close", "action-due"]
    },
}
MATRIX.update(EDITOR_ROWS)


def all_url_names():
    def walk(patterns, ns=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns,
                    ns + (f"{pattern.namespace}:" if pattern.namespace else ""),
                )
            elif pattern.name:
                yield ns + pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def admin_rows():
    """The admin's URLs come from its registered models: one rule covers them."""
    return {name for name in all_url_names() if name.startswith("admin:")}


def test_every_url_has_a_row():
    missing = [n for n in all_url_names() if n not in MATRIX and n not in admin_rows()]
    assert missing == [], f"add these URLs to the permission matrix: {missing}"
    stale = [n for n in MATRIX if n not in all_url_names()]
    assert stale == []


@pytest.fixture
def objects(force_lead, other_force_lead, clerk, settings, tmp_path):
    hospc = Role.objects.get(abbrev="HoSPC")
    acc = Role.objects.get(abbrev="ACC")
    logo = io.BytesIO()
    Image.new("RGB", (4, 4)).save(logo, "PNG")
    body = hospc.body
    body.slug, body.logo, body.logo_type = "gwent", logo.getvalue(), "image/png"
    body.save()
    board = BoardFactory(body=body, slug="spb")
    published = MeetingFactory(board=board)
    exempt = AgendaItemFactory(meeting=published, exempt=True, exempt_reason="Section 7")
    QuestionFactory(item=exempt)
    meeting_publish(meeting=published, by=None, check_permission=False)
    draft = MeetingFactory(board=board)
    own = action_create(board=board, text="Own", owners=[hospc], raised_at=draft, by=None)
    other = action_create(board=board, text="Other", owners=[acc], raised_at=draft, by=None)
    settings.EXPORTS_ROOT = tmp_path
    export = ActionExport.objects.create(requested_by=clerk, format="csv")
    action_export_build(export=export)
    forthcoming = meeting_announce(
        board=board, held_on=datetime.date(2099, 1, 1), start_time=None, by=None
    )
    item = AgendaItemFactory(meeting=forthcoming)
    files = {}
    for title, exempt in (("public_file", False), ("exempt_file", True)):
        paper = Paper.objects.create(item=item, title=title, exempt=exempt)
        files[title] = paper_attach_pdf(paper=paper, data=pdf_with_text(title), by=None).pk
    agenda_publish(meeting=forthcoming, by=UserFactory(is_superuser=True))
    preview = preview_request(
        meeting=published, kind="minutes", public=False, language="en", by=clerk
    )
    return {
        "preview": preview,
        "board": board,
        "published": published,
        "draft": draft,
        "own": own,
        "other": other,
        "export": export,
        "forthcoming": forthcoming,
        **files,
    }


@pytest.fixture
def personas(db, clerk, approver, member, force_lead, administrator):
    return {
        "clerk": clerk,
        "approver": approver,
        "member": member,
        "force_lead": force_lead,
        "administrator": administrator,
        "anonymous": None,
        PASSWORD_ONLY: clerk,
    }


def _sign_in(client, personas, persona, settings):
    user = personas[persona]
    if persona == PASSWORD_ONLY:
        settings.ADMIN_REQUIRE_OTP = True
    if user is not None:
        client.force_login(user)
    return user


@pytest.mark.parametrize("persona", [*PERSONAS, PASSWORD_ONLY])
def test_outcome(client, objects, personas, persona, settings):
    """Every row for one persona; all mismatches are listed together."""
    user = _sign_in(client, personas, persona, settings)
    mismatches = []
    for name, rows in MATRIX.items():
        for state, method, args, expected in rows:
            url = reverse(name, args=args(objects))
            response = getattr(client, method)(url)
            wanted = expected["anonymous" if persona == PASSWORD_ONLY else persona]
            if wanted == LOGIN:
                ok = response.status_code == 302 and response["Location"].startswith(
                    reverse("login")
                )
            else:
                ok = response.status_code == wanted
            if not ok:
                mismatches.append(
                    f"{method.upper()} {name} [{state}]: wanted {wanted}, "
                    f"got {response.status_code}"
                )
            if name == "logout" and user is not None:
                client.force_login(user)  # signing out ends the session: sign in again
    assert mismatches == []


ADMIN_PERSONAS = {
    "anonymous": ADMIN_LOGIN,
    "member": ADMIN_LOGIN,
    "force_lead": ADMIN_LOGIN,
    "clerk": 200,
    "approver": 200,
    "administrator": 200,
    PASSWORD_ONLY: ADMIN_LOGIN,
}


@pytest.mark.parametrize("persona", [*PERSONAS, PASSWORD_ONLY])
def test_admin_changelists_by_persona(client, objects, personas, persona, settings):
    """The secretariat pages: staff only; what each staff group may open follows its
    permissions; nobody but an administrator manages users."""
    user = _sign_in(client, personas, persona, settings)
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url)
        if ADMIN_PERSONAS[persona] == ADMIN_LOGIN:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url
        elif user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        ):
            assert response.status_code == 200, (url, persona)
        else:
            assert response.status_code == 403, (url, persona)
    if user is not None and user.is_staff and persona != PASSWORD_ONLY:
        can_manage_users = user.has_perm("auth.change_user")
        assert can_manage_users == (persona == "administrator")


# The secretariat's own pages, literally: who may open the approval workflow and the change,
# add and delete pages of the record. Members and force leads are not staff: the admin sends
# them to its sign-in page.
def staff(*, clerk: int, approver: int, administrator: int) -> dict:
    """A row of the admin: those who are not staff go to its sign-in page."""
    others = dict.fromkeys(["anonymous", "member", "force_lead"], ADMIN_LOGIN)
    return {**others, "clerk": clerk, "approver": approver, "administrator": administrator}


ADMIN_PAGES = [
    # (url name, state, args(objects, extra) -> list, {persona: outcome})
    (
        "admin:meetings_meeting_workflow",
        "approve a draft",
        lambda o, x: [o["draft"].pk, "approve"],
        staff(clerk=403, approver=200, administrator=403),
    ),
    (
        "admin:meetings_meeting_workflow",
        "publish a draft",
        lambda o, x: [o["draft"].pk, "publish"],
        staff(clerk=403, approver=200, administrator=403),
    ),
    (
        "admin:meetings_meeting_workflow",
        "withdraw published",
        lambda o, x: [o["published"].pk, "withdraw"],
        staff(clerk=403, approver=200, administrator=403),
    ),
    (
        "admin:meetings_meeting_workflow",
        "unknown step",
        lambda o, x: [o["draft"].pk, "erase"],
        staff(clerk=403, approver=403, administrator=403),
    ),
    (
        "admin:meetings_meeting_change",
        "draft",
        lambda o, x: [o["draft"].pk],
        staff(clerk=200, approver=200, administrator=200),
    ),
    (
        "admin:meetings_meeting_add",
        "-",
        lambda o, x: [],
        staff(clerk=200, approver=403, administrator=200),
    ),
    (
        "admin:meetings_meeting_delete",
        "draft",
        lambda o, x: [o["draft"].pk],
        staff(clerk=200, approver=403, administrator=200),
    ),
    (
        "admin:meetings_meeting_delete",
        "published",
        lambda o, x: [o["published"].pk],
        staff(clerk=403, approver=403, administrator=403),
    ),
    (
        "admin:meetings_agendaitem_change",
        "draft item",
        lambda o, x: [x["item"].pk],
        staff(clerk=200, approver=200, administrator=200),
    ),
    (
        "admin:meetings_agendaitem_add",
        "-",
        lambda o, x: [],
        staff(clerk=200, approver=403, administrator=200),
    ),
    (
        "admin:meetings_agendaitem_delete",
        "draft item",
        lambda o, x: [x["item"].pk],
        staff(clerk=200, approver=403, administrator=200),
    ),
    (
        "admin:actions_action_change",
        "draft's action",
        lambda o, x: [o["own"].pk],
        staff(clerk=200, approver=200, administrator=200),
    ),
    (
        "admin:actions_action_add",
        "-",
        lambda o, x: [],
        staff(clerk=200, approver=403, administrator=200),
    ),
    (
        "admin:actions_action_delete",
        "draft's action",
        lambda o, x: [o["own"].pk],
        staff(clerk=200, approver=403, administrator=200),
    ),
    (
        "admin:meetings_board_change",
        "-",
        lambda o, x: [o["board"].pk],
        staff(clerk=200, approver=200, administrator=200),
    ),
    (
        "admin:meetings_board_delete",
        "-",
        lambda o, x: [o["board"].pk],
        staff(clerk=403, approver=403, administrator=200),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_pages_by_persona(client, objects, personas, persona):
    """Opening (GET) each page; every mismatch is listed together."""
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    extra = {"item": AgendaItemFactory(meeting=objects["draft"])}
    mismatches = []
    for name, state, args, expected in ADMIN_PAGES:
        response = client.get(reverse(name, args=args(objects, extra)))
        wanted = expected[persona]
        if wanted == ADMIN_LOGIN:
            ok = response.status_code == 302 and response["Location"].startswith(
                reverse("admin:login")
            )
        else:
            ok = response.status_code == wanted
        if not ok:
            mismatches.append(f"GET {name} [{state}]: wanted {wanted}, got {response.status_code}")
    assert mismatches == []
