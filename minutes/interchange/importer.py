"""Import meeting files: validate everything first, then write one meeting per file, atomically."""

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator

from actions.models import Action, ActionStatus, ActionUpdate
from actions.services import (
    action_create,
    action_refresh_status,
    action_set_owners,
    board_reserve_action_number,
)
from meetings.models import (
    AgendaItem,
    Appointment,
    Attendance,
    Board,
    Departure,
    Meeting,
    Organisation,
    Paper,
    Person,
    Question,
    Role,
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

    def fail(self, path: str, message: str):
        raise InterchangeError(message, path=path, source=self.source)

    def owner(self, name: str) -> Role | Person:
        return self.roles.get(name) or self.people[name]


def _suborganisation(body: Organisation, name: str | None) -> Organisation | None:
    if not name:
        return None
    if name == body.name:
        return body
    org, _created = Organisation.objects.get_or_create(parent=body, name=name)
    return org


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
            slug=_unique_slug(f"{body.name} {spec['name']}"),
        )
    if board.name != spec["name"]:
        raise InterchangeError(
            _("the prefix %(prefix)s belongs to the board %(board)r")
            % {"prefix": board.action_prefix, "board": board.name},
            path="board.name",
            source=source,
        )
    if "welsh_statement" in spec and board.welsh_statement != spec["welsh_statement"]:
        board.welsh_statement = spec["welsh_statement"]
        board.save(update_fields=["welsh_statement"])
    if spec.get("name_cy") and board.name_cy != spec["name_cy"]:
        board.name_cy = spec["name_cy"]
        board.save(update_fields=["name_cy"])
    return board


def import_meeting_document(data: dict, *, replace: bool = False, source: str = "") -> Meeting:
    """Write one validated document. Call inside a transaction: a failure leaves partial rows."""
    validate_document(data, source=source)
    body, _created = Organisation.objects.get_or_create(parent=None, name=data["organisation"])
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
        if meeting.is_published or meeting.publications.filter(withdrawn_at__isnull=True):
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
        touched = set(
            ActionUpdate.objects.filter(meeting=meeting).values_list("action_id", flat=True)
        )
        ActionUpdate.objects.filter(meeting=meeting).delete()
        # Items protect the actions raised under them; those are matched again to the new
        # items below, or dropped.
        for action in Action.objects.filter(raised_at_item__meeting=meeting):
            action.raised_at_item = None
            action.save(update_fields=["raised_at_item"])
        meeting.items.all().delete()
        meeting.attendance.all().delete()
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
    publish = spec.get("status") == Meeting.Status.PUBLISHED
    # A published file is imported as approved, then published: rendered and stored as v1.
    meeting.status = Meeting.Status.APPROVED if publish else spec.get("status", "draft")
    meeting.next_meeting_on = (
        datetime.date.fromisoformat(next_meeting["date"]) if "date" in next_meeting else None
    )
    meeting.next_meeting_start = _parse_time(next_meeting.get("start"))
    meeting.next_meeting_venue = next_meeting.get("venue", "")
    meeting.next_meeting_note = next_meeting.get("note", "")
    meeting.chair = None
    meeting.chair_role = None
    meeting.save()

    ctx = _Context(
        data=data,
        source=source,
        body=body,
        board=board,
        meeting=meeting,
        previous_actions=previous,
        touched_actions=touched,
    )
    _import_roles(ctx)
    _import_people(ctx)
    meeting.named_roles.set(ctx.roles.values())
    meeting.named_people.set(ctx.people[spec["name"]] for spec in data.get("people", []))
    _import_attendance(ctx)
    chair = spec.get("chair")
    if chair:
        if chair in ctx.roles:
            meeting.chair_role = ctx.roles[chair]
        else:
            meeting.chair = ctx.people[chair]
        meeting.save(update_fields=["chair", "chair_role"])
    for position, item in enumerate(data["items"]):
        _import_item(ctx, item, position=position, parent=None, path=f"items[{position}]")
    # Actions raised here are numbered after those carried forward from earlier meetings.
    for item, spec, position, path in ctx.raised:
        _import_raised(ctx, item, spec, position=position, path=path)

    for action in ctx.previous_actions:
        # Raised at the replaced version and not in the new one: drop it unless it has history.
        if not action.updates.exists():
            action.delete()
    for action in Action.objects.filter(pk__in=ctx.touched_actions):
        action_refresh_status(action=action)
    if publish:
        from minutes.services import meeting_publish

        meeting_publish(meeting=meeting, by=None, check_permission=False)
    return meeting


def _import_roles(ctx: _Context) -> None:
    for spec in ctx.data["roles"]:
        organisation = _suborganisation(ctx.body, spec.get("organisation"))
        role, created = Role.objects.get_or_create(
            body=ctx.body,
            abbrev=spec["abbrev"],
            defaults={"title": spec["title"], "organisation": organisation},
        )
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
        person, _created = Person.objects.get_or_create(
            body=ctx.body, name=name, defaults={"organisation": organisation}
        )
        ctx.people[name] = person
    if person.organisation is None and organisation is not None:
        person.organisation = organisation
        person.save(update_fields=["organisation"])
    return person


def _import_people(ctx: _Context) -> None:
    for spec in ctx.data.get("people", []):
        _person(ctx, spec["name"], _suborganisation(ctx.body, spec.get("organisation")))


def _import_attendance(ctx: _Context) -> None:
    held_on = ctx.meeting.held_on
    rows = []
    for position, spec in enumerate(ctx.data["attendance"]):
        organisation = _suborganisation(ctx.body, spec.get("organisation"))
        person = _person(ctx, spec["name"], organisation)
        role = ctx.roles.get(spec["role"]) if spec.get("role") else None
        if role is not None:
            _ensure_appointment(person, role, held_on)
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
    for row in rows:  # saved one by one so that the audit trail records each (ADR 0002)
        row.save()


def _ensure_appointment(person: Person, role: Role, on: datetime.date) -> None:
    """The minutes show the person in the post that day: make the appointment cover it."""
    appointments = Appointment.objects.filter(person=person, role=role)
    if appointments.current(on).exists():
        return
    later = appointments.filter(start_on__gt=on).order_by("start_on").first()
    if later is not None:
        later.start_on = on
        later.save(update_fields=["start_on"])
        return
    earlier_closed = appointments.filter(end_on__lt=on).exists()
    if not earlier_closed:
        kind = Appointment.Kind.TEMPORARY if role.is_temporary else Appointment.Kind.SUBSTANTIVE
        Appointment.objects.create(person=person, role=role, start_on=on, kind=kind)


def _import_item(ctx: _Context, spec: dict, *, position: int, parent, path: str) -> None:
    item = AgendaItem.objects.create(
        meeting=ctx.meeting,
        parent=parent,
        position=position,
        number=spec.get("number", ""),
        title=spec["title"],
        title_cy=spec.get("title_cy", ""),
        minutes=spec.get("minutes", ""),
        minutes_cy=spec.get("minutes_cy", ""),
        exempt=spec.get("exempt", False),
        exempt_reason=spec.get("exempt_reason", ""),
        exempt_reason_cy=spec.get("exempt_reason_cy", ""),
    )
    # Saved one by one, not in bulk, so that the audit trail records each row (ADR 0002).
    for i, p in enumerate(spec.get("papers", [])):
        Paper.objects.create(
            item=item,
            position=i,
            title=p["title"],
            title_cy=p.get("title_cy", ""),
            author=p.get("author", ""),
        )
    for i, q in enumerate(spec.get("questions", [])):
        Question.objects.create(
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
        )
    for i, d in enumerate(spec.get("departures", [])):
        Departure.objects.create(
            item=item, position=i, name=d["name"], left_at=_parse_time(d.get("at"))
        )
    for i, action in enumerate(spec.get("action_reviews", [])):
        _import_review(ctx, item, action, position=i, path=f"{path}.action_reviews[{i}]")
    for i, action in enumerate(spec.get("actions", [])):
        ctx.raised.append((item, action, i, f"{path}.actions[{i}]"))
    for i, child in enumerate(spec.get("items", [])):
        _import_item(ctx, child, position=i, parent=item, path=f"{path}.items[{i}]")


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
        action = action_create(
            board=board,
            text=spec["text"],
            owners=owners,
            raised_at_meeting=ctx.meeting,
            raised_at_item=item,
            number=number,
            legacy_ref=legacy_ref,
            due_on=due_on,
            status=status,
            position=position,
            text_cy=spec.get("text_cy", ""),
        )
        return
    action.text = spec["text"]
    action.text_cy = spec.get("text_cy", "")
    action.legacy_ref = legacy_ref
    action.due_on = due_on
    action.initial_status = status
    action.raised_at_meeting = ctx.meeting
    action.raised_at_item = item
    action.raised_on = None
    action.carried_forward = False
    action.position = position
    action.save()
    action_set_owners(action=action, owners=owners)
    ctx.touched_actions.add(action.pk)


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
        action = action_create(
            board=board,
            text=spec["text"],
            owners=owners,
            number=number,
            legacy_ref=spec.get("ref", "").strip() if number is None else "",
            due_on=due_on,
            raised_on=raised_on,
            carried_forward=True,
        )
    else:
        if owners and not action.owners.exists():
            action_set_owners(action=action, owners=owners)
        if due_on and action.due_on is None:
            action.due_on = due_on
            action.save(update_fields=["due_on", "updated_at"])
    ActionUpdate.objects.create(
        action=action,
        reported_on=ctx.meeting.held_on,
        text=spec["progress"],
        text_cy=spec.get("progress_cy", ""),
        status=spec.get("status", ""),
        meeting=ctx.meeting,
        item=item,
        position=position,
        summary=spec.get("text", ""),
        summary_cy=spec.get("text_cy", ""),
        printed_owners=list(spec.get("owners", [])),
        printed_due_on=due_on,
        printed_raised_on=raised_on,
    )
    ctx.touched_actions.add(action.pk)


def import_meeting_files(paths, *, replace: bool = False) -> list[Meeting]:
    """Import a batch of files, all or nothing: the first fault rolls every file back."""
    documents = [(str(path), read_meeting_file(path)) for path in paths]
    for source, data in documents:
        validate_document(data, source=source)
    with transaction.atomic():
        return [
            import_meeting_document(data, replace=replace, source=source)
            for source, data in documents
        ]
