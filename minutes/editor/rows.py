"""The review's rows written in Python: a board may have hundreds of outstanding actions, and
through templates and form widgets their rows cost most of the editor page at 120,000 actions.
The markup is the one `_review_row.html` writes for a row with its form (still used for a row
that comes back with errors); this writes a row as the page opens, from its initial values,
with the fixed words looked up once per language."""

import datetime
import functools

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from minutes.editor.forms import REVIEW_STATUS_CHOICES, ReviewRowForm

PRINTED = ReviewRowForm.printed_fields


@functools.lru_cache(maxsize=16)
def _words(language: str | None) -> dict:
    """The labels and the status list, in the page's language (the argument keys the cache)."""
    fields = ReviewRowForm.base_fields
    words = {name: escape(str(field.label)) for name, field in fields.items()}
    words["_options"] = [(str(value), escape(str(label))) for value, label in REVIEW_STATUS_CHOICES]
    words["_details"] = escape(_("What these minutes print of the action (as it was then)"))
    words["_prefilled"] = escape(_("(pre-filled from the register)"))
    return words


def _plain(value) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _value(value) -> str:
    """A value attribute as Django's widgets write it: left out when empty."""
    value = value.isoformat() if isinstance(value, datetime.date) else value
    return "" if value in (None, "") else f' value="{escape(value)}"'


def _printed(p: str, values: dict, welsh: bool, w: dict) -> str:
    def text(name, maxlength, extra=""):
        return (
            f'<label for="id_{p}-{name}">{w[name]}</label><input type="text" name="{p}-{name}"'
            f'{_value(values.get(name))} maxlength="{maxlength}"{extra} id="id_{p}-{name}">'
        )

    def date(name):
        return (
            f'<label for="id_{p}-{name}">{w[name]}</label><input type="date" name="{p}-{name}"'
            f'{_value(values.get(name))} id="id_{p}-{name}">'
        )

    welsh_summary = (
        f'<div class="ed-field ed-wide ed-welsh">{text("summary_cy", 5000, ' lang="cy"')}</div>'
        if welsh
        else ""
    )
    owners = text("printed_owners", 500, ' list="editor-posts" autocomplete="off"')
    return (
        f'<div class="grid-fields review-printed"><div class="ed-field ed-wide">'
        f"{text('summary', 5000)}</div>{welsh_summary}"
        f'<div class="ed-field">{owners}</div>'
        f'<div class="ed-field">{date("printed_due_on")}</div>'
        f'<div class="ed-field">{date("printed_raised_on")}</div></div>'
    )


def _textarea(p: str, name: str, value, w: dict, lang: str = "") -> str:
    return (
        f'<label for="id_{p}-{name}">{w[name]}</label><textarea name="{p}-{name}" cols="40" '
        f'rows="2" maxlength="20000"{lang} id="id_{p}-{name}">\n{escape(value or "")}</textarea>'
    )


def review_row_html(row: dict, *, oob: bool = False) -> SafeString:
    """One row of the review as the page opens: the action, its latest progress, this
    meeting's progress, status and item, and what the minutes print of it."""
    w = _words(get_language())
    action, values, index = row["action"], row["values"], row["index"]
    p = f"rev-{index}"
    reviewed_here, welsh = row["reviewed_here"], row.get("welsh", False)
    owners, due = action.owners_display(), action.due_display()
    details = (f"{owners}; " if owners else "") + (
        _("due: %(due)s") % {"due": due} + "; " if due else ""
    )
    ref = escape(action.ref)
    legend = (
        f'<legend><strong>{ref}</strong> {escape(action.text)} <span class="owners">'
        f"({escape(details)}{escape(action.get_status_display())})</span></legend>"
    )
    latest = ""
    if getattr(action, "latest_progress", None) and not reviewed_here:
        on = date_format(action.latest_progress_on, "j F Y") if action.latest_progress_on else ""
        label = escape(_("Latest progress (%(on)s):") % {"on": on})
        progress = escape(Truncator(action.latest_progress).words(60, truncate=" …"))
        latest = f'<p class="latest"><span class="latest-label">{label}</span> {progress}</p>'
    status = _plain(values.get("status"))
    options = "".join(
        f'<option value="{value}"{" selected" if value == status else ""}>{label}</option>'
        for value, label in w["_options"]
    )
    item = values.get("item")
    items = f'<option value=""{"" if item else " selected"}>—</option>'
    if item is not None:
        title = escape(f"{item.number} {item.title}".strip())
        items += f'<option value="{item.pk}" selected>{title}</option>'
    welsh_text = (
        f'<div class="ed-field ed-wide ed-welsh">'
        f"{_textarea(p, 'text_cy', values.get('text_cy'), w, ' lang="cy"')}</div>"
        if welsh
        else ""
    )
    auto = " data-auto" if row.get("auto") else ""
    fields = (
        f'<div class="ed-field ed-wide">{_textarea(p, "text", values.get("text"), w)}</div>'
        f"{welsh_text}"
        f'<div class="ed-field"><label for="id_{p}-status">{w["status"]}</label>'
        f'<select name="{p}-status" id="id_{p}-status">{options}</select></div>'
        f'<div class="ed-field"><label for="id_{p}-item">{w["item"]}</label>'
        f'<select name="{p}-item" class="item-choice" id="id_{p}-item"{auto}>{items}</select></div>'
    )
    names = [n for n in PRINTED if welsh or n != "summary_cy"]
    defaults = row.get("defaults") or {}
    has_printed = any(values.get(n) for n in names)
    is_open = has_printed and (
        not defaults or any(_plain(values.get(n)) != _plain(defaults.get(n)) for n in names)
    )
    summary = w["_details"] + (" " + w["_prefilled"] if defaults else "")
    printed = (
        f'<details class="printed" data-printed-index="{index}"{" open" if is_open else ""}>'
        f"<summary>{summary}</summary>"
        f"{_printed(p, values, welsh, w) if has_printed else ''}</details>"
    )
    raised = "" if reviewed_here else f' data-raised-on="{_plain(action.raised_sort_on)}"'
    return mark_safe(  # every value above is escaped
        f'<li id="review-row-{action.pk}" class="review-row"'
        f'{' hx-swap-oob="true"' if oob else ""} data-ref="{ref}"{raised}><fieldset>'
        f"{legend}{latest}"
        f'<input type="hidden" name="{p}-action" value="{action.pk}" id="id_{p}-action">'
        f'<div class="grid-fields review-fields">{fields}</div>{printed}</fieldset></li>'
    )
