from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.action_log import ActionLogError, action_log_import
from meetings.models import Board


class Command(BaseCommand):
    help = _(
        "Import an action log kept in a spreadsheet (XLSX or CSV: ref, action, owner, due, "
        "status and progress columns, headers matched loosely) into a board's register: new "
        "refs are created, known ones updated. The first fault refuses the whole file, naming "
        "its row and column."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.xlsx|csv")
        parser.add_argument(
            "--board",
            required=True,
            metavar="PREFIX",
            help=_("The board's action prefix, e.g. PPB."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Show what the import would do; write nothing."),
        )

    def handle(self, *args, file, board, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file.") % {"file": file})
        boards = list(Board.objects.filter(action_prefix__iexact=board).select_related("body"))
        if len(boards) != 1:
            raise CommandError(
                _("No board has the action prefix %(prefix)s.") % {"prefix": board}
                if not boards
                else _("More than one board has the action prefix %(prefix)s: %(boards)s.")
                % {"prefix": board, "boards": ", ".join(f"{b.name} ({b.body})" for b in boards)}
            )
        try:
            log, done = action_log_import(
                path, board=boards[0], on=timezone.localdate(), dry_run=dry_run
            )
        except ActionLogError as exc:
            raise CommandError(
                _("%(file)s: %(error)s Nothing was imported.") % {"file": path.name, "error": exc}
            ) from None
        self.stdout.write(_("Columns of %(file)s:") % {"file": path.name})
        for line in log.columns:
            self.stdout.write(f"  {line}")
        for line in done:
            self.stdout.write(line)
        summary = ngettext(
            "%(count)d action of %(board)s read.",
            "%(count)d actions of %(board)s read.",
            len(log.rows),
        ) % {"count": len(log.rows), "board": boards[0].name}
        if dry_run:
            summary += " " + _("Dry run: nothing was written.")
        self.stdout.write(summary)
