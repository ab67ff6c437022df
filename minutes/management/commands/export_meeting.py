import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from minutes.interchange.exporter import export_meeting_document
from minutes.management.commands._render import find_meeting


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
        meeting = find_meeting(prefix=prefix, date=date, title=title)
        document = export_meeting_document(meeting)
        self.stdout.write(json.dumps(document, indent=1, ensure_ascii=False))
