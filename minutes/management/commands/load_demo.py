import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import AgendaItem, Appointment, Board, Meeting, Person, Role
from meetings.reference import person_link_account
from meetings.services import appointment_grant, meeting_announce, meeting_item_save
from minutes.interchange import InterchangeError
from minutes.interchange.importer import import_meeting_files, read_meeting_file
from minutes.services import agenda_publish
from scrutiny.accounts import account_ensure, account_join_group
from scrutiny.audit import operator, recorded_as
from scrutiny.groups import (
    ADMINISTRATOR,
    APPROVER,
    CLERK,
    FORCE_LEAD,
    GROUPS,
    MEMBER,
    ensure_groups,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

# The meeting to come that the demo announces, with its agenda in English and Welsh, so that a
# first visitor sees "Forthcoming meetings", an agenda and the calendar feed with something in.
NEXT_MEETING_BOARD = ("Office of the Police and Crime Commissioner for Gwent", "SPB")
NEXT_MEETING_AGENDA = [
    ("Apologies", "Ymddiheuriadau"),
    ("Minutes of the previous meeting", "Cofnodion y cyfarfod blaenorol"),
    ("Action log", "Log gweithredu"),
    ("Performance report", "Adroddiad perfformiad"),
    ("Any other business", "Unrhyw fater arall"),
]

# username, group, person named in the fixtures (for force leads: the post they hold)
DEMO_USERS = [
    ("clerk", CLERK, None, None),
    ("approver", APPROVER, None, None),
    ("member", MEMBER, None, None),
    ("admin", ADMINISTRATOR, None, None),
    (
        "forcelead",
        FORCE_LEAD,
        ("Office of the Police and Crime Commissioner for Gwent", "Mrs E Ackland"),
        "HoSPC",
    ),
    (
        "forcelead2",
        FORCE_LEAD,
        ("Office of the Police and Crime Commissioner for Gwent", "Mrs R Kirk"),
        "ACC",
    ),
]


class Command(BaseCommand):
    help = _("Load the demo meetings from fixtures/ and create a demo user of each kind.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default="scrutiny-demo", help=_("Password for every demo user.")
        )

    def handle(self, *args, password, **options):
        if not settings.DEBUG:
            raise CommandError(_("Demo users are for local use only: DEBUG is off."))
        files = sorted(FIXTURES.glob("*.json"))
        missing = []
        for path in files:
            data = read_meeting_file(path)
            exists = Meeting.objects.filter(
                board__body__name=data["organisation"],
                board__action_prefix=data["board"]["action_prefix"],
                held_on=data["meeting"]["date"],
                title=data["meeting"].get("title", ""),
            ).exists()
            if not exists:
                missing.append(path)
        _user, reason = operator(None)
        try:
            with recorded_as(reason=reason), transaction.atomic():
                for meeting in import_meeting_files(missing):
                    self.stdout.write(_("Loaded %(meeting)s") % {"meeting": meeting})
                ensure_groups()
                logins = self._users(password)
                announced = self._next_meeting()
                if announced is not None:
                    self.stdout.write(_("Announced %(meeting)s") % {"meeting": announced})
        except InterchangeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("")
        self.stdout.write(_("Demo users (password for all: %(password)s)") % {"password": password})
        for username, group, detail in logins:
            self.stdout.write(f"  {username:<11} {group:<14} {detail}")

    def _next_meeting(self):
        """Announce the board's next meeting (a weekday three weeks or more ahead) and publish
        its agenda, unless a meeting to come is already in the record."""
        body_name, prefix = NEXT_MEETING_BOARD
        board = Board.objects.filter(body__name=body_name, action_prefix=prefix).first()
        today = timezone.localdate()
        if board is None or board.meetings.filter(held_on__gt=today).exists():
            return None
        held_on = today + datetime.timedelta(days=21)
        while held_on.weekday() >= 5:
            held_on += datetime.timedelta(days=1)
        meeting = meeting_announce(
            board=board,
            held_on=held_on,
            start_time=datetime.time(10),
            venue="Police Headquarters, Cwmbran",
            venue_cy="Pencadlys yr Heddlu, Cwmbrân",
            by=None,
        )
        for position, (title, title_cy) in enumerate(NEXT_MEETING_AGENDA):
            item = AgendaItem(
                meeting=meeting,
                position=position,
                number=str(position + 1),
                title=title,
                title_cy=title_cy,
            )
            meeting_item_save(item=item, by=None)
        approver = get_user_model().objects.filter(username="approver").first()
        agenda_publish(meeting=meeting, by=approver)
        return meeting

    def _users(self, password):
        logins = []
        for username, group_name, person_key, role_abbrev in DEMO_USERS:
            user, _created, _email = account_ensure(
                username=username,
                email=f"{username}@example.org",
                password=password,
                is_staff=GROUPS[group_name]["staff"],
                is_superuser=False,
            )
            account_join_group(user=user, group=group_name, only=True)
            detail = str(GROUPS[group_name]["description"])
            if person_key:
                body_name, name = person_key
                person = Person.objects.filter(body__name=body_name, name=name).first()
                role = Role.objects.filter(body__name=body_name, abbrev=role_abbrev).first()
                if person and role:
                    person_link_account(person=person, user=user, email=user.email)
                    # Imported attendance appoints nobody: the demo force leads get their
                    # posts here, explicitly, as an administrator would give them.
                    appointment_grant(
                        person=person,
                        role=role,
                        start_on=datetime.date(2018, 1, 1),
                        kind=Appointment.Kind.SUBSTANTIVE,
                        by=None,
                    )
                    detail = f"{name}, {role.abbrev} ({role.title})"
            logins.append((username, group_name, detail))
        return logins
