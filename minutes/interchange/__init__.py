"""The meeting interchange format, versions 1.0 and 1.1 (docs/meeting-format.md).

Every 1.0 file keeps importing. A 1.1 file may carry the keys 1.1 adds; the exporter writes the
lowest version that holds what it exports, so a meeting that uses nothing new still exports as 1.0.
"""

import json
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

FORMAT_1_0 = "scrutiny.meeting/1"
FORMAT_1_1 = "scrutiny.meeting/1.1"
FORMATS = (FORMAT_1_0, FORMAT_1_1)
SCHEMA_PATHS = {
    FORMAT_1_0: Path(__file__).with_name("meeting-1.0.schema.json"),
    FORMAT_1_1: Path(__file__).with_name("meeting-1.1.schema.json"),
}
MAX_FILE_BYTES = 10 * 1024 * 1024


class InterchangeError(Exception):
    """A meeting file that cannot be imported or exported, with where the fault is."""

    def __init__(self, message: str, *, path: str = "", source: str = ""):
        self.message = message
        self.path = path
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.source and self.path:
            return _("%(source)s: %(path)s: %(message)s") % {
                "source": self.source,
                "path": self.path,
                "message": self.message,
            }
        if self.source or self.path:
            return _("%(where)s: %(message)s") % {
                "where": self.source or self.path,
                "message": self.message,
            }
        return self.message


NOTE_MAX = 200  # characters: "For noting.", "No comments were raised.", never a minute


def marked_by_1_0_rule(spec: dict, siblings: list[dict]) -> bool:
    """Whether an item of a 1.0 file, which cannot say `in_questions_record`, is part of the
    questions record by the rule such records were printed by: no sub-items, no questions or
    papers of its own, a whole minute of one paragraph of at most NOTE_MAX characters, beside
    an item with questions or papers. The importer marks it so; the exporter leaves out a mark
    that this rule gives, so the file is 1.0 again."""
    from meetings.models import split_paragraphs

    if spec.get("items") or spec.get("questions") or spec.get("papers"):
        return False
    paragraphs = split_paragraphs(spec.get("minutes", ""))
    if len(paragraphs) != 1 or len(paragraphs[0]) > NOTE_MAX:
        return False
    return any(other.get("questions") or other.get("papers") for other in siblings)


@cache
def schema(format: str = FORMAT_1_0) -> dict:
    """The JSON Schema of one version of the format."""
    return json.loads(SCHEMA_PATHS[format].read_text(encoding="utf-8"))


def format_for(document) -> str:
    """The version a document declares; an unknown or missing format is checked against 1.0,
    whose `format` constant then names what is expected."""
    declared = document.get("format") if isinstance(document, dict) else None
    return declared if isinstance(declared, str) and declared in SCHEMA_PATHS else FORMAT_1_0


def json_path(parts) -> str:
    """items[3].actions[0].owners[1], from the parts of a path into the document."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or _("(top level)")
