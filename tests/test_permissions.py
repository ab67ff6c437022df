"""Every URL name of the project, with every persona and object state, and its documented
outcome (docs/permissions.md). A URL without a row here fails `test_every_url_has_a_row`."""

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse

from actions.services import action_create
from meetings.models import Role
from minutes.services import meeting_publish
from tests.factories import AgendaItemFactory, BoardFactory, MeetingFactory, QuestionFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "clerk", "approver", "member", "force_lead", "administrator"]
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
    "minutes:meeting-detail": [
        ("published", "get", lambda o: [o["published"].pk], PUBLIC),
        ("draft", "get", lambda o: [o["draft"].pk], FULL_RECORD_ONLY),
    ],
    "minutes:published-document": [
        ("published", "get", lambda o: [o["published"].pk, 1, "minutes"], PUBLIC),
        ("draft", "get", lambda o: [o["draft"].pk, 1, "minutes"], dict.fromkeys(PERSONAS, 404)),
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
    "minutes:preview-document": [
        ("draft", "get", lambda o: [o["draft"].pk, "minutes", "full"], FULL_RECORD_ONLY),
        ("exempt", "get", lambda o: [o["published"].pk, "minutes", "public"], FULL_RECORD_ONLY),
    ],
    "actions:action-list": [("-", "get", lambda o: [], STAFF_READ)],
    "actions:action-export-csv": [("-", "get", lambda o: [], STAFF_READ)],
    "actions:action-export-xlsx": [("-", "get", lambda o: [], STAFF_READ)],
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
def objects(force_lead, other_force_lead):
    hospc = Role.objects.get(abbrev="HoSPC")
    acc = Role.objects.get(abbrev="ACC")
    board = BoardFactory(body=hospc.body, slug="spb")
    published = MeetingFactory(board=board)
    exempt = AgendaItemFactory(meeting=published, exempt=True, exempt_reason="Section 7")
    QuestionFactory(item=exempt)
    meeting_publish(meeting=published, by=None, check_permission=False)
    draft = MeetingFactory(board=board)
    own = action_create(board=board, text="Own", owners=[hospc], raised_at_meeting=draft)
    other = action_create(board=board, text="Other", owners=[acc], raised_at_meeting=draft)
    return {"board": board, "published": published, "draft": draft, "own": own, "other": other}


@pytest.fixture
def personas(db, clerk, approver, member, force_lead, administrator):
    return {
        "clerk": clerk,
        "approver": approver,
        "member": member,
        "force_lead": force_lead,
        "administrator": administrator,
        "anonymous": None,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_outcome(client, objects, personas, persona):
    """Every row for one persona; all mismatches are listed together."""
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    mismatches = []
    for name, rows in MATRIX.items():
        for state, method, args, expected in rows:
            url = reverse(name, args=args(objects))
            response = getattr(client, method)(url)
            wanted = expected[persona]
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
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_changelists_by_persona(client, objects, personas, persona):
    """The secretariat pages: staff only; what each staff group may open follows its
    permissions; nobody but an administrator manages users."""
    user = personas[persona]
    if user is not None:
        client.force_login(user)
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
    if user is not None and user.is_staff:
        can_manage_users = user.has_perm("auth.change_user")
        assert can_manage_users == (persona == "administrator")
