"""The kinds of user and what each may do; docs/permissions.md describes the same table."""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

CLERK = "Clerk"
APPROVER = "Approver"
FORCE_LEAD = "Force lead"
MEMBER = "Member"
ADMINISTRATOR = "Administrator"

_RECORD_MODELS = {
    "meetings": ["meeting", "attendance", "agendaitem", "paper", "departure", "question"],
    "actions": ["action", "actionowner", "actionupdate"],
}
_REFERENCE_MODELS = {"meetings": ["organisation", "person", "role", "appointment", "board"]}
# Clerks keep the reference data up to date, but who holds a post (what opens its actions) is
# an administrator's decision.
_CLERK_REFERENCE_MODELS = {"meetings": ["organisation", "person", "role", "board"]}
# Who sits on a board only pre-fills a meeting's attendance (it opens nothing): the secretariat
# keeps it, with the board's other settings.
_MEMBERSHIP_MODELS = {"meetings": ["boardmembership"]}


def _codenames(models: dict[str, list[str]], verbs: list[str]) -> list[tuple[str, str]]:
    return [
        (app, f"{verb}_{model}")
        for app, names in models.items()
        for model in names
        for verb in verbs
    ]


GROUPS: dict[str, dict] = {
    CLERK: {
        "description": _("OPCC secretariat: enters and edits meetings, minutes and actions."),
        "permissions": _codenames(_RECORD_MODELS, ["add", "change", "delete", "view"])
        + _codenames(_CLERK_REFERENCE_MODELS, ["add", "change"])
        + _codenames(_MEMBERSHIP_MODELS, ["add", "change", "delete", "view"])
        + _codenames(_REFERENCE_MODELS, ["view"]),
        "staff": True,
    },
    APPROVER: {
        "description": _("Approves and publishes minutes; reads everything."),
        "permissions": _codenames(_RECORD_MODELS, ["view"])
        + _codenames(_REFERENCE_MODELS, ["view"])
        + [
            ("meetings", "change_meeting"),
            ("meetings", "approve_meeting"),
            ("meetings", "publish_meeting"),
        ],
        "staff": True,
    },
    FORCE_LEAD: {
        "description": _(
            "A Chief Constable's officer: reports progress on the actions of their posts."
        ),
        "permissions": [],
        "staff": False,
    },
    MEMBER: {
        "description": _("A board member: reads the full minutes, edits nothing."),
        "permissions": _codenames(_RECORD_MODELS, ["view"]),
        "staff": False,
    },
    ADMINISTRATOR: {
        "description": _("Manages users, posts and boards, and everything a clerk does."),
        "permissions": _codenames(_RECORD_MODELS, ["add", "change", "delete", "view"])
        + _codenames(_REFERENCE_MODELS, ["add", "change", "delete", "view"])
        + _codenames(_MEMBERSHIP_MODELS, ["add", "change", "delete", "view"])
        + [
            ("auth", f"{verb}_{model}")
            for model in ("user", "group")
            for verb in ("add", "change", "view")
        ],
        "staff": True,
    },
}


def ensure_groups() -> dict[str, Group]:
    """Create the groups and give each exactly its permissions (idempotent)."""
    groups = {}
    for name, spec in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in spec["permissions"]
        ]
        group.permissions.set(permissions)
        groups[name] = group
    return groups
