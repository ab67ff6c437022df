"""The meeting's pages in the secretariat site: a meeting with its attendance, items, questions,
actions and review, and the approval and publication workflow."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from actions.admin import (
    ActionRaisedInline,
    ActionReviewInline,
    ItemActionInline,
    save_action_formsets,
)
from actions.models import Action, ActionUpdate
from meetings import services as record
from meetings.admin import (
    BodyScopedInline,
    ServiceAdmin,
    body_choices,
    page_body,
    save_formset_through,
)
from meetings.models import (
    AgendaItem,
    Attendance,
    Board,
    Departure,
    Meeting,
    Paper,
    Publication,
    Question,
)
from meetings.services import (
    AnnouncementError,
    meeting_announce,
    meeting_announce_existing,
    meeting_cancel,
)
from minutes.documents import has_questions_document
from minutes.editor.forms import checked_pdf
from minutes.services import (
    PublicationError,
    agenda_publish,
    agenda_withdraw,
    meeting_approve,
    meeting_delete,
    meeting_publish_in_background,
    meeting_withdraw,
    paper_attach_pdf,
)
from minutes.welsh import untranslated
from scrutiny.admin_choices import SharedChoicesInline, listed_choices, page_rows
from scrutiny.admin_locks import EditedOnParentPageAdmin, WholePageLockAdmin
from scrutiny.forms import OptimisticLockMixin
from scrutiny.pdf import RenderError


class MeetingForm(OptimisticLockMixin, forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        board = cleaned.get("board")
        if board is not None:
            # The same rule the service applies, shown next to the field with what was typed.
            for name in ("chair", "chair_role", "named_roles", "named_people"):
                value = cleaned.get(name)
                records = [value] if name.startswith("chair") else list(value or [])
                try:
                    for choice in records:
                        record.require_in_body(board.body, choice, name)
                except record.RecordError as exc:
                    self.add_error(name, str(exc))
        return cleaned

    class Meta:
        model = Meeting
        fields = [
            "board",
            "held_on",
            "title",
            "title_cy",
            "start_time",
            "end_time",
            "venue",
            "venue_cy",
            "chair_role",
            "chair",
            "chair_note",
            "chair_note_cy",
            "minute_taker",
            "named_roles",
            "named_people",
            "next_meeting_on",
            "next_meeting_start",
            "next_meeting_venue",
            "next_meeting_note",
            "next_meeting_note_cy",
            "questions_intro",
            "questions_intro_cy",
            "is_public",
        ]


class BoardChoiceField(forms.ModelChoiceField):
    """Boards of every body: each named with its body, as two bodies may name boards alike."""

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.body})"


class ChooseBoardForm(forms.Form):
    """The first step of adding a meeting: its board, so that every picker of the next step
    offers only the board's body's people and posts."""

    board = BoardChoiceField(
        label=_("Board"),
        queryset=Board.objects.select_related("body").order_by("body__name", "name"),
    )


class AnnounceForm(forms.Form):
    """A meeting to come: what the public and calendars are told."""

    board = forms.ModelChoiceField(label=_("Board"), queryset=Board.objects.order_by("name"))
    held_on = forms.DateField(label=_("Date"), help_text=_("For example 28/02/2027."))
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=500,
        help_text=_('Only when the meeting has its own name, e.g. "Monthly Assurance Meeting".'),
    )
    start_time = forms.TimeField(label=_("Start"), required=False, help_text=_("e.g. 10:00"))
    end_time = forms.TimeField(
        label=_("End"),
        required=False,
        help_text=_("Empty: the board's default meeting length is assumed."),
    )
    venue = forms.CharField(label=_("Venue"), required=False, max_length=500)
    venue_cy = forms.CharField(
        label=_("Venue in Welsh"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"lang": "cy"}),
    )
    is_public = forms.BooleanField(label=_("Open to the public"), required=False, initial=True)


class AgendaItemForm(OptimisticLockMixin, forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = [
            "meeting",
            "parent",
            "position",
            "number",
            "title",
            "title_cy",
            "minutes",
            "minutes_cy",
            "exempt",
            "exempt_reason",
            "in_questions_record",
            "exempt_reason_cy",
        ]
        widgets = {
            "minutes": forms.Textarea(attrs={"rows": 6, "cols": 100}),
            "minutes_cy": forms.Textarea(attrs={"rows": 6, "cols": 100}),
        }


class AttendanceInline(BodyScopedInline, admin.TabularInline):
    model = Attendance
    extra = 0
    # Lists of the meeting's body (an autocomplete would search every body's).
    scoped_fields = ("person", "role", "organisation")
    fields = [
        "position",
        "person",
        "role",
        "organisation",
        "status",
        "arrival_time",
        "departure_time",
        "note",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class AgendaItemInline(SharedChoicesInline, admin.StackedInline):
    model = AgendaItem
    form = AgendaItemForm
    extra = 0
    show_change_link = True
    fields = [
        ("position", "number", "title"),
        "title_cy",
        ("minutes", "minutes_cy"),
        ("exempt", "exempt_reason"),
        "in_questions_record",
        "exempt_reason_cy",
        "lock_version",
    ]
    verbose_name = _("agenda item")
    verbose_name_plural = _(
        "agenda items (open an item to add its papers, questions, sub-items and departures)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(parent__isnull=True)


SAVE = {
    Attendance: lambda obj, by: record.attendance_save(attendance=obj, by=by),
    AgendaItem: lambda obj, by: record.meeting_item_save(item=obj, by=by),
    Paper: lambda obj, by: record.paper_save(paper=obj, by=by),
    Question: lambda obj, by: record.question_save(question=obj, by=by),
    Departure: lambda obj, by: record.departure_save(departure=obj, by=by),
}
DELETE = {
    Attendance: lambda obj, by: record.attendance_delete(attendance=obj, by=by),
    AgendaItem: lambda obj, by: record.meeting_item_delete(item=obj, by=by),
    Paper: lambda obj, by: record.paper_delete(paper=obj, by=by),
    Question: lambda obj, by: record.question_delete(question=obj, by=by),
    Departure: lambda obj, by: record.departure_delete(departure=obj, by=by),
}


def save_record_formset(request, formset, *, meeting: Meeting) -> None:
    """Save an inline of the meeting's record through its services."""

    def prepare(obj):
        if isinstance(obj, AgendaItem):
            obj.meeting = meeting  # a sub-item is of its parent's meeting

    save_formset_through(formset, save=SAVE, delete=DELETE, by=request.user, prepare=prepare)


# A meeting's part with more rows than this is listed, read-only, with a link to its section
# of the meeting editor, rather than drawn as one form a row: a meeting reviewing 175 actions
# made this page 3 s and 1.9 MB at 120,000 actions (issue 14).
INLINE_FORMS_MAX = 40


def _review_row(update) -> str:
    status = update.get_status_display() if update.status else ""
    return " – ".join(part for part in (update.action.ref, status, update.text[:300]) if part)


# The meeting's parts the page may list instead: the field that ties a row to the meeting, how
# the list is headed, the editor's section, how a row reads and what it reads with it.
SUMMARISED = {
    Attendance: (
        "meeting",
        lambda n: ngettext("%(n)s person in attendance", "%(n)s people in attendance", n),
        "attendance",
        str,
        ("person",),
    ),
    AgendaItem: (
        "meeting",
        lambda n: ngettext("%(n)s agenda item", "%(n)s agenda items", n),
        "agenda",
        str,
        (),
    ),
    ActionUpdate: (
        "meeting",
        lambda n: ngettext(
            "Progress on %(n)s earlier action reported at this meeting",
            "Progress on %(n)s earlier actions reported at this meeting",
            n,
        ),
        "review",
        _review_row,
        ("action__board",),
    ),
    Action: (
        "raised_at_meeting",
        lambda n: ngettext("%(n)s action raised", "%(n)s actions raised", n),
        "agenda",
        lambda action: f"{action.ref} – {action.text[:300]}",
        ("board",),
    ),
}


@admin.register(Meeting)
class MeetingAdmin(ServiceAdmin, WholePageLockAdmin, admin.ModelAdmin):
    form = MeetingForm
    list_display = [
        "held_on",
        "board",
        "title",
        "status_display",
        "item_count",
        "updated_at",
        "editor_link",
    ]
    list_filter = ["status", "board", "board__body"]
    search_fields = ["title", "venue", "board__name", "items__title", "items__minutes"]
    body_path = "board__body"  # how a search of one body's meetings finds them
    date_hierarchy = "held_on"
    ordering = ["-held_on", "title", "pk"]  # the list and its search boxes: newest first
    # Lists of the meeting's body: an autocomplete would search every body's.
    body_scoped_fields = ("board", "chair", "chair_role", "named_roles", "named_people")
    readonly_fields = [
        "status",
        "created_at",
        "updated_at",
        "created_by",
        "approved_at",
        "approved_by",
        "view_minutes",
        "announced_at",
        "cancelled_at",
        "welsh_missing",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "board",
                    ("held_on", "title"),
                    "title_cy",
                    ("start_time", "end_time"),
                    ("venue", "venue_cy"),
                    "is_public",
                    "lock_version",
                ]
            },
        ),
        (
            _("Chair and minutes"),
            {
                "fields": [
                    ("chair_role", "chair"),
                    ("chair_note", "chair_note_cy"),
                    "minute_taker",
                    ("questions_intro", "questions_intro_cy"),
                ]
            },
        ),
        (
            _("Status"),
            {
                "fields": [
                    "status",
                    ("approved_by", "approved_at"),
                    "view_minutes",
                    ("announced_at", "cancelled_at"),
                    "welsh_missing",
                ],
                "description": _(
                    "Once the meeting is saved, its minutes move from draft to approved to "
                    "published with the buttons at the top of this page. "
                    "Editing published minutes starts a correction: the public keeps the "
                    "published version until the next one is published."
                ),
            },
        ),
        (
            _("Posts and people named in the text"),
            {"fields": ["named_roles", "named_people"], "classes": ["collapse"]},
        ),
        (
            _("Next meeting"),
            {
                "fields": [
                    ("next_meeting_on", "next_meeting_start"),
                    "next_meeting_venue",
                    ("next_meeting_note", "next_meeting_note_cy"),
                ],
                "classes": ["collapse"],
            },
        ),
        (_("Record"), {"fields": [("created_at", "updated_at"), "created_by"]}),
    ]
    inlines = [AttendanceInline, AgendaItemInline, ActionReviewInline, ActionRaisedInline]
    list_select_related = ["board"]

    def get_queryset(self, request):
        live = Publication.objects.live().filter(meeting=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                # A subquery a row, not a join: the list's count and dates read meetings alone.
                _item_count=Coalesce(
                    Subquery(
                        AgendaItem.objects.filter(meeting=OuterRef("pk"))
                        .order_by()
                        .values("meeting")
                        .annotate(n=Count("pk"))
                        .values("n")
                    ),
                    0,
                ),
                _live_version=Subquery(live.order_by("-version").values("version")[:1]),
            )
        )

    @admin.display(description=_("editor"))
    def editor_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("editor:meeting-edit", args=[obj.pk]), _("Edit")
        )

    def add_view(self, request, form_url="", extra_context=None):
        """A meeting is added board first: the next step's pickers list the board's body only."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "GET" and "_popup" not in request.GET:
            chosen = ChooseBoardForm(request.GET) if "board" in request.GET else None
            if chosen is None or not chosen.is_valid():
                context = {
                    **self.admin_site.each_context(request),
                    "title": gettext("Add meeting"),
                    "form": chosen or ChooseBoardForm(),
                    "opts": self.model._meta,
                }
                return TemplateResponse(
                    request, "admin/meetings/meeting/choose_board.html", context
                )
        return super().add_view(request, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        body, scoped = page_body(request, obj), self.body_scoped_fields
        rows = page_rows(request)  # shared with the inlines: the body's posts read once

        def __init__(self, *args, **kwargs):
            form.__init__(self, *args, **kwargs)
            for name in scoped:
                field = self.fields.get(name)
                if field is not None:
                    # Listed: the body's. Accepted: any, so that another body's record posted
                    # anyway is refused with the reason (MeetingForm.clean, the service).
                    limit = body_choices(field.queryset.model, body)
                    field.choices = listed_choices(field, limit, rows)

        # A subclass per request: the form class is shared by every request.
        return type(form.__name__, (form,), {"__init__": __init__})

    def response_add(self, request, obj, post_url_continue=None):
        """A new meeting is entered in the meeting editor."""
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return redirect("editor:meeting-edit", obj.pk)

    @admin.display(description=_("items"), ordering="_item_count")
    def item_count(self, obj):
        return obj._item_count

    @admin.display(description=_("Untranslated into Welsh"))
    def welsh_missing(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        missing = untranslated(obj)
        if not missing:
            return gettext("Every text has its Welsh version.")
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            ngettext(
                "%(n)s text has no Welsh version yet:",
                "%(n)s texts have no Welsh version yet:",
                len(missing),
            )
            % {"n": len(missing)},
            format_html_join("", "<li>{}</li>", ((label,) for label in missing)),
        )

    @admin.display(description=_("minutes"))
    def view_minutes(self, obj):
        if not obj.pk:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', reverse("minutes:meeting-detail", args=[obj.pk]), _("View")
        )

    def save_model(self, request, obj, form, change):
        named = {
            "named_roles": form.cleaned_data["named_roles"],
            "named_people": form.cleaned_data["named_people"],
        }
        if change:
            record.meeting_update(meeting=obj, by=request.user, **named)
        else:
            record.meeting_create(meeting=obj, by=request.user, **named)

    def save_related(self, request, form, formsets, change):
        # The named posts and people were saved with the meeting, by the service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        self.bump_if_only_inlines_changed(form, formsets, change)

    def save_formset(self, request, form, formset, change):
        if not save_action_formsets(request, form, formset):
            save_record_formset(request, formset, meeting=form.instance)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.publications.exists():
            return False  # Nothing published is deleted: withdraw it instead.
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """The actions raised at the meeting go with it (meeting_delete): the page lists them,
        and they do not stop the deletion by protecting the items they were raised under."""
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        pks = {meeting.pk for meeting in objs}
        raised = list(Action.objects.filter(raised_at_meeting__in=pks).select_related("board"))
        if raised:
            collector = NestedObjects(using=router.db_for_write(Meeting))
            collector.collect(objs)
            if all(
                isinstance(o, Action) and o.raised_at_meeting_id in pks for o in collector.protected
            ):
                protected = []
            to_delete = [
                *to_delete,
                *(
                    gettext("Action raised at this meeting: %(ref)s – %(text)s")
                    % {"ref": action.ref, "text": action.text}
                    for action in raised
                ),
            ]
            counts = {**counts, Action._meta.verbose_name_plural: len(raised)}
        return to_delete, counts, perms_needed, protected

    def delete_model(self, request, obj):
        meeting_delete(meeting=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for meeting in queryset:
            meeting_delete(meeting=meeting, by=request.user)

    def get_urls(self):
        return [
            path(
                "announce/",
                self.admin_site.admin_view(self.announce_view),
                name="meetings_meeting_announce",
            ),
            path(
                "<int:pk>/workflow/<str:step>/",
                self.admin_site.admin_view(self.workflow_view),
                name="meetings_meeting_workflow",
            ),
            *super().get_urls(),
        ]

    WORKFLOW = {
        "approve": {
            "title": _("Approve the minutes"),
            "explanation": _(
                "Approving confirms the minutes as a true record. You cannot approve minutes "
                "you prepared."
            ),
            "button": _("Approve"),
            "permission": "meetings.approve_meeting",
        },
        "publish": {
            "title": _("Publish the minutes"),
            "explanation": _(
                "Publishing renders the public minutes and the questions and responses once, "
                "stores them, and shows them on the public site. Exempt items and restricted "
                "responses are left out."
            ),
            "button": _("Publish"),
            "field_label": _("What changed (needed from the second version on)"),
            "permission": "meetings.publish_meeting",
        },
        "withdraw": {
            "title": _("Withdraw the published minutes"),
            "explanation": _(
                "Withdrawing takes the minutes and their PDFs off the public site at once. "
                "The record of what was published is kept."
            ),
            "button": _("Withdraw"),
            "field_label": _("Reason for withdrawing"),
            "permission": "meetings.publish_meeting",
        },
        "announce": {
            "title": _("Announce the meeting"),
            "explanation": _(
                'Announcing lists the meeting under "Forthcoming meetings" and in the '
                "calendar feeds at once, with its date, time, venue and whether it is open to "
                "the public. No minutes are published."
            ),
            "button": _("Announce"),
            "permission": "meetings.change_meeting",
        },
        "cancel": {
            "title": _("Cancel the meeting"),
            "explanation": _(
                "The meeting stays listed, marked cancelled, and calendars that hold it are "
                "told it is cancelled."
            ),
            "button": _("Cancel the meeting"),
            "permission": "meetings.change_meeting",
        },
        "publish-agenda": {
            "title": _("Publish the agenda and papers"),
            "explanation": _(
                "Publishing shows the agenda and the public papers on the meeting's page and "
                "builds the agenda pack (the agenda followed by the public papers) in the "
                "background. Exempt items show by title only where the board allows it, with "
                "the reason; exempt papers are never published. The minutes are not touched."
            ),
            "button": _("Publish the agenda"),
            "permission": "meetings.publish_meeting",
        },
        "withdraw-agenda": {
            "title": _("Withdraw the agenda"),
            "explanation": _(
                "Withdrawing takes the agenda, its papers and the agenda pack off the public "
                "site at once."
            ),
            "button": _("Withdraw the agenda"),
            "permission": "meetings.publish_meeting",
        },
    }

    def announce_view(self, request):
        if not request.user.has_perm("meetings.add_meeting"):
            raise PermissionDenied
        form = AnnounceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                meeting = meeting_announce(**form.cleaned_data, by=request.user)
            except AnnouncementError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, gettext("The meeting is announced."))
                return redirect("admin:meetings_meeting_change", meeting.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Announce a meeting"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/meetings/meeting/announce.html", context)

    def workflow_view(self, request, pk, step):
        meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=pk)
        spec = self.WORKFLOW.get(step)
        if spec is None:
            raise PermissionDenied
        if not request.user.has_perm(spec["permission"]):
            raise PermissionDenied
        error, text = "", request.POST.get("text", "")
        # A Welsh body's correction note (version 2 on) has its Welsh twin, entered beside the
        # English.
        welsh_note = (
            step == "publish" and meeting.board.body.welsh and meeting.publications.exists()
        )
        text_cy = request.POST.get("text_cy", "") if welsh_note else ""
        if request.method == "POST":
            try:
                if step == "approve":
                    meeting_approve(meeting=meeting, by=request.user)
                    messages.success(request, gettext("The minutes are approved."))
                elif step == "publish":
                    # The page the approver returns to shows it publishing, then the outcome.
                    meeting_publish_in_background(
                        meeting=meeting, by=request.user, note=text, note_cy=text_cy
                    )
                elif step == "withdraw":
                    meeting_withdraw(meeting=meeting, by=request.user, reason=text)
                    messages.success(request, gettext("The minutes are withdrawn."))
                elif step == "announce":
                    meeting_announce_existing(meeting=meeting)
                    messages.success(request, gettext("The meeting is announced."))
                elif step == "cancel":
                    meeting_cancel(meeting=meeting)
                    messages.success(request, gettext("The meeting is cancelled."))
                elif step == "publish-agenda":
                    agenda = agenda_publish(meeting=meeting, by=request.user)
                    published = gettext("Version %(n)s of the agenda is published.")
                    messages.success(request, published % {"n": agenda.version})
                else:
                    agenda_withdraw(meeting=meeting, by=request.user)
                    messages.success(request, gettext("The agenda is withdrawn."))
                return redirect("admin:meetings_meeting_change", meeting.pk)
            except (PublicationError, AnnouncementError, RenderError) as exc:
                error = str(exc)
        context = {
            **self.admin_site.each_context(request),
            **spec,
            **self._workflow_facts(meeting),
            "meeting": meeting,
            "step": step,
            "error": error,
            "text": text,
            "text_cy": text_cy,
            "field_label_cy": capfirst(_("what changed in Welsh")) if welsh_note else "",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/meetings/meeting/workflow.html", context)

    @staticmethod
    def _workflow_facts(meeting: Meeting) -> dict:
        """What the approver checks before deciding: the record, its previews and what is live."""
        live = list(meeting.publications.live().order_by("version"))
        latest = meeting.publications.order_by("-version").first()
        questions = Question.objects.filter(item__meeting=meeting)
        return {
            "publishing": meeting.publishing,
            "publishing_error": meeting.publishing_error,
            "latest_publication": latest,
            "live_agenda": meeting.agenda_publications.live().defer("pack").first(),
            "live_publications": live,
            "next_version": (latest.version + 1) if latest else 1,
            "has_questions": has_questions_document(meeting),
            "counts": {
                "attendance": meeting.attendance.count(),
                "items": meeting.items.count(),
                "exempt": meeting.items.filter(exempt=True).count(),
                "questions": questions.count(),
                "restricted": questions.filter(restricted=True).count(),
                "actions": meeting.actions_raised.count(),
            },
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        meeting = self.get_object(request, object_id)
        if meeting is not None:
            extra_context = {
                **(extra_context or {}),
                **self._workflow_facts(meeting),
                "summarised": self.summarised_html(request, meeting),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _inline_rows(self, request, obj) -> dict:
        """Each inline of this meeting with its rows counted, once a request."""
        cached = getattr(request, "_meeting_inline_rows", None)
        if cached is not None and cached[0] == obj.pk:
            return cached[1]
        counted = {}
        for inline in super().get_inline_instances(request, obj):
            field = SUMMARISED[inline.model][0]
            rows = inline.get_queryset(request).filter(**{field: obj})
            counted[inline] = (rows, rows.count())
        request._meeting_inline_rows = (obj.pk, counted)
        return counted

    def _summarised(self, request, obj) -> list:
        if obj is None or obj.pk is None:
            return []
        return [
            (inline, rows, n)
            for inline, (rows, n) in self._inline_rows(request, obj).items()
            if n > INLINE_FORMS_MAX
        ]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        left_out = {type(inline) for inline, _rows, _n in self._summarised(request, obj)}
        return [inline for inline in inlines if type(inline) not in left_out]

    def summarised_html(self, request, obj) -> str:
        """The parts of the meeting listed rather than drawn as forms, with their links."""
        parts = []
        for inline, rows, n in self._summarised(request, obj):
            _field, heading, section, row, related = SUMMARISED[inline.model]
            link = reverse("editor:meeting-edit", args=[obj.pk]) + f"#{section}"
            parts.append(
                format_html(
                    '<h3>{}</h3><p><a href="{}">{}</a></p><ol>{}</ol>',
                    heading(n) % {"n": n},
                    link,
                    gettext("Edit them in the meeting editor"),
                    format_html_join(
                        "", "<li>{}</li>", ((row(r),) for r in rows.select_related(*related))
                    ),
                )
            )
        return format_html_join("", "{}", ((part,) for part in parts))

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj):
        live = obj._live_version
        if obj.status == Meeting.Status.DRAFT and live:
            return gettext("Draft: a correction (version %(n)s is public)") % {"n": live}
        return obj.get_status_display()


class PaperForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("PDF"),
        required=False,
        help_text=_("A PDF of at most 20 MB; it replaces the paper's current file."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    class Meta:
        model = Paper
        fields = ["position", "title", "author", "exempt"]

    def clean_upload(self):
        return checked_pdf(self.cleaned_data.get("upload"))


class PaperInline(admin.StackedInline):
    model = Paper
    form = PaperForm
    extra = 0
    fields = [("position", "title", "author"), "title_cy", ("exempt", "upload", "current_file")]
    readonly_fields = ["current_file"]

    @admin.display(description=_("current PDF"))
    def current_file(self, obj):
        if not obj.pk or not obj.file_id:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("minutes:paper", args=[obj.item.meeting_id, obj.file_id]),
            ngettext("%(size)s, %(n)s page", "%(size)s, %(n)s pages", obj.file.pages)
            % {"size": filesizeformat(obj.file.size), "n": obj.file.pages},
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("file", "item").defer("file__pdf")


class QuestionInline(BodyScopedInline, admin.StackedInline):
    model = Question
    extra = 0
    scoped_fields = ("responder",)
    fields = [
        ("position", "number", "asked_by"),
        ("question", "question_cy"),
        ("response", "response_cy"),
        ("responder", "restricted"),
        ("restricted_reason", "restricted_reason_cy"),
    ]


class DepartureInline(admin.TabularInline):
    model = Departure
    extra = 0


class SubItemInline(admin.StackedInline):
    model = AgendaItem
    form = AgendaItemForm
    fk_name = "parent"
    extra = 0
    show_change_link = True
    fields = [
        ("position", "number", "title"),
        "title_cy",
        ("minutes", "minutes_cy"),
        ("exempt", "exempt_reason"),
        "in_questions_record",
        "exempt_reason_cy",
        "lock_version",
    ]
    verbose_name = _("sub-item")
    verbose_name_plural = _("sub-items")


@admin.register(AgendaItem)
class AgendaItemAdmin(ServiceAdmin, WholePageLockAdmin, admin.ModelAdmin):
    form = AgendaItemForm
    list_display = ["__str__", "meeting", "exempt"]
    list_filter = ["exempt", "meeting__board"]
    search_fields = ["title", "minutes", "number"]
    autocomplete_fields = ["meeting", "parent"]
    body_path = "meeting__board__body"
    list_select_related = ["meeting__board"]
    # Newest first, read through the key's index: the items' own order (by position) would
    # sort every item of every meeting for each page of the list.
    ordering = ["-pk"]
    fields = [
        "meeting",
        "parent",
        ("position", "number", "title"),
        "title_cy",
        ("minutes", "minutes_cy"),
        ("exempt", "exempt_reason"),
        "in_questions_record",
        "exempt_reason_cy",
        "lock_version",
    ]
    inlines = [PaperInline, QuestionInline, ItemActionInline, DepartureInline, SubItemInline]

    def save_model(self, request, obj, form, change):
        record.meeting_item_save(item=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        self.bump_if_only_inlines_changed(form, formsets, change)

    def save_formset(self, request, form, formset, change):
        if not save_action_formsets(request, form, formset):
            save_record_formset(request, formset, meeting=form.instance.meeting)

        if formset.model is Paper:
            for paper_form in formset.forms:
                upload = paper_form.cleaned_data.get("upload") if paper_form.is_valid() else None
                if upload and paper_form.instance.pk:
                    paper_attach_pdf(paper=paper_form.instance, data=upload.read(), by=request.user)

    def delete_model(self, request, obj):
        record.meeting_item_delete(item=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for item in queryset:
            record.meeting_item_delete(item=item, by=request.user)


@admin.register(Question)
class QuestionAdmin(EditedOnParentPageAdmin, admin.ModelAdmin):
    """Every question, to search; each is added and edited on its item's page."""

    parent_page = "admin:meetings_agendaitem_change"
    parent_field = "item"

    list_display = ["__str__", "item", "asked_by", "restricted"]
    list_filter = ["restricted", "item__meeting__board"]
    search_fields = ["question", "response"]
    autocomplete_fields = ["item", "responder"]
    list_select_related = ["item__meeting__board"]
