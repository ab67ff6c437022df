"""How long free text may be. Generous for real minutes, and far below what hurts the renderer."""

from django.core.validators import MaxLengthValidator

MINUTES = 200_000  # one item's minute text: the longest seed item is about 12,000
LONG_TEXT = 50_000  # a question, a response, progress
SHORT_TEXT = 5_000  # an action, a note
DOCUMENT_HTML = 8_000_000  # what the renderer accepts at most, all items together


def limit(n: int) -> list:
    return [MaxLengthValidator(n)]


PAPER_MAX_BYTES = 20 * 1024 * 1024  # an uploaded paper (a report with charts is a few MB)
