"""Import meeting files: validate everything first, then write one meeting per file, atomically."""

import datetime
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator

from actions.models import Action, ActionStatus, DueKind
from actions.services import (
    action_create,
    action_delete,
    action_refresh_status,
    action_review_record,
    action_update,
    action_withdraw,
    board_reserve_action_number,
    meeting_actions_detach,
)
from meetings.models import (
    AgendaItem,
    Attendance,
    Board,
    BoardMembership,
    Departure,
    Meeting,
    Organisation,
    Paper,
    Person,
    Question,
    Role,
)
from meetings.services import (
    MAX_ITEM_DEPTH,
    RecordError,
    meeting_create,
    meeting_record_clear,
    meeting_record_create,
    meeting_set_status,
    meeting_update,
)
from minutes import interchange
from minutes.interchange import InterchangeError, json_path, schema_for
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


def validate_document(data, *, source: str = "") -> None:
    """Check a document against the schema and the cross-references the schema cannot express."""
    validator = Draft202012Validator(schema_for(data))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
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


def _parse_date(value: str, path: str, source: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InterchangeError(
            _("%(value)r is not a real date") % {"value": value}, path=path, source=source
        ) from None


def _parse_time(value: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(value) if value else None


def _walk_items(items, prefix="items"):
    for index, item in enumerate(items):
        path = f"{prefix}[{index}]"
        yield path, item
        yield from _walk_items(item.get("items", []), f"{path}.items")


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
    _parse_date(meeting["date"], "meeting.date", source)
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
        _parse_date(meeting["next_meeting"]["date"], "meeting.next_meeting.date", source)

    for i, entry in enumerate(data["attendance"]):
        fits(entry.get("note"), f"attendance[{i}].note", _field_length(Attendance, "note"))
        if entry.get("role") and entry["role"] not in abbrevs:
            fail(f"attendance[{i}].role", _("unknown role %(role)r") % {"role": entry["role"]})
        if "arrived" in entry and "left" in entry and entry["left"] < entry["arrived"]:
            fail(f"attendance[{i}].left", _("left before arriving"))

    prefix = data["board"]["action_prefix"]
    raised_numbers: dict[int, str] = {}
    for path, item in _walk_items(data["items"]):
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
                        _parse_date(action[date_key], f"{here}.{date_key}", source)
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


@dataclass
class _Context:
    data: dict
    source: str
    body: Organisation
    board: Board
    meeting: Meeting
    roles: dict[str, Role] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    previous_actions: list[Action] = field(default_factory=list)
    touched_actions: set[int] = field(default_factory=set)
    raised: list[tuple[AgendaItem, dict, int, str]] = field(default_factory=list)
    batch: dict = field(default_factory=dict)

    def fail(self, path: str, message: str):
        raise InterchangeError(message, path=path, source=self.source)

    def owner(self, name: str) -> Role | Person:
        return self.roles.get(name) or self.people[name]


def _suborganisation(
    body: Organisation, name: str | None, batch: dict | None = None
) -> Organisation | None:
    if not name:
        return None
    if name == body.name:
        return body
    batch = {} if batch is None else batch
    key = ("organisation", body.pk, name)
    if key not in batch:
        batch[key] = Organisation.objects.get_or_create(parent=body, name=name)[0]
    return batch[key]


def _unique_slug(text: str) -> str:
    base = slugify(text)[:70] or "board"
    slug, n = base, 2
    while Board.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _board(data: dict, body: Organisation, source: str) -> Board:
    spec = data["board"]
    board = Board.objects.filter(body=body, action_prefix=spec["action_prefix"]).first()
    if board is None:
        if Board.objects.filter(body=body, name=spec["name"]).exists():
            raise InterchangeError(
                _("%(body)s already has a board named %(name)r with another prefix")
                % {"body": body.name, "name": spec["name"]},
                path="board.action_prefix",
                source=source,
            )
        return Board.objects.create(
            body=body,
            name=spec["name"],
            name_cy=spec.get("name_cy", ""),
            action_prefix=spec["action_prefix"],
            welsh_statement=spec.get("welsh_statement", False),
            question_label=spec.get("question_label", ""),
            question_label_cy=spec.get("question_label_cy", ""),
            response_label=spec.get("response_label", ""),
            response_label_cy=spec.get("response_label_cy", ""),
            action_column=spec.get("action_column", False),
            slug=_unique_slug(f"{body.name} {spec['name']}"),
        )
    if board.name != spec["name"]:
        raise InterchangeError(
            _("the prefix %(prefix)s belongs to the board %(board)r")
            % {"prefix": board.action_prefix, "board": board.name},
            path="board.name",
            source=source,
        )
    changed = [
        key
        for key in (
            "welsh_statement",
            "question_label",
            "response_label",
            "action_column",
            "name_cy",
            "question_label_cy",
            "response_label_cy",
        )
        if key in spec
        and getattr(board, key) != spec[key]
        and (not key.endswith("_cy") or spec[key])
    ]
    for key in changed:
        setattr(board, key, spec[key])
    if changed:
        board.save(update_fields=changed)
    return board


def import_meeting_document(
    data: dict,
    *,
    replace: bool = False,
    source: str = "",
    validated: bool = False,
    batch: dict | None = None,
) -> Meeting:
    """Write one document. Call inside a transaction: a failure leaves partial rows.

    A batch passes validated=True for documents it has validated, and one dict for `batch` in
    which the bodies, organisations, posts and people it has looked up are kept for the next
    files, so that each is looked up once a batch rather than once a file.
    """
    if not validated:
        validate_document(data, source=source)
    batch = {} if batch is None else batch
    key = ("body", data["organisation"])
    if key not in batch:
        batch[key] = Organisation.objects.get_or_create(parent=None, name=data["organisation"])[0]
    body = batch[key]
    if "time_style" in data and body.time_style != data["time_style"]:
        body.time_style = data["time_style"]  # format 1.1: how the body writes times
        body.save(update_fields=["time_style"])
    if data.get("organisation_cy") and body.name_cy != data["organisation_cy"]:
        # A body that names itself in Welsh publishes in Welsh (the Welsh Language Standards).
        body.name_cy = data["organisation_cy"]
        body.welsh = True
        body.save(update_fields=["name_cy", "welsh"])
    board = _board(data, body, source)
    printed = [
        number
        for _path, item in _walk_items(data["items"])
        for action in item.get("actions", []) + item.get("action_reviews", [])
        if (number := prefixed_number(action.get("ref"), board.action_prefix)) is not None
    ]
    if printed:
        # Numbers printed anywhere in the file are taken before any unnumbered action is numbered.
        board_reserve_action_number(board=board, number=max(printed))
    spec = data["meeting"]
    held_on = datetime.date.fromisoformat(spec["date"])
    title = spec.get("title", "")

    meeting = Meeting.objects.filter(board=board, held_on=held_on, title=title).first()
    previous: list[Action] = []
    touched: set[int] = set()
    if meeting is not None:
        names = {"board": board.name, "date": date_format(held_on, "j F Y"), "title": title}
        label = (
            _("the meeting of the %(board)s on %(date)s (%(title)s)")
            if title
            else _("the meeting of the %(board)s on %(date)s")
        ) % names
        if meeting.is_published or meeting.publications.live().exists():
            # Under correction, the meeting is a draft again but its published version is live.
            message = _(
                "%(meeting)s is published and is never replaced; correct it in the secretariat "
                "pages"
            )
            raise InterchangeError(message % {"meeting": label}, path="meeting", source=source)
        if not replace:
            message = _("%(meeting)s already exists; use --replace to replace it")
            raise InterchangeError(message % {"meeting": label}, path="meeting", source=source)
        previous = list(meeting.actions_raised.all())
        # The actions raised are matched again to the new items below, or dropped.
        with _as_import_error(source, "meeting"):
            touched = meeting_actions_detach(meeting=meeting, by=None)
            meeting_record_clear(meeting=meeting, by=None)
    else:
        meeting = Meeting(board=board, held_on=held_on, title=title)

    next_meeting = spec.get("next_meeting", {})
    meeting.start_time = _parse_time(spec.get("start"))
    meeting.end_time = _parse_time(spec.get("end"))
    meeting.venue = spec.get("venue", "")
    meeting.title_cy = spec.get("title_cy", "")
    meeting.chair_note = spec.get("chair_note", "")
    meeting.chair_note_cy = spec.get("chair_note_cy", "")
    meeting.minute_taker = spec.get("minute_taker", "")
    meeting.is_public = spec.get("public", True)
    now = timezone.now()
    meeting.announced_at = (meeting.announced_at or now) if spec.get("announced") else None
    meeting.cancelled_at = (meeting.cancelled_at or now) if spec.get("cancelled") else None
    meeting.questions_intro = spec.get("questions_intro", "")
    meeting.questions_intro_cy = spec.get("questions_intro_cy", "")
    publish = spec.get("status") == Meeting.Status.PUBLISHED
    # Built through the services (each change reopens approval); the file's status is set once
    # the record is whole. A published file is imported as approved, then published: rendered
    # and stored as v1.
    status = Meeting.Status.APPROVED if publish else spec.get("status", "draft")
    meeting.next_meeting_on = (
        datetime.date.fromisoformat(next_meeting["date"]) if "date" in next_meeting else None
    )
    meeting.next_meeting_start = _parse_time(next_meeting.get("start"))
    meeting.next_meeting_venue = next_meeting.get("venue", "")
    meeting.next_meeting_note = next_meeting.get("note", "")
    meeting.next_meeting_note_cy = next_meeting.get("note_cy", "")
    meeting.chair = None
    meeting.chair_role = None

    ctx = _Context(
        data=data,
        source=source,
        body=body,
        board=board,
        meeting=meeting,
        previous_actions=previous,
        touched_actions=touched,
        batch=batch,
    )
    _import_roles(ctx)
    _import_people(ctx)
    chair = spec.get("chair")
    if chair:
        if chair in ctx.roles:
            meeting.chair_role = ctx.roles[chair]
        else:
            meeting.chair = ctx.people[chair]
    named = {
        "named_roles": list(ctx.roles.values()),
        "named_people": [ctx.people[spec["name"]] for spec in data.get("people", [])],
    }
    with _as_import_error(source, "meeting"):
        if meeting.pk is None:
            meeting_create(meeting=meeting, by=None, **named)
        else:
            meeting_update(meeting=meeting, by=None, **named)
    _import_members(ctx)
    _import_record(ctx, data["items"])
    # Actions raised here are numbered after those carried forward from earlier meetings.
    for item, spec, position, path in ctx.raised:
        _import_raised(ctx, item, spec, position=position, path=path)

    for action in ctx.previous_actions:
        # Raised at the replaced version and not in the new one: drop it unless it has history
        # or was ever published (then it stays, withdrawn). Its number is never issued again.
        if action.in_published_minutes():
            if action.status != ActionStatus.WITHDRAWN:
                action_withdraw(
                    action=action,
                    reason=_("Not in the replacement of the minutes that raised it."),
                    by=None,
                    on=meeting.held_on,
                )
        elif not action.updates.exists():
            action_delete(action=action, by=None)
    for action in Action.objects.filter(pk__in=ctx.touched_actions):
        action_refresh_status(action=action)
    with _as_import_error(source, "meeting.status"):
        meeting_set_status(meeting=meeting, status=status, by=None)
    if publish:
        from minutes.services import meeting_publish

        meeting_publish(meeting=meeting, by=None, check_permission=False, background=True)
    return meeting


def _import_roles(ctx: _Context) -> None:
    for spec in ctx.data["roles"]:
        organisation = _suborganisation(ctx.body, spec.get("organisation"), ctx.batch)
        key = ("role", ctx.body.pk, spec["abbrev"])
        role = ctx.batch.get(key)
        created = False
        if role is None:
            role, created = Role.objects.get_or_create(
                body=ctx.body,
                abbrev=spec["abbrev"],
                defaults={"title": spec["title"], "organisation": organisation},
            )
            ctx.batch[key] = role
        if not created:
            changed = []
            if role.title in ("", role.abbrev) and spec["title"] != role.title:
                role.title = spec["title"]
                changed.append("title")
            if role.organisation is None and organisation is not None:
                role.organisation = organisation
                changed.append("organisation")
            if changed:
                role.save(update_fields=changed)
        ctx.roles[role.abbrev] = role


def _person(ctx: _Context, name: str, organisation: Organisation | None) -> Person:
    person = ctx.people.get(name)
    if person is None:
        key = ("person", ctx.body.pk, name)
        person = ctx.batch.get(key)
        if person is None:
            person, _created = Person.objects.get_or_create(
                body=ctx.body, name=name, defaults={"organisation": organisation}
            )
            ctx.batch[key] = person
        ctx.people[name] = person
    if person.organisation is None and organisation is not None:
        person.organisation = organisation
        person.save(update_fields=["organisation"])
    return person


def _import_people(ctx: _Context) -> None:
    for spec in ctx.data.get("people", []):
        _person(ctx, spec["name"], _suborganisation(ctx.body, spec.get("organisation"), ctx.batch))


def _attendance(ctx: _Context) -> list[Attendance]:
    rows = []
    for position, spec in enumerate(ctx.data["attendance"]):
        organisation = _suborganisation(ctx.body, spec.get("organisation"), ctx.batch)
        person = _person(ctx, spec["name"], organisation)
        # The row records who held the post that day; it never appoints them (an appointment
        # opens the post's actions, and only an administrator or grant_role gives one).
        role = ctx.roles.get(spec["role"]) if spec.get("role") else None
        rows.append(
            Attendance(
                meeting=ctx.meeting,
                position=position,
                person=person,
                role=role,
                organisation=organisation,
                status=spec["status"],
                arrival_time=_parse_time(spec.get("arrived")),
                departure_time=_parse_time(spec.get("left")),
                note=spec.get("note", ""),
            )
        )
    return rows


def _import_members(ctx: _Context) -> None:
    """Format 1.1: the board's members, added to those the board already records."""
    for position, spec in enumerate(ctx.data["board"].get("members", [])):
        path = f"board.members[{position}]"
        role = None
        if spec.get("role"):
            role = ctx.roles.get(spec["role"])
            if role is None:
                ctx.fail(f"{path}.role", _("%(abbrev)s is not in roles") % {"abbrev": spec["role"]})
        organisation = _suborganisation(ctx.body, spec.get("organisation"))
        start_on = _parse_date(spec["from"], f"{path}.from", ctx.source) if "from" in spec else None
        end_on = _parse_date(spec["to"], f"{path}.to", ctx.source) if "to" in spec else None
        if start_on and end_on and end_on < start_on:
            ctx.fail(f"{path}.to", _("a membership cannot end before it starts"))
        BoardMembership.objects.get_or_create(
            board=ctx.board,
            person=_person(ctx, spec["name"], organisation),
            role=role,
            start_on=start_on,
            end_on=end_on,
            defaults={"organisation": organisation, "position": position},
        )


def _walk_tree(specs: list[dict], parent_path="items", parent=None):
    """(path, spec, the parent item's spec or None, position among its siblings), parents
    first."""
    for position, spec in enumerate(specs):
        path = f"{parent_path}[{position}]"
        yield path, spec, parent, position
        yield from _walk_tree(spec.get("items", []), f"{path}.items", spec)


def _import_record(ctx: _Context, specs: list[dict]) -> None:
    """The attendance and every item of the meeting with its papers, questions and departures,
    written by the services in one batch (a few inserts, each with its history: ADR 0002)."""
    items: dict[int, AgendaItem] = {}  # keyed by id() of the item's spec
    papers, questions, departures = [], [], []
    for _path, spec, parent, position in _walk_tree(specs):
        item = items[id(spec)] = AgendaItem(
            meeting=ctx.meeting,
            parent=items[id(parent)] if parent is not None else None,
            position=position,
            number=spec.get("number", ""),
            title=spec["title"],
            title_cy=spec.get("title_cy", ""),
            minutes=spec.get("minutes", ""),
            minutes_cy=spec.get("minutes_cy", ""),
            exempt=spec.get("exempt", False),
            exempt_reason=spec.get("exempt_reason", ""),
            exempt_reason_cy=spec.get("exempt_reason_cy", ""),
            in_questions_record=spec.get("in_questions_record", False),
        )
        papers += [
            Paper(
                item=item,
                position=i,
                title=p["title"],
                title_cy=p.get("title_cy", ""),
                author=p.get("author", ""),
                exempt=p.get("exempt", False),
            )
            for i, p in enumerate(spec.get("papers", []))
        ]
        questions += [
            Question(
                item=item,
                position=i,
                number=q.get("number", ""),
                question=q["question"],
                question_cy=q.get("question_cy", ""),
                asked_by=q.get("asked_by", ""),
                response=q.get("response", ""),
                response_cy=q.get("response_cy", ""),
                responder=ctx.roles.get(q["responder"]) if q.get("responder") else None,
                restricted=q.get("restricted", False),
                restricted_reason=q.get("restricted_reason", ""),
                restricted_reason_cy=q.get("restricted_reason_cy", ""),
            )
            for i, q in enumerate(spec.get("questions", []))
        ]
        departures += [
            Departure(item=item, position=i, name=d["name"], left_at=_parse_time(d.get("at")))
            for i, d in enumerate(spec.get("departures", []))
        ]
    with _as_import_error(ctx.source, "items"):
        meeting_record_create(
            meeting=ctx.meeting,
            attendance=_attendance(ctx),
            items=list(items.values()),
            papers=papers,
            questions=questions,
            departures=departures,
            by=None,
        )
    # Reviews, then the actions raised, in the file's order: carried-forward actions take the
    # board's next numbers in that order.
    for path, spec in _walk_items(specs):
        item = items[id(spec)]
        for i, action in enumerate(spec.get("action_reviews", [])):
            _import_review(ctx, item, action, position=i, path=f"{path}.action_reviews[{i}]")
        for i, action in enumerate(spec.get("actions", [])):
            ctx.raised.append((item, action, i, f"{path}.actions[{i}]"))


def _take_previous(ctx: _Context, *, number=None, legacy_ref="", text="") -> Action | None:
    for action in ctx.previous_actions:
        if (
            (number is not None and action.number == number)
            or (number is None and legacy_ref and action.legacy_ref == legacy_ref)
            or (number is None and not legacy_ref and not action.legacy_ref and action.text == text)
        ):
            ctx.previous_actions.remove(action)
            return action
    return None


def _import_raised(ctx: _Context, item: AgendaItem, spec: dict, *, position: int, path: str):
    board = ctx.board
    number = prefixed_number(spec.get("ref"), board.action_prefix)
    legacy_ref = spec.get("ref", "").strip() if number is None else ""
    owners = [ctx.owner(name) for name in spec["owners"]]
    due_on = datetime.date.fromisoformat(spec["due"]) if spec.get("due") else None
    status = spec.get("status", ActionStatus.OPEN)
    due_kind = spec.get("due_by", DueKind.DATE)
    owned_by_body = spec.get("owned_by_body", False)

    action = _take_previous(ctx, number=number, legacy_ref=legacy_ref, text=spec["text"])
    if action is None and number is not None:
        existing = Action.objects.filter(board=board, number=number).first()
        if existing is not None:
            if not existing.carried_forward or existing.raised_at_meeting_id:
                if existing.raised_at_meeting_id:
                    message = _("%(ref)s was already raised at the meeting of %(date)s") % {
                        "ref": spec["ref"],
                        "date": date_format(existing.raised_at_meeting.held_on, "j F Y"),
                    }
                else:
                    message = _("%(ref)s was already raised at another meeting") % {
                        "ref": spec["ref"]
                    }
                ctx.fail(f"{path}.ref", message)
            action = existing  # The meeting that raised a carried-forward action arrives.
    if action is None:
        with _as_import_error(ctx.source, f"{path}.ref"):
            _create_raised(ctx, item, spec, owners, number, legacy_ref, due_on, status, position)
        return
    action.text = spec["text"]
    action.text_cy = spec.get("text_cy", "")
    action.legacy_ref = legacy_ref
    action.due_on = due_on
    action.due_kind = due_kind
    action.owned_by_body = owned_by_body
    action.raised_at_meeting = ctx.meeting
    action.raised_at_item = item
    action.raised_on = None
    action.carried_forward = False
    action.position = position
    action.paragraph = spec.get("paragraph")
    with _as_import_error(ctx.source, path):
        action_update(action=action, owners=owners, initial_status=status, by=None)
    ctx.touched_actions.add(action.pk)


@contextmanager
def _as_import_error(source: str, path: str):
    """A rule of the services, broken by the file, is a fault of the file at this path."""
    try:
        yield
    except RecordError as exc:
        raise InterchangeError(str(exc), path=path, source=source) from None


def _create_raised(ctx, item, spec, owners, number, legacy_ref, due_on, status, position):
    action_create(
        board=ctx.board,
        text=spec["text"],
        owners=owners,
        raised_at=ctx.meeting,
        item=item,
        number=number,
        legacy_ref=legacy_ref,
        due_on=due_on,
        status=status,
        position=position,
        paragraph=spec.get("paragraph"),
        due_kind=spec.get("due_by", DueKind.DATE),
        owned_by_body=spec.get("owned_by_body", False),
        text_cy=spec.get("text_cy", ""),
        by=None,
    )


def _create_carried_forward(ctx, spec, owners, number, due_on, raised_on) -> Action:
    return action_create(
        board=ctx.board,
        text=spec["text"],
        owners=owners,
        number=number,
        legacy_ref=spec.get("ref", "").strip() if number is None else "",
        due_on=due_on,
        raised_on=raised_on,
        carried_forward=True,
        raised_at=None,
        by=None,
    )


def _find_reviewed(ctx: _Context, spec: dict) -> Action | None:
    board = ctx.board
    number = prefixed_number(spec.get("ref"), board.action_prefix)
    if number is not None:
        return Action.objects.filter(board=board, number=number).first()
    ref = spec.get("ref", "").strip()
    if not ref:
        return None
    candidates = Action.objects.filter(board=board, legacy_ref=ref)
    if spec.get("raised_on"):
        raised_on = datetime.date.fromisoformat(spec["raised_on"])
        return (
            candidates.filter(raised_on=raised_on).first()
            or candidates.filter(raised_at_meeting__held_on=raised_on).first()
        )
    return candidates.order_by("-pk").first()


def _import_review(ctx: _Context, item: AgendaItem, spec: dict, *, position: int, path: str):
    board = ctx.board
    owners = [ctx.owner(name) for name in spec.get("owners", [])]
    due_on = datetime.date.fromisoformat(spec["due"]) if spec.get("due") else None
    raised_on = datetime.date.fromisoformat(spec["raised_on"]) if spec.get("raised_on") else None
    action = _find_reviewed(ctx, spec)
    if action is None:
        if not spec.get("text"):
            if "ref" in spec:
                message = _(
                    "%(ref)s is not known yet: give its text so that it can be carried forward"
                ) % {"ref": spec["ref"]}
            else:
                message = _(
                    "this action is not known yet: give its text so that it can be carried forward"
                )
            ctx.fail(f"{path}.text", message)
        number = prefixed_number(spec.get("ref"), board.action_prefix)
        with _as_import_error(ctx.source, f"{path}.ref"):
            action = _create_carried_forward(ctx, spec, owners, number, due_on, raised_on)
    else:
        # What the review prints completes an action recorded without it.
        set_owners = bool(owners) and not action.owners.exists()
        set_due = bool(due_on) and action.due_on is None
        if set_due:
            action.due_on = due_on
        if set_owners or set_due:
            with _as_import_error(ctx.source, path):
                action_update(action=action, owners=owners if set_owners else None, by=None)
    with _as_import_error(ctx.source, f"{path}.progress"):
        action_review_record(
            action=action,
            meeting=ctx.meeting,
            text=spec["progress"],
            by=None,
            item=item,
            status=spec.get("status", ""),
            position=position,
            summary=spec.get("text", ""),
            printed_owners=spec.get("owners", []),
            printed_due_on=due_on,
            printed_raised_on=raised_on,
            text_cy=spec.get("progress_cy", ""),
            summary_cy=spec.get("text_cy", ""),
        )
    ctx.touched_actions.add(action.pk)


def import_meeting_files(paths, *, replace: bool = False) -> list[Meeting]:
    """Import a batch of files, all or nothing: the first fault rolls every file back."""
    documents = [(str(path), read_meeting_file(path)) for path in paths]
    for source, data in documents:
        validate_document(data, source=source)
    batch: dict = {}
    with transaction.atomic():
        return [
            import_meeting_document(
                data, replace=replace, source=source, validated=True, batch=batch
            )
            for source, data in documents
        ]
