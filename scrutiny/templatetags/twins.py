"""Printed texts in the reader's language, for plain text (emails): the Welsh twin where it
exists, else the English. Pages use minutes_tags' `twin`, which also marks the English."""

from django import template
from django.utils.translation import get_language

from scrutiny.languages import in_language

register = template.Library()


@register.simple_tag(takes_context=True)
def twin_text(context, obj, field_name: str) -> str:
    return in_language(obj, field_name, context.get("language") or get_language())[0]
