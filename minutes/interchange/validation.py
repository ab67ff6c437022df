"""Reading and checking meeting files: the JSON, the schema, and the cross-references the schema
cannot express. Nothing here writes."""

import copy
import datetime
import functools
import json
import re
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fastjsonschema import JsonSchemaException
from fastjsonschema import compile as compile_schema
from jsonschema import Draft202012Validator, ValidationError, validators

from actions.models import Action
from meetings.models import (
    AgendaItem,
    Attendance,
    Paper,
    Question,
)
from meetings.services import (
    MAX_ITEM_DEPTH,
)
from minutes import interchange
from minutes.interchange import InterchangeError, format_for, json_path, schema
from scrutiny import limits

MAX_ERRORS = 20


def read_meeting_file(path: Path | str) -> dict:
    """Parse one file; a fault names the file and, for bad JSON, the line and column."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InterchangeError(
            _("cannot read the file (%(reason)s)") % {"reason": exc.strerror}, source=source
        ) from None
    limit = interchange.MAX_FILE_BYTES
    if size > limit:
        raise InterchangeError(
            ngettext(
                "the file is %(size)s byte; the limit is %(limit)s",
                "the file is %(size)s bytes; the limit is %(limit)s",
                size,
            )
            % {"size": f"{size:,}", "limit": f"{limit:,}"},
            source=source,
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InterchangeError(
            _("not UTF-8 text (byte %(byte)s)") % {"byte": exc.start}, source=source
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InterchangeError(
            _("not valid JSON: %(error)s at line %(line)s, column %(column)s")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno},
            source=source,
        ) from None


def _describe_schema_error(error) -> tuple[str, str]:
    parts = list(error.absolute_path)
    if error.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        if missing:
            return json_path([*parts, missing.group(1)]), _("is required")
    if error.validator == "additionalProperties":
        unexpected = re.findall(r"'([^']+)'", error.message.split("(")[-1])
        names = ", ".join(unexpected) or error.message
        return json_path(parts), _("unknown key %(names)s (not part of the format)") % {
            "names": names
        }
    if error.validator == "pattern":
        message = {
            r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$": _("%(value)r is not a date as YYYY-MM-DD"),
            r"^([01][0-9]|2[0-3]):[0-5][0-9]$": _("%(value)r is not a 24-hour time as HH:MM"),
        }.get(error.validator_value) or _("%(value)r is not text matching %(pattern)s")
        return json_path(parts), message % {
            "value": error.instance,
            "pattern": error.validator_value,
        }
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return json_path(parts), _("%(value)r is not one of: %(allowed)s") % {
            "value": error.instance,
            "allowed": allowed,
        }
    if error.validator == "type":
        return json_path(parts), _("expected %(expected)s, got %(value)s") % {
            "expected": error.validator_value,
            "value": repr(error.instance)[:60],
        }
    if error.validator == "const":
        return json_path(parts), _("%(value)s should be %(expected)r") % {
            "value": repr(error.instance)[:60],
            "expected": error.validator_value,
        }
    if error.validator == "maxLength":
        return json_path(parts), ngettext(
            "longer than %(limit)s character",
            "longer than %(limit)s characters",
            error.validator_value,
        ) % {"limit": error.validator_value}
    if error.validator == "minLength":
        return json_path(parts), _("must not be empty")
    return json_path(parts), error.message


def _inlined(schema: dict) -> dict:
    """The schema with each definition it refers to (`#/$defs/...`) written in its place, but
    for a definition within itself (an item's items), which stays a reference."""
    definitions = schema.get("$defs", {})

    def walk(node, within: frozenset):
        if isinstance(node, list):
            return [walk(value, within) for value in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref", "")
        name = ref.removeprefix("#/$defs/")
        if ref.startswith("#/$defs/") and name not in within and len(node) == 1:
            return walk(copy.deepcopy(definitions[name]), within | {name})
        return {
            key: value if key == "$defs" else walk(value, within) for key, value in node.items()
        }

    return walk(schema, frozenset())


def _pattern(validator, pattern: str, instance, schema):
    """`pattern` as JSON Schema means it (ECMA-262): a final `$` ends the text, where Python's
    also matches before a final newline (a time followed by a newline is no time, and
    crashed the import that read it as one)."""
    if not validator.is_type(instance, "string"):
        return
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    if not re.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12, its patterns read as the specification reads them.
Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})


@functools.cache
def _validator(format: str) -> Draft202012Validator:
    """The validator of one version of the format, built once, over its schema with the
    definitions inlined: jsonschema looks a reference up afresh at each use, which was half the
    time of checking a file (3.3 ms of 6.8 a meeting)."""
    return Validator(_inlined(schema(format)))


def _refuse_remote(uri: str):
    raise ValueError(f"the schema refers outside itself ({uri})")


# What fastjsonschema would fetch a reference with, for every kind of address: nothing.
REMOTE_REFUSED = dict.fromkeys(("", "file", "http", "https", "ftp", "data"), _refuse_remote)


@functools.cache
def _accepts(format: str):
    """The same schema compiled to Python (fastjsonschema): a fifth of jsonschema's time to
    say whether a document is valid, which is all it says. A document it refuses is checked
    again by jsonschema, whose errors say what is wrong and where (and which decides). The
    keywords the schema uses (types, properties, lengths, patterns, enums, constants, if/then,
    anyOf, items) mean the same in draft 7, which fastjsonschema implements, as in 2020-12;
    tests check that it never accepts what jsonschema refuses. It fills in no defaults, and
    every reference is within the schema: none is ever fetched."""
    definition = copy.deepcopy(schema(format))
    definition.pop("$id", None)
    definition["$schema"] = "http://json-schema.org/draft-07/schema#"
    return compile_schema(definition, handlers=REMOTE_REFUSED, use_formats=False, use_default=False)


def schema_errors(data) -> list:
    """The schema's errors in a document (jsonschema's, in the order of their paths), none
    when it is valid."""
    format = format_for(data)
    try:
        _accepts(format)(data)
    except JsonSchemaException:
        validator = _validator(format)
        return sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return []


def validate_document(data, *, source: str = "") -> None:
    """Check a document against the schema and the cross-references the schema cannot express."""
    errors = schema_errors(data)
    if errors:
        lines = []
        for error in errors[:MAX_ERRORS]:
            where, message = _describe_schema_error(error)
            lines.append(_("%(where)s: %(message)s") % {"where": where, "message": message})
        if len(errors) > MAX_ERRORS:
            more = len(errors) - MAX_ERRORS
            lines.append(
                ngettext("... and %(count)s more", "... and %(count)s more", more) % {"count": more}
            )
        raise InterchangeError("\n  ".join(lines), source=source)
    _check_references(data, source=source)


def parse_date(value: str, path: str, source: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InterchangeError(
            _("%(value)r is not a real date") % {"value": value}, path=path, source=source
        ) from None


def parse_time(value: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(value) if value else None


def walk_items(items, prefix="items"):
    for index, item in enumerate(items):
        path = f"{prefix}[{index}]"
        yield path, item
        yield from walk_items(item.get("items", []), f"{path}.items")


def _field_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _check_references(data: dict, *, source: str) -> None:
    def fail(path: str, message: str):
        raise InterchangeError(message, path=path, source=source)

    def no_nul(value, path: str) -> None:
        # NUL cannot be stored in PostgreSQL text; anywhere in the document it is a fault.
        if isinstance(value, str) and "\x00" in value:
            fail(path, _("contains a NUL character (\\u0000)"))
        elif isinstance(value, dict):
            for key, item in value.items():
                no_nul(item, f"{path}.{key}" if path != top_level else key)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                no_nul(item, f"{path}[{index}]")

    top_level = json_path([])  # "(top level)", as the schema errors name it
    no_nul(data, top_level)

    def fits(value: str | None, path: str, limit: int) -> None:
        # Keys the schema leaves unbounded are stored in bounded columns: refuse, never cut.
        if value is not None and len(value) > limit:
            fail(
                path,
                ngettext(
                    "longer than %(limit)s character (%(length)s)",
                    "longer than %(limit)s characters (%(length)s)",
                    limit,
                )
                % {"limit": limit, "length": f"{len(value):,}"},
            )

    abbrevs: set[str] = set()
    for i, role in enumerate(data["roles"]):
        if role["abbrev"] in abbrevs:
            fail(
                f"roles[{i}].abbrev",
                _("role %(abbrev)r is declared twice") % {"abbrev": role["abbrev"]},
            )
        abbrevs.add(role["abbrev"])
    names = {entry["name"] for entry in data["attendance"]}
    people_names: set[str] = set()
    for i, person in enumerate(data.get("people", [])):
        if person["name"] in people_names:
            fail(
                f"people[{i}].name",
                _("person %(name)r is declared twice") % {"name": person["name"]},
            )
        people_names.add(person["name"])
    known_owners = abbrevs | names | people_names

    meeting = data["meeting"]
    fits(meeting.get("chair_note"), "meeting.chair_note", limits.SHORT_TEXT)
    fits(meeting.get("questions_intro"), "meeting.questions_intro", limits.SHORT_TEXT)
    fits(meeting.get("questions_intro_cy"), "meeting.questions_intro_cy", limits.SHORT_TEXT)
    parse_date(meeting["date"], "meeting.date", source)
    if "start" in meeting and "end" in meeting and meeting["end"] < meeting["start"]:
        fail(
            "meeting.end",
            _("the meeting ends (%(end)s) before it starts") % {"end": meeting["end"]},
        )
    if meeting.get("chair") and meeting["chair"] not in known_owners:
        fail(
            "meeting.chair",
            _("unknown chair %(chair)r: not a role or a person") % {"chair": meeting["chair"]},
        )
    if "date" in meeting.get("next_meeting", {}):
        parse_date(meeting["next_meeting"]["date"], "meeting.next_meeting.date", source)

    for i, entry in enumerate(data["attendance"]):
        fits(entry.get("note"), f"attendance[{i}].note", _field_length(Attendance, "note"))
        if entry.get("role") and entry["role"] not in abbrevs:
            fail(f"attendance[{i}].role", _("unknown role %(role)r") % {"role": entry["role"]})
        if "arrived" in entry and "left" in entry and entry["left"] < entry["arrived"]:
            fail(f"attendance[{i}].left", _("left before arriving"))

    prefix = data["board"]["action_prefix"]
    raised_numbers: dict[int, str] = {}
    for path, item in walk_items(data["items"]):
        if path.count("items[") > MAX_ITEM_DEPTH:
            fail(
                path,
                _("items nest at most %(n)s levels deep (docs/meeting-format.md)")
                % {"n": MAX_ITEM_DEPTH},
            )
        fits(item.get("minutes"), f"{path}.minutes", limits.MINUTES)
        fits(item.get("title"), f"{path}.title", _field_length(AgendaItem, "title"))
        fits(item.get("number"), f"{path}.number", _field_length(AgendaItem, "number"))
        if item.get("exempt") and not item.get("exempt_reason", "").strip():
            fail(
                f"{path}.exempt_reason",
                _("an exempt item needs the reason for the exemption"),
            )
        fits(
            item.get("exempt_reason"),
            f"{path}.exempt_reason",
            _field_length(AgendaItem, "exempt_reason"),
        )
        for j, paper in enumerate(item.get("papers", [])):
            fits(paper.get("author"), f"{path}.papers[{j}].author", _field_length(Paper, "author"))
        for j, question in enumerate(item.get("questions", [])):
            here = f"{path}.questions[{j}]"
            fits(question.get("number"), f"{here}.number", _field_length(Question, "number"))
            fits(question.get("asked_by"), f"{here}.asked_by", _field_length(Question, "asked_by"))
            fits(question.get("question"), f"{here}.question", limits.LONG_TEXT)
            fits(question.get("response"), f"{here}.response", limits.LONG_TEXT)
            responder = question.get("responder")
            if responder and responder not in abbrevs:
                fail(
                    f"{path}.questions[{j}].responder",
                    _("unknown role %(role)r") % {"role": responder},
                )
        for key in ("actions", "action_reviews"):
            for j, action in enumerate(item.get(key, [])):
                here = f"{path}.{key}[{j}]"
                fits(action.get("ref"), f"{here}.ref", _field_length(Action, "legacy_ref"))
                fits(action.get("text"), f"{here}.text", limits.SHORT_TEXT)
                fits(action.get("progress"), f"{here}.progress", limits.LONG_TEXT)
                for k, owner in enumerate(action.get("owners", [])):
                    if owner not in known_owners:
                        fail(
                            f"{here}.owners[{k}]",
                            _("unknown owner %(owner)r") % {"owner": owner},
                        )
                for date_key in ("due", "raised_on"):
                    if date_key in action:
                        parse_date(action[date_key], f"{here}.{date_key}", source)
                number = prefixed_number(action.get("ref"), prefix)
                if key == "actions" and number is not None:
                    if number in raised_numbers:
                        fail(
                            f"{here}.ref",
                            _("%(ref)s is raised twice (also at %(other)s)")
                            % {"ref": action["ref"], "other": raised_numbers[number]},
                        )
                    raised_numbers[number] = here
                if key == "action_reviews" and not action.get("ref") and not action.get("text"):
                    fail(here, _("a review needs the action's ref or its text"))
        for j, departure in enumerate(item.get("departures", [])):
            # Only someone at the meeting can leave it.
            if departure["name"] not in names:
                fail(
                    f"{path}.departures[{j}].name",
                    _("%(name)r is not in the attendance") % {"name": departure["name"]},
                )


def prefixed_number(ref: str | None, prefix: str) -> int | None:
    """The number of "PPB 60" when PPB is the board's prefix; None for any other ref."""
    if not ref:
        return None
    match = re.fullmatch(rf"{re.escape(prefix)}\s*(\d{{1,9}})", ref.strip())
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None
