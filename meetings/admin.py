"""Reference data in the secretariat pages: organisations, people, posts, appointments, boards;
and what every page that edits the record shares."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext

from meetings.models import Appointment, Board, BoardMembership, Organisation, Person, Role
from meetings.services import RecordError, reopened_minutes


class ServiceAdmin:
    """A page whose saves go through the services: it says when a save reopened approved
    minutes, and shows a save the services refused as an error (nothing of it is written)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._through_services(
            request, super().changeform_view, request, object_id, form_url, extra_context
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._through_services(
            request, super().delete_view, request, object_id, extra_context
        )

    def changelist_view(self, request, extra_context=None):
        return self._through_services(request, super().changelist_view, request, extra_context)

    @staticmethod
    def _through_services(request, view, *args):
        with reopened_minutes() as reopened:
            try:
                response = view(*args)
            except RecordError as exc:  # the transaction of the view has rolled back
                messages.error(request, str(exc))
                return HttpResponseRedirect(request.get_full_path())
        if reopened:
            messages.warning(
                request,
                gettext(
                    "These minutes were changed, so they are a draft again: they need approval "
                    "before the change is published."
                ),
            )
        return response


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


class AppointmentInline(admin.TabularInline):
    model = Appointment
    extra = 0
    autocomplete_fields = ["person", "role"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "body", "email", "user"]
    list_filter = ["body", "organisation"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["body", "organisation", "user"]
    inlines = [AppointmentInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["abbrev", "title", "organisation", "body"]
    list_filter = ["body", "organisation"]
    search_fields = ["abbrev", "title"]
    autocomplete_fields = ["body", "organisation"]
    inlines = [AppointmentInline]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "kind", "start_on", "end_on"]
    list_filter = ["kind", "role__body"]
    search_fields = ["person__name", "role__abbrev", "role__title"]
    autocomplete_fields = ["person", "role"]
    date_hierarchy = "start_on"


class BoardMembershipInline(admin.TabularInline):
    model = BoardMembership
    extra = 0
    autocomplete_fields = ["person", "role", "organisation"]
    fields = ["position", "person", "role", "organisation", "start_on", "end_on"]


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    inlines = [BoardMembershipInline]
    list_display = ["name", "action_prefix", "body", "next_action_number"]
    list_filter = ["body"]
    search_fields = ["name", "action_prefix"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["next_action_number"]
    autocomplete_fields = ["body"]
