import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.counts import register_counts_compact
from actions.reminders import ReminderRun, reminders_run
from scrutiny.upkeep import daily_upkeep


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
        "a day; tell the clerks of each board of the actions nobody could be reminded of; on "
        "the digest day (Monday unless REMINDER_DIGEST_WEEKDAY says otherwise) send each "
        "board's clerks the week's digest; then tidy up (e.g. remove staff previews kept past "
        "their hour). Run it daily, e.g. from cron; running it again the same day sends "
        "nothing new."
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
        parser.add_argument(
            "--digest",
            action="store_true",
            help=_("Send the weekly digest to the clerks today, whatever the day."),
        )

    def handle(self, *args, on, dry_run, digest, **options):
        day = _date(on) if on else timezone.localdate()
        day_display = formats.date_format(day, "j F Y")
        digest = digest or day.weekday() == settings.REMINDER_DIGEST_WEEKDAY
        run = reminders_run(on=day, digest=digest, dry_run=dry_run)
        if not dry_run:
            register_counts_compact()  # the register's counts, folded once a day
            daily_upkeep.send(sender=self.__class__)  # e.g. previews kept past their hour
        reminders = run.reminders
        self._report_unreachable(run, day, dry_run)
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
        failed_reminders = [r for r in reminders if r.error]
        failed_notices = [n for n in run.notices if n.error]
        for reminder in failed_reminders:
            self.stderr.write(
                _("Could not send the reminder to %(email)s (%(name)s): %(error)s")
                % {"email": reminder.email, "name": reminder.person.name, "error": reminder.error}
            )
        for notice in failed_notices:
            self.stderr.write(
                _("Could not send the notice to %(email)s (%(board)s): %(error)s")
                % {"email": notice.clerk.email, "board": notice.board.name, "error": notice.error}
            )
        failed = failed_reminders + failed_notices
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

    def _report_unreachable(self, run: ReminderRun, day, dry_run: bool) -> None:
        """Every run says what nobody could be reminded of, and which clerks are told."""
        for entry in run.unreachable:
            action = entry.action
            self.stdout.write(
                _("Not sent to anyone: %(ref)s (%(board)s), due %(due)s: %(reasons)s.")
                % {
                    "ref": action.ref,
                    "board": action.board.name,
                    "due": formats.date_format(action.due_on, "j F Y"),
                    "reasons": "; ".join(entry.reasons),
                }
            )
        for notice in run.notices:
            if notice.sent:
                state = _("sent")
            elif notice.already_sent:
                state = _("already sent that day")
            elif dry_run:
                state = _("would be sent")
            else:
                state = _("not sent")
            self.stdout.write(
                _("%(subject)s: to %(email)s, %(state)s.")
                % {"subject": notice.subject, "email": notice.clerk.email, "state": state}
            )
        for board in run.untold_boards:
            self.stderr.write(
                _(
                    "No clerk to tell about %(board)s: add a user with an email address to "
                    "the Clerk group."
                )
                % {"board": board.name}
            )
