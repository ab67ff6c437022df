"""The review's rows as the page opens, written in Python: a board may have hundreds of
outstanding actions (280 at 120,000 actions), so each is a short read-only row (the action, its
latest progress or what this meeting minuted, and a button that fetches its form), with the
fixed words looked up once per language. A row's form (`_review_row.html`) is fetched when the
clerk asks for it, and is the only part of the review that is posted and validated."""

import functools

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from actions.models import Action, ActionStatus
from minutes.editor.forms import REVIEW_STATUS_CHOICES


@functools.lru_cache(maxsize=16)
def _words(language: str | None) -> dict:
    """The fixed words of a row in the page's language (the argument keys the cache)."""
    return {
        "record": escape(_("Record progress")),
        "change": escape(_("Change progress")),
        "here": escape(_("At this meeting:")),
        "on": escape(pgettext("progress on an action", "on")),
        "statuses": {str(value): escape(str(label)) for value, label in REVIEW_STATUS_CHOICES},
    }


@functools.lru_cache(maxsize=4096)
def _due(language: str | None, due_on, due_kind) -> str:
    """ "due: 1 April 2024; " as a row says it (hundreds of rows share a few dates)."""
    due = Action(due_on=due_on, due_kind=due_kind).due_display()
    return _("due: %(due)s") % {"due": due} + "; " if due else ""


@functools.lru_cache(maxsize=4096)
def _latest_label(language: str | None, on) -> str:
    on = date_format(on, "j F Y") if on else ""
    return escape(_("Latest progress (%(on)s):") % {"on": on})


@functools.lru_cache(maxsize=16)
def _statuses(language: str | None) -> dict:
    return {str(value): escape(str(label)) for value, label in ActionStatus.choices}


def action_heading(action) -> str:
    """The action as a row names it: "<strong>SPB 12</strong> Report on stop and search
    (CC; due: 1 April 2024; Open)", escaped."""
    language = get_language()
    owners = action.owners_display(labels=getattr(action, "owner_labels", None))
    details = (f"{owners}; " if owners else "") + _due(language, action.due_on, action.due_kind)
    return (
        f'<strong>{escape(action.ref)}</strong> {escape(action.text)} <span class="owners">'
        f"({escape(details)}{_statuses(language).get(action.status, '')})</span>"
    )


def _latest(action) -> str:
    if not getattr(action, "latest_progress", None):
        return ""
    label = _latest_label(get_language(), action.latest_progress_on)
    progress = escape(Truncator(action.latest_progress).words(40, truncate=" …"))
    return f'<p class="latest"><span class="latest-label">{label}</span> {progress}</p>'


def _minuted_here(update, w: dict) -> str:
    """What this meeting minuted of the action: its progress, status and item."""
    status = w["statuses"].get(update.status or "", "")
    item = update.item
    where = escape(f"{item.number} {item.title}".strip()) if item is not None else ""
    facts = "; ".join(part for part in (status, where) if part)
    text = escape(Truncator(update.text).words(60, truncate=" …"))
    return (
        f'<p class="latest here"><span class="latest-label">{w["here"]}</span> {text}'
        f"{f' <span class="owners">({facts})</span>' if facts else ''}</p>"
    )


def review_row_html(row: dict, *, oob: bool = False) -> SafeString:
    """One row of the review as the page opens: the action, its latest progress (or what this
    meeting minuted of it) and the button that fetches its form in place (the list's
    hx-target and hx-swap, written once, put it in place of the row)."""
    w = _words(get_language())
    action, update = row["action"], row.get("update")
    pk = action.pk
    body = _minuted_here(update, w) if update is not None else _latest(action)
    label = w["change"] if update is not None else w["record"]
    url = row["url"].replace("/0/", f"/{pk}/")
    return mark_safe(  # every value above is escaped
        f'<li id="review-row-{pk}" class="review-row"{' hx-swap-oob="true"' if oob else ""}'
        f' data-ref="{escape(action.ref)}"><p class="review-action">{action_heading(action)}</p>'
        f'{body}<button type="button" class="btn btn-sm btn-outline-primary" hx-get="{url}">'
        f"{label}"
        f'<span class="visually-hidden"> {w["on"]} {escape(action.ref)}</span></button></li>'
    )
