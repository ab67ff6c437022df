"""What render_minutes and render_questions share: find the meeting, write the PDF."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Meeting
from scrutiny.pdf import RenderError


def find_meeting(*, prefix: str, date: str, title: str = "") -> Meeting:
    """The meeting a command names by its board's prefix and date, and its title when several
    meetings share the date; a clear error otherwise, listing the candidates."""
    try:
        held_on = datetime.date.fromisoformat(date)
    except ValueError:
        raise CommandError(_("%(date)r is not a date as YYYY-MM-DD.") % {"date": date}) from None
    meetings = Meeting.objects.filter(board__action_prefix=prefix, held_on=held_on)
    if title:
        meetings = meetings.filter(title=title)
    meetings = list(meetings.select_related("board__body").order_by("board__body__name", "title"))
    if len(meetings) == 1:
        return meetings[0]
    if not meetings:
        if title:
            message = _("No meeting of the board %(prefix)s on %(date)s titled %(title)r.")
        else:
            message = _("No meeting of the board %(prefix)s on %(date)s.")
        raise CommandError(message % {"prefix": prefix, "date": date, "title": title})
    listed = "; ".join(
        f"{m.board.name} ({m.board.body.name})" + (f" – {m.title!r}" if m.title else "")
        for m in meetings
    )
    raise CommandError(
        _(
            "%(count)s meetings of %(prefix)s on %(date)s: %(meetings)s. Choose one with "
            "--title TITLE."
        )
        % {"count": len(meetings), "prefix": prefix, "date": date, "meetings": listed}
    )


class RenderCommand(BaseCommand):
    render = None  # set by subclasses: (meeting, *, public) -> bytes

    def add_arguments(self, parser):
        parser.add_argument("prefix", metavar="PREFIX")
        parser.add_argument("date", metavar="DATE")
        parser.add_argument(
            "--title", default="", help=_("The meeting's own title, when several share the date.")
        )
        variant = parser.add_mutually_exclusive_group(required=True)
        variant.add_argument("--public", action="store_true", help=_("What the public may see."))
        variant.add_argument(
            "--full", action="store_true", help=_("Everything, marked not for publication.")
        )
        parser.add_argument("-o", "--output", required=True, metavar="FILE")

    def create_parser(self, prog_name, subcommand, **kwargs):
        # argparse formats the description as a str: a lazy translation would crash --help.
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def handle(self, *args, prefix, date, title, public, full, output, **options):
        meeting = find_meeting(prefix=prefix, date=date, title=title)
        try:
            pdf = self.render(meeting, public=public, draft_at=timezone.localtime())
        except RenderError as exc:
            raise CommandError(str(exc)) from None
        Path(output).write_bytes(pdf)
        self.stdout.write(
            _("Wrote %(file)s (%(size)s bytes, %(variant)s).")
            % {"file": output, "size": f"{len(pdf):,}", "variant": "public" if public else "full"}
        )
