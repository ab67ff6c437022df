from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from actions.models import Action, ActionOwner, ActionUpdate
from actions.services import action_refresh_status, action_set_owners, board_allocate_action_number
from meetings.models import Meeting, Person, Role
from meetings.services import reopen_minutes
from scrutiny.admin_locks import (
    EditedOnParentPageAdmin,
    WholePageLockAdmin,
    bump_versions,
)
from scrutiny.forms import OptimisticLockMixin


class ActionOwnersForm(OptimisticLockMixin, forms.ModelForm):
    """An action with its owners chosen from posts, or people where no post fits."""

    # The admin's two-list picker: the chosen owners stay in sight, and a click adds an owner
    # rather than replacing the others.
    owner_roles = forms.ModelMultipleChoiceField(
        label=_("Owners (posts)"),
        queryset=Role.objects.order_by("abbrev"),
        required=False,
        widget=FilteredSelectMultiple(_("posts"), is_stacked=False),
    )
    owner_people = forms.ModelMultipleChoiceField(
        label=_("Owners (people, where no post fits)"),
        queryset=Person.objects.order_by("name"),
        required=False,
        widget=FilteredSelectMultiple(_("people"), is_stacked=False),
    )

    class Meta:
        model = Action
        # A new action starts open; its status then moves only through its progress history.
        fields = ["raised_at_item", "text", "text_cy", "due_on"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            owners = list(self.instance.owners.all())
            self.fields["owner_roles"].initial = [o.role_id for o in owners if o.role_id]
            self.fields["owner_people"].initial = [o.person_id for o in owners if o.person_id]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("DELETE") and self.instance.pk and self.instance.in_published_minutes():
            # Not a deletion after all, so the formset counts the error and keeps the row.
            cleaned["DELETE"] = False
            raise forms.ValidationError(
                _(
                    "%(ref)s is in published minutes, so it is never deleted: withdraw it on "
                    "its own page instead."
                )
                % {"ref": self.instance.ref},
                code="published",
            )
        if self.has_changed() and not cleaned.get("DELETE"):
            if not cleaned.get("owner_roles") and not cleaned.get("owner_people"):
                self.add_error("owner_roles", _("Choose at least one owner: a post or a person."))
        return cleaned

    def owners(self) -> list:
        return [*self.cleaned_data["owner_roles"], *self.cleaned_data["owner_people"]]


class _ScopedOwnersMixin:
    """Offer only the posts, people and items of the meeting's own body; once the meeting has
    been published, its actions are never deleted (they are withdrawn instead)."""

    def has_delete_permission(self, request, obj=None):
        meeting = getattr(obj, "meeting", obj)
        if getattr(meeting, "pk", None) and meeting.publications.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        meeting = getattr(obj, "meeting", obj)
        if meeting is not None and getattr(meeting, "pk", None):
            body = meeting.board.body
            form = formset.form
            form.base_fields["owner_roles"].queryset = Role.objects.filter(body=body).order_by(
                "abbrev"
            )
            form.base_fields["owner_people"].queryset = Person.objects.filter(body=body).order_by(
                "name"
            )
            if "raised_at_item" in form.base_fields:
                form.base_fields["raised_at_item"].queryset = meeting.items.all()
        return formset


class ActionRaisedInline(_ScopedOwnersMixin, admin.StackedInline):
    """Actions raised at the meeting, numbered automatically when saved."""

    model = Action
    form = ActionOwnersForm
    fk_name = "raised_at_meeting"
    extra = 0
    fields = [
        ("raised_at_item", "due_on"),
        ("text", "text_cy"),
        ("owner_roles", "owner_people"),
        "lock_version",
    ]
    verbose_name = _("action raised")
    verbose_name_plural = _("actions raised at this meeting (numbered when saved)")
    show_change_link = True


class ItemActionInline(_ScopedOwnersMixin, admin.StackedInline):
    model = Action
    form = ActionOwnersForm
    fk_name = "raised_at_item"
    extra = 0
    fields = ["due_on", ("text", "text_cy"), ("owner_roles", "owner_people"), "lock_version"]
    verbose_name = _("action raised")
    verbose_name_plural = _("actions raised under this item (numbered when saved)")
    show_change_link = True


class ActionReviewForm(forms.ModelForm):
    class Meta:
        model = ActionUpdate
        fields = [
            "action",
            "item",
            "position",
            "summary",
            "summary_cy",
            "text",
            "text_cy",
            "status",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4, "cols": 80}),
            "summary": forms.Textarea(attrs={"rows": 2, "cols": 80}),
        }


class ActionReviewInline(admin.StackedInline):
    """Progress on earlier actions reported at the meeting: the action review."""

    model = ActionUpdate
    form = ActionReviewForm
    fk_name = "meeting"
    extra = 0
    autocomplete_fields = ["action"]
    fields = [
        ("action", "status"),
        ("item", "position"),
        ("summary", "summary_cy"),
        ("text", "text_cy"),
    ]
    verbose_name = _("progress reported on an action")
    verbose_name_plural = _("review of earlier actions")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.pk:
            formset.form.base_fields["item"].queryset = obj.items.all()
        return formset


def save_action_formsets(request, form, formset, *, board_of) -> bool:
    """Save action and review inlines: number new actions, set owners, refresh statuses."""
    if formset.model is Action:
        with transaction.atomic():
            actions = formset.save(commit=False)
            form_of = {id(inline.instance): inline for inline in formset.forms}
            parent = form.instance
            for action in actions:
                if action.pk is None:
                    action.board = board_of(parent)
                    action.number = board_allocate_action_number(board=action.board)
                    action.initial_status = action.status
                if getattr(parent, "meeting_id", None):
                    action.raised_at_meeting_id = parent.meeting_id
                    action.raised_at_item = parent
                action.save()
                action_set_owners(action=action, owners=form_of[id(action)].owners())
            for action in formset.deleted_objects:
                action.delete()
        return True
    if formset.model is ActionUpdate and formset.fk.name == "meeting":
        meeting = form.instance
        updates = formset.save(commit=False)
        for update in updates:
            update.reported_on = update.reported_on or meeting.held_on
            if update.pk is None:
                update.created_by = request.user
            update.save()
            action_refresh_status(action=update.action)
        for update in formset.deleted_objects:
            action = update.action
            update.delete()
            action_refresh_status(action=action)
        # The reviews are also on their actions' pages: a page opened before this save is stale.
        bump_versions(Action, [update.action for update in [*updates, *formset.deleted_objects]])
        return True
    return False


class ActionOwnerInline(admin.TabularInline):
    model = ActionOwner
    extra = 0
    min_num = 1
    autocomplete_fields = ["role", "person"]
    verbose_name_plural = _("owners (a post, or a person where no post fits)")


class ActionUpdateInline(admin.StackedInline):
    model = ActionUpdate
    fk_name = "action"
    extra = 0
    fields = [
        ("reported_on", "status"),
        ("text", "text_cy"),
        ("meeting", "item"),
        "reported_by",
    ]
    autocomplete_fields = ["meeting", "item", "reported_by"]
    verbose_name_plural = _("progress history")


class ActionAdminForm(OptimisticLockMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "board",
            "legacy_ref",
            "text",
            "text_cy",
            "status",
            "due_on",
            "raised_at_meeting",
            "raised_at_item",
            "raised_on",
            "carried_forward",
            "see_also",
        ]


@admin.register(Action)
class ActionAdmin(WholePageLockAdmin, admin.ModelAdmin):
    form = ActionAdminForm
    list_display = ["ref_display", "short_text", "owners_list", "status", "due_on", "board"]
    list_filter = ["status", "board", "carried_forward"]
    search_fields = ["text", "legacy_ref", "updates__text", "=number"]
    autocomplete_fields = ["board", "raised_at_meeting", "raised_at_item", "see_also"]
    readonly_fields = ["ref_display", "created_at", "updated_at"]
    fields = [
        "board",
        "ref_display",
        "legacy_ref",
        ("text", "text_cy"),
        ("status", "due_on"),
        ("raised_at_meeting", "raised_at_item"),
        ("raised_on", "carried_forward"),
        "see_also",
        ("created_at", "updated_at"),
        "lock_version",
    ]
    inlines = [ActionOwnerInline, ActionUpdateInline]
    list_select_related = ["board"]
    ordering = ["board", "-number"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("owners__role", "owners__person")

    @admin.display(description=_("ref"), ordering="number")
    def ref_display(self, obj):
        return obj.ref if obj.pk else _("given when saved")

    @admin.display(description=_("action"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 100 else f"{obj.text[:99]}…"

    @admin.display(description=_("owners"))
    def owners_list(self, obj):
        return obj.owners_display()

    def get_readonly_fields(self, request, obj=None):
        # Once raised, the status moves only through the progress history, so it has a record.
        if obj is not None:
            return [*self.readonly_fields, "status"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.number = board_allocate_action_number(board=obj.board)
            obj.initial_status = obj.status
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is ActionUpdate:
            action_refresh_status(action=form.instance)

    # What the minutes print of an action: a change to it is a change to the minutes.
    MINUTED_FIELDS = {"board", "legacy_ref", "text", "raised_at_meeting", "raised_at_item"}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        action, meetings = form.instance, []
        owners_changed = any(f.has_changed() for f in formsets if f.model is ActionOwner)
        if not change or owners_changed or self.MINUTED_FIELDS & set(form.changed_data):
            # Printed by the minutes that raised it and by those that reviewed it.
            meetings += [action.raised_at_meeting, self._initial(form, "raised_at_meeting")]
            meetings += Meeting.objects.filter(action_updates__action=action)
        reviewed_at = []
        for formset in formsets:
            if formset.model is ActionUpdate:
                for update_form in formset.forms:
                    if update_form.has_changed():
                        reviewed_at += [
                            update_form.instance.meeting,
                            self._initial(update_form, "meeting"),
                        ]
        # A review is also on its meeting's page: a page opened before this save is stale.
        bump_versions(Meeting, reviewed_at)
        reopen_minutes(request, [*meetings, *reviewed_at])

    @staticmethod
    def _initial(form, field):
        pk = form.initial.get(field)
        return Meeting.objects.filter(pk=pk).first() if pk and field in form.changed_data else None

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.in_published_minutes():
            return False  # Nothing published is deleted: withdraw the action instead.
        return super().has_delete_permission(request, obj)


@admin.register(ActionUpdate)
class ActionUpdateAdmin(EditedOnParentPageAdmin, admin.ModelAdmin):
    """Every progress report, to search; each is added and edited on its action's page."""

    parent_page = "admin:actions_action_change"
    parent_field = "action"

    list_display = ["action", "reported_on", "status", "meeting"]
    list_filter = ["status", "action__board"]
    search_fields = ["text", "action__text"]
    autocomplete_fields = ["action", "meeting", "item", "reported_by"]
    date_hierarchy = "reported_on"
    list_select_related = ["action__board", "meeting__board"]
