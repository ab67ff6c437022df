from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from minutes.interchange import InterchangeError
from minutes.interchange.importer import import_meeting_files
from scrutiny.audit import operator, recorded_as


class Command(BaseCommand):
    help = _(
        "Import meeting files in the interchange format (scrutiny.meeting/1). "
        "A batch is all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("Replace a meeting that already exists (never a published one)."),
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help=_(
                "The account the audit trail records for the import; without it, the "
                "operating-system user who ran the command is recorded."
            ),
        )

    def handle(self, *args, files, replace, by, **options):
        user, reason = operator(by)
        try:
            with recorded_as(user=user, reason=reason):
                meetings = import_meeting_files(files, replace=replace)
        except InterchangeError as exc:
            raise CommandError(_("Nothing was imported. %(error)s") % {"error": exc}) from None
        for path, meeting in zip(files, meetings, strict=True):
            if meeting.publishing == "queued":
                message = _(
                    "Imported %(path)s: %(meeting)s (%(status)s; queued for publication: the "
                    "task worker publishes it)"
                )
            else:
                message = _("Imported %(path)s: %(meeting)s (%(status)s)")
            self.stdout.write(
                message % {"path": path, "meeting": meeting, "status": meeting.get_status_display()}
            )
