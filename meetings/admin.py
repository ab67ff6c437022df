"""Reference data in the secretariat pages: organisations, people, posts, appointments, boards."""

from django.contrib import admin

from meetings.models import Appointment, Board, BoardMembership, Organisation, Person, Role


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
