import copy

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.utils.translation import gettext_lazy as _

from actions import services
from actions.models import Action, ActionOwner, ActionUpdate
from meetings.admin import BodyScopedInline, ServiceAdmin, body_choices, page_body
from meetings.models import AgendaItem, Board, Meeting, Person, Role
from scrutiny.admin_choices import SearchScopedAdmin, SharedAutocompleteSelectMultiple
from scrutiny.admin_locks import EditedOnParentPageAdmin, WholePageLockAdmin
from scrutiny.forms import OptimisticLockMixin
from scrutiny.limits import as_id


class BodyLabelledChoiceField(forms.ModelMultipleChoiceField):
    """Posts or people, with their body where the choice spans bodies (two "PCC"s look alike)."""

    show_body = True

    def label_from_instance(self, obj):
        return f"{obj} ({obj.body})" if self.show_body else str(obj)

    def limit_to(self, queryset) -> None:
        """Offer only these (one body's, for a meeting's page): no body beside each name."""
        self.queryset = queryset
        self.show_body = False


class ActionOwnersForm(OptimisticLockMixin, forms.ModelForm):
    """An action with its owners chosen from posts, or people where no post fits.

    The inlines that show it offer the meeting's body's posts and people only
    (`BodyScopedInline.limit_choices`)."""

    # The admin's two-list picker: the chosen owners stay in sight, and a click adds an owner
    # rather than replacing the others.
    owner_roles = BodyLabelledChoiceField(
        label=_("Owners (posts)"),
        queryset=Role.objects.select_related("body").order_by("abbrev"),
        required=False,
        widget=FilteredSelectMultiple(_("posts"), is_stacked=False),
    )
    owner_people = BodyLabelledChoiceField(
        label=_("Owners (people, where no post fits)"),
        queryset=Person.objects.select_related("body").order_by("name"),
        required=False,
        widget=FilteredSelectMultiple(_("people"), is_stacked=False),
    )

    class Meta:
        model = Action
        # A new action starts open; its status then moves only through its progress history.
        fields = ["raised_at_item", "text", "text_cy", "due_on", "paragraph"]
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


def _items_of_page(obj):
    meeting = getattr(obj, "meeting", obj)
    if meeting is None or not getattr(meeting, "pk", None):
        return AgendaItem.objects.none()
    return AgendaItem.objects.filter(meeting=meeting)


class _ScopedOwnersMixin(BodyScopedInline):
    """Offer only the posts, people and items of the meeting's own body; once the meeting has
    been published, its actions are never deleted (they are withdrawn instead)."""

    def limit_choices(self, request, obj) -> dict:
        body = page_body(request, obj)
        return {
            **super().limit_choices(request, obj),
            "owner_roles": body_choices(Role, body),
            "owner_people": body_choices(Person, body),
            "raised_at_item": _items_of_page(obj),
        }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("board").prefetch_related("owners")

    def has_delete_permission(self, request, obj=None):
        meeting = getattr(obj, "meeting", obj)
        if getattr(meeting, "pk", None) and meeting.publications.exists():
            return False
        return super().has_delete_permission(request, obj)


class ActionRaisedInline(_ScopedOwnersMixin, admin.StackedInline):
    """Actions raised at the meeting, numbered automatically when saved."""

    model = Action
    form = ActionOwnersForm
    fk_name = "raised_at_meeting"
    extra = 0
    fields = [
        ("raised_at_item", "paragraph", "due_on"),
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
    fields = [
        ("due_on", "paragraph"),
        ("text", "text_cy"),
        ("owner_roles", "owner_people"),
        "lock_version",
    ]
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


class ActionReviewInline(BodyScopedInline, admin.StackedInline):
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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action__board")

    def limit_choices(self, request, obj) -> dict:
        body = page_body(request, obj)
        actions = Action.objects.none()
        if body is not None:
            actions = Action.objects.filter(board__body=body).select_related("board")
        return {
            **super().limit_choices(request, obj),
            "item": _items_of_page(obj),
            "action": actions,
        }


def save_action_formsets(request, form, formset) -> bool:
    """Save the action and review inlines of a meeting's or an item's page through the
    services. Returns False for a formset of another kind."""
    parent = form.instance
    if formset.model is Action:
        meeting = parent.meeting if isinstance(parent, AgendaItem) else parent
        form_of = {id(inline.instance): inline for inline in formset.forms}
        for action in formset.save(commit=False):
            owners = form_of[id(action)].owners()
            if action.pk is None:
                created = services.action_create(
                    board=meeting.board,
                    text=action.text,
                    text_cy=action.text_cy,
                    owners=owners,
                    raised_at=meeting,
                    by=request.user,
                    item=parent if isinstance(parent, AgendaItem) else action.raised_at_item,
                    due_on=action.due_on,
                )
                action.__dict__.update(created.__dict__)  # the page's record of what was added
            else:
                services.action_update(action=action, by=request.user, owners=owners)
        for action in formset.deleted_objects:
            services.action_delete(action=action, by=request.user)
        return True
    if formset.model is ActionUpdate:
        for update in formset.save(commit=False):
            if update.pk is None:
                services.action_history_save(update=update, by=request.user)
            else:
                services.action_review_update(review=update, by=request.user)
        for update in formset.deleted_objects:
            services.action_review_delete(review=update, by=request.user)
        return True
    return False


class ActionUpdateInline(BodyScopedInline, admin.StackedInline):
    """The progress history on an action's page: its search boxes find the meetings, items and
    people of the action's body only (another body's, posted anyway, is refused)."""

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
    scoped_fields = ("reported_by",)
    verbose_name_plural = _("progress history")

    def limit_choices(self, request, obj) -> dict:
        body = page_body(request, obj)
        return {
            **super().limit_choices(request, obj),
            "meeting": Meeting.objects.filter(board__body=body),
            "item": AgendaItem.objects.filter(meeting__board__body=body),
        }


class ActionAdminForm(ActionOwnersForm):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Its owners are of its board's body: the lists offer that body's posts and people
            # only (every body's would be thousands at a hosted service's scale).
            body = self.instance.board.body_id
            for name in ("owner_roles", "owner_people"):
                field = self.fields[name]
                field.queryset = field.queryset.filter(body=body)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("owner_roles") and not cleaned.get("owner_people"):
            self.add_error("owner_roles", _("Choose at least one owner: a post or a person."))
        return cleaned


@admin.register(Action)
class ActionAdmin(SearchScopedAdmin, ServiceAdmin, WholePageLockAdmin, admin.ModelAdmin):
    form = ActionAdminForm
    list_display = ["ref_display", "short_text", "owners_list", "status", "due_on", "board"]
    list_filter = ["status", "board", "carried_forward"]
    search_fields = ["text", "legacy_ref", "updates__text", "=number"]
    autocomplete_fields = ["board", "raised_at_meeting", "raised_at_item", "see_also"]
    body_path = "board__body"  # how a search of one body's actions finds them
    readonly_fields = ["ref_display", "created_at", "updated_at"]
    fields = [
        "board",
        "ref_display",
        "legacy_ref",
        ("text", "text_cy"),
        ("status", "due_on"),
        ("owner_roles", "owner_people"),
        ("raised_at_meeting", "raised_at_item"),
        ("raised_on", "carried_forward"),
        "see_also",
        ("created_at", "updated_at"),
        "lock_version",
    ]
    inlines = [ActionUpdateInline]
    list_select_related = ["board"]
    ordering = ["board", "-number"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("owners__role", "owners__person")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            # No board is chosen yet: every body's posts and people would be listed (0.5 s and
            # 355 KB a page at 100 bodies), so they are searched instead, each found labelled
            # with its body where two read alike; the service refuses another body's on save.
            # Once a board is chosen (on the page: js/admin-owners-of-board.js; or in the form
            # sent back), they search its body's only.
            chosen = as_id((request.POST or request.GET).get("board", ""))
            body = Board.objects.filter(pk=chosen).values_list("body_id", flat=True).first()
            for name, owner_field in (("owner_roles", "role"), ("owner_people", "person")):
                field = form.base_fields[name] = copy.deepcopy(form.base_fields[name])
                field.widget = SharedAutocompleteSelectMultiple(
                    ActionOwner._meta.get_field(owner_field), self.admin_site
                )
                field.widget.choices, field.widget.is_required = field.choices, field.required
                field.widget.search_params = {"body": body} if body is not None else {}
        return form

    @property
    def media(self):
        # After the admin's jQuery and search boxes, which it uses.
        jquery = "admin/js/vendor/jquery/jquery%s.js" % ("" if settings.DEBUG else ".min")
        return super().media + forms.Media(
            js=[
                jquery,
                "admin/js/jquery.init.js",
                "admin/js/autocomplete.js",
                "js/admin-owners-of-board.js",
            ]
        )

    def search_params(self, request, obj) -> dict:
        """An action's search boxes (see also, where it was raised) search its body's records."""
        return {"body": obj.board.body_id} if obj is not None else {}

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
        if change:
            services.action_update(
                action=obj,
                by=request.user,
                owners=form.owners(),
                see_also=form.cleaned_data["see_also"],
            )
            return
        created = services.action_create(
            board=obj.board,
            text=obj.text,
            text_cy=obj.text_cy,
            owners=form.owners(),
            raised_at=obj.raised_at_meeting,
            by=request.user,
            item=obj.raised_at_item,
            legacy_ref=obj.legacy_ref,
            due_on=obj.due_on,
            status=obj.status,
            raised_on=obj.raised_on,
            carried_forward=obj.carried_forward,
        )
        obj.__dict__.update(created.__dict__)  # the page goes on with the saved action
        services.action_update(action=obj, by=request.user, see_also=form.cleaned_data["see_also"])

    def save_related(self, request, form, formsets, change):
        # The links were saved by the services above; the inlines go through them too.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        WholePageLockAdmin.bump_if_only_inlines_changed(form, formsets, change)

    def save_formset(self, request, form, formset, change):
        save_action_formsets(request, form, formset)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.in_published_minutes():
            return False  # Nothing published is deleted: withdraw the action instead.
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.action_delete(action=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for action in queryset:
            services.action_delete(action=action, by=request.user)


@admin.register(ActionUpdate)
class ActionUpdateAdmin(EditedOnParentPageAdmin, admin.ModelAdmin):
    """Every progress report, to search; each is added and edited on its action's page."""

    parent_page = "admin:actions_action_change"
    parent_field = "action"

    list_display = ["action", "reported_on", "status", "meeting"]
    # Dates to filter by (this year, this month…), not links year by year: those read the date
    # of every report (525,000 at 120,000 actions) to draw each page.
    list_filter = ["status", "reported_on", "action__board"]
    search_fields = ["text", "action__text"]
    autocomplete_fields = ["action", "meeting", "item", "reported_by"]
    list_select_related = ["action__board", "meeting__board"]
