"""Reference data in the secretariat pages: organisations, people, posts, appointments, boards;
and what every page that edits the record shares."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import LocalePrefixPattern, URLResolver, get_resolver
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from meetings import reference
from meetings.models import Appointment, Board, BoardMembership, Organisation, Person, Role
from meetings.services import RecordError, reopened_minutes
from scrutiny.admin_choices import SharedChoicesInline
from scrutiny.admin_locks import WholePageLockAdmin
from scrutiny.forms import OptimisticLockMixin
from scrutiny.limits import as_id


def _locked_form(model_class):
    """A form that refuses to overwrite a save made after the page was opened."""
    meta = type("Meta", (), {"model": model_class, "fields": "__all__"})
    return type(
        f"{model_class.__name__}Form", (OptimisticLockMixin, forms.ModelForm), {"Meta": meta}
    )


def reserved_slugs() -> set[str]:
    """The first segments of the site's own addresses, at the root and under /en/ and /cy/,
    read from the URLconf (and the static files' and languages' prefixes): a body's web address
    cannot take them, or its home page would be unreachable."""
    found = {"static", "media"} | {code for code, _name in settings.LANGUAGES}

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and isinstance(
                pattern.pattern, LocalePrefixPattern
            ):
                walk(pattern.url_patterns, prefix)
                continue
            route = prefix + str(pattern.pattern)
            first = route.split("/", 1)[0]
            if first and "<" not in first:
                found.add(first)
            elif not first and isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)

    walk(get_resolver().url_patterns, "")
    return found


class OrganisationForm(forms.ModelForm):
    upload_logo = forms.FileField(
        label=_("new logo"),
        required=False,
        help_text=_("A PNG or JPEG of at most 512 KB, shown in the site's header."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("remove the logo"), required=False)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "parent",
            "slug",
            "display_name",
            "logo_alt",
            "header_colour",
            "header_text_colour",
            "link_colour",
            "footer_text",
            "contact_email",
            "contact_phone",
            "contact_address",
            "accessibility_statement",
            "privacy_notice_url",
            "logo_alt_cy",
            "footer_text_cy",
            "accessibility_statement_cy",
            "welsh",
            "name_cy",
            "welsh_required",
            "bilingual_documents",
        ]

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or None
        if slug in reserved_slugs():
            raise forms.ValidationError(_("This web address is used by the site itself."))
        return slug

    def clean_upload_logo(self):
        """The file's bytes: the body's service checks them (reference.organisation_save)."""
        upload = self.cleaned_data.get("upload_logo")
        return upload.read() if upload else None


class ServiceAdmin:
    """A page whose saves go through the services: it says when a save reopened approved
    minutes, and a save the services refused (nothing of it is written) shows the page again
    with the reason and everything typed."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        args = (request, object_id, form_url, extra_context)
        with reopened_minutes() as reopened:
            try:
                response = super().changeform_view(*args)
            except RecordError as exc:  # the transaction of the view has rolled back
                # The same POST again, with the refusal as the form's error: the page comes
                # back as for any invalid form, with what was typed, and saves nothing.
                request._service_refusal = exc
                response = super().changeform_view(*args)
        return self._say_reopened(request, reopened, response)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form

        def clean(self):
            cleaned = form.clean(self)
            field = refusal.field if refusal.field in self.fields else None
            self.add_error(field, str(refusal))
            return cleaned

        return type(form.__name__, (form,), {"clean": clean})

    def delete_view(self, request, object_id, extra_context=None):
        return self._through_services(
            request, super().delete_view, request, object_id, extra_context
        )

    def changelist_view(self, request, extra_context=None):
        return self._through_services(request, super().changelist_view, request, extra_context)

    def _through_services(self, request, view, *args):
        # Nothing typed to keep here: a deletion or a list action is refused with a message.
        with reopened_minutes() as reopened:
            try:
                response = view(*args)
            except RecordError as exc:  # the transaction of the view has rolled back
                messages.error(request, str(exc))
                return HttpResponseRedirect(request.get_full_path())
        return self._say_reopened(request, reopened, response)

    @staticmethod
    def _say_reopened(request, reopened, response):
        if reopened:
            messages.warning(
                request,
                gettext(
                    "These minutes were changed, so they are a draft again: they need approval "
                    "before the change is published."
                ),
            )
        return response


def page_body(request, obj) -> Organisation | None:
    """The body whose record a page edits: its meeting's (or its item's meeting's, or its
    action's board's); on the page adding a meeting, the chosen board's. None while no board is
    chosen."""
    if isinstance(obj, Board):
        return obj.body if obj.pk else None
    meeting = getattr(obj, "meeting", obj)
    if meeting is not None and getattr(meeting, "pk", None):
        return meeting.board.body
    pk = request.POST.get("board") or request.GET.get("board")
    if as_id(str(pk or "")) is None:
        return None
    board = Board.objects.select_related("body").filter(pk=as_id(str(pk))).first()
    return board.body if board is not None else None


def body_choices(model, body: Organisation | None):
    """The records of `model` a page of the body may choose: its people, posts, boards, or
    groups (the body itself and the groups within it); nothing while the body is not known."""
    if body is None:
        return model.objects.none()
    if model is Organisation:
        return model.objects.filter(Q(pk=body.pk) | Q(parent=body))
    # One order for every list of a page, so that the page reads them once (page_rows).
    return model.objects.filter(body=body).order_by(*LISTED_IN_ORDER.get(model, ()))


LISTED_IN_ORDER = {Role: ("abbrev",), Person: ("name",)}


class BodyScopedInline(SharedChoicesInline):
    """An inline of a meeting's record whose pickers offer only the people, posts and groups of
    the meeting's own body (`scoped_fields`), and whose search boxes search that body's records
    only; the services, and the database, refuse any other on save. The choices are listed once
    a page, not once a row (SharedChoicesInline)."""

    scoped_fields: tuple[str, ...] = ()

    def limit_choices(self, request, obj) -> dict:
        limits = super().limit_choices(request, obj)
        body = page_body(request, obj)
        for name in self.scoped_fields:
            model = self.model._meta.get_field(name).related_model
            limits[name] = body_choices(model, body)
        return limits

    def search_params(self, request, obj) -> dict:
        """Its search boxes search the page's body's records only."""
        body = page_body(request, obj)
        return {"body": body.pk} if body is not None else {}


class ReferenceAdmin(ServiceAdmin):
    """A reference page (a body, a person, a post, a board) saved through the reference
    services with its inlines (meetings.reference): the page declares, the services decide."""

    SAVE = {
        Organisation: lambda obj, by: reference.organisation_save(organisation=obj, by=by),
        Person: lambda obj, by: reference.person_save(person=obj, by=by),
        Role: lambda obj, by: reference.role_save(role=obj, by=by),
        Board: lambda obj, by: reference.board_save(board=obj, by=by),
        Appointment: lambda obj, by: reference.appointment_save(appointment=obj, by=by),
        BoardMembership: lambda obj, by: reference.board_membership_save(membership=obj, by=by),
    }
    DELETE = {
        Appointment: lambda obj, by: reference.appointment_delete(appointment=obj, by=by),
        BoardMembership: lambda obj, by: reference.board_membership_delete(membership=obj, by=by),
    }

    def save_model(self, request, obj, form, change):
        self.SAVE[type(obj)](obj, request.user)

    def save_formset(self, request, form, formset, change):
        save_formset_through(formset, save=self.SAVE, delete=self.DELETE, by=request.user)


def save_formset_through(formset, *, save: dict, delete: dict, by, prepare=None) -> None:
    """Save an inline through the services (`save` and `delete`, by model): deletions first (a
    row may be replaced by another in the same save), then additions and changes, each made
    ready by `prepare` when given."""
    formset.save(commit=False)  # sets new_objects, changed_objects and deleted_objects
    for obj in formset.deleted_objects:
        delete[formset.model](obj, by)
    for obj in [*formset.new_objects, *(obj for obj, _changed in formset.changed_objects)]:
        if prepare is not None:
            prepare(obj)
        save[formset.model](obj, by)


@admin.register(Organisation)
class OrganisationAdmin(ReferenceAdmin, admin.ModelAdmin):
    form = OrganisationForm
    list_display = ["name", "parent", "slug"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "parent"]}),
        (
            _("Public site of the body"),
            {
                "description": _(
                    "Only for a body (an organisation that is part of none): how its own pages "
                    "and documents present it. Colours are refused when their contrast is "
                    "below WCAG AA (4.5:1)."
                ),
                "fields": [
                    ("slug", "display_name"),
                    ("upload_logo", "remove_logo"),
                    ("logo_alt", "logo_alt_cy"),
                    ("header_colour", "header_text_colour", "link_colour"),
                    ("footer_text", "footer_text_cy"),
                    ("contact_email", "contact_phone"),
                    "contact_address",
                    ("accessibility_statement", "accessibility_statement_cy"),
                    "privacy_notice_url",
                ],
            },
        ),
        (
            _("Welsh"),
            {
                "description": _(
                    "For a Welsh body: its Welsh name and the Welsh twins above, shown on its "
                    "Welsh pages and documents."
                ),
                "fields": ["welsh", "name_cy", "welsh_required", "bilingual_documents"],
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        reference.organisation_save(
            organisation=obj,
            by=request.user,
            logo=form.cleaned_data.get("upload_logo"),
            remove_logo=form.cleaned_data.get("remove_logo", False),
        )


class AppointmentInline(admin.TabularInline):
    model = Appointment
    form = _locked_form(Appointment)
    extra = 0
    autocomplete_fields = ["person", "role"]


@admin.register(Person)
class PersonAdmin(ReferenceAdmin, WholePageLockAdmin, SimpleHistoryAdmin):
    form = _locked_form(Person)
    list_display = ["name", "organisation", "body", "email", "user"]
    ordering = ["name"]
    list_filter = ["body", "organisation"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["body", "organisation", "user"]
    body_path = "body"  # how a search of one body's people finds them
    inlines = [AppointmentInline]

    def get_readonly_fields(self, request, obj=None):
        # Linking a person to an account gives that account the person's actions: it is an
        # administrator's decision (docs/permissions.md), like appointments.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("auth.change_user"):
            readonly.append("user")
        return readonly


@admin.register(Role)
class RoleAdmin(ReferenceAdmin, WholePageLockAdmin, SimpleHistoryAdmin):
    form = _locked_form(Role)
    list_display = ["abbrev", "title", "organisation", "body"]
    ordering = ["abbrev"]
    list_filter = ["body", "organisation"]
    search_fields = ["abbrev", "title"]
    autocomplete_fields = ["body", "organisation"]
    body_path = "body"
    inlines = [AppointmentInline]


@admin.register(Appointment)
class AppointmentAdmin(ReferenceAdmin, SimpleHistoryAdmin):
    form = _locked_form(Appointment)
    list_display = ["person", "role", "kind", "start_on", "end_on"]
    list_filter = ["kind", "role__body"]
    search_fields = ["person__name", "role__abbrev", "role__title"]
    autocomplete_fields = ["person", "role"]
    date_hierarchy = "start_on"


class BoardMembershipInline(BodyScopedInline, admin.TabularInline):
    model = BoardMembership
    extra = 0
    # Lists of the board's body (an autocomplete would search every body's).
    scoped_fields = ("person", "role", "organisation")
    fields = ["position", "person", "role", "organisation", "start_on", "end_on"]


@admin.register(Board)
class BoardAdmin(ReferenceAdmin, SimpleHistoryAdmin):
    form = _locked_form(Board)
    inlines = [BoardMembershipInline]
    list_display = ["name", "action_prefix", "body", "next_action_number"]
    list_filter = ["body"]
    search_fields = ["name", "action_prefix"]
    ordering = ["name"]  # its search box (an action's page) pages what it finds in one order
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["next_action_number"]
    autocomplete_fields = ["body"]
