"""How long free text may be. Generous for real minutes, and far below what hurts the renderer."""

import re

from django.core.validators import MaxLengthValidator

MINUTES = 200_000  # one item's minute text: the longest seed item is about 12,000
LONG_TEXT = 50_000  # a question, a response, progress
SHORT_TEXT = 5_000  # an action, a note
DOCUMENT_HTML = 8_000_000  # what the renderer accepts at most, all items together


def limit(n: int) -> list:
    return [MaxLengthValidator(n)]


PAPER_MAX_BYTES = 20 * 1024 * 1024  # an uploaded paper (a report with charts is a few MB)


BIGGEST_ID = 2**63 - 1  # the largest primary key any of the databases stores


def as_id(value: str) -> int | None:
    """A record's number as typed in an address or a box: ASCII digits in the databases'
    integer range. "²" is a digit to Python but int() refuses it; a 30-digit number overflows."""
    if value.isascii() and value.isdigit() and int(value) <= BIGGEST_ID:
        return int(value)
    return None


# C0 control characters XML 1.0 cannot carry (all but tab, line feed and carriage return), which
# Word pastes: a manual line break is \x0b, a page break \x0c; and DEL. Each becomes a space.
CONTROL_CHARACTERS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F], " ")
_ANY_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control_characters(text: str) -> str:
    # Most text has none: one scan finds that (every text written goes through here, twice).
    return text.translate(CONTROL_CHARACTERS) if _ANY_CONTROL_CHARACTER.search(text) else text


class _WithoutControlCharacters:
    """Mixed into a text field of the record (`clean_text_on_write`): what is written has no
    control characters. `get_prep_value` is what every write goes through (save, bulk_create,
    update, bulk_update: no caller can go around it); `pre_save` keeps the instance in step with
    what was stored. The class goes by the name of the field it extends, so the migrations see
    that field (`deconstruct`): nothing changes in the database."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return without_control_characters(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if isinstance(value, str):
            cleaned = without_control_characters(value)
            if cleaned != value:
                setattr(model_instance, self.attname, cleaned)
            return cleaned
        return value


_CLEANED_CLASSES: dict[type, type] = {}


def clean_text_on_write(models) -> None:
    """Every text field (CharField, TextField and their kinds) of these models writes its text
    without control characters, whoever writes it: text pasted from Word enters the record
    clean, once, where it is stored. Called by each app of the record when it is ready."""
    from django.db.models import CharField, TextField

    for model in models:
        for field in model._meta.local_concrete_fields:
            plain = type(field)
            if not isinstance(field, (CharField, TextField)) or plain in _CLEANED_CLASSES.values():
                continue
            if plain not in _CLEANED_CLASSES:
                _CLEANED_CLASSES[plain] = type(
                    plain.__name__,
                    (_WithoutControlCharacters, plain),
                    {"__module__": plain.__module__, "__qualname__": plain.__qualname__},
                )
            field.__class__ = _CLEANED_CLASSES[plain]
