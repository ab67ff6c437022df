"""Filters of the action register, usable outside views (exports, reminders, tests)."""

import datetime
import hashlib
import re

import django_filters
from django import forms
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import OUTSTANDING, Action, ActionOwner, ActionStatus, ActionUpdate
from meetings.models import Board, Meeting, Person, Role
from scrutiny.limits import as_id

REF = re.compile(r"([A-Za-z][A-Za-z0-9/&-]*)?\s*(\d{1,9})")


def _ref_condition(value: str) -> Q | None:
    """A ref parsed into board and number: "PPB 60" is number 60 of a board prefixed PPB."""
    ref = REF.fullmatch(value)
    if ref is None:
        return None
    prefix, number = ref.groups()
    condition = Q(number=int(number))
    if prefix:
        condition &= Q(board__action_prefix__iexact=prefix)
    return condition


SEARCHED_IDS = 10_000


class Among(Func):
    """`field IN ids` for a list of ids known in advance. On PostgreSQL it is one array
    parameter (`= ANY(%s)`): thousands of ids written out one by one cost more to send and
    plan than to look up."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, ids):
        super().__init__(F(field))
        self.ids = list(ids)

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if not self.ids:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, self.ids]
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]


def search_actions(queryset, value: str, *, narrow: bool = False, version: tuple | None = None):
    """Free text over the ref ("PPB 60", "60"), the printed ref, the text and the updates.

    Over the register, the matching ids are one UNION of indexed lookups (trigram indexes for
    the text, migration 0003; the unique board and number for a ref), so only those ids are
    probed rather than every action tested against an OR of conditions. Over a narrow set (one
    person's actions), a common word can match a large share of all progress: each of the few
    actions is checked through its own updates instead.
    """
    value = value.strip()
    if not value:
        return queryset
    if narrow:
        updates = ActionUpdate.objects.filter(action=OuterRef("pk"), text__icontains=value)
        condition = Q(text__icontains=value) | Q(legacy_ref__icontains=value) | Exists(updates)
        if (by_ref := _ref_condition(value)) is not None:
            condition |= by_ref
        return queryset.filter(condition)
    texts = Action.objects.filter(Q(text__icontains=value) | Q(legacy_ref__icontains=value))
    matches = (
        texts.order_by()
        .values_list("pk", flat=True)
        .union(
            ActionUpdate.objects.filter(text__icontains=value)
            .order_by()
            .values_list("action_id", flat=True)
        )
    )
    if (by_ref := _ref_condition(value)) is not None:
        matches = matches.union(
            Action.objects.filter(by_ref).order_by().values_list("pk", flat=True)
        )
    # Looked up once: the register's page, its counts by status and by owner then read these
    # ids rather than each matching the words over every progress report again (at 120,000
    # actions the matching is most of a search's time). Beyond SEARCHED_IDS matches, the ids
    # stay a subquery rather than a list that long.
    ids = _searched_ids(value, matches, version or history_version())
    return queryset.filter(Among("pk", ids) if len(ids) <= SEARCHED_IDS else Q(pk__in=matches))


def history_version() -> tuple:
    """The newest history row of actions, of owners and of progress, in one query from their
    keys: it moves with every change of any of them (ADR 0002: every write leaves one)."""
    tables = [model.history.model._meta.db_table for model in (Action, ActionOwner, ActionUpdate)]
    newest = ", ".join(
        f"(SELECT MAX(history_id) FROM {connection.ops.quote_name(table)})" for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {newest}")
        return tuple(cursor.fetchone())


def _searched_ids(value: str, matches, version: tuple) -> list[int]:
    """The ids the words match, from the cache when the same words were looked up since the
    last change of any action, owner or progress report (`version`): paging through a search,
    sorting it or narrowing it by status or board reads the progress once."""
    fingerprint = repr((value, version)).encode()
    key = f"register-search:{hashlib.sha256(fingerprint).hexdigest()}"
    ids = cache.get(key)
    if ids is None:
        ids = list(matches[: SEARCHED_IDS + 1])
        cache.set(key, ids, 600)
    return ids


class SearchInput(forms.TextInput):
    """A choice among thousands, typed rather than listed; shows the chosen record's name when
    the page was reached through a link that names it by number."""

    input_type = "search"
    display = None

    def format_value(self, value):
        return self.display or super().format_value(value)


def _searched(label, help_text):
    return django_filters.CharFilter(
        method="filter_searched",
        label=label,
        help_text=help_text,
        widget=SearchInput,
    )


def _meeting_dates(value: str) -> list[datetime.date]:
    """A typed meeting date ("2024-03-13", "13/03/2024", "13 March 2024")."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%d.%m.%Y"):
        try:
            return [datetime.datetime.strptime(value, fmt).date()]
        except ValueError:
            continue
    return []


def matching_people(value: str):
    if value.isdigit():
        return Person.objects.filter(pk=as_id(value))
    return Person.objects.filter(name__icontains=value)


def matching_roles(value: str):
    if value.isdigit():
        return Role.objects.filter(pk=as_id(value))
    exact = Role.objects.filter(abbrev__iexact=value)
    return exact if exact.exists() else Role.objects.filter(title__icontains=value)


def matching_meetings(value: str):
    """By number (links), or a date with the board's prefix or name before it, if wanted."""
    if value.isdigit():
        return Meeting.objects.filter(pk=as_id(value))
    words = value.split()
    for cut in range(len(words)):
        board, when = " ".join(words[:cut]), " ".join(words[cut:])
        dates = _meeting_dates(when)
        if dates:
            meetings = Meeting.objects.filter(held_on__in=dates)
            if board:
                meetings = meetings.filter(
                    Q(board__action_prefix__iexact=board) | Q(board__name__icontains=board)
                )
            return meetings
    return None


class StatusFilter(django_filters.MultipleChoiceFilter):
    """Every status ticked filters nothing out: no condition at all, rather than one the
    database tests on every action."""

    def is_noop(self, qs, value):
        return set(value) >= {choice for choice, _label in self.extra["choices"]}


class ActionOrderingFilter(django_filters.OrderingFilter):
    """Sorting by ref means by board, then number; ties always fall back to the ref."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            field = self.get_ordering_value(param)
            ordering.append(field)
            if field.lstrip("-") == "board__action_prefix":
                ordering.append(("-" if field.startswith("-") else "") + "number")
        return qs.order_by(*ordering, "board__action_prefix", "number")


class ActionFilterForm(forms.Form):
    def clean_raised_at(self):
        value = (self.cleaned_data.get("raised_at") or "").strip()
        if value and matching_meetings(value) is None:
            raise forms.ValidationError(
                _("Enter the meeting's date, such as 13/03/2024 or PPB 13/03/2024.")
            )
        return value


class ActionFilter(django_filters.FilterSet):
    """The dashboard's filters. No status ticked means the outstanding actions."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    board = django_filters.ModelChoiceFilter(
        queryset=Board.objects.order_by("name"), label=_("Board"), empty_label=_("All boards")
    )
    owner_role = _searched(
        _("Owner (post)"), _("Its abbreviation, such as HoSPC, or words of its title.")
    )
    owner_person = _searched(
        _("Owner (person)"),
        _("Words of their name: theirs in person, or owned by a post they hold today."),
    )
    status = StatusFilter(
        choices=ActionStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Status (none ticked: outstanding)"),
        # One action has one status: no DISTINCT (django-filter's default) over the register.
        distinct=False,
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", widget=forms.CheckboxInput, label=_("Overdue only")
    )
    due_after = django_filters.DateFilter(
        field_name="due_on",
        lookup_expr="gte",
        label=_("Due on or after"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_before = django_filters.DateFilter(
        field_name="due_on",
        lookup_expr="lte",
        label=_("Due on or before"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    raised_at = _searched(
        _("Raised at meeting"),
        _("The meeting's date, such as 13/03/2024, with the board's prefix before it if wanted."),
    )
    raised_after = django_filters.DateFilter(
        field_name="raised_sort_on",
        lookup_expr="gte",
        label=_("Raised on or after"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    raised_before = django_filters.DateFilter(
        field_name="raised_sort_on",
        lookup_expr="lte",
        label=_("Raised on or before"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ordering = ActionOrderingFilter(
        fields=(
            ("board__action_prefix", "ref"),
            ("due_on", "due"),
            ("status", "status"),
            ("raised_sort_on", "raised"),
            ("latest_progress_on", "updated"),
        ),
        field_labels={
            "ref": _("Ref"),
            "due": _("Due date"),
            "status": _("Status"),
            "raised": _("Date raised"),
            "updated": _("Latest progress"),
        },
        label=_("Sort by"),
        empty_label=_("Most overdue first"),
    )

    class Meta:
        model = Action
        form = ActionFilterForm
        fields: list[str] = []

    version = None  # `history_version()`, read once a request by a search and the counts

    def filter_q(self, queryset, name, value):
        self.version = self.version or history_version()
        return search_actions(queryset, value, version=self.version)

    SEARCHED = {
        "owner_person": matching_people,
        "owner_role": matching_roles,
        "raised_at": matching_meetings,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SEARCHED:
            value = (self.data.get(name) or "").strip()
            if value.isdigit():
                found = self.SEARCHED[name](value).first()
                if found is not None:
                    label = found.name if name == "owner_person" else str(found)
                    self.form.fields[name].widget.display = label

    def filter_searched(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matches = self.SEARCHED[name](value)
        if matches is None:
            return queryset.none()
        if name == "owner_person":
            # As the person sees it on their own page: theirs, and their posts' today.
            return queryset.owned_by_any(matches, on=timezone.localdate())
        if name == "raised_at":
            return queryset.filter(raised_at_meeting__in=matches.values("pk"))
        owners = ActionOwner.objects.filter(action=OuterRef("pk"), role__in=matches.values("pk"))
        return queryset.filter(Exists(owners))

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue(timezone.localdate())
        return queryset

    def filter_queryset(self, queryset):
        statuses = self.form.cleaned_data.get("status")
        if not statuses:
            queryset = queryset.filter(status__in=OUTSTANDING)
        return super().filter_queryset(queryset)
