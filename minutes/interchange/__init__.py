"""The meeting interchange format, version 1 (see MEETING_FORMAT.md and meeting.schema.json)."""

import json
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

FORMAT = "scrutiny.meeting/1"
SCHEMA_PATH = Path(__file__).with_name("meeting.schema.json")
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


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def json_path(parts) -> str:
    """items[3].actions[0].owners[1], from the parts of a path into the document."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or _("(top level)")
