"""Admin change pages that are edited as one: a record with its inlines, and its minutes."""

from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect


class WholePageLockAdmin:
    """A change page with inlines (a meeting with its attendance, an item with its questions)
    is one thing to the clerk editing it. Its main form carries the record's version and is
    checked on every save, and any change on the page, an inline's included, moves the version
    on, so the second of two people saving the same page is refused with what they typed kept.
    """

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"lock_whole_page": True})

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.bump_if_only_inlines_changed(form, formsets, change)

    @staticmethod
    def bump_if_only_inlines_changed(form, formsets, change) -> None:
        """The main form was not saved, an inline was: the page's version moves on all the same."""
        if change and not form.has_changed() and any(f.has_changed() for f in formsets):
            record = form.instance
            record.version = (form.cleaned_data.get("lock_version") or 0) + 1
            type(record).objects.filter(pk=record.pk).update(version=record.version)


def bump_versions(model, records) -> None:
    """Another page shows these records: move their versions on, so that a copy of that page
    opened before this save is refused when it is saved."""
    pks = {record.pk for record in records if record is not None and record.pk}
    if pks:
        model.objects.filter(pk__in=pks).update(version=F("version") + 1)


class EditedOnParentPageAdmin:
    """A list of records that are added, edited and deleted on their parent's page (a question
    on its item's, a progress report on its action's), where the parent's version guards against
    two people saving at once and an edit reopens approved minutes. Opening one goes there."""

    parent_page = ""  # the admin URL name of the parent's change page
    parent_field = ""  # the foreign key to the parent

    def has_add_permission(self, request):
        return False

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._to_parent_page(request, object_id)

    def delete_view(self, request, object_id, extra_context=None):
        return self._to_parent_page(request, object_id)

    def _to_parent_page(self, request, object_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return redirect(self.parent_page, getattr(record, f"{self.parent_field}_id"))
