"""Export one meeting as an interchange document that imports back to the same values."""

from django.db.models import Prefetch
from jsonschema import Draft202012Validator

from actions.models import Action, ActionOwner, ActionUpdate, DueKind
from meetings.models import AgendaItem, Meeting, Person, Role
from minutes.interchange import FORMAT_1_0, FORMAT_1_1, marked_by_1_0_rule, schema


def _time(value) -> str | None:
    return value.strftime("%H:%M") if value else None


def _compact(mapping: dict, *, keep: tuple[str, ...] = ()) -> dict:
    """Leave out what is empty: absent and empty mean the same in the format (but for the
    required keys named in `keep`)."""
    return {k: v for k, v in mapping.items() if k in keep or v not in (None, "", [], {}, False)}


class _Mentions:
    """The roles and people a document names, so that it declares each of them."""

    def __init__(self):
        self.roles: dict[str, Role] = {}
        self.people: dict[str, Person] = {}

    def role(self, role: Role | None) -> str | None:
        if role is None:
            return None
        self.roles.setdefault(role.abbrev, role)
        return role.abbrev

    def person(self, person: Person) -> str:
        self.people.setdefault(person.name, person)
        return person.name

    def owner(self, owner: ActionOwner) -> str:
        return self.role(owner.role) if owner.role_id else self.person(owner.person)


def export_meeting_document(meeting: Meeting) -> dict:
    """The document for a meeting; the inverse of import_meeting_document."""
    board = meeting.board
    mentions = _Mentions()
    for role in meeting.named_roles.select_related("organisation").order_by("pk"):
        mentions.role(role)
    for person in meeting.named_people.select_related("organisation").order_by("pk"):
        mentions.person(person)
    attendance = []
    for entry in meeting.attendance.select_related("person", "role", "organisation"):
        attendance.append(
            _compact(
                {
                    "name": entry.person.name,
                    "role": mentions.role(entry.role),
                    "organisation": entry.organisation.name if entry.organisation else None,
                    "status": entry.status,
                    "arrived": _time(entry.arrival_time),
                    "left": _time(entry.departure_time),
                    "note": entry.note,
                }
            )
        )
    attendee_names = {entry["name"] for entry in attendance}

    owners = Prefetch("owners", queryset=ActionOwner.objects.select_related("role", "person"))
    items = list(
        meeting.items.select_related("parent").prefetch_related(
            "papers",
            "questions__responder",
            "departures",
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("board")
                .prefetch_related(owners)
                .order_by("position", "number"),
            ),
            Prefetch(
                "action_reviews",
                queryset=ActionUpdate.objects.select_related("action__board").order_by(
                    "position", "pk"
                ),
            ),
        )
    )
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)

    def item_document(item: AgendaItem) -> dict:
        questions = [
            _compact(
                {
                    "number": q.number,
                    "question": q.question,
                    "question_cy": q.question_cy,
                    "asked_by": q.asked_by,
                    "response": q.response,
                    "response_cy": q.response_cy,
                    "responder": mentions.role(q.responder),
                    "restricted": q.restricted,
                    "restricted_reason": q.restricted_reason,
                    "restricted_reason_cy": q.restricted_reason_cy,
                }
            )
            for q in item.questions.all()
        ]
        raised = [
            _compact(
                {
                    "ref": a.legacy_ref or a.ref,
                    "text": a.text,
                    "text_cy": a.text_cy,
                    # Required, so kept when empty: an action the body itself owns.
                    "owners": [mentions.owner(o) for o in a.owners.all()],
                    "due": a.due_on.isoformat() if a.due_on else None,
                    "due_by": a.due_kind if a.due_kind != DueKind.DATE else None,
                    "owned_by_body": a.owned_by_body,
                    "status": a.initial_status,
                    "paragraph": a.paragraph,
                },
                keep=("owners",),
            )
            for a in item.actions.all()
        ]
        reviews = []
        for update in item.action_reviews.all():
            action = update.action
            for name in update.printed_owners:
                role = Role.objects.filter(body=board.body, abbrev=name).first()
                if role is not None:
                    mentions.role(role)
                else:
                    mentions.person(Person.objects.get(body=board.body, name=name))
            reviews.append(
                _compact(
                    {
                        "ref": action.legacy_ref or action.ref,
                        "text": update.summary,
                        "text_cy": update.summary_cy,
                        "owners": list(update.printed_owners),
                        "due": update.printed_due_on.isoformat() if update.printed_due_on else None,
                        "status": update.status,
                        "progress": update.text,
                        "progress_cy": update.text_cy,
                        "raised_on": (
                            update.printed_raised_on.isoformat()
                            if update.printed_raised_on
                            else None
                        ),
                    }
                )
            )
        document = {
            "number": item.number,
            "title": item.title,
            "title_cy": item.title_cy,
            "minutes": item.minutes,
            "minutes_cy": item.minutes_cy,
            "exempt": item.exempt,
            "exempt_reason": item.exempt_reason,
            "in_questions_record": item.in_questions_record,
            "exempt_reason_cy": item.exempt_reason_cy,
            "papers": [
                _compact(
                    {
                        "title": p.title,
                        "title_cy": p.title_cy,
                        "author": p.author,
                        "exempt": p.exempt,
                    }
                )
                for p in item.papers.all()
            ],
            "questions": questions,
            "actions": raised,
            "action_reviews": reviews,
            "departures": [
                _compact({"name": d.name, "at": _time(d.left_at)}) for d in item.departures.all()
            ],
            "items": [item_document(child) for child in children.get(item.pk, [])],
        }
        return _compact(document)

    item_documents = [item_document(item) for item in children.get(None, [])]

    chair = None
    if meeting.chair_role_id:
        chair = mentions.role(meeting.chair_role)
    elif meeting.chair_id:
        chair = mentions.person(meeting.chair)

    next_meeting = _compact(
        {
            "date": meeting.next_meeting_on.isoformat() if meeting.next_meeting_on else None,
            "start": _time(meeting.next_meeting_start),
            "venue": meeting.next_meeting_venue,
            "note": meeting.next_meeting_note,
            "note_cy": meeting.next_meeting_note_cy,
        }
    )
    meeting_document = _compact(
        {
            "date": meeting.held_on.isoformat(),
            "title": meeting.title,
            "title_cy": meeting.title_cy,
            "start": _time(meeting.start_time),
            "end": _time(meeting.end_time),
            "venue": meeting.venue,
            "venue_cy": meeting.venue_cy,
            "chair": chair,
            "chair_note": meeting.chair_note,
            "chair_note_cy": meeting.chair_note_cy,
            "minute_taker": meeting.minute_taker,
            "questions_intro": meeting.questions_intro,
            "questions_intro_cy": meeting.questions_intro_cy,
            "status": meeting.status,
            "next_meeting": next_meeting,
            "announced": meeting.announced_at is not None,
            "cancelled": meeting.cancelled_at is not None,
        }
    )
    if not meeting.is_public:
        meeting_document["public"] = False  # absent means open to the public
    board_document = {
        "name": board.name,
        "action_prefix": board.action_prefix,
        "welsh_statement": board.welsh_statement,
    }
    members = [
        _compact(
            {
                "name": member.person.name,
                "role": mentions.role(member.role),
                "organisation": member.organisation.name if member.organisation_id else None,
                "from": member.start_on.isoformat() if member.start_on else None,
                "to": member.end_on.isoformat() if member.end_on else None,
            }
        )
        for member in board.memberships.select_related("person", "role", "organisation")
    ]
    if members:
        board_document["members"] = members
    roles = [
        _compact(
            {
                "abbrev": role.abbrev,
                "title": role.title,
                "organisation": role.organisation.name if role.organisation_id else None,
            }
        )
        for role in mentions.roles.values()
    ]
    people = [
        _compact(
            {
                "name": person.name,
                "organisation": person.organisation.name if person.organisation_id else None,
            }
        )
        for name, person in mentions.people.items()
        if name not in attendee_names
    ]
    document = {
        "format": FORMAT_1_1,
        "organisation": board.body.name,
        # 1.1: only the 12-hour clock, so a body on the default still exports as 1.0.
        **({"time_style": board.body.time_style} if board.body.time_style != "24h" else {}),
        **({"organisation_cy": board.body.name_cy} if board.body.name_cy else {}),
        "board": {
            **board_document,
            # 1.1: only when set, so a board that uses none of them still exports as 1.0.
            **_compact(
                {
                    "name_cy": board.name_cy,
                    "question_label": board.question_label,
                    "question_label_cy": board.question_label_cy,
                    "response_label": board.response_label,
                    "response_label_cy": board.response_label_cy,
                    "action_column": board.action_column,
                }
            ),
        },
        "meeting": meeting_document,
        "roles": roles,
        "attendance": attendance,
    }
    if people:
        document["people"] = people
    document["items"] = item_documents
    return _lowest_version(document)


def _lowest_version(document: dict) -> dict:
    """Label the document 1.0 when it holds nothing that 1.1 added, so tools that read only
    1.0 keep reading what this exports."""
    as_1_0 = {**document, "format": FORMAT_1_0}
    # A mark a 1.0 import would give by itself (marked_by_1_0_rule) need not be written.
    as_1_0["items"] = _without_derived_marks(document.get("items", []))
    if Draft202012Validator(schema(FORMAT_1_0)).is_valid(as_1_0):
        return as_1_0
    return document


def _without_derived_marks(specs: list[dict]) -> list[dict]:
    out = []
    for spec in specs:
        copy = dict(spec)
        if copy.get("in_questions_record") and marked_by_1_0_rule(spec, specs):
            del copy["in_questions_record"]
        if "items" in copy:
            copy["items"] = _without_derived_marks(copy["items"])
        out.append(copy)
    return out
