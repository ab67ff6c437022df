"""The audit trail as people read it: who changed what, when, from what to what."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

KINDS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
MAX_ENTRIES = 100


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    at: datetime
    who: str
    kind: str
    what: str
    changes: list[Change] = field(default_factory=list)


def _show(value) -> str:
    if value in (None, ""):
        return "–"
    text = str(value)
    return text if len(text) <= 300 else text[:299] + "…"


def entries(*querysets, limit: int = MAX_ENTRIES) -> list[AuditEntry]:
    """The latest changes recorded in the given history querysets, newest first."""
    records = []
    for queryset in querysets:
        records.extend(queryset.select_related("history_user").order_by("-history_date")[:limit])
    records.sort(key=lambda r: r.history_date, reverse=True)
    out = []
    for record in records[:limit]:
        model = record.instance_type
        changes = []
        if record.history_type == "~" and record.prev_record is not None:
            delta = record.diff_against(record.prev_record, excluded_fields=["version"])
            for change in delta.changes:
                label = model._meta.get_field(change.field).verbose_name
                changes.append(Change(str(label), _show(change.old), _show(change.new)))
            if not changes:
                continue
        user = record.history_user
        name = model._meta.verbose_name.capitalize()
        out.append(
            AuditEntry(
                at=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else str(_("system")),
                kind=str(KINDS[record.history_type]),
                what=f"{name}: {_show(str(record.instance))[:120]}",
                changes=changes,
            )
        )
    return out
