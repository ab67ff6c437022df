"""The register as a spreadsheet: CSV and XLSX with the same columns."""

import csv
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from actions.models import Action

# A cell that starts with one of these is a formula to a spreadsheet program: user text that
# does is written with a leading apostrophe so it stays text (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    # Control characters have no place in a cell, and XLSX cannot hold them: show them as marks.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def headers() -> list[str]:
    return [
        _("Ref"),
        _("Board"),
        _("Action"),
        _("Owners"),
        _("Raised at"),
        _("Due"),
        _("Status"),
        _("Latest progress"),
        _("Progress date"),
    ]


def rows(actions: Iterable[Action]) -> Iterator[list[str]]:
    """One row per action; `actions` comes from Action.objects.for_register()."""
    for action in actions:
        if action.raised_at_meeting_id:
            raised = action.raised_at_meeting.held_on.isoformat()
        elif action.raised_on:
            raised = _("%(date)s (carried forward)") % {"date": action.raised_on.isoformat()}
        else:
            raised = _("carried forward")
        yield [
            _safe(action.ref),
            _safe(action.board.name),
            _safe(action.text),
            _safe(action.owners_display()),
            raised,
            action.due_on.isoformat() if action.due_on else "",
            str(action.get_status_display()),
            _safe(action.latest_progress),
            action.latest_progress_on.isoformat() if action.latest_progress_on else "",
        ]


class _Echo:
    def write(self, value):
        return value


def csv_response(actions, *, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so that Excel reads UTF-8
        yield writer.writerow(headers())
        for row in rows(actions.iterator(chunk_size=500)):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(actions, *, filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Actions"))
    sheet.append(headers())
    for row in rows(actions.iterator(chunk_size=500)):
        sheet.append(row)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response
