"""The meeting's pages in the secretariat site: a meeting with its attendance, items, questions,
actions and review, and the approval and publication workflow."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from actions.admin import (
    ActionRaisedInline,
    ActionReviewInline,
    ItemActionInline,
    save_action_formsets,
)
from meetings.models import (
    AgendaItem,
    Attendance,
    Departure,
    Meeting,
    Paper,
    Publication,
    Question,
)
from meetings.services import reopen_minutes
from minutes.documents import has_questions_document
from minutes.services import (
    PublicationError,
    meeting_approve,
    meeting_publish,
    meeting_withdraw,
)
from minutes.welsh import untranslated
from scrutiny.admin_locks import EditedOnParentPageAdmin, WholePageLockAdmin
from scrutiny.forms import OptimisticLockMixin
from scrutiny.pdf import RenderError


class MeetingForm(OptimisticLockMixin, forms.ModelForm):
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
        ]


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
            "exempt_reason_cy",
        ]
        widgets = {
            "minutes": forms.Textarea(attrs={"rows": 6, "cols": 100}),
            "minutes_cy": forms.Textarea(attrs={"rows": 6, "cols": 100}),
        }


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person", "role", "organisation"]
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


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    form = AgendaItemForm
    extra = 0
    show_change_link = True
    fields = [
        ("position", "number", "title"),
        "title_cy",
        ("minutes", "minutes_cy"),
        ("exempt", "exempt_reason"),
        "exempt_reason_cy",
        "lock_version",
    ]
    verbose_name = _("agenda item")
    verbose_name_plural = _(
        "agenda items (open an item to add its papers, questions, sub-items and departures)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(parent__isnull=True)


@admin.register(Meeting)
class MeetingAdmin(WholePageLockAdmin, admin.ModelAdmin):
    form = MeetingForm
    list_display = ["held_on", "board", "title", "status_display", "item_count", "updated_at"]
    list_filter = ["status", "board", "board__body"]
    search_fields = ["title", "venue", "board__name", "items__title", "items__minutes"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["board", "chair", "chair_role", "named_roles", "named_people"]
    readonly_fields = [
        "status",
        "created_at",
        "updated_at",
        "created_by",
        "approved_at",
        "approved_by",
        "view_minutes",
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
                    "venue",
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
                    "next_meeting_note",
                ],
                "classes": ["collapse"],
            },
        ),
        (_("Record"), {"fields": [("created_at", "updated_at"), "created_by"]}),
    ]
    inlines = [AttendanceInline, AgendaItemInline, ActionReviewInline, ActionRaisedInline]
    list_select_related = ["board"]

    def get_queryset(self, request):
        live = Publication.objects.filter(meeting=OuterRef("pk"), withdrawn_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                _item_count=Count("items", distinct=True),
                _live_version=Subquery(live.order_by("-version").values("version")[:1]),
            )
        )

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
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if not save_action_formsets(request, form, formset, board_of=lambda m: m.board):
            super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(f.has_changed() for f in formsets)):
            reopen_minutes(request, [form.instance])

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.publications.exists():
            return False  # Nothing published is deleted: withdraw it instead.
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        return [
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
    }

    def workflow_view(self, request, pk, step):
        meeting = get_object_or_404(Meeting.objects.select_related("board"), pk=pk)
        spec = self.WORKFLOW.get(step)
        if spec is None:
            raise PermissionDenied
        if not request.user.has_perm(spec["permission"]):
            raise PermissionDenied
        error, text = "", request.POST.get("text", "")
        if request.method == "POST":
            try:
                if step == "approve":
                    meeting_approve(meeting=meeting, by=request.user)
                    messages.success(request, gettext("The minutes are approved."))
                elif step == "publish":
                    publication = meeting_publish(meeting=meeting, by=request.user, note=text)
                    messages.success(
                        request,
                        gettext("Version %(n)s of the minutes is published.")
                        % {"n": publication.version},
                    )
                else:
                    meeting_withdraw(meeting=meeting, by=request.user, reason=text)
                    messages.success(request, gettext("The minutes are withdrawn."))
                return redirect("admin:meetings_meeting_change", meeting.pk)
            except (PublicationError, RenderError) as exc:
                error = str(exc)
        context = {
            **self.admin_site.each_context(request),
            **spec,
            **self._workflow_facts(meeting),
            "meeting": meeting,
            "step": step,
            "error": error,
            "text": text,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/meetings/meeting/workflow.html", context)

    @staticmethod
    def _workflow_facts(meeting: Meeting) -> dict:
        """What the approver checks before deciding: the record, its previews and what is live."""
        live = list(meeting.publications.filter(withdrawn_at__isnull=True).order_by("version"))
        latest = meeting.publications.order_by("-version").first()
        questions = Question.objects.filter(item__meeting=meeting)
        return {
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
            extra_context = {**(extra_context or {}), **self._workflow_facts(meeting)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj):
        live = obj._live_version
        if obj.status == Meeting.Status.DRAFT and live:
            return gettext("Draft: a correction (version %(n)s is public)") % {"n": live}
        return obj.get_status_display()


class PaperInline(admin.TabularInline):
    model = Paper
    extra = 0
    fields = ["position", "title", "title_cy", "author"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("position", "number", "asked_by"),
        ("question", "question_cy"),
        ("response", "response_cy"),
        ("responder", "restricted"),
    ]
    autocomplete_fields = ["responder"]


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
        "exempt_reason_cy",
        "lock_version",
    ]
    verbose_name = _("sub-item")
    verbose_name_plural = _("sub-items")


@admin.register(AgendaItem)
class AgendaItemAdmin(WholePageLockAdmin, admin.ModelAdmin):
    form = AgendaItemForm
    list_display = ["__str__", "meeting", "exempt"]
    list_filter = ["exempt", "meeting__board"]
    search_fields = ["title", "minutes", "number"]
    autocomplete_fields = ["meeting", "parent"]
    list_select_related = ["meeting__board"]
    fields = [
        "meeting",
        "parent",
        ("position", "number", "title"),
        "title_cy",
        ("minutes", "minutes_cy"),
        ("exempt", "exempt_reason"),
        "exempt_reason_cy",
        "lock_version",
    ]
    inlines = [PaperInline, QuestionInline, ItemActionInline, DepartureInline, SubItemInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.has_changed() or any(f.has_changed() for f in formsets):
            # An item moved to another meeting changes the minutes of both.
            moved_from = form.initial.get("meeting") if "meeting" in form.changed_data else None
            reopen_minutes(
                request, [form.instance.meeting, Meeting.objects.filter(pk=moved_from).first()]
            )

    def delete_model(self, request, obj):
        meeting = obj.meeting
        super().delete_model(request, obj)
        reopen_minutes(request, [meeting])

    def delete_queryset(self, request, queryset):
        meetings = list(Meeting.objects.filter(items__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        reopen_minutes(request, meetings)

    def save_formset(self, request, form, formset, change):
        if save_action_formsets(request, form, formset, board_of=lambda item: item.meeting.board):
            return
        if formset.model is AgendaItem:
            for sub_item in formset.save(commit=False):
                sub_item.meeting = form.instance.meeting
                sub_item.save()
            for deleted in formset.deleted_objects:
                deleted.delete()
            return
        super().save_formset(request, form, formset, change)


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
