import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from meetings.models import Appointment, Organisation, Person, Role
from meetings.reference import person_ensure, person_link_account
from meetings.services import RecordError, appointment_grant
from scrutiny.accounts import AccountError, account_ensure, account_join_group
from scrutiny.audit import operator, recorded_as
from scrutiny.groups import FORCE_LEAD


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "j F Y")


def _listed(names) -> str:
    return ", ".join(sorted(names)) or _("none")


class Command(BaseCommand):
    help = _(
        "Give a user a post, as a force lead: creates or finds the account, the person in the "
        "record and the appointment. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("The sign-in name of the account."))
        parser.add_argument("abbrev", metavar="ROLE_ABBREV", help=_("The post, e.g. HoSPC."))
        parser.add_argument(
            "--from",
            dest="start",
            metavar="DATE",
            help=_("The first day in post, as YYYY-MM-DD (default: today)."),
        )
        parser.add_argument("--email", help=_("The email address for sign-in and reminders."))
        parser.add_argument(
            "--name",
            help=_('The name as the minutes print it, e.g. "Mrs E Ackland".'),
        )
        parser.add_argument(
            "--body",
            help=_("The body whose post it is, when more than one body has the abbreviation."),
        )
        parser.add_argument(
            "--acting", action="store_true", help=_("An acting appointment, not substantive.")
        )

    def handle(self, *args, username, abbrev, start, email, name, body, acting, **options):
        start_on = self._parse_date(start) if start else timezone.localdate()
        email = self._parse_email(email)
        name = (name or "").strip()
        kind = Appointment.Kind.ACTING if acting else Appointment.Kind.SUBSTANTIVE
        _operator, reason = operator(None)
        with recorded_as(reason=reason), transaction.atomic():
            role = self._find_role(abbrev.strip(), body)
            user, user_created = self._user(username, email)
            person, person_created = self._person(user, role, name)
            self._link(person, user, email, person_created)
            self._group(user)
            self._appointment(person, role, start_on, kind)
        if user_created or not user.has_usable_password():
            self._password_link(user)

    # Parsing

    def _parse_date(self, value: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("--from: %(value)r is not a date; write it as YYYY-MM-DD, e.g. 2024-04-01.")
                % {"value": value}
            ) from None

    def _parse_email(self, value: str | None) -> str:
        if value is None:
            return ""
        value = value.strip()
        try:
            validate_email(value)
        except ValidationError:
            raise CommandError(
                _("--email: %(value)r is not an email address.") % {"value": value}
            ) from None
        return value

    # The post

    def _find_role(self, abbrev: str, body_name: str | None) -> Role:
        if body_name:
            bodies = list(Organisation.objects.filter(name__iexact=body_name.strip()))
            body = next((b for b in bodies if b.parent_id is None), bodies[0] if bodies else None)
            if body is None:
                known = Organisation.objects.filter(roles__isnull=False).distinct()
                raise CommandError(
                    _("--body: there is no body called %(body)r. Bodies with posts: %(known)s.")
                    % {"body": body_name, "known": _listed(b.name for b in known)}
                )
            role = Role.objects.filter(body=body, abbrev=abbrev).select_related("body").first()
            if role is None:
                raise CommandError(
                    _("There is no post %(abbrev)r in %(body)s. Its posts are: %(known)s.")
                    % {
                        "abbrev": abbrev,
                        "body": body.name,
                        "known": _listed(body.roles.values_list("abbrev", flat=True)),
                    }
                )
            return role

        roles = list(Role.objects.filter(abbrev=abbrev).select_related("body"))
        if len(roles) == 1:
            return roles[0]
        if roles:
            raise CommandError(
                _(
                    "More than one body has a post %(abbrev)r: %(bodies)s. "
                    'Say which with --body "NAME".'
                )
                % {"abbrev": abbrev, "bodies": "; ".join(sorted(r.body.name for r in roles))}
            )
        known: dict[str, list[str]] = {}
        for role in Role.objects.select_related("body").order_by("abbrev"):
            known.setdefault(role.body.name, []).append(role.abbrev)
        if not known:
            raise CommandError(
                _("There is no post %(abbrev)r: no posts are recorded yet. Add them first.")
                % {"abbrev": abbrev}
            )
        raise CommandError(
            _("There is no post %(abbrev)r. Known posts: %(known)s.")
            % {
                "abbrev": abbrev,
                "known": "; ".join(
                    _("%(body)s: %(abbrevs)s") % {"body": body, "abbrevs": ", ".join(abbrevs)}
                    for body, abbrevs in sorted(known.items())
                ),
            }
        )

    # The account and the person

    def _user(self, username: str, email: str):
        try:
            user, created, previous_email = account_ensure(username=username, email=email)
        except AccountError as exc:
            raise CommandError(str(exc)) from None
        if created:
            self.stdout.write(
                _("Account %(username)s: created, with no password yet.") % {"username": username}
            )
            return user, True
        if previous_email is not None:
            self.stdout.write(
                _("Account %(username)s: found; email changed from %(old)s to %(new)s.")
                % {"username": username, "old": previous_email or _("none"), "new": email}
            )
        else:
            self.stdout.write(_("Account %(username)s: found.") % {"username": username})
        if not user.is_active:
            self.stderr.write(
                _("Warning: the account %(username)s is inactive, so it cannot sign in.")
                % {"username": username}
            )
        return user, False

    def _person(self, user, role: Role, name: str) -> tuple[Person, bool]:
        linked = Person.objects.filter(user=user).select_related("body").first()
        if not name and linked is not None:
            if linked.body_id != role.body_id:
                raise CommandError(
                    _(
                        "%(username)s is %(person)s in the records of %(their_body)s, but "
                        "%(abbrev)s is a post of %(body)s."
                    )
                    % {
                        "username": user.get_username(),
                        "person": linked.name,
                        "their_body": linked.body.name,
                        "abbrev": role.abbrev,
                        "body": role.body.name,
                    }
                )
            self.stdout.write(
                _("Person %(name)s (%(body)s): found, already linked to the account.")
                % {"name": linked.name, "body": role.body.name}
            )
            return linked, False

        name = name or user.get_full_name().strip() or user.get_username()
        person = Person.objects.filter(body=role.body, name=name).first()
        if person is not None and person.user_id and person.user_id != user.pk:
            raise CommandError(
                _(
                    "%(name)s is already linked to another account, %(other)s. "
                    'Give the name of the person for this account with --name "NAME".'
                )
                % {"name": person.name, "other": person.user.get_username()}
            )
        if linked is not None and linked != person:
            raise CommandError(
                _("%(username)s is already linked to %(linked)s, not %(name)s.")
                % {"username": user.get_username(), "linked": linked.name, "name": name}
            )
        if person is not None:
            if person.user_id == user.pk:
                message = _("Person %(name)s (%(body)s): found, already linked to the account.")
            else:
                message = _("Person %(name)s (%(body)s): found.")
            self.stdout.write(message % {"name": person.name, "body": role.body.name})
            return person, False
        person = person_ensure(body=role.body, name=name)
        self.stdout.write(
            _("Person %(name)s (%(body)s): created.") % {"name": name, "body": role.body.name}
        )
        return person, True

    def _link(self, person: Person, user, email: str, created: bool) -> None:
        old_email = person.email
        try:
            changed = person_link_account(person=person, user=user, email=email)
        except RecordError as exc:
            raise CommandError(str(exc)) from None
        if "user" in changed and not created:
            self.stdout.write(
                _("Person %(name)s: linked to the account %(username)s.")
                % {"name": person.name, "username": user.get_username()}
            )
        if "email" in changed and not created:
            self.stdout.write(
                _("Person %(name)s: email changed from %(old)s to %(new)s.")
                % {"name": person.name, "old": old_email or _("none"), "new": person.email}
            )
        if not person.email:
            self.stderr.write(
                _("Warning: %(name)s has no email address, so gets no reminders. Use --email.")
                % {"name": person.name}
            )

    def _group(self, user) -> None:
        if account_join_group(user=user, group=FORCE_LEAD):
            self.stdout.write(_("Group %(group)s: added.") % {"group": FORCE_LEAD})
        else:
            self.stdout.write(_("Group %(group)s: already a member.") % {"group": FORCE_LEAD})

    # The appointment

    def _appointment(
        self, person: Person, role: Role, start_on: datetime.date, kind: str
    ) -> Appointment:
        appointment, created = appointment_grant(
            person=person, role=role, start_on=start_on, kind=kind, by=None
        )
        if not created:
            self.stdout.write(
                _(
                    "Appointment: %(name)s already holds %(abbrev)s on %(day)s "
                    "(%(kind)s, from %(start)s); nothing changed."
                )
                % {
                    "name": person.name,
                    "abbrev": role.abbrev,
                    "day": _day(start_on),
                    "kind": appointment.get_kind_display().lower(),
                    "start": _day(appointment.start_on) if appointment.start_on else _("the start"),
                }
            )
            return appointment
        self.stdout.write(
            _("Appointment: %(name)s holds %(abbrev)s (%(kind)s) from %(day)s: created.")
            % {
                "name": person.name,
                "abbrev": role.abbrev,
                "kind": appointment.get_kind_display().lower(),
                "day": _day(start_on),
            }
        )
        others = (
            Appointment.objects.current(start_on)
            .filter(role=role)
            .exclude(person=person)
            .select_related("person")
        )
        for other in others:
            self.stdout.write(
                _("Note: %(name)s also holds %(abbrev)s on %(day)s (%(kind)s).")
                % {
                    "name": other.person.name,
                    "abbrev": role.abbrev,
                    "day": _day(start_on),
                    "kind": other.get_kind_display().lower(),
                }
            )
        return appointment

    def _password_link(self, user) -> None:
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        self.stdout.write(
            _("Send %(username)s this link to choose a password: %(url)s")
            % {"username": user.get_username(), "url": settings.SITE_URL.rstrip("/") + path}
        )
