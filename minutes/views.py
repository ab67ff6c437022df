from django import forms
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, View

from actions.models import ActionStatus
from meetings.models import (
    AgendaItem,
    Attendance,
    Board,
    Departure,
    Meeting,
    Paper,
    Publication,
    PublishedDocument,
    Question,
)
from minutes import calendar
from minutes.documents import (
    has_questions_document,
    minutes_fragment,
    render_minutes_pdf,
    render_questions_pdf,
)
from minutes.models import PublicAction
from scrutiny import audit


def can_see_full_record(user) -> bool:
    """Signed-in OPCC staff and members see drafts, exempt items and restricted responses."""
    return user.is_authenticated and user.has_perm("meetings.view_meeting")


def live_publications():
    return Publication.objects.filter(withdrawn_at__isnull=True)


def listed_meetings(user):
    """Meetings as a listing shows them: the public sees each one as last published."""
    visible = Meeting.objects.visible_to(user)
    if can_see_full_record(user):
        return visible
    latest = live_publications().filter(meeting=OuterRef("pk")).order_by("-version")
    return visible.annotate(public_title=Subquery(latest.values("title")[:1]))


class HomeView(ListView):
    """The boards, each with its latest meetings."""

    template_name = "meetings/home.html"
    context_object_name = "boards"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            full_record=can_see_full_record(self.request.user), **kwargs
        )

    def get_queryset(self):
        visible = listed_meetings(self.request.user)
        return (
            Board.objects.select_related("body")
            .annotate(meeting_count=Count("meetings", filter=Q(meetings__in=visible)))
            .prefetch_related(
                Prefetch(
                    "meetings",
                    queryset=visible.order_by("-held_on", "title"),
                    to_attr="visible_meetings",
                )
            )
            .order_by("body__name", "name")
        )


class BoardDetailView(DetailView):
    model = Board
    template_name = "meetings/board_detail.html"
    context_object_name = "board"

    def get_queryset(self):
        return Board.objects.select_related("body")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meetings"] = (
            listed_meetings(self.request.user)
            .filter(board=self.object)
            .order_by("-held_on", "title")
        )
        context["full_record"] = can_see_full_record(self.request.user)
        return context


class MeetingDetailView(DetailView):
    """Staff see the live record; everyone else sees the published version, as stored."""

    context_object_name = "meeting"

    def get_object(self, queryset=None):
        queryset = Meeting.objects.visible_to(self.request.user).select_related(
            "board__body", "chair", "chair_role", "created_by", "approved_by"
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_template_names(self):
        if can_see_full_record(self.request.user):
            return ["meetings/meeting_detail.html"]
        return ["meetings/meeting_published.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        publications = list(
            meeting.publications.prefetch_related("documents")
            .select_related("published_by", "withdrawn_by")
            .order_by("-version")
        )
        live = [p for p in publications if p.is_live]
        context["versions"] = live
        if can_see_full_record(self.request.user):
            context["minutes_html"] = minutes_fragment(meeting, public=False)
            context["publications"] = publications
            context["has_questions"] = has_questions_document(meeting)
            context["can_see_actions"] = self.request.user.has_perm("actions.view_action")
            context["audit"] = meeting_audit(meeting)
        else:
            context["current"] = live[0]
        return context


def meeting_audit(meeting: Meeting):
    item_ids = list(meeting.items.values_list("pk", flat=True))
    return audit.entries(
        Meeting.history.filter(id=meeting.pk),
        Attendance.history.filter(meeting_id=meeting.pk),
        AgendaItem.history.filter(meeting_id=meeting.pk),
        Question.history.filter(item_id__in=item_ids),
        Paper.history.filter(item_id__in=item_ids),
        Departure.history.filter(item_id__in=item_ids),
    )


class PublishedDocumentView(View):
    """A stored PDF, served as it was published; withdrawn ones are gone."""

    def get(self, request, pk, version, kind):
        document = (
            PublishedDocument.objects.filter(
                publication__meeting_id=pk,
                publication__version=version,
                publication__withdrawn_at__isnull=True,
                kind=kind,
            )
            .select_related("publication__meeting__board")
            .first()
        )
        if document is None:
            raise Http404
        etag = f'"{document.sha256}"'
        if request.headers.get("If-None-Match") == etag:
            return HttpResponseNotModified(headers={"ETag": etag, "Cache-Control": "no-cache"})
        meeting = document.publication.meeting
        filename = f"{meeting.board.action_prefix}-{meeting.held_on:%Y-%m-%d}-{kind}-v{version}.pdf"
        response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        response["Content-Length"] = str(document.size)
        response["ETag"] = etag
        # Caches may keep a copy but must ask each time: a withdrawal takes effect at once.
        response["Cache-Control"] = "public, no-cache"
        return response


class PreviewDocumentView(View):
    """Staff render a document now, to check it: public or full, never stored."""

    def get(self, request, pk, kind, variant):
        if not can_see_full_record(request.user):
            raise Http404
        meeting = get_object_or_404(Meeting.objects.select_related("board__body"), pk=pk)
        if kind not in ("minutes", "questions") or variant not in ("public", "full"):
            raise Http404
        public = variant == "public"
        render = render_minutes_pdf if kind == "minutes" else render_questions_pdf
        pdf = render(meeting, public=public)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="preview-{kind}-{variant}-{meeting.held_on:%Y-%m-%d}.pdf"'
        )
        response["Cache-Control"] = "no-store"
        return response


class CalendarFeedView(View):
    """Upcoming meetings as announced in published minutes, as iCalendar."""

    def get(self, request, slug=None):
        today = timezone.localdate()
        publications = (
            live_publications()
            .filter(next_meeting_on__gte=today)
            .select_related("meeting__board__body")
            .order_by("next_meeting_on", "-version")
        )
        if slug is not None:
            board = get_object_or_404(Board, slug=slug)
            publications = publications.filter(meeting__board=board)
        events = {}
        for publication in publications:
            key = (publication.meeting.board_id, publication.next_meeting_on)
            events.setdefault(key, publication)
        body = calendar.feed(events.values(), host=request.get_host())
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="meetings.ics"'
        return response


class BoardActionsFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ActionStatus.choices]
    )
    year = forms.TypedChoiceField(label=_("Year raised"), required=False, coerce=int)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Any year"))] + [(y, str(y)) for y in years]


class BoardActionsView(ListView):
    """The actions of a board as its live published minutes print them, 50 a page, with the
    latest progress minuted in public: never anything exempt, draft or withdrawn."""

    template_name = "meetings/board_actions.html"
    context_object_name = "actions"
    paginate_by = 50

    def get_queryset(self):
        self.board = get_object_or_404(Board, slug=self.kwargs["slug"])
        entries = PublicAction.objects.filter(board=self.board)
        years = sorted(set(entries.values_list("year", flat=True)), reverse=True)
        self.filter = BoardActionsFilter(self.request.GET or None, years=years)
        if self.filter.is_valid():
            if status := self.filter.cleaned_data["status"]:
                entries = entries.filter(action__status=status)
            if year := self.filter.cleaned_data["year"]:
                entries = entries.filter(year=year)
        return entries.select_related("action", "raised_at_meeting", "progress_meeting").order_by(
            "-number"
        )

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            board=self.board,
            filter=self.filter,
            filter_query=query.urlencode(),
            **kwargs,
        )
