"""Filters of the action register, usable outside views (exports, reminders, tests)."""

import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import OUTSTANDING, Action, ActionOwner, ActionStatus, ActionUpdate
from meetings.models import Board, Meeting, Person, Role


def search_actions(queryset, value: str):
    """Free text over the ref ("PPB 60", "60"), the printed ref, the text and the updates."""
    value = value.strip()
    if not value:
        return queryset
    condition = (
        Q(text__icontains=value)
        | Q(legacy_ref__icontains=value)
        | Exists(ActionUpdate.objects.filter(action=OuterRef("pk"), text__icontains=value))
    )
    ref = re.fullmatch(r"([A-Za-z][A-Za-z0-9/&-]*)?\s*(\d{1,9})", value)
    if ref:
        prefix, number = ref.groups()
        by_ref = Q(number=int(number))
        if prefix:
            by_ref &= Q(board__action_prefix__iexact=prefix)
        condition |= by_ref
    return queryset.filter(condition)


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


class ActionFilter(django_filters.FilterSet):
    """The dashboard's filters. No status ticked means the outstanding actions."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    board = django_filters.ModelChoiceFilter(
        queryset=Board.objects.order_by("name"), label=_("Board"), empty_label=_("All boards")
    )
    owner_role = django_filters.ModelChoiceFilter(
        queryset=Role.objects.order_by("abbrev"),
        method="filter_owner",
        label=_("Owner (post)"),
        empty_label=_("Any post"),
    )
    owner_person = django_filters.ModelChoiceFilter(
        queryset=Person.objects.order_by("name"),
        method="filter_owner",
        label=_("Owner (person)"),
        empty_label=_("Any person"),
        help_text=_("Theirs in person, or owned by a post they hold today."),
    )
    status = django_filters.MultipleChoiceFilter(
        choices=ActionStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Status (none ticked: outstanding)"),
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
    raised_at = django_filters.ModelChoiceFilter(
        field_name="raised_at_meeting",
        queryset=Meeting.objects.select_related("board").order_by("-held_on"),
        label=_("Raised at meeting"),
        empty_label=_("Any meeting"),
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
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return search_actions(queryset, value)

    def filter_owner(self, queryset, name, value):
        if not value:
            return queryset
        if name == "owner_person":
            # As the person sees it on their own page: theirs, and their posts' today.
            return queryset.owned_by(value, on=timezone.localdate())
        owners = ActionOwner.objects.filter(action=OuterRef("pk"), role=value)
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
