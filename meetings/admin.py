"""Reference data in the secretariat pages: organisations, people, posts, appointments, boards."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from meetings.models import Appointment, Board, Organisation, Person, Role
from scrutiny.admin_locks import WholePageLockAdmin
from scrutiny.forms import OptimisticLockMixin


def _locked_form(model_class):
    """A form that refuses to overwrite a save made after the page was opened."""
    meta = type("Meta", (), {"model": model_class, "fields": "__all__"})
    return type(
        f"{model_class.__name__}Form", (OptimisticLockMixin, forms.ModelForm), {"Meta": meta}
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


class AppointmentInline(admin.TabularInline):
    model = Appointment
    form = _locked_form(Appointment)
    extra = 0
    autocomplete_fields = ["person", "role"]


@admin.register(Person)
class PersonAdmin(WholePageLockAdmin, SimpleHistoryAdmin):
    form = _locked_form(Person)
    list_display = ["name", "organisation", "body", "email", "user"]
    list_filter = ["body", "organisation"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["body", "organisation", "user"]
    inlines = [AppointmentInline]

    def get_readonly_fields(self, request, obj=None):
        # Linking a person to an account gives that account the person's actions: it is an
        # administrator's decision (docs/permissions.md), like appointments.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("auth.change_user"):
            readonly.append("user")
        return readonly


@admin.register(Role)
class RoleAdmin(WholePageLockAdmin, SimpleHistoryAdmin):
    form = _locked_form(Role)
    list_display = ["abbrev", "title", "organisation", "body"]
    list_filter = ["body", "organisation"]
    search_fields = ["abbrev", "title"]
    autocomplete_fields = ["body", "organisation"]
    inlines = [AppointmentInline]


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    form = _locked_form(Appointment)
    list_display = ["person", "role", "kind", "start_on", "end_on"]
    list_filter = ["kind", "role__body"]
    search_fields = ["person__name", "role__abbrev", "role__title"]
    autocomplete_fields = ["person", "role"]
    date_hierarchy = "start_on"


@admin.register(Board)
class BoardAdmin(SimpleHistoryAdmin):
    form = _locked_form(Board)
    list_display = ["name", "action_prefix", "body", "next_action_number"]
    list_filter = ["body"]
    search_fields = ["name", "action_prefix"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["next_action_number"]
    autocomplete_fields = ["body"]
