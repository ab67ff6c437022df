"""How a paragraph of minute text prints: plain text, where a run of "- " lines is a list."""

import re

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from minutes.editor.forms import reviewed_dates as dates_in
from minutes.editor.forms import short_name as editor_short_name
from minutes.editor.rows import action_heading, review_row_html

register = template.Library()

BULLET = re.compile(r"^\s*[-•*]\s+")


@register.filter
def paragraph_html(paragraph: str, css_class: str = ""):
    """A paragraph whose every line starts with a bullet ("- ", "• ") is a list (for screen
    readers and a hanging indent), each line printed as typed, bullet included; any other
    paragraph keeps its line breaks. All text is escaped."""
    lines = [line for line in paragraph.split("\n") if line.strip()]
    if len(lines) > 1 and all(BULLET.match(line) for line in lines):
        items = format_html_join("", "<li>{}</li>", ((line.strip(),) for line in lines))
        classes = " ".join(filter(None, [css_class, "bullets"]))
        # role="list": the bullets are typed, so the list has no markers of its own.
        return format_html('<ul class="{}" role="list">{}</ul>', classes, items)
    class_attr = format_html(' class="{}"', css_class) if css_class else ""
    text = format_html_join(mark_safe("<br>"), "{}", ((line,) for line in paragraph.split("\n")))
    return format_html("<p{}>{}</p>", class_attr, text)


@register.filter
def body_time(value, body=None) -> str:
    """A time as the body writes it: "13:00", or "1.00pm" for a body on the 12-hour clock."""
    if value is None or value == "":
        return ""
    if getattr(body, "time_style", "24h") == "12h":
        suffix = "am" if value.hour < 12 else "pm"
        return f"{value.hour % 12 or 12}.{value.minute:02d}{suffix}"
    return f"{value:%H:%M}"


@register.filter
def body_moment(value, body=None) -> str:
    """A date and time as the body writes them: "1 December 2026 1.05pm" or "… 13:05"."""
    if value is None or value == "":
        return ""
    return f"{date_format(value, 'j F Y')} {body_time(value, body)}"


@register.simple_tag
def feed_url(name: str, *args) -> str:
    """A feed's address in the page's language: the Welsh variant (feed.cy.atom, meetings.cy.ics)
    on a Welsh page, the plain one otherwise."""
    from django.urls import reverse
    from django.utils.translation import get_language

    if get_language() == "cy":
        return reverse(f"{name}-language", args=[*args, "cy"])
    return reverse(name, args=args)


@register.simple_tag(takes_context=True)
def twin(context, obj, field_name: str, lines: bool = False):
    """A printed text in the language of the page or document ({{ language }}): its Welsh twin
    in Welsh, or the English marked lang="en" where no Welsh exists, so it is read as English."""
    from django.utils.translation import get_language

    from scrutiny.languages import in_language

    language = context.get("language") or get_language()
    text, lang = in_language(obj, field_name, language)
    html = linebreaksbr(text, autoescape=True) if lines else conditional_escape(text)
    if lang:
        return format_html('<span lang="{}">{}</span>', lang, html)
    return html


@register.simple_tag(takes_context=True)
def twin_attr(context, obj, field_name: str, attribute: str):
    """An attribute (alt="...") holding a text in the page's language, as `twin` prints it, and
    lang="en" beside it where no Welsh exists."""
    from django.utils.translation import get_language

    from scrutiny.languages import in_language

    text, lang = in_language(obj, field_name, context.get("language") or get_language())
    return format_html('{}="{}"{}', attribute, text, lang_attr(lang))


@register.filter
def lang_attr(lang: str):
    """lang="en" on an element whose text is in another language than the page's."""
    return format_html(' lang="{}"', lang) if lang else ""


@register.filter
def welsh_missing(section) -> int:
    """How many printed texts of an editor section, as saved, have English and no Welsh: a form,
    a formset, or an item's node (its form and its questions' and papers' formsets)."""
    if isinstance(section, dict):
        return sum(welsh_missing(section.get(key)) for key in ("form", "questions", "papers"))
    forms = getattr(section, "forms", None)
    if forms is not None:
        return sum(welsh_missing(form) for form in forms)
    if section is None:
        return 0
    return sum(
        1
        for name in section.fields
        if name.endswith("_cy")
        and str(section.initial.get(name.removesuffix("_cy")) or "").strip()
        and not str(section.initial.get(name) or "").strip()
    )


@register.filter
def reviewed_dates(title: str) -> list[str] | None:
    """The dates an item reviewing actions names (ISO), for the editor's review defaults."""
    dates = dates_in(title)
    return None if dates is None else [date.isoformat() for date in dates]


@register.filter
def short_name(organisation) -> str:
    """An organisation as the editor's narrow lists show it ("OCC")."""
    return editor_short_name(organisation)


@register.filter
def review_row(row: dict, oob=False):
    """A row of the editor's review as the page opens (see minutes.editor.rows)."""
    return review_row_html(row, oob=bool(oob))


@register.filter
def review_heading(action) -> str:
    """An action as the review names it (see minutes.editor.rows)."""
    return mark_safe(action_heading(action))  # escaped there
