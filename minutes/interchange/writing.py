"""Writing one checked meeting document through the services: the body, board, posts and people
it names, the meeting and its record, the actions it raises and the progress it minutes."""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from actions.models import Action, ActionOwner, ActionStatus, DueKind
from actions.services import (
    ActionChange,
    NewAction,
    action_delete,
    action_review_build,
    action_reviews_record_batch,
    action_withdraw,
    actions_create_batch,
    actions_update_batch,
    board_reserve_action_number,
    meeting_actions_detach,
)
from meetings.models import (
    AgendaItem,
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
from meetings.reference import (
    BOARD_LABELS,
    board_ensure,
    board_memberships_ensure,
    body_ensure,
    people_ensure,
    person_ensure,
    roles_ensure,
    suborganisation_ensure,
)
from meetings.services import (
    RecordError,
    meeting_create,
    meeting_record_clear,
    meeting_record_create,
    meeting_set_status,
    meeting_update,
)
from minutes.interchange import FORMAT_1_1, InterchangeError, marked_by_1_0_rule
from minutes.interchange.validation import (
    parse_date,
    parse_time,
    prefixed_number,
    validate_document,
    walk_items,
)


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
    raised: list[tuple[AgendaItem, dict, int, str]] = field(default_factory=list)
    batch: dict = field(default_factory=dict)

    def fail(self, path: str, message: str):
        raise InterchangeError(message, path=path, source=self.source)

    def owner(self, name: str) -> Role | Person:
        return self.roles.get(name) or self.people[name]


def _suborganisation(
    body: Organisation, name: str | None, batch: dict | None = None
) -> Organisation | None:
    batch = {} if batch is None else batch
    key = ("organisation", body.pk, name)
    if key not in batch:
        batch[key] = suborganisation_ensure(body=body, name=name)
    return batch[key]


def _board(data: dict, body: Organisation, source: str) -> Board:
    spec = data["board"]
    with _as_import_error(source, "board", field_paths="board"):
        return board_ensure(
            body=body,
            name=spec["name"],
            action_prefix=spec["action_prefix"],
            **{key: spec[key] for key in BOARD_LABELS if key in spec},
        )


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
    body = batch[key] = body_ensure(
        name=data["organisation"],
        name_cy=data.get("organisation_cy", ""),
        time_style=data.get("time_style"),  # format 1.1: how the body writes times
        known=batch.get(key),
    )
    board = _board(data, body, source)
    board.body = body  # the same row: not read again by each service that asks for it
    printed = [
        number
        for _path, item in walk_items(data["items"])
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
            meeting_actions_detach(meeting=meeting, by=None)
            meeting_record_clear(meeting=meeting, by=None)
    else:
        meeting = Meeting(board=board, held_on=held_on, title=title)

    next_meeting = spec.get("next_meeting", {})
    meeting.start_time = parse_time(spec.get("start"))
    meeting.end_time = parse_time(spec.get("end"))
    meeting.venue = spec.get("venue", "")
    meeting.venue_cy = spec.get("venue_cy", "")
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
    # the record is whole. A published file is imported as approved, then queued for
    # publication: the task worker stores it as v1.
    status = Meeting.Status.APPROVED if publish else spec.get("status", "draft")
    meeting.next_meeting_on = (
        datetime.date.fromisoformat(next_meeting["date"]) if "date" in next_meeting else None
    )
    meeting.next_meeting_start = parse_time(next_meeting.get("start"))
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
    _import_raised(ctx)

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
    # Every service above worked out the statuses of the actions it changed (the reviews
    # removed and recorded, the actions raised or completed, withdrawn or deleted).
    with _as_import_error(source, "meeting.status"):
        meeting_set_status(meeting=meeting, status=status, by=None)
    if publish:
        from minutes.services import meeting_publish_in_background

        # The task worker builds the public snapshot (half of an import's time when built
        # here); the meeting is public once it has.
        meeting_publish_in_background(meeting=meeting, by=None, imported=True)
    return meeting


def _import_roles(ctx: _Context) -> None:
    """The file's posts, found or created together (those a file before it found are kept)."""
    known = {
        spec["abbrev"]: ctx.batch[key]
        for spec in ctx.data["roles"]
        if (key := ("role", ctx.body.pk, spec["abbrev"])) in ctx.batch
    }
    wanted = [
        (
            spec["abbrev"],
            spec["title"],
            _suborganisation(ctx.body, spec.get("organisation"), ctx.batch),
        )
        for spec in ctx.data["roles"]
    ]
    ctx.roles = roles_ensure(body=ctx.body, roles=wanted, known=known)
    for abbrev, role in ctx.roles.items():
        ctx.batch[("role", ctx.body.pk, abbrev)] = role


def _person(ctx: _Context, name: str, organisation: Organisation | None) -> Person:
    """A person of the file, as `_import_people` found them; completed if need be."""
    known = ctx.people.get(name)
    person = ctx.people[name] = person_ensure(
        body=ctx.body, name=name, organisation=organisation, known=known
    )
    return person


def _import_people(ctx: _Context) -> None:
    """Every person the file names (declared, attending, members), found or created together,
    in the file's order (those a file before it found are kept)."""
    specs = [
        *ctx.data.get("people", []),
        *ctx.data["attendance"],
        *ctx.data["board"].get("members", []),
    ]
    wanted = [
        (spec["name"], _suborganisation(ctx.body, spec.get("organisation"), ctx.batch))
        for spec in specs
    ]
    known = {
        name: ctx.batch[key]
        for name, _organisation in wanted
        if (key := ("person", ctx.body.pk, name)) in ctx.batch
    }
    ctx.people = people_ensure(body=ctx.body, people=wanted, known=known)
    for name, person in ctx.people.items():
        ctx.batch[("person", ctx.body.pk, name)] = person


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
                arrival_time=parse_time(spec.get("arrived")),
                departure_time=parse_time(spec.get("left")),
                note=spec.get("note", ""),
            )
        )
    return rows


def _import_members(ctx: _Context) -> None:
    """Format 1.1: the board's members, added to those the board already records (in one
    batch: a refusal names the member's path)."""
    members = []
    for position, spec in enumerate(ctx.data["board"].get("members", [])):
        path = f"board.members[{position}]"
        role = None
        if spec.get("role"):
            role = ctx.roles.get(spec["role"])
            if role is None:
                ctx.fail(f"{path}.role", _("%(abbrev)s is not in roles") % {"abbrev": spec["role"]})
        organisation = _suborganisation(ctx.body, spec.get("organisation"), ctx.batch)
        members.append(
            {
                "person": _person(ctx, spec["name"], organisation),
                "role": role,
                "start_on": parse_date(spec["from"], f"{path}.from", ctx.source)
                if "from" in spec
                else None,
                "end_on": parse_date(spec["to"], f"{path}.to", ctx.source)
                if "to" in spec
                else None,
                "organisation": organisation,
                "position": position,
            }
        )
    if not members:
        return
    try:
        board_memberships_ensure(board=ctx.board, members=members)
    except RecordError as exc:
        path = f"board.members[{exc.row}]" + (f".{exc.field}" if exc.field else "")
        raise InterchangeError(str(exc), path=path, source=ctx.source) from None


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
    is_1_0 = ctx.data.get("format") != FORMAT_1_1
    for _path, spec, parent, position in _walk_tree(specs):
        siblings = parent["items"] if parent is not None else specs
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
            in_questions_record=spec.get("in_questions_record", False)
            or (is_1_0 and marked_by_1_0_rule(spec, siblings)),
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
            Departure(item=item, position=i, name=d["name"], left_at=parse_time(d.get("at")))
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
    reviews = []
    for path, spec in walk_items(specs):
        item = items[id(spec)]
        for i, action in enumerate(spec.get("action_reviews", [])):
            reviews.append((item, action, i, f"{path}.action_reviews[{i}]"))
        for i, action in enumerate(spec.get("actions", [])):
            ctx.raised.append((item, action, i, f"{path}.actions[{i}]"))
    _import_reviews(ctx, reviews)


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


def _import_raised(ctx: _Context) -> None:
    """The actions raised at the meeting: those already recorded (raised at the version being
    replaced, or carried forward before the meeting that raised them arrived) are updated in one
    batch; the new ones are created in another."""
    board = ctx.board
    numbers = [
        number
        for _item, spec, _position, _path in ctx.raised
        if (number := prefixed_number(spec.get("ref"), board.action_prefix)) is not None
    ]
    recorded = {}
    if numbers:
        found = Action.objects.numbered(board, numbers)
        recorded = {action.number: action for action in found.select_related("raised_at_meeting")}
    new, paths, changes, change_paths = [], [], [], []
    for item, spec, position, path in ctx.raised:
        number = prefixed_number(spec.get("ref"), board.action_prefix)
        legacy_ref = spec.get("ref", "").strip() if number is None else ""
        owners = [ctx.owner(name) for name in spec["owners"]]
        due_on = datetime.date.fromisoformat(spec["due"]) if spec.get("due") else None
        status = spec.get("status", ActionStatus.OPEN)
        action = _take_previous(ctx, number=number, legacy_ref=legacy_ref, text=spec["text"])
        if action is None and number is not None:
            existing = recorded.get(number)
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
            new.append(
                NewAction(
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
                )
            )
            paths.append(f"{path}.ref")
            continue
        action.text = spec["text"]
        action.text_cy = spec.get("text_cy", "")
        action.legacy_ref = legacy_ref
        action.due_on = due_on
        action.due_kind = spec.get("due_by", DueKind.DATE)
        action.owned_by_body = spec.get("owned_by_body", False)
        action.raised_at_meeting = ctx.meeting
        action.raised_at_item = item
        action.raised_on = None
        action.carried_forward = False
        action.position = position
        action.paragraph = spec.get("paragraph")
        changes.append(ActionChange(action=action, owners=owners, initial_status=status))
        change_paths.append(path)
    if changes:
        with _as_import_error(ctx.source, "items", change_paths):
            actions_update_batch(changes=changes, by=None)
    if new:
        with _as_import_error(ctx.source, "items", paths):
            actions_create_batch(board=board, actions=new, by=None)


@contextmanager
def _as_import_error(
    source: str, path: str, paths: list[str] | None = None, *, field_paths: str | None = None
):
    """A rule of the services, broken by the file, is a fault of the file at this path (for a
    batch service, at the path of the row it refuses; with `field_paths`, at the key under it
    that the refusal names)."""
    try:
        yield
    except RecordError as exc:
        row = getattr(exc, "row", None)
        if paths is not None and row is not None:
            path = paths[row]
        elif field_paths is not None and exc.field:
            path = f"{field_paths}.{exc.field}"
        raise InterchangeError(str(exc), path=path, source=source) from None


def _import_reviews(ctx: _Context, reviews: list[tuple[AgendaItem, dict, int, str]]) -> None:
    """The progress minuted on earlier actions, in one batch. The actions reviewed are looked
    up together; those not known yet are carried forward (in batches, in the file's order, so
    that they take the board's next numbers in that order); what a review prints completes an
    action recorded without it."""
    board = ctx.board
    numbers = {
        number
        for _item, spec, _position, _path in reviews
        if (number := prefixed_number(spec.get("ref"), board.action_prefix)) is not None
    }
    by_number: dict[int, Action | NewAction] = {}
    if numbers:
        by_number = {a.number: a for a in Action.objects.numbered(board, numbers)}
    pending: list[NewAction] = []
    pending_paths: list[str] = []
    created: dict[int, Action] = {}  # id() of a NewAction: the action it became

    def flush() -> None:
        if pending:
            with _as_import_error(ctx.source, "items", pending_paths):
                actions = actions_create_batch(board=board, actions=pending, by=None)
            created.update((id(new), action) for new, action in zip(pending, actions, strict=True))
            pending.clear()
            pending_paths.clear()

    reviewed: list[Action | NewAction] = []
    for _item, spec, _position, path in reviews:
        number = prefixed_number(spec.get("ref"), board.action_prefix)
        if number is not None:
            action = by_number.get(number)
        else:
            if spec.get("ref", "").strip():
                flush()  # the lookup by an old-style ref sees the actions carried forward so far
            action = _find_reviewed(ctx, spec)
        if action is None:
            if not spec.get("text"):
                if "ref" in spec:
                    message = _(
                        "%(ref)s is not known yet: give its text so that it can be carried forward"
                    ) % {"ref": spec["ref"]}
                else:
                    message = _(
                        "this action is not known yet: give its text so that it can be carried "
                        "forward"
                    )
                ctx.fail(f"{path}.text", message)
            action = NewAction(
                text=spec["text"],
                owners=[ctx.owner(name) for name in spec.get("owners", [])],
                number=number,
                legacy_ref=spec.get("ref", "").strip() if number is None else "",
                due_on=_date(spec.get("due")),
                raised_on=_date(spec.get("raised_on")),
                carried_forward=True,
                raised_at=None,
            )
            pending.append(action)
            pending_paths.append(f"{path}.ref")
            if number is not None:
                by_number[number] = action
        reviewed.append(action)
    flush()
    actions = [created.get(id(a), a) for a in reviewed]
    # Which of the actions already recorded have owners, in one query.
    owned = set(
        ActionOwner.objects.filter(action_id__in_array=list({a.pk for a in actions})).values_list(
            "action_id", flat=True
        )
    )
    rows, paths = [], []
    completed: dict[int, ActionChange] = {}  # by action: what the reviews complete, in one batch
    completed_paths: dict[int, str] = {}
    for action, (item, spec, position, path) in zip(actions, reviews, strict=True):
        owners = [ctx.owner(name) for name in spec.get("owners", [])]
        due_on = _date(spec.get("due"))
        # What the review prints completes an action recorded without it.
        set_owners = bool(owners) and action.pk not in owned
        set_due = bool(due_on) and action.due_on is None
        if set_owners or set_due:
            change = completed.setdefault(action.pk, ActionChange(action=action))
            completed_paths.setdefault(action.pk, path)
            if set_due:
                change.action.due_on = action.due_on = due_on
            if set_owners:
                change.owners = owners
                owned.add(action.pk)
        rows.append(
            action_review_build(
                action=action,
                meeting=ctx.meeting,
                text=spec["progress"],
                item=item,
                status=spec.get("status", ""),
                position=position,
                summary=spec.get("text", ""),
                printed_owners=spec.get("owners", []),
                printed_due_on=due_on,
                printed_raised_on=_date(spec.get("raised_on")),
                text_cy=spec.get("progress_cy", ""),
                summary_cy=spec.get("text_cy", ""),
            )
        )
        paths.append(f"{path}.progress")
    if completed:
        with _as_import_error(ctx.source, "items", list(completed_paths.values())):
            actions_update_batch(changes=list(completed.values()), by=None)
    with _as_import_error(ctx.source, "items", paths):
        action_reviews_record_batch(reviews=rows, by=None)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _find_reviewed(ctx: _Context, spec: dict) -> Action | None:
    """The action a review with an old-style ref names (one that is not the board's prefix and
    a number), or None."""
    ref = spec.get("ref", "").strip()
    if not ref:
        return None
    candidates = Action.objects.filter(board=ctx.board, legacy_ref=ref)
    if spec.get("raised_on"):
        raised_on = datetime.date.fromisoformat(spec["raised_on"])
        return (
            candidates.filter(raised_on=raised_on).first()
            or candidates.filter(raised_at_meeting__held_on=raised_on).first()
        )
    return candidates.order_by("-pk").first()
