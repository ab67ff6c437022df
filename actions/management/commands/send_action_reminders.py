import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.reminders import reminders_send


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--on: %(value)r is not a date; write it as YYYY-MM-DD, e.g. 2020-03-04.")
            % {"value": value}
        ) from None


class Command(BaseCommand):
    help = _(
        "Email each owner of overdue actions, and of actions due within a week, one reminder "
        "a day. Run it daily, e.g. from cron; running it again the same day sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--on",
            metavar="DATE",
            help=_("The day to remind for, as YYYY-MM-DD (default: today)."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Show who would be emailed about which actions; send and record nothing."),
        )

    def handle(self, *args, on, dry_run, **options):
        day = _date(on) if on else timezone.localdate()
        day_display = formats.date_format(day, "j F Y")
        reminders = reminders_send(on=day, dry_run=dry_run)
        skipped = [r for r in reminders if r.already_reminded]
        if dry_run:
            pending = [r for r in reminders if not r.already_reminded]
            for reminder in pending:
                self.stdout.write(
                    _("%(email)s (%(name)s): %(subject)s")
                    % {
                        "email": reminder.email,
                        "name": reminder.person.name,
                        "subject": reminder.subject,
                    }
                )
                for action in reminder.overdue:
                    self.stdout.write(
                        _("  %(ref)s, overdue since %(due)s: %(text)s")
                        % {
                            "ref": action.ref,
                            "due": formats.date_format(action.due_on, "j F Y"),
                            "text": action.text,
                        }
                    )
                for action in reminder.due_soon:
                    self.stdout.write(
                        _("  %(ref)s, due %(due)s: %(text)s")
                        % {
                            "ref": action.ref,
                            "due": formats.date_format(action.due_on, "j F Y"),
                            "text": action.text,
                        }
                    )
            self.stdout.write(
                ngettext(
                    "Dry run for %(day)s: %(count)d email would be sent",
                    "Dry run for %(day)s: %(count)d emails would be sent",
                    len(pending),
                )
                % {"day": day_display, "count": len(pending)}
                + "; "
                + ngettext(
                    "%(count)d person already reminded that day.",
                    "%(count)d people already reminded that day.",
                    len(skipped),
                )
                % {"count": len(skipped)}
                + " "
                + _("Nothing was sent or recorded.")
            )
            return

        sent = [r for r in reminders if r.sent]
        failed = [r for r in reminders if r.error]
        for reminder in failed:
            self.stderr.write(
                _("Could not send the reminder to %(email)s (%(name)s): %(error)s")
                % {"email": reminder.email, "name": reminder.person.name, "error": reminder.error}
            )
        self.stdout.write(
            ngettext(
                "Reminders for %(day)s: %(count)d email sent",
                "Reminders for %(day)s: %(count)d emails sent",
                len(sent),
            )
            % {"day": day_display, "count": len(sent)}
            + "; "
            + ngettext(
                "%(count)d person skipped, already reminded that day.",
                "%(count)d people skipped, already reminded that day.",
                len(skipped),
            )
            % {"count": len(skipped)}
        )
        if failed:
            raise CommandError(
                ngettext(
                    "%(count)d reminder could not be sent; the next run will try again.",
                    "%(count)d reminders could not be sent; the next run will try again.",
                    len(failed),
                )
                % {"count": len(failed)}
            )
