"""Inline rows that share their choices: the one mechanism of the admin's inlines for what
their pickers offer.

Every row of an inline offers the same posts, people and items, so listing them once a row made
a meeting's admin page a thousand queries. With SharedChoicesInline an inline reads each select's
choices once a page, and the records chosen in every row's search box (autocomplete) in one query,
however many rows the page has. What a page's pickers offer (say, only the meeting's body's
posts) is the inline's `limit_choices(request, obj)`, applied to every row before the choices
are listed; what its search boxes search (say, only the meeting's body's actions) is its
`search_params(request, obj)`, added to each box's address for the search view to apply
(scrutiny.admin_site). The apps define both (meetings.admin.BodyScopedInline); this module
knows no model.
"""

import copy
from urllib.parse import urlencode

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import EmptyResultSet
from django.forms.models import BaseInlineFormSet


class PageChoices:
    """What the rows of one inline on one page share: each select's list of choices, and the
    labels of the records chosen in each search box, looked up together when the first row is
    shown."""

    def __init__(
        self,
        limits: dict | None = None,
        search_params: dict | None = None,
        rows: dict | None = None,
    ):
        self.limits = limits or {}
        self.search_params = search_params or {}
        self.rows = {} if rows is None else rows  # the page's (page_rows)
        self.listed: dict[str, list] = {}
        self.wanted: dict[str, set[str]] = {}
        self.labels: dict[str, dict[str, str]] = {}

    def share(self, form) -> None:
        for name, field in form.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            widget = getattr(field.widget, "widget", field.widget)  # inside the admin's wrapper
            if isinstance(widget, SharedLabelsMixin):
                if name in self.limits:  # a search box lists what it finds: refuse the rest
                    field.queryset = self.limits[name]
                value = form[name].value()
                values = value if isinstance(value, (list, tuple)) else [value]
                chosen = {str(v) for v in values if v not in field.empty_values}
                self.wanted.setdefault(name, set()).update(chosen)
                widget.page, widget.page_field = self, name
                widget.search_params = self.search_params
            elif not field.widget.is_hidden:
                if name not in self.listed:
                    self.listed[name] = listed_choices(field, self.limits.get(name), self.rows)
                field.choices = self.listed[name]

    def labels_for(self, name: str, widget) -> dict[str, str]:
        known = self.labels.setdefault(name, {})
        missing = self.wanted.get(name, set()) - known.keys()
        if missing:
            field = widget.choices.field
            for obj in field.queryset.using(widget.db).filter(pk__in=missing):
                known[str(obj.pk)] = field.label_from_instance(obj)
        return known


def page_rows(request) -> dict:
    """The records the selects of this request's page list, by query: the body's posts are
    read once a page, however many fields and inlines list them (`listed_choices`)."""
    rows = getattr(request, "_listed_rows", None)
    if rows is None:
        rows = request._listed_rows = {}
    return rows


def listed_choices(field, limit=None, rows: dict | None = None) -> list:
    """The choices a select lists: within `limit`, when there is one, read once for every field
    listing the same records (`rows`, the page's: page_rows). The field itself still accepts
    any record, so that a record outside the limit posted anyway reaches the service, which
    refuses it with a message saying why."""
    shown = copy.deepcopy(field)
    if limit is not None:
        # A field may say how it shows a limited list (e.g. without each body's name).
        limit_to = getattr(shown, "limit_to", None)
        if limit_to is not None:
            limit_to(limit)
        else:
            shown.queryset = limit
    queryset, rows = shown.queryset, {} if rows is None else rows
    try:
        key = (queryset.model, str(queryset.query))
    except EmptyResultSet:  # none(): nothing to list, nothing to read
        found = []
    else:
        if key not in rows:
            rows[key] = list(queryset)
        found = rows[key]
    choice = shown.iterator(shown).choice
    empty = [("", shown.empty_label)] if shown.empty_label is not None else []
    return empty + [choice(row) for row in found]


class SharedLabelsMixin:
    """A search box (autocomplete) whose chosen record's label comes from its page's
    PageChoices, shared with the other rows, and whose searches carry its page's
    `search_params`; on its own it behaves as Django's."""

    page: PageChoices | None = None
    page_field = ""
    search_params: dict = {}

    def get_url(self):
        url = super().get_url()
        return f"{url}?{urlencode(self.search_params)}" if self.search_params else url

    def optgroups(self, name, value, attr=None):
        if self.page is None:
            return super().optgroups(name, value, attr)
        labels = self.page.labels_for(self.page_field, self)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        selected = [str(v) for v in value if str(v) in labels]
        if not self.allow_multiple_selected:
            selected = selected[:1]
        for chosen in selected:
            options.append(
                self.create_option(name, chosen, labels[chosen], set(selected), len(options))
            )
        return [(None, options, 0)]


class SharedAutocompleteSelect(SharedLabelsMixin, AutocompleteSelect):
    pass


class SharedAutocompleteSelectMultiple(SharedLabelsMixin, AutocompleteSelectMultiple):
    """A search box choosing several records. It has no "clear all" cross: select2 puts that
    inside the list of the chosen records, where a list may hold only its items (WCAG 1.3.1,
    axe's `list`); each chosen record keeps its own cross."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-allow-clear"] = "false"
        return attrs


class SharedChoicesFormSet(BaseInlineFormSet):
    # Set per page by SharedChoicesInline.get_formset.
    choice_limits: dict = {}
    search_params: dict = {}
    page_rows: dict | None = None

    def __init__(self, *args, **kwargs):
        self.page_choices = PageChoices(self.choice_limits, self.search_params, self.page_rows)
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        self.page_choices.share(form)
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        self.page_choices.share(form)
        return form


class SharedSearchBoxes:
    """For an admin page or inline: its search boxes are SharedLabelsMixin's, and carry the
    page's `search_params(request, obj)`."""

    def search_params(self, request, obj) -> dict:
        """What the search boxes of this page add to their searches (query parameters the
        search view applies). None here."""
        return {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SharedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SharedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SearchScopedAdmin(SharedSearchBoxes):
    """For a ModelAdmin: the search boxes of its own form carry the page's `search_params`
    (say, the body of the record the page edits). First among the admin's bases: it marks the
    form class the others made (a subclass made after it would make its fields again)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        params = self.search_params(request, obj)
        for field in form.base_fields.values():  # the fields of this request's form class
            widget = getattr(field.widget, "widget", field.widget)  # inside the admin's wrapper
            if isinstance(widget, SharedLabelsMixin):
                widget.search_params = params
        return form


class SharedChoicesInline(SharedSearchBoxes):
    """For an admin inline: its rows share their choices (see the module's text)."""

    formset = SharedChoicesFormSet

    def limit_choices(self, request, obj) -> dict:
        """What the pickers of this page offer, by field name: a queryset each. None limited
        here; an inline says what its page limits."""
        return {}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A subclass per page: the limits are this request's, never set on a shared class.
        limits = self.limit_choices(request, obj)
        params = self.search_params(request, obj)
        shared = {"choice_limits": limits, "search_params": params, "page_rows": page_rows(request)}
        return type(formset.__name__, (formset,), shared)
