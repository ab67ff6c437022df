"""Import meeting files: validate everything first, then write one meeting per file, atomically.

Reading and checking are in `validation`, writing in `writing`; the entry points are here.
"""

from django.db import transaction

from actions.counts import register_counts_compact
from meetings.models import Meeting
from minutes.interchange.validation import (
    MAX_ERRORS,
    prefixed_number,
    read_meeting_file,
    validate_document,
)
from minutes.interchange.writing import import_meeting_document
from scrutiny.transactions import all_or_nothing

__all__ = [
    "MAX_ERRORS",
    "import_meeting_document",
    "import_meeting_files",
    "prefixed_number",
    "read_meeting_file",
    "validate_document",
]


def import_meeting_files(paths, *, replace: bool = False) -> list[Meeting]:
    """Import a batch of files, all or nothing: the first fault rolls every file back (so the
    services it calls take no savepoints of their own)."""
    documents = [(str(path), read_meeting_file(path)) for path in paths]
    for source, data in documents:
        validate_document(data, source=source)
    batch: dict = {}
    with all_or_nothing():
        meetings = [
            import_meeting_document(
                data, replace=replace, source=source, validated=True, batch=batch
            )
            for source, data in documents
        ]
    if not transaction.get_connection().in_atomic_block:
        # The register's counts of these boards, folded once their changes are in.
        register_counts_compact(boards={meeting.board_id for meeting in meetings})
    return meetings
