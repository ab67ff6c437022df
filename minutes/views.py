from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.views.generic import DetailView, ListView, View

from actions.models import Action
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
    return visible.annotate(
        public_title=Subquery(latest.values("title")[:1]),
        public_title_cy=Subquery(latest.values("title_cy")[:1]),
    )


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
        language = get_language()
        context["language"] = language
        if can_see_full_record(self.request.user):
            context["minutes_html"] = minutes_fragment(meeting, public=False, language=language)
            context["publications"] = publications
            context["has_questions"] = has_questions_document(meeting)
            context["can_see_actions"] = self.request.user.has_perm("actions.view_action")
            context["audit"] = meeting_audit(meeting)
        else:
            current = live[0]
            context["current"] = current
            # The Welsh page shows the Welsh minutes as published; where the body published
            # none, the English ones, said plainly and marked as English for screen readers.
            welsh = language == "cy" and bool(current.minutes_html_cy)
            context["published_html"] = current.minutes_html_cy if welsh else current.minutes_html
            context["published_title"] = (
                current.title_cy if welsh and current.title_cy else current.title
            )
            context["only_in_english"] = language == "cy" and not welsh
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

    def get(self, request, pk, version, kind, language="en"):
        document = (
            PublishedDocument.objects.filter(
                publication__meeting_id=pk,
                publication__version=version,
                publication__withdrawn_at__isnull=True,
                kind=kind,
                language=language,
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
        suffix = "" if language == "en" else f"-{language.replace('+', '-')}"
        name = f"{meeting.board.action_prefix}-{meeting.held_on:%Y-%m-%d}-{kind}-v{version}"
        filename = f"{name}{suffix}.pdf"
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
        pdf = render(meeting, public=public, language=get_language())
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


class BoardActionsView(DetailView):
    """The actions of a board as published in its minutes: never anything exempt."""

    model = Board
    template_name = "meetings/board_actions.html"
    context_object_name = "board"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = published_actions(self.object)
        context["today"] = timezone.localdate()
        return context


def published_actions(board: Board) -> list[dict]:
    """Actions as the board's live published minutes print them (never under an exempt item),
    newest meeting's wording first, each with where it stands today."""
    publications = (
        live_publications()
        .filter(meeting__board=board)
        .order_by("-meeting__held_on", "-version")
        .only("meeting_id", "actions", "version")
    )
    rows: dict[int, dict] = {}
    seen_meetings: set[int] = set()
    for publication in publications:
        if publication.meeting_id in seen_meetings:
            continue  # only the latest live version of each meeting counts
        seen_meetings.add(publication.meeting_id)
        for row in publication.actions:
            rows.setdefault(row["id"], dict(row))
    statuses = Action.objects.in_bulk(list(rows))
    out = []
    for action_id, row in rows.items():
        action = statuses.get(action_id)
        row["status"] = action.get_status_display() if action else ""
        row["status_value"] = action.status if action else ""
        row["number"] = action.number if action else 0
        out.append(row)
    return sorted(out, key=lambda r: -r["number"])
