"""The register as a spreadsheet: an Excel workbook (Actions, History, About) and a CSV file
with the Actions sheet's columns.

Built from database values, never model objects: a 120,000-action export is one query for the
actions, one for their owners and one for the history, streamed into a write-only workbook.
Translated words (statuses, months, yes/no) are looked up once per file, not once per cell.
"""

import csv
import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from actions.models import ActionOwner, ActionStatus, ActionUpdate, DueKind, UpdateKind

# A cell that starts with one of these is a formula to a spreadsheet program: user text that
# does is written with a leading apostrophe so it stays text (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# How the workbook shows a date (the cell holds a real date; this is only its display).
DATE_FORMAT = "d mmm yyyy"
CHUNK = 2000

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_text(value) -> str:
    text = "" if value is None else str(value)
    # Control characters have no place in a cell, and XLSX cannot hold them: show them as marks.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    kind: str = "text"  # text, wrap (long text), date, number


def action_columns() -> list[Column]:
    return [
        Column(_("Board"), 28),
        Column(_("Ref"), 10),
        Column(_("Action"), 60, "wrap"),
        Column(_("Owners"), 16),
        Column(_("Owners' titles"), 36, "wrap"),
        Column(_("Raised on"), 13, "date"),
        Column(_("Raised under item"), 10),
        Column(_("Carried forward"), 10),
        Column(_("Due"), 13, "date"),
        Column(_("Status"), 13),
        Column(_("Overdue"), 10),
        Column(_("Days overdue"), 10, "number"),
        Column(_("Latest progress"), 60, "wrap"),
        Column(_("Progress date"), 13, "date"),
        Column(_("Progress minuted at"), 30, "wrap"),
        Column(_("Due as minuted"), 30, "wrap"),
    ]


def history_columns() -> list[Column]:
    return [
        Column(_("Board"), 28),
        Column(_("Ref"), 10),
        Column(_("Date"), 13, "date"),
        Column(_("Meeting"), 13, "date"),
        Column(_("Kind"), 11),
        Column(_("Status set"), 13),
        Column(_("Who"), 24),
        Column(_("What"), 80, "wrap"),
    ]


class _Words:
    """The translated words an export repeats, looked up once."""

    def __init__(self):
        self.yes, self.no = _("Yes"), _("No")
        self.status = {value: str(label) for value, label in ActionStatus.choices}
        self.kind = {value: str(label) for value, label in UpdateKind.choices}
        self.months = {number: str(name) for number, name in MONTHS.items()}
        self.minuted_at = _("Minuted at the meeting of %(date)s")
        self.reported_on = _("Reported by the force on %(date)s")
        self.decided_on = _("Decided by the OPCC on %(date)s")
        self.by_next_meeting = _("By the next meeting (%(date)s)")
        self.by_meeting = _("By the meeting of %(date)s")

    def long_date(self, value: datetime.date) -> str:
        return f"{value.day} {self.months[value.month]} {value.year}"


def _latest(field: str) -> Subquery:
    latest = ActionUpdate.objects.filter(
        action=OuterRef("pk"), kind__in=(UpdateKind.PROGRESS, UpdateKind.DECISION)
    ).order_by("-reported_on", "-created_at", "-pk")
    return Subquery(latest.values(field)[:1])


ACTION_FIELDS = (
    "pk",
    "board__name",
    "board__action_prefix",
    "number",
    "text",
    "raised_at_meeting__held_on",
    "raised_on",
    "raised_at_item__number",
    "carried_forward",
    "due_on",
    "due_kind",
    "status",
    "x_progress",
    "x_progress_on",
    "x_progress_kind",
    "x_progress_meeting_on",
)


def _owners(actions: QuerySet) -> dict[int, tuple[str, str]]:
    """Every exported action's owners as (abbreviations, titles), in one query."""
    abbrevs: dict[int, list[str]] = defaultdict(list)
    titles: dict[int, list[str]] = defaultdict(list)
    rows = (
        ActionOwner.objects.filter(action__in=actions.order_by().values("pk"))
        .order_by("action_id", "position", "pk")
        .values_list("action_id", "role__abbrev", "role__title", "person__name")
    )
    for action_id, abbrev, title, name in rows.iterator(chunk_size=CHUNK):
        abbrevs[action_id].append(abbrev or name)
        titles[action_id].append(title or abbrev or name)
    return {pk: (" / ".join(abbrevs[pk]), " / ".join(titles[pk])) for pk in abbrevs}


def _due_as_minuted(words: "_Words", due_on: datetime.date | None, due_kind: str) -> str:
    """An action due by a meeting says so ("By the meeting of 30 November 2018"); the Due column
    keeps that meeting's date as a real date, so the sheet still sorts and filters by it."""
    if due_kind == DueKind.NEXT_MEETING:
        return words.by_next_meeting % {"date": words.long_date(due_on)} if due_on else ""
    if due_kind == DueKind.MEETING and due_on:
        return words.by_meeting % {"date": words.long_date(due_on)}
    return ""


def action_rows(actions: QuerySet, *, today: datetime.date) -> Iterator[list]:
    """One list of cell values per action, in the order of `action_columns()`.

    Dates are dates, counts are integers, text is made safe; `actions` is any Action queryset
    (the register's filter), evaluated in chunks.
    """
    words = _Words()
    owners = _owners(actions)
    late = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
    values = (
        actions.prefetch_related(None)
        .annotate(
            x_progress=_latest("text"),
            x_progress_on=_latest("reported_on"),
            x_progress_kind=_latest("kind"),
            x_progress_meeting_on=_latest("meeting__held_on"),
        )
        .values_list(*ACTION_FIELDS)
    )
    for (
        pk,
        board,
        prefix,
        number,
        text,
        meeting_on,
        raised_on,
        item_number,
        carried_forward,
        due_on,
        due_kind,
        status,
        progress,
        progress_on,
        progress_kind,
        progress_meeting_on,
    ) in values.iterator(chunk_size=CHUNK):
        abbrevs, titles = owners.get(pk, ("", ""))
        days = (today - due_on).days if due_on and due_on < today and status in late else None
        if progress_meeting_on:
            where = words.minuted_at % {"date": words.long_date(progress_meeting_on)}
        elif progress_kind == UpdateKind.DECISION:
            where = words.decided_on % {"date": words.long_date(progress_on)}
        elif progress_on:
            where = words.reported_on % {"date": words.long_date(progress_on)}
        else:
            where = ""
        yield [
            safe_text(board),
            safe_text(f"{prefix} {number}"),
            safe_text(text),
            safe_text(abbrevs),
            safe_text(titles),
            meeting_on or raised_on,
            safe_text(item_number),
            words.yes if carried_forward else words.no,
            due_on,
            words.status.get(status, status),
            words.yes if days else words.no,
            days,
            safe_text(progress),
            progress_meeting_on or progress_on,
            where,
            _due_as_minuted(words, due_on, due_kind),
        ]


def history_rows(actions: QuerySet) -> Iterator[list]:
    """Every progress report and decision on the exported actions, one row each, oldest first."""
    words = _Words()
    updates = (
        ActionUpdate.objects.filter(
            action__in=actions.order_by().values("pk"),
            kind__in=(UpdateKind.PROGRESS, UpdateKind.DECISION),
        )
        .order_by("action__board__action_prefix", "action__number", "reported_on", "pk")
        .values_list(
            "action__board__name",
            "action__board__action_prefix",
            "action__number",
            "reported_on",
            "meeting__held_on",
            "kind",
            "status",
            "reported_by__name",
            "created_by__username",
            "text",
        )
    )
    for (
        board,
        prefix,
        number,
        on,
        meeting_on,
        kind,
        status,
        person,
        username,
        text,
    ) in updates.iterator(chunk_size=CHUNK):
        yield [
            safe_text(board),
            safe_text(f"{prefix} {number}"),
            on,
            meeting_on,
            words.kind.get(kind, kind),
            words.status.get(status, "") if status else "",
            safe_text(person or username),
            safe_text(text),
        ]


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def write_csv(out: IO[str], actions: QuerySet, *, today: datetime.date) -> int:
    """Write the Actions columns as CSV (UTF-8 with a byte-order mark, for Excel); the row count."""
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow([column.header for column in action_columns()])
    count = 0
    for row in action_rows(actions, today=today):
        writer.writerow([_csv_value(value) for value in row])
        count += 1
    return count


class _SheetWriter:
    """A write-only sheet with a styled, frozen header, widths, wrapping and an autofilter."""

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F3864")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    def __init__(self, workbook: Workbook, title: str, columns: list[Column]):
        self.sheet = workbook.create_sheet(title)
        self.columns = columns
        self.count = 0
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.sheet, value=column.header)
            cell.font, cell.fill, cell.alignment = self.header_font, self.header_fill, self.wrap
            header.append(cell)
        self.sheet.append(header)
        # Styles are resolved once here and copied into each cell: setting a style on every
        # cell makes openpyxl hash the style objects again, most of the time of a big export.
        date = WriteOnlyCell(self.sheet)
        date.number_format, date.alignment = DATE_FORMAT, self.top
        wrap = WriteOnlyCell(self.sheet)
        wrap.alignment = self.wrap
        self.styles = {"date": date._style, "wrap": wrap._style}

    def append(self, row: list) -> None:
        cells = []
        for column, value in zip(self.columns, row, strict=True):
            style = self.styles.get(column.kind)
            if value is None or value == "":
                cells.append(None)
            elif style is not None and (column.kind == "wrap" or isinstance(value, datetime.date)):
                cells.append(Cell(self.sheet, 1, 1, value, style))
            else:
                cells.append(value)
        self.sheet.append(cells)
        self.count += 1

    def close(self) -> None:
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A1:{last}{self.count + 1}"


def write_xlsx(
    out, actions: QuerySet, *, today: datetime.date, about: list[tuple[str, object]]
) -> int:
    """Write the workbook (Actions, History, About) to a path or binary file; the row count.

    The About sheet ends with the number of rows of the other two, so a reader can tell the
    file is whole.
    """
    workbook = Workbook(write_only=True)
    sheet = _SheetWriter(workbook, _("Actions"), action_columns())
    for row in action_rows(actions, today=today):
        sheet.append(row)
    sheet.close()
    history = _SheetWriter(workbook, _("History"), history_columns())
    for row in history_rows(actions):
        history.append(row)
    history.close()
    info = workbook.create_sheet(_("About"))
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80
    for label, value in [
        *about,
        (_("Rows in Actions"), sheet.count),
        (_("Rows in History"), history.count),
    ]:
        info.append([label, safe_text(value) if isinstance(value, str) else value])
    workbook.save(out)
    return sheet.count


def describe_filter(filterset) -> str:
    """The register's filter in words, as the About sheet shows it."""
    if not filterset.is_bound or not filterset.is_valid():
        return _("None: every outstanding action")
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", [], False) or (hasattr(value, "__len__") and not len(value)):
            continue
        field = filterset.form.fields[name]
        if isinstance(value, list | tuple):
            choices = dict(getattr(field, "choices", ()))
            shown = ", ".join(str(choices.get(v, v)) for v in value)
        elif isinstance(value, datetime.date):
            shown = value.isoformat()
        elif value is True:
            shown = _("Yes")
        else:
            shown = str(value)
        parts.append(f"{field.label}: {shown}")
    return "; ".join(parts) or _("None: every outstanding action")


def about_rows(*, filterset, user, at: datetime.datetime | None = None) -> list[tuple]:
    """What the About sheet says of an export: the filter, when, and by whom."""
    at = timezone.localtime(at or timezone.now())
    who = (user.get_full_name() or user.get_username()) if user else ""
    return [
        (_("Exported from"), _("Scrutiny: the action register")),
        (_("Filter"), describe_filter(filterset)),
        (_("Exported at"), f"{at:%Y-%m-%d %H:%M} {at.tzname()}"),
        (_("Exported by"), who),
    ]
