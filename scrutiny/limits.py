"""How long free text may be. Generous for real minutes, and far below what hurts the renderer."""

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
# Word pastes: a manual line break is \x0b, a page break \x0c. Each becomes a space.
CONTROL_CHARACTERS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)], " ")


def without_control_characters(text: str) -> str:
    return text.translate(CONTROL_CHARACTERS)
