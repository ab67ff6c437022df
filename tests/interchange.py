"""What "the same values" means for the interchange format, so round-trip tests can compare.

MEETING_FORMAT.md allows key order, whitespace and the null/absent distinction to differ. The
defaults the format names (status "draft"/"open", false flags) count as absent. Roles and people
are sets. An action raised without a printed ref gets its number on export: that is the one key
an export adds, and it must be the board's prefix and a number.
"""

import copy
import re

DEFAULTS = {
    "status": {"draft", "open"},
    "exempt": {False},
    "restricted": {False},
    "welsh_statement": {False},
}


def _strip(value, key=None):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _strip(v, k)
            if v in (None, "", [], {}):
                continue
            if k in DEFAULTS and v in DEFAULTS[k]:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _walk_actions(items):
    for item in items:
        yield from item.get("actions", [])
        yield from _walk_actions(item.get("items", []))


def normalise(document: dict, *, numbered_like: dict | None = None) -> dict:
    doc = copy.deepcopy(document)
    doc["roles"] = sorted(doc.get("roles", []), key=lambda r: r["abbrev"])
    doc["people"] = sorted(doc.get("people", []), key=lambda p: p["name"])
    if numbered_like is not None:
        prefix = doc["board"]["action_prefix"]
        exported = list(_walk_actions(numbered_like["items"]))
        for original, counterpart in zip(_walk_actions(doc["items"]), exported, strict=True):
            if "ref" not in original:
                assert re.fullmatch(rf"{re.escape(prefix)} \d+", counterpart["ref"]), counterpart
                original["ref"] = counterpart["ref"]
    return _strip(doc)
