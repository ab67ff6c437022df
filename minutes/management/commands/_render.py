"""What render_minutes and render_questions share: find the meeting, write the PDF."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from meetings.models import Meeting
from scrutiny.pdf import RenderError


class RenderCommand(BaseCommand):
    render = None  # set by subclasses: (meeting, *, public) -> bytes

    def add_arguments(self, parser):
        parser.add_argument("prefix", metavar="PREFIX")
        parser.add_argument("date", metavar="DATE")
        parser.add_argument("--title", default="")
        variant = parser.add_mutually_exclusive_group(required=True)
        variant.add_argument("--public", action="store_true", help=_("What the public may see."))
        variant.add_argument(
            "--full", action="store_true", help=_("Everything, marked not for publication.")
        )
        parser.add_argument("-o", "--output", required=True, metavar="FILE")

    def handle(self, *args, prefix, date, title, public, full, output, **options):
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
        if len(meetings) != 1:
            raise CommandError(
                _("No meeting of the board %(prefix)s on %(date)s.")
                % {"prefix": prefix, "date": date}
                if not meetings
                else _("%(prefix)s is the prefix of boards of several bodies.") % {"prefix": prefix}
            )
        try:
            pdf = self.render(meetings[0], public=public)
        except RenderError as exc:
            raise CommandError(str(exc)) from None
        Path(output).write_bytes(pdf)
        self.stdout.write(
            _("Wrote %(file)s (%(size)s bytes, %(variant)s).")
            % {"file": output, "size": f"{len(pdf):,}", "variant": "public" if public else "full"}
        )
