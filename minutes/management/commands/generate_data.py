"""Reproducible realistic data in the seeds' shapes, for benchmarks and load tests.

Each board meets 12 times a year; a meeting has 15-25 items (one reviewing the action log, one
of questions, about one in ten taken in private), 8-12 new actions with two owners each, and
every action gets 3-6 progress reports at the board's later meetings. People move between
posts every few years. Meetings older than a month are published, with the board's public actions
log. Rows go in with batched bulk inserts, and their history rows are copied from them by the
database (INSERT ... SELECT), so the audit trail of generated data looks like that of data typed
in. The command prints its rate.
"""

import datetime
import random
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape

from actions.counts import register_counts_compact
from actions.models import Action, ActionOwner, ActionStatus, ActionUpdate, UpdateKind
from meetings.models import (
    AgendaItem,
    Appointment,
    Attendance,
    Board,
    Meeting,
    Organisation,
    Person,
    Publication,
    PublishedText,
    Question,
    Role,
)
from minutes.actions_log import public_actions_rebuild

ROLES = [
    ("PCC", "Police and Crime Commissioner", "OPCC"),
    ("DPCC", "Deputy Police and Crime Commissioner", "OPCC"),
    ("CEX", "Chief Executive", "OPCC"),
    ("CFO", "Chief Finance Officer", "OPCC"),
    ("HoS", "Head of Strategy", "OPCC"),
    ("HoAC", "Head of Assurance and Compliance", "OPCC"),
    ("HoCE", "Head of Communications and Engagement", "OPCC"),
    ("CC", "Chief Constable", "OCC"),
    ("DCC", "Deputy Chief Constable", "OCC"),
    ("ACC", "Assistant Chief Constable", "OCC"),
    ("ACOR", "Assistant Chief Officer, Resources", "OCC"),
    ("HoSPC", "Head of Strategy, Performance and Change", "OCC"),
    ("HoC", "Head of Crime", "OCC"),
    ("HoLAP", "Head of Local Area Policing", "OCC"),
    ("HoPS", "Head of Professional Standards", "OCC"),
    ("HoPD", "Head of People Development", "OCC"),
    ("HoF", "Head of Finance", "OCC"),
    ("HoICT", "Head of ICT", "OCC"),
    ("T/HoC&FPoC", "Temporary Head of Crime and First Point of Contact", "OCC"),
    ("CEM", "Communications and Engagement Manager", "OPCC"),
]
OWNER_ROLES = [r[0] for r in ROLES if r[2] == "OCC"] + ["HoS", "HoAC", "CFO", "CEX"]
BOARDS = [
    ("Strategy and Performance Board", "SPB"),
    ("Police Performance Board", "PPB"),
    ("Joint Audit Committee", "JAC"),
    ("Policing Accountability Board", "PAB"),
    ("Ethics Committee", "EC"),
]
SURNAMES = (
    "Thomas Jones Williams Davies Evans Roberts Hughes Lewis Morgan Griffiths Edwards Price "
    "Kelly Kirk Ackland Curley Guest Warren Stephens Corcoran Budden Regan Henry Day Everson "
    "Cuthbert Lionel Robinson Maloney Powell Jenkins Rees Owen Parry Pritchard Bevan Llewellyn "
    "Harris Phillips Watkins James Clarke Turner Walker Wright Hall Green Baker Wood"
).split()
TITLES = ["Mr", "Mrs", "Ms", "Dr", "Miss"]
TOPICS = [
    "Force Performance Report",
    "Police and Crime Plan Delivery",
    "Domestic Abuse Protection Notices",
    "Mental Health Services in Custody",
    "Social Media Desk",
    "Stop and Search Scrutiny",
    "Victim Satisfaction Survey",
    "Medium Term Financial Plan",
    "Estates Strategy",
    "Fleet Replacement Programme",
    "Body Worn Video",
    "Call Handling Performance",
    "Rural Crime Team",
    "Neighbourhood Policing Review",
    "Hate Crime Reporting",
    "Professional Standards Complaints",
    "Youth Offending Partnership",
    "Digital Investigation Backlog",
    "Workforce Wellbeing",
    "Anti-Social Behaviour Strategy",
    "Road Safety and Casualty Reduction",
    "Serious Organised Crime",
    "Child Sexual Exploitation",
    "Custody Independent Visitors",
    "Integrated Offender Management",
    "Collaboration with Fire and Rescue",
]
VERBS = [
    "Provide an update on",
    "Circulate a briefing note on",
    "Report back to the next meeting on",
    "Review the evaluation of",
    "Confirm the costs of",
    "Present the findings of the review of",
    "Share the data underpinning",
    "Arrange a development session on",
]
SENTENCES = [
    "We were informed that the work on {t} was progressing in line with the plan.",
    "The {r} advised that a further report on {t} would be brought to a future meeting.",
    "We noted the good work of the teams involved in {t} and the results reported.",
    "We were advised there had initially been a delay with {t}, now being progressed.",
    "The {r} explained that partners had been consulted on {t} and would report back.",
    "We received assurance that the risks around {t} were being managed appropriately.",
    "Performance against the priorities of the plan was discussed in relation to {t}.",
    "The {r} asked how the force would evidence the impact of {t} across the areas.",
]
PROGRESS = [
    "Work on {t} continues; the {r} will update the next meeting.",
    "A briefing note on {t} was circulated to members on {d}.",
    "The evaluation of {t} is complete and the report is with the {r}.",
    "Delayed: the data for {t} is awaited from the partner agencies.",
    "Training on {t} has been delivered to supervisors across the force.",
    "The {r} confirmed the costs of {t} are within the agreed budget.",
]
ROUTINE = ["Apologies", "Minutes of the Previous Meeting", "Matters Arising"]
CLOSING = ["Any Other Business", "Date of the Next Meeting"]
EXEMPT_REASON = "Exempt under paragraph 7 of Schedule 12A: prevention or detection of crime."


class Generator:
    """Builds one board at a time in memory, then writes it with bulk inserts."""

    def __init__(self, *, seed: int, end: datetime.date, years: int, user):
        self.rng = random.Random(seed)
        self.end = end
        # The first of the month after the same day `years` back: 12 months a year exactly.
        self.start = (
            datetime.date(end.year - years, end.month, 1) + datetime.timedelta(days=31)
        ).replace(day=1)
        self.years = years
        self.user = user
        self.now = timezone.now()
        self.counts: dict[str, int] = {}

    def add(self, model, objs, batch_size=2000, history=True):
        created = model.objects.bulk_create(objs, batch_size=batch_size)
        if history:
            self.history(model, [obj.pk for obj in created])
        name = model._meta.model_name
        self.counts[name] = self.counts.get(name, 0) + len(objs)
        return created

    def history(self, model, ids, batch_size=5000) -> None:
        """A "created" history row for each row, as simple_history writes it for a save:
        copied by the database from the rows just written (INSERT ... SELECT), a batch at a
        time, rather than built as objects in Python."""
        historical = model.history.model
        own = {field.attname for field in model._meta.concrete_fields}
        columns, sources, params = [], [], []
        meta = {
            "history_date": self.now,
            "history_change_reason": "generated",
            "history_type": "+",
            "history_user_id": self.user.pk,
        }
        for field in historical._meta.concrete_fields:
            if field.attname == "history_id":
                continue
            columns.append(connection.ops.quote_name(field.column))
            if field.attname in meta:
                sources.append("%s")
                params.append(meta[field.attname])
            elif field.attname in own:
                sources.append(connection.ops.quote_name(model._meta.get_field(field.name).column))
            else:
                raise CommandError(f"No source for {historical.__name__}.{field.attname}")
        with connection.cursor() as cursor:
            for start in range(0, len(ids), batch_size):
                batch = ids[start : start + batch_size]
                cursor.execute(
                    f"INSERT INTO {connection.ops.quote_name(historical._meta.db_table)} "
                    f"({', '.join(columns)}) SELECT {', '.join(sources)} "
                    f"FROM {connection.ops.quote_name(model._meta.db_table)} "
                    f"WHERE {connection.ops.quote_name(model._meta.pk.column)} IN "
                    f"({', '.join(['%s'] * len(batch))})",
                    [*params, *batch],
                )

    def body(self, index: int) -> dict:
        """A body with its posts and the people who held them over the years."""
        rng = self.rng
        body = Organisation.objects.create(
            name=f"Office of the Police and Crime Commissioner {index}", slug=f"gen-body-{index}"
        )
        opcc = Organisation.objects.create(
            name="Office of the Police and Crime Commissioner (OPCC)", parent=body
        )
        occ = Organisation.objects.create(name="Office of the Chief Constable (OCC)", parent=body)
        orgs = {"OPCC": opcc, "OCC": occ}
        roles = Role.objects.bulk_create(
            Role(body=body, abbrev=abbrev, title=title, organisation=orgs[org])
            for abbrev, title, org in ROLES
        )
        used, people, appointments = set(), [], []
        holders: dict[int, list[tuple[Person, datetime.date, datetime.date | None]]] = {}
        for role in roles:
            begin = self.start - datetime.timedelta(days=rng.randint(0, 700))
            while begin <= self.end:
                span = datetime.timedelta(days=rng.randint(700, 1800))
                finish = begin + span
                while True:
                    name = (
                        f"{rng.choice(TITLES)} {chr(65 + rng.randrange(26))} {rng.choice(SURNAMES)}"
                    )
                    if name not in used:
                        break
                    name += f"-{rng.choice(SURNAMES)}"
                    if name not in used:
                        break
                used.add(name)
                person = Person(body=body, name=name, organisation=role.organisation)
                people.append(person)
                ends = finish if finish <= self.end else None
                holders.setdefault(role.pk, []).append((person, begin, ends))
                begin = finish + datetime.timedelta(days=1)
        Person.objects.bulk_create(people, batch_size=2000)
        for role in roles:
            for person, begin, ends in holders[role.pk]:
                appointments.append(
                    Appointment(person=person, role=role, start_on=begin, end_on=ends)
                )
        Appointment.objects.bulk_create(appointments, batch_size=2000)
        self.counts["person"] = self.counts.get("person", 0) + len(people)
        self.counts["role"] = self.counts.get("role", 0) + len(roles)
        return {"body": body, "roles": roles, "holders": holders, "orgs": orgs}

    def holder(self, body: dict, role: Role, on: datetime.date) -> Person:
        for person, begin, ends in body["holders"][role.pk]:
            if begin <= on and (ends is None or on <= ends):
                return person
        return body["holders"][role.pk][-1][0]

    def board(self, body: dict, name: str, prefix: str, slug: str) -> None:
        rng = self.rng
        board = Board.objects.create(body=body["body"], name=name, slug=slug, action_prefix=prefix)
        roles = body["roles"]
        by_abbrev = {r.abbrev: r for r in roles}
        owner_roles = [by_abbrev[a] for a in OWNER_ROLES]
        cutoff = self.end - datetime.timedelta(days=30)

        dates, month = [], self.start
        while month <= self.end:
            day = month.replace(day=min(28, 10 + rng.randrange(15)))
            if day <= self.end:
                dates.append(day)
            month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        meetings = [
            Meeting(
                board=board,
                held_on=day,
                start_time=datetime.time(10, 0),
                end_time=datetime.time(12, 30),
                venue="Police Headquarters, Conference Room 1",
                chair_role=by_abbrev["PCC"],
                chair=self.holder(body, by_abbrev["PCC"], day),
                minute_taker=self.holder(body, by_abbrev["CEM"], day).name,
                status=Meeting.Status.PUBLISHED if day < cutoff else Meeting.Status.DRAFT,
                created_by=self.user,
            )
            for day in dates
        ]
        for this, after in zip(meetings, meetings[1:], strict=False):
            this.next_meeting_on = after.held_on
        self.add(Meeting, meetings)

        items, attendance, questions = [], [], []
        review_item, raised_under = {}, []
        for meeting in meetings:
            count = rng.randint(15, 25)
            titles = (
                ROUTINE + ["Action Log"] + rng.sample(TOPICS, count - 7) + ["Questions"] + CLOSING
            )
            for position, title in enumerate(titles, start=1):
                exempt = title in TOPICS and rng.random() < 0.1
                paragraphs = [
                    rng.choice(SENTENCES).format(t=title, r=rng.choice(OWNER_ROLES))
                    for _ in range(rng.randint(1, 4))
                ]
                item = AgendaItem(
                    meeting=meeting,
                    position=position,
                    number=str(position),
                    title=title,
                    minutes="\n\n".join(paragraphs),
                    exempt=exempt,
                    exempt_reason=EXEMPT_REASON if exempt else "",
                )
                items.append(item)
                if title == "Action Log":
                    review_item[meeting.pk] = item
                elif title in TOPICS:
                    raised_under.append(item)
                elif title == "Questions":
                    for n in range(rng.randint(3, 5)):
                        responder = rng.choice(owner_roles)
                        questions.append(
                            Question(
                                item=item,
                                position=n,
                                number=f"{position}.{n + 1}",
                                question=f"What is the force doing about {rng.choice(TOPICS)}?",
                                asked_by=rng.choice(["PCC", "DPCC", "CEX"]),
                                response=rng.choice(SENTENCES).format(
                                    t=rng.choice(TOPICS), r=responder.abbrev
                                ),
                                responder=responder,
                                restricted=rng.random() < 0.05,
                            )
                        )
            for position, role in enumerate(rng.sample(roles, rng.randint(8, 12))):
                attendance.append(
                    Attendance(
                        meeting=meeting,
                        position=position,
                        person=self.holder(body, role, meeting.held_on),
                        role=role,
                        organisation=role.organisation,
                        status=Attendance.Status.PRESENT
                        if rng.random() < 0.85
                        else Attendance.Status.APOLOGIES,
                    )
                )
        self.add(AgendaItem, items)
        self.add(Attendance, attendance)
        self.add(Question, questions)

        items_of: dict[int, list[AgendaItem]] = {}
        for item in raised_under:
            items_of.setdefault(item.meeting_id, []).append(item)
        actions, owners, plans = [], [], []
        number = 0
        for index, meeting in enumerate(meetings):
            topics = items_of[meeting.pk]
            for position in range(rng.randint(8, 12)):
                item = rng.choice(topics)
                number += 1
                later = meetings[index + 1 :]
                reports = sorted(
                    rng.sample(later, min(len(later), rng.randint(3, 6))), key=lambda m: m.held_on
                )
                status = ActionStatus.OPEN
                if reports:
                    roll = rng.random()
                    status = (
                        ActionStatus.CLOSED
                        if roll < 0.75
                        else ActionStatus.COMPLETED
                        if roll < 0.8
                        else ActionStatus.WITHDRAWN
                        if roll < 0.83
                        else ActionStatus.IN_PROGRESS
                    )
                action = Action(
                    board=board,
                    number=number,
                    text=f"{rng.choice(VERBS)} {item.title.lower()}.",
                    status=status,
                    initial_status=ActionStatus.OPEN,
                    due_on=meeting.held_on + datetime.timedelta(days=rng.choice([28, 56, 91, 182])),
                    raised_at_meeting=meeting,
                    raised_at_item=item,
                    position=position,
                )
                actions.append(action)
                chosen = rng.sample(owner_roles, 2)
                for n, role in enumerate(chosen):
                    if rng.random() < 0.1:
                        owners.append((action, n, None, self.holder(body, role, meeting.held_on)))
                    else:
                        owners.append((action, n, role, None))
                plans.append((action, item, reports, chosen))
        board.next_action_number = number + 1
        board.save(update_fields=["next_action_number"])
        self.add(Action, actions)
        self.add(
            ActionOwner,
            [
                ActionOwner(action=action, position=n, role=role, person=person)
                for action, n, role, person in owners
            ],
        )
        updates = []
        for action, item, reports, chosen in plans:
            for n, meeting in enumerate(reports):
                last = n == len(reports) - 1
                status = action.status if last and action.status != ActionStatus.OPEN else ""
                if not status and n == 0:
                    status = ActionStatus.IN_PROGRESS
                updates.append(
                    ActionUpdate(
                        action=action,
                        reported_on=meeting.held_on,
                        kind=UpdateKind.DECISION
                        if status in (ActionStatus.CLOSED, ActionStatus.WITHDRAWN)
                        else UpdateKind.PROGRESS,
                        text=rng.choice(PROGRESS).format(
                            t=item.title, r=chosen[0].abbrev, d=meeting.held_on.isoformat()
                        ),
                        status=status,
                        meeting=meeting,
                        item=review_item[meeting.pk],
                        position=n,
                        reported_by=self.holder(body, chosen[0], meeting.held_on),
                        created_by=self.user,
                    )
                )
        self.add(ActionUpdate, updates, batch_size=5000)
        self.publish(board, meetings, items, actions, updates)

    def publish(self, board, meetings, items, actions, updates) -> None:
        """Version 1 of every meeting held before the cut-off: its public HTML and actions."""
        by_meeting: dict[int, list[AgendaItem]] = {}
        for item in items:
            by_meeting.setdefault(item.meeting_id, []).append(item)
        raised: dict[int, list[Action]] = {}
        for action in actions:
            raised.setdefault(action.raised_at_meeting_id, []).append(action)
        reviewed: dict[int, list[Action]] = {}
        for update in updates:
            if not update.action.raised_at_item.exempt:
                reviewed.setdefault(update.meeting_id, []).append(update.action)
        owners: dict[int, str] = {}
        for owner in ActionOwner.objects.filter(action__board=board).select_related(
            "role", "person"
        ):
            owners[owner.action_id] = " / ".join(
                filter(None, [owners.get(owner.action_id), owner.label])
            )
        publications = []
        for meeting in meetings:
            if meeting.status != Meeting.Status.PUBLISHED:
                continue
            parts = []
            for item in by_meeting[meeting.pk]:
                parts.append(f"<h2>{escape(item.number)}. {escape(item.title)}</h2>")
                if item.exempt:
                    parts.append(f"<p>{escape(item.exempt_reason)}</p>")
                    continue
                parts.extend(f"<p>{escape(p)}</p>" for p in item.minutes.split("\n\n"))
            rows = [
                {
                    "id": a.pk,
                    "ref": f"{board.action_prefix} {a.number}",
                    "text": a.text,
                    "owners": owners.get(a.pk, ""),
                }
                for a in [*raised.get(meeting.pk, []), *reviewed.get(meeting.pk, [])]
                if not a.raised_at_item.exempt
            ]
            publications.append(
                Publication(
                    meeting=meeting,
                    version=1,
                    published_at=datetime.datetime.combine(
                        meeting.held_on + datetime.timedelta(days=21),
                        datetime.time(12),
                        tzinfo=datetime.UTC,
                    ),
                    published_by=self.user,
                    minutes_html="\n".join(parts),
                    title=meeting.held_on.strftime("%-d %B %Y"),
                    next_meeting_on=meeting.next_meeting_on,
                    actions=list({row["id"]: row for row in rows}.values()),
                )
            )
        self.add(Publication, publications, history=False)
        # The passages the public search reads, stored as publication stores them
        # (minutes.search.published_texts): each item as printed, then the actions.
        texts = []
        for publication in publications:
            passages = [
                (
                    PublishedText.Kind.ITEM,
                    item.number,
                    item.title,
                    item.exempt_reason if item.exempt else item.minutes,
                )
                for item in by_meeting[publication.meeting_id]
            ]
            passages += [
                (PublishedText.Kind.ACTION, row["ref"], row["ref"], row["text"])
                for row in publication.actions
            ]
            texts += [
                PublishedText(
                    publication=publication,
                    kind=kind,
                    position=position,
                    number=number,
                    title=title,
                    text=text,
                )
                for position, (kind, number, title, text) in enumerate(passages)
            ]
        self.add(PublishedText, texts, batch_size=5000, history=False)
        public_actions_rebuild(board=board)


class Command(BaseCommand):
    help = "Generate reproducible realistic boards, meetings and actions (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--boards", type=int, default=10)
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--end",
            type=datetime.date.fromisoformat,
            default=None,
            help="The last day of generated data (default today); give it to repeat a run exactly.",
        )
        parser.add_argument("--boards-per-body", type=int, default=3)

    def handle(self, *args, boards, years, seed, end, boards_per_body, **options):
        if boards < 1 or years < 1:
            raise CommandError("--boards and --years must be at least 1.")
        if Board.objects.filter(slug__startswith="gen-").exists():
            raise CommandError("This database already holds generated data: use a fresh one.")
        user, _ = get_user_model().objects.get_or_create(username="generator")
        generator = Generator(seed=seed, end=end or timezone.localdate(), years=years, user=user)
        started = time.monotonic()
        body = None
        for index in range(boards):
            with transaction.atomic():
                if index % boards_per_body == 0:
                    body = generator.body(index // boards_per_body + 1)
                name, prefix = BOARDS[index % boards_per_body % len(BOARDS)]
                generator.board(body, name, prefix, f"gen-{index + 1}")
            self.stdout.write(
                f"board {index + 1}/{boards}: {generator.counts.get('action', 0)} actions, "
                f"{time.monotonic() - started:.0f} s",
            )
        register_counts_compact()  # the triggers counted every insert: one row a key
        seconds = time.monotonic() - started
        figures = ", ".join(f"{n} {name}" for name, n in sorted(generator.counts.items()))
        rows = sum(generator.counts.values())
        self.stdout.write(f"Generated in {seconds:.1f} s: {figures}")
        self.stdout.write(
            f"Rate: {generator.counts.get('action', 0) / seconds:,.0f} actions a second, "
            f"{rows / seconds:,.0f} rows a second (history rows not counted)"
        )
