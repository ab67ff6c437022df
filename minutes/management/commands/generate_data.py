"""Reproducible realistic data in the seeds' shapes, for benchmarks and load tests.

Each board meets 12 times a year; a meeting has 15-25 items (one reviewing the action log, one
of questions, about one in ten taken in private), 8-12 new actions with two owners each, and
every action gets 3-6 progress reports at the board's later meetings. People move between
posts every few years. Meetings older than a month are published, with the board's public actions
log. Everything is written through the record's services, by their rules (the board's numbering,
the body's posts and people, the history rows, the statuses worked out from the progress), with
their batch forms taking a board's or a meeting's rows at once, so the audit trail of generated
data is that of data typed in. Once a board is committed, a forked copy of the command stores its
publications on the other core while the next board is written (scrutiny/forked.py): every table
is still written one board after the other, so the same seed gives the same rows and ids. The
command prints its rate.
"""

import datetime
import gc
import random
import time
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from actions.counts import register_counts_compact
from actions.models import Action, ActionOwner, ActionStatus, ActionUpdate, UpdateKind
from actions.services import NewAction, action_reviews_record_batch, actions_create_batch
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
from meetings.reference import (
    appointment_save,
    board_save,
    organisation_save,
    people_ensure,
    roles_ensure,
)
from meetings.services import MeetingRecord, meetings_create_batch, meetings_record_create_batch
from minutes.services import GeneratedPublication, meetings_publish_generated_start
from scrutiny.audit import recorded_as

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
    """Builds one board at a time in memory, then writes it through the services' batches."""

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
        self.publishing: GeneratedPublication | None = None  # the board's, to store
        self.storing: GeneratedPublication | None = None  # the previous board's, being stored

    def count(self, model, rows: int) -> None:
        name = model._meta.model_name
        self.counts[name] = self.counts.get(name, 0) + rows

    def body(self, index: int) -> dict:
        """A body with its posts and the people who held them over the years."""
        rng = self.rng
        body = organisation_save(
            organisation=Organisation(
                name=f"Office of the Police and Crime Commissioner {index}",
                slug=f"gen-body-{index}",
            ),
            by=None,
        )
        opcc = organisation_save(
            organisation=Organisation(
                name="Office of the Police and Crime Commissioner (OPCC)", parent=body
            ),
            by=None,
        )
        occ = organisation_save(
            organisation=Organisation(name="Office of the Chief Constable (OCC)", parent=body),
            by=None,
        )
        orgs = {"OPCC": opcc, "OCC": occ}
        posts = roles_ensure(
            body=body, roles=[(abbrev, title, orgs[org]) for abbrev, title, org in ROLES]
        )
        roles = [posts[abbrev] for abbrev, _title, _org in ROLES]
        used, people = set(), []
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
                people.append((name, role.organisation))
                ends = finish if finish <= self.end else None
                holders.setdefault(role.pk, []).append((name, begin, ends))
                begin = finish + datetime.timedelta(days=1)
        named = people_ensure(body=body, people=people)
        for role in roles:
            holders[role.pk] = [
                (named[name], begin, ends) for name, begin, ends in holders[role.pk]
            ]
            for person, begin, ends in holders[role.pk]:
                appointment_save(
                    appointment=Appointment(person=person, role=role, start_on=begin, end_on=ends),
                    by=None,
                )
                self.count(Appointment, 1)
        self.count(Person, len(people))
        self.count(Role, len(roles))
        return {"body": body, "roles": roles, "holders": holders, "orgs": orgs}

    def holder(self, body: dict, role: Role, on: datetime.date) -> Person:
        for person, begin, ends in body["holders"][role.pk]:
            if begin <= on and (ends is None or on <= ends):
                return person
        return body["holders"][role.pk][-1][0]

    def board(self, body: dict, name: str, prefix: str, slug: str) -> None:
        rng = self.rng
        board = board_save(
            board=Board(body=body["body"], name=name, slug=slug, action_prefix=prefix), by=None
        )
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
                created_by=self.user,
            )
            for day in dates
        ]
        for this, after in zip(meetings, meetings[1:], strict=False):
            this.next_meeting_on = after.held_on
        # Drafts while their record is written (a change to approved minutes reopens them);
        # those held before the cut-off are published at the end.
        meetings_create_batch(meetings=meetings, by=None)
        self.count(Meeting, len(meetings))

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
        # The meetings' records in one batch: an insert (with its history rows) for each kind.
        record = {meeting.pk: ([], [], []) for meeting in meetings}
        for item in items:
            record[item.meeting.pk][0].append(item)
        for row in attendance:
            record[row.meeting.pk][1].append(row)
        for question in questions:
            record[question.item.meeting.pk][2].append(question)
        meetings_record_create_batch(
            records=[
                MeetingRecord(
                    meeting=meeting,
                    items=record[meeting.pk][0],
                    attendance=record[meeting.pk][1],
                    questions=record[meeting.pk][2],
                )
                for meeting in meetings
            ],
            by=None,
        )
        self.count(AgendaItem, len(items))
        self.count(Attendance, len(attendance))
        self.count(Question, len(questions))

        items_of: dict[int, list[AgendaItem]] = {}
        for item in raised_under:
            items_of.setdefault(item.meeting_id, []).append(item)
        actions, plans = [], []
        for index, meeting in enumerate(meetings):
            topics = items_of[meeting.pk]
            for position in range(rng.randint(8, 12)):
                item = rng.choice(topics)
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
                # Raised open: the progress reported at later meetings moves the status on.
                action = NewAction(
                    text=f"{rng.choice(VERBS)} {item.title.lower()}.",
                    due_on=meeting.held_on + datetime.timedelta(days=rng.choice([28, 56, 91, 182])),
                    raised_at=meeting,
                    item=item,
                    position=position,
                    owners=[],
                )
                actions.append(action)
                chosen = rng.sample(owner_roles, 2)
                for role in chosen:
                    if rng.random() < 0.1:
                        action.owners.append(self.holder(body, role, meeting.held_on))
                    else:
                        action.owners.append(role)
                plans.append((status, item, reports, chosen))
        # The board's next numbers, in the order raised; the owners of the board's body.
        self.count(ActionOwner, sum(len(new.owners) for new in actions))
        actions = actions_create_batch(board=board, actions=actions, by=None)
        self.count(Action, len(actions))
        updates = []
        for action, (final, item, reports, chosen) in zip(actions, plans, strict=True):
            for n, meeting in enumerate(reports):
                last = n == len(reports) - 1
                status = final if last and final != ActionStatus.OPEN else ""
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
        # In one batch: the statuses are worked out from it, as for progress typed in.
        action_reviews_record_batch(reviews=updates, by=None)
        self.count(ActionUpdate, len(updates))
        published = [meeting for meeting in meetings if meeting.held_on < cutoff]
        self.publish(published)

    def publish(self, meetings) -> None:
        """Version 1 of these meetings, recorded as publication records it, three weeks after
        each was held (their PDFs are not rendered: see meetings_publish_generated); their
        publications are stored by `store_published` once the board is committed."""
        self.publishing = meetings_publish_generated_start(
            meetings=meetings,
            by=self.user,
            published_at=lambda meeting: datetime.datetime.combine(
                meeting.held_on + datetime.timedelta(days=21),
                datetime.time(12),
                tzinfo=datetime.UTC,
            ),
        )

    def store_published(self) -> None:
        """After the board's transaction: the previous board's publications stored first
        (so every table's rows keep the order and ids of one board after another), then this
        board's, by a copy of the process on another core while the next board is written."""
        self.wait_stored()
        self.publishing.store(fork=True)
        self.storing, self.publishing = self.publishing, None

    def wait_stored(self) -> None:
        if self.storing is None:
            return
        ids = self.storing.wait()
        self.storing = None
        self.count(Publication, len(ids))
        self.count(PublishedText, PublishedText.objects.filter(publication__in=ids).count())


@contextmanager
def collecting_once():
    """No automatic garbage collection inside the block, one collection at its end of what it
    left: a board's rows are many objects that live until it is written, and the collector
    would otherwise walk them, and all that was loaded before, again and again (a quarter of
    the time it takes to publish them). What was there before is frozen: the command thaws
    it when it ends."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


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
        try:
            for index in range(boards):
                with (
                    collecting_once(),
                    transaction.atomic(),
                    recorded_as(user=user, reason="generated"),
                ):
                    if index % boards_per_body == 0:
                        body = generator.body(index // boards_per_body + 1)
                    name, prefix = BOARDS[index % boards_per_body % len(BOARDS)]
                    generator.board(body, name, prefix, f"gen-{index + 1}")
                generator.store_published()
                self.stdout.write(
                    f"board {index + 1}/{boards}: {generator.counts.get('action', 0)} actions, "
                    f"{time.monotonic() - started:.0f} s",
                )
            generator.wait_stored()
        finally:
            storing = generator.storing
            if storing is not None and storing.stored is not None:  # a board failed
                storing.stored.discard()
            gc.unfreeze()
        register_counts_compact()  # the triggers counted every insert: one row a key
        seconds = time.monotonic() - started
        figures = ", ".join(f"{n} {name}" for name, n in sorted(generator.counts.items()))
        rows = sum(generator.counts.values())
        self.stdout.write(f"Generated in {seconds:.1f} s: {figures}")
        self.stdout.write(
            f"Rate: {generator.counts.get('action', 0) / seconds:,.0f} actions a second, "
            f"{rows / seconds:,.0f} rows a second (history rows not counted)"
        )
