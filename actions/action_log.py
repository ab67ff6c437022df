"""Reading an action log kept in a spreadsheet (XLSX or CSV) the way OPCCs keep it, and applying
it to a board's register through the action services.

The whole file is read and checked before anything is written; the first fault refuses it,
naming the row and the column.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from actions import services
from actions.models import Action, ActionStatus, UpdateKind
from meetings.models import Board, Person, Role


class ActionLogError(Exception):
    """The file cannot be imported; the message names the row and column at fault."""


# Header names as action logs write them, normalised (lower case, letters and digits only).
HEADERS = {
    "ref": [
        "ref",
        "reference",
        "actionref",
        "actionno",
        "actionn",
        "actionnumber",
        "no",
        "number",
        "action",
        "id",
    ],
    "text": [
        "action",
        "actionsummary",
        "summary",
        "description",
        "actiondescription",
        "actions",
        "actionagreed",
        "details",
    ],
    "owner": [
        "owner",
        "owners",
        "lead",
        "actionowner",
        "responsible",
        "tobeprogressedby",
        "progressedby",
        "who",
        "assignedto",
        "leadofficer",
    ],
    "due": ["due", "duedate", "deadline", "targetdate", "datedue", "by", "when", "target"],
    "status": ["status", "rag", "ragstatus", "state", "currentstatus"],
    "progress": [
        "progress",
        "update",
        "latestupdate",
        "latestprogress",
        "comments",
        "comment",
        "progressupdate",
        "notes",
    ],
    "raised": ["raised", "dateraised", "raisedon", "meeting", "meetingdate", "datesraised"],
}
REQUIRED = ("ref", "text")

STATUS_WORDS = [
    ("completed", ActionStatus.COMPLETED),
    ("complete", ActionStatus.COMPLETED),
    ("done", ActionStatus.COMPLETED),
    ("in progress", ActionStatus.IN_PROGRESS),
    ("ongoing", ActionStatus.IN_PROGRESS),
    ("on going", ActionStatus.IN_PROGRESS),
    ("open", ActionStatus.OPEN),
    ("not started", ActionStatus.OPEN),
    ("closed", ActionStatus.CLOSED),
    ("discharged", ActionStatus.CLOSED),
    ("withdrawn", ActionStatus.WITHDRAWN),
    ("superseded", ActionStatus.WITHDRAWN),
]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y"]
DATE_FORMATS += ["%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y"]
OWNER_SPLIT = re.compile(r"\s+/\s+|\s*[,;&\n]\s*|\s+and\s+", re.IGNORECASE)


def _normal(text) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").lower().replace("°", ""))


@dataclass
class Cell:
    row: int
    column: int
    header: str
    value: object

    @property
    def where(self) -> str:
        return _("row %(row)d, column %(column)s (%(header)s)") % {
            "row": self.row,
            "column": get_column_letter(self.column),
            "header": self.header,
        }

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value).strip()


@dataclass
class LogRow:
    """One action of the file, checked: what it says, in the register's terms."""

    row: int
    number: int
    cells: dict[str, Cell]
    text: str = ""
    owners: list[Role | Person] | None = None
    due_on: datetime.date | None = None
    has_due: bool = False
    status: str = ""
    progress: str = ""
    raised_on: datetime.date | None = None


@dataclass
class ActionLog:
    board: Board
    columns: list[str] = field(default_factory=list)  # how each header was understood
    rows: list[LogRow] = field(default_factory=list)


def _read_rows(path: Path) -> list[list]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise ActionLogError(
                _("%(file)s is not an Excel workbook: %(error)s")
                % {"file": path.name, "error": exc}
            ) from None
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    if path.suffix.lower() == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            text = path.read_text(encoding="cp1252")  # Excel's "CSV" on Windows
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    raise ActionLogError(
        _("%(file)s: only .xlsx and .csv files can be imported.") % {"file": path.name}
    )


def _find_header(rows: list[list]) -> tuple[int, dict[str, tuple[int, str]], list[str]]:
    """The header row (the first of the first ten that names a ref and an action column)."""
    for index, row in enumerate(rows[:10]):
        found: dict[str, tuple[int, str]] = {}
        for column, value in enumerate(row, start=1):
            key = _header_key(_normal(value), taken=found)
            if key:
                found[key] = (column, str(value).strip())
        if all(key in found for key in REQUIRED):
            ignored = [
                str(value).strip()
                for column, value in enumerate(row, start=1)
                if _normal(value) and column not in {c for c, _h in found.values()}
            ]
            return index, found, ignored
    raise ActionLogError(
        _(
            "No header row found in the first ten rows: the file needs a column for the "
            "action's reference (e.g. “Action N°” or “Ref”) and one for the action itself "
            "(e.g. “Action summary”)."
        )
    )


def _header_key(name: str, *, taken: dict) -> str:
    """What a header means: an exact name, else one it starts with ("Due date (revised)")."""
    if not name:
        return ""
    free = [key for key in HEADERS if key not in taken]
    for key in free:
        if name in HEADERS[key]:
            return key
    for key in free:
        if any(name.startswith(known) for known in HEADERS[key] if len(known) > 3):
            return key
    return ""


def _owners(cell: Cell, board: Board) -> list[Role | Person]:
    owners: list[Role | Person] = []
    for name in filter(None, (part.strip() for part in OWNER_SPLIT.split(cell.text))):
        role = Role.objects.filter(body=board.body, abbrev__iexact=name).first()
        person = None if role else Person.objects.filter(body=board.body, name__iexact=name).first()
        if role is None and person is None:
            raise ActionLogError(
                _(
                    "%(where)s: unknown owner “%(name)s”: no post of that abbreviation or person "
                    "of that name in %(body)s. Add them first, or correct the file."
                )
                % {"where": cell.where, "name": name, "body": board.body.name}
            )
        owners.append(role or person)
    return owners


def _date(cell: Cell) -> datetime.date | None:
    value = cell.value
    if value is None or cell.text == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cell.text)
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ActionLogError(
        _("%(where)s: “%(value)s” is not a date; write it as 31/03/2019 or 2019-03-31.")
        % {"where": cell.where, "value": cell.text}
    )


def _status(text: str) -> tuple[str, str]:
    """A status word at the start of the text, and what follows it ('Completed – published')."""
    lowered = text.lower()
    for word, status in STATUS_WORDS:
        if lowered.startswith(word):
            rest = text[len(word) :].strip(" –-—:.,")
            return status, rest
    return "", text


def read_action_log(path: Path, *, board: Board) -> ActionLog:
    """Read and check the whole file; ActionLogError on the first fault."""
    rows = _read_rows(path)
    header_index, found, ignored = _find_header(rows)
    log = ActionLog(board=board)
    for key, (column, header) in sorted(found.items(), key=lambda item: item[1][0]):
        log.columns.append(
            _("column %(column)s “%(header)s”: %(meaning)s")
            % {"column": get_column_letter(column), "header": header, "meaning": _meaning(key)}
        )
    for header in ignored:
        log.columns.append(_("“%(header)s”: not imported") % {"header": header})
    seen: dict[int, int] = {}
    ref_pattern = re.compile(r"^(?:([A-Za-z][A-Za-z/&-]*)\s*)?(\d{1,9})$")
    for offset, values in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = {
            key: Cell(
                row=offset,
                column=column,
                header=header,
                value=values[column - 1] if column <= len(values) else None,
            )
            for key, (column, header) in found.items()
        }
        if all(cell.text == "" for cell in cells.values()):
            continue  # blank lines between blocks
        ref = cells["ref"]
        match = ref_pattern.match(ref.text)
        if ref.text == "" or not match:
            raise ActionLogError(
                _("%(where)s: “%(value)s” is not an action reference like %(prefix)s 60.")
                % {"where": ref.where, "value": ref.text, "prefix": board.action_prefix}
            )
        prefix, number = match.group(1), int(match.group(2))
        if prefix and prefix.upper() != board.action_prefix.upper():
            raise ActionLogError(
                _("%(where)s: %(ref)s is not an action of %(board)s (%(prefix)s).")
                % {
                    "where": ref.where,
                    "ref": ref.text,
                    "board": board.name,
                    "prefix": board.action_prefix,
                }
            )
        if number in seen:
            raise ActionLogError(
                _("%(where)s: %(prefix)s %(number)d is already on row %(row)d.")
                % {
                    "where": ref.where,
                    "prefix": board.action_prefix,
                    "number": number,
                    "row": seen[number],
                }
            )
        seen[number] = offset
        entry = LogRow(row=offset, number=number, cells=cells, text=cells["text"].text)
        if "owner" in cells and cells["owner"].text:
            entry.owners = _owners(cells["owner"], board)
        if "due" in cells and cells["due"].text:
            # An empty cell leaves a known action's due date as it is: never cleared by a gap.
            entry.has_due = True
            entry.due_on = _date(cells["due"])
        if "raised" in cells:
            entry.raised_on = _date(cells["raised"])
        progress = cells["progress"].text if "progress" in cells else ""
        if "status" in cells and cells["status"].text:
            entry.status, rest = _status(cells["status"].text)
            if not entry.status:
                raise ActionLogError(
                    _(
                        "%(where)s: “%(value)s” is not a status: write Open, In progress, "
                        "Completed, Closed or Withdrawn."
                    )
                    % {"where": cells["status"].where, "value": cells["status"].text}
                )
            entry.progress = progress
        else:
            # Logs without a status column start the progress with it: "Completed – published".
            entry.status, _rest = _status(progress)
            entry.progress = progress
        log.rows.append(entry)
    return log


def _meaning(key: str) -> str:
    return {
        "ref": _("action reference"),
        "text": _("action"),
        "owner": _("owners"),
        "due": _("due date"),
        "status": _("status"),
        "progress": _("latest progress"),
        "raised": _("date raised"),
    }[key]


def _latest_progress(action: Action) -> str:
    latest = (
        action.updates.filter(kind__in=(UpdateKind.PROGRESS, UpdateKind.DECISION))
        .order_by("-reported_on", "-created_at", "-pk")
        .first()
    )
    return latest.text if latest else ""


def _owner_labels(owners) -> str:
    return " / ".join(o.abbrev if isinstance(o, Role) else o.name for o in owners) or _("none")


def _apply_row(entry: LogRow, *, board: Board, by, on: datetime.date) -> list[str]:
    """Create or update one action through the services; what was done, in words."""
    ref = f"{board.action_prefix} {entry.number}"
    action = Action.objects.filter(board=board, number=entry.number).first()
    done = []
    if action is None:
        if not entry.text:
            raise ActionLogError(
                _("%(where)s: %(ref)s is new, and needs the action's text.")
                % {"where": entry.cells["text"].where, "ref": ref}
            )
        action = services.action_create(
            board=board,
            text=entry.text,
            owners=entry.owners or [],
            number=entry.number,
            due_on=entry.due_on,
            raised_on=entry.raised_on,
            carried_forward=True,
            raised_at=None,
            by=by,
        )
        done.append(
            _("%(ref)s: created (owners %(owners)s; due %(due)s)")
            % {
                "ref": ref,
                "owners": _owner_labels(entry.owners or []),
                "due": date_format(entry.due_on, "j F Y") if entry.due_on else _("none"),
            }
        )
    else:
        if entry.text and entry.text != action.text:
            done.append(
                _("%(ref)s: the action's text differs from the register's and was kept")
                % {"ref": ref}
            )
        current = list(action.owners.select_related("role", "person"))
        current_owners = [o.role or o.person for o in current]
        if entry.owners is not None and entry.owners != current_owners:
            services.action_reassign(action=action, owners=entry.owners, by=by, on=on)
            done.append(
                _("%(ref)s: owners %(before)s → %(after)s")
                % {
                    "ref": ref,
                    "before": _owner_labels(current_owners),
                    "after": _owner_labels(entry.owners),
                }
            )
        if entry.has_due and entry.due_on != action.due_on:
            services.action_set_due(action=action, due_on=entry.due_on, by=by, on=on)
            done.append(_("%(ref)s: due date changed") % {"ref": ref})
    done += _apply_progress(action, entry, ref=ref, by=by, on=on)
    return done


def _apply_progress(action: Action, entry: LogRow, *, ref: str, by, on) -> list[str]:
    done = []
    action.refresh_from_db()
    status, text = entry.status, entry.progress
    if text and text != _latest_progress(action):
        reported = status if status in (ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED) else ""
        if action.status in (ActionStatus.CLOSED, ActionStatus.WITHDRAWN):
            services.action_reopen(action=action, reason=text, by=by, on=on)
        else:
            services.action_report_progress(
                action=action, text=text, status=reported, by=by, person=None, on=on
            )
        done.append(_("%(ref)s: progress recorded: %(text)s") % {"ref": ref, "text": text})
        action.refresh_from_db()
    if status and status != action.status:
        if status == ActionStatus.CLOSED:
            services.action_close(action=action, note=_("Closed in the action log."), by=by, on=on)
        elif status == ActionStatus.WITHDRAWN:
            services.action_withdraw(
                action=action, reason=_("withdrawn in the action log"), by=by, on=on
            )
        elif action.status in (ActionStatus.CLOSED, ActionStatus.WITHDRAWN, ActionStatus.COMPLETED):
            services.action_reopen(
                action=action, reason=_("reopened in the action log"), by=by, on=on
            )
        else:
            services.action_report_progress(
                action=action,
                text=_("Status set in the action log."),
                status=status if status != ActionStatus.OPEN else "",
                by=by,
                person=None,
                on=on,
            )
        done.append(
            _("%(ref)s: status %(status)s")
            % {"ref": ref, "status": ActionStatus(status).label.lower()}
        )
    return done


def action_log_import(
    path: Path, *, board: Board, by=None, on: datetime.date, dry_run: bool = False
) -> tuple[ActionLog, list[str]]:
    """Read the file, then create or update its actions in one transaction; a dry run rolls
    it back, so it reports exactly what the import would do and writes nothing."""
    log = read_action_log(path, board=board)
    done: list[str] = []
    with transaction.atomic():
        for entry in log.rows:
            try:
                done += _apply_row(entry, board=board, by=by, on=on)
            except services.ActionError as exc:
                raise ActionLogError(
                    _("row %(row)d: %(error)s") % {"row": entry.row, "error": exc}
                ) from None
        if dry_run:
            transaction.set_rollback(True)
    return log, done
