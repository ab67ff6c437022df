"""Accounts and groups in the secretariat pages: administrators manage accounts, but only a
superuser grants superuser status, permissions, or a group that carries approval."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin

# What approves and publishes minutes; a group holding any of these is granted by superusers only.
APPROVAL = Q(
    codename__in=["approve_meeting", "publish_meeting"], content_type__app_label="meetings"
)


def approval_groups():
    return Group.objects.filter(permissions__in=Permission.objects.filter(APPROVAL)).distinct()


def is_privileged(user) -> bool:
    """An account only a superuser may change: a superuser, or one that approves."""
    return (
        user.is_superuser
        or user.user_permissions.filter(APPROVAL).exists()
        or user.groups.filter(pk__in=approval_groups()).exists()
    )


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class ScrutinyUserAdmin(SimpleHistoryAdmin, UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.exclude(pk__in=approval_groups())
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # Changing an account that approves (its password, its email) would be taking it over.
        if obj is not None and not request.user.is_superuser and is_privileged(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and is_privileged(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Group)
class ScrutinyGroupAdmin(GroupAdmin):
    """The groups are the table of docs/permissions.md (scrutiny.groups): only a superuser
    changes what a group may do."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
