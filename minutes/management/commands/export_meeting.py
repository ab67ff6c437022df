import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from meetings.models import Meeting
from minutes.interchange.exporter import export_meeting_document


class Command(BaseCommand):
    help = _("Write one meeting as an interchange file (scrutiny.meeting/1) to standard output.")

    def add_arguments(self, parser):
        parser.add_argument(
            "prefix", metavar="PREFIX", help=_("The board's action prefix, e.g. PPB.")
        )
        parser.add_argument("date", metavar="DATE", help=_("The meeting's date, YYYY-MM-DD."))
        parser.add_argument(
            "--title", default="", help=_("The meeting's own title, if it has one.")
        )

    def handle(self, *args, prefix, date, title, **options):
        try:
            held_on = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(
                _("%(date)r is not a date as YYYY-MM-DD.") % {"date": date}
            ) from None
        meetings = list(
            Meeting.objects.filter(
                board__action_prefix=prefix, held_on=held_on, title=title
            ).select_related("board__body")
        )
        if not meetings:
            if title:
                message = _("No meeting of the board %(prefix)s on %(date)s titled %(title)r.")
            else:
                message = _("No meeting of the board %(prefix)s on %(date)s.")
            raise CommandError(message % {"prefix": prefix, "date": date, "title": title})
        if len(meetings) > 1:
            bodies = ", ".join(m.board.body.name for m in meetings)
            raise CommandError(
                _("%(prefix)s is the prefix of boards of several bodies (%(bodies)s).")
                % {"prefix": prefix, "bodies": bodies}
            )
        document = export_meeting_document(meetings[0])
        self.stdout.write(json.dumps(document, indent=1, ensure_ascii=False))
