import datetime
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView, View

from actions.models import ActionStatus
from meetings.models import (
    HEX_COLOUR,
    AgendaItem,
    AgendaPublication,
    Attendance,
    Board,
    Departure,
    Meeting,
    Organisation,
    Paper,
    PaperFile,
    Publication,
    PublishedDocument,
    Question,
    may_see_full_record,
    split_paragraphs,
)
from minutes import calendar, search, services
from minutes.documents import (
    agenda_in_language,
    agenda_only_in_english,
    has_questions_document,
    minutes_fragment,
)
from minutes.models import DocumentPreview, PublicAction
from scrutiny import audit, public_cache
from scrutiny.languages import in_language


def listed_meetings(user):
    """Meetings as a listing shows them: the public sees each one as last published."""
    visible = Meeting.objects.visible_to(user)
    if may_see_full_record(user):
        return visible
    latest = Publication.objects.live().filter(meeting=OuterRef("pk")).order_by("-version")
    return visible.annotate(
        public_title=Subquery(latest.values("title")[:1]),
        public_title_cy=Subquery(latest.values("title_cy")[:1]),
    )


def boards_listed(user):
    """Boards as the public lists them: only those that have published something (minutes, an
    agenda or an announced meeting); staff see every board."""
    boards = Board.objects.select_related("body").defer("body__logo")
    if may_see_full_record(user):
        return boards
    here = OuterRef("pk")
    return boards.filter(
        Exists(Publication.objects.live().filter(meeting__board=here))
        | Exists(Meeting.objects.announced().filter(board=here))
    )


def forthcoming_meetings(**filters):
    """Announced meetings still to come, soonest first, with whether an agenda is published."""
    return (
        Meeting.objects.forthcoming(timezone.localdate())
        .filter(**filters)
        .select_related("board__body")
        .defer("board__body__logo")
        .annotate(
            has_agenda=Exists(AgendaPublication.objects.live().filter(meeting=OuterRef("pk")))
        )
        .order_by("held_on", "start_time", "board__name")
    )


def body_identity(body: Organisation | None) -> dict:
    """The identity the chrome of a body's pages shows (the default one when body is None)."""
    return {"site_body": body if body is not None and body.slug else None}


class VisitorCacheMixin:
    """A visitor's copy of a public page is kept (scrutiny.public_cache) under the record's
    generation: publishing, withdrawing, announcing or editing gives a new one, so the old copy
    is never served again, whichever instance served it. The middleware answers most visitors
    before this view runs; a visitor whose browser carries a session gets the copy here.
    Signed-in users and pages with a message to show are never given or kept a copy."""

    def visitor_copy_allowed(self, response) -> bool:
        return True

    def get(self, request, *args, **kwargs):
        visitor = not request.user.is_authenticated and not len(messages.get_messages(request))
        if visitor and (content := public_cache.cached_content(request)) is not None:
            return HttpResponse(content)
        response = super().get(request, *args, **kwargs)
        if visitor and self.visitor_copy_allowed(response):
            public_cache.keep(response)
        return response


BOARD_CARD_MEETINGS = 5  # the latest meetings each board's card on a home page lists
CARD_PLACES = range(1, BOARD_CARD_MEETINGS + 1)


def board_cards(boards, user) -> None:
    """Give each board (annotated by HomeView with `card_1`… : the keys of the meetings its card
    lists) those meetings as `visible_meetings`, read by key (only them, however many meetings
    there are: at 100 boards a window over every meeting took most of the page's time), and
    its count of meetings with published minutes as `meeting_count` (staff see drafts listed,
    but only published minutes count), both in one query for every board."""
    keys = [getattr(board, f"card_{n}") for board in boards for n in CARD_PLACES]
    # Only what a meeting's row shows (its link, date, titles and status).
    shown = ["board", "held_on", "title", "title_cy", "status"]
    meetings = listed_meetings(user).filter(pk__in=[key for key in keys if key]).only(*shown)
    found = {meeting.pk: meeting for meeting in meetings}
    published = Meeting.objects.published().filter(board__in=[board.pk for board in boards])
    counts = dict(published.order_by().values_list("board").annotate(Count("pk")))
    for board in boards:
        card = (found.get(getattr(board, f"card_{n}")) for n in CARD_PLACES)
        board.visible_meetings = [meeting for meeting in card if meeting is not None]
        board.meeting_count = counts.get(board.pk, 0)


class HomeView(VisitorCacheMixin, ListView):
    """The boards, each with its latest meetings, and the meetings to come."""

    template_name = "meetings/home.html"
    context_object_name = "boards"
    body = None

    def get_context_data(self, **kwargs):
        filters = {"board__body": self.body} if self.body else {}
        boards = list(self.object_list)
        board_cards(boards, self.request.user)
        return super().get_context_data(
            object_list=boards,
            full_record=may_see_full_record(self.request.user),
            forthcoming=forthcoming_meetings(**filters),
            **body_identity(self.body),
            **kwargs,
        )

    def get_queryset(self):
        boards = boards_listed(self.request.user)
        if self.body is not None:
            boards = boards.filter(body=self.body)
        card = Meeting.objects.visible_to(self.request.user).filter(board=OuterRef("pk"))
        card = card.order_by("-held_on", "title").values("pk")
        return boards.annotate(
            # The keys of the meetings the board's card lists, latest first (none past its last):
            # the database finds each through the board's index of dates (board_cards).
            **{f"card_{n}": Subquery(card[n - 1 : n]) for n in CARD_PLACES},
        ).order_by("body__name", "name")


class BodyHomeView(HomeView):
    """A body's own home page: its boards and meetings only, in its own identity."""

    template_name = "meetings/body_home.html"

    def dispatch(self, request, *args, **kwargs):
        bodies = Organisation.objects.defer("logo")
        self.body = get_object_or_404(bodies, parent=None, slug=kwargs["body"])
        return super().dispatch(request, *args, **kwargs)


class AccessibilityView(TemplateView):
    """A body's accessibility statement, as it wrote it."""

    template_name = "meetings/accessibility.html"

    def get_context_data(self, **kwargs):
        bodies = Organisation.objects.defer("logo")
        body = get_object_or_404(bodies, parent=None, slug=kwargs.pop("body"))
        # In Welsh its Welsh statement; where it has none, the English, marked as English.
        statement, statement_lang = in_language(body, "accessibility_statement", get_language())
        return super().get_context_data(
            **body_identity(body),
            body=body,
            paragraphs=split_paragraphs(statement),
            paragraphs_lang=statement_lang,
            **kwargs,
        )


class BodyLogoView(View):
    """A body's logo, served by the application (PNG or JPEG only, checked at upload)."""

    def get(self, request, body):
        organisation = get_object_or_404(Organisation, parent=None, slug=body)
        if not organisation.logo or organisation.logo_type not in ("image/png", "image/jpeg"):
            raise Http404
        response = HttpResponse(bytes(organisation.logo), content_type=organisation.logo_type)
        response["Cache-Control"] = "public, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class BodyStyleView(View):
    """A body's colours as a stylesheet (our CSP allows no inline style); the colours are
    validated #rrggbb values, checked for contrast when saved."""

    def get(self, request, body):
        organisation = get_object_or_404(Organisation, parent=None, slug=body)
        colours = {}
        for name in ("header_colour", "header_text_colour", "link_colour"):
            value = getattr(organisation, name)
            # Whatever wrote the row, nothing but a colour reaches the stylesheet.
            ok = HEX_COLOUR.regex.fullmatch(value or "")
            colours[name] = value if ok else Organisation._meta.get_field(name).default
        css = (
            f":root{{--body-header:{colours['header_colour']};"
            f"--body-header-text:{colours['header_text_colour']};"
            f"--bs-link-color:{colours['link_colour']};}}\n"
            ".site-header{background:var(--body-header);}\n"
            ".site-header .nav-link,.site-header .navbar-brand{color:var(--body-header-text);}\n"
        )
        response = HttpResponse(css, content_type="text/css; charset=utf-8")
        response["Cache-Control"] = "public, no-cache"
        return response


class BoardDetailView(VisitorCacheMixin, DetailView):
    template_name = "meetings/board_detail.html"
    context_object_name = "board"

    def get_queryset(self):
        return boards_listed(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meetings"] = (
            listed_meetings(self.request.user)
            .filter(board=self.object)
            .order_by("-held_on", "title")
        )
        context["forthcoming"] = forthcoming_meetings(board=self.object)
        context["full_record"] = may_see_full_record(self.request.user)
        context.update(body_identity(self.object.body))
        return context


class MeetingDetailView(VisitorCacheMixin, DetailView):
    """Staff see the live record; everyone else sees the published version, as stored. A
    visitor's copy of a published meeting is kept (VisitorCacheMixin); the page of a meeting
    announced but not yet minuted is drawn each time."""

    context_object_name = "meeting"

    def visitor_copy_allowed(self, response) -> bool:
        return response.template_name == ["meetings/meeting_published.html"]

    def get_object(self, queryset=None):
        user = self.request.user
        visible = Meeting.objects.visible_to(user)
        related = ["board__body"]
        if may_see_full_record(user):
            related += ["chair", "chair_role", "created_by", "approved_by"]
        else:
            # The public pages show none of the people: nothing of theirs is read.
            visible = visible | Meeting.objects.announced()
        queryset = visible.select_related(*related).defer("board__body__logo")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_template_names(self):
        if may_see_full_record(self.request.user):
            return ["meetings/meeting_detail.html"]
        if self.object.publications.live().exists():
            return ["meetings/meeting_published.html"]
        return ["meetings/meeting_forthcoming.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        context.update(body_identity(meeting.board.body))
        context["agenda"] = agenda = (
            AgendaPublication.objects.live()
            .filter(meeting=meeting)
            .defer("pack", "pack_cy")
            .order_by("-version")
            .first()
        )
        if agenda is not None:
            # The agenda in the visitor's language: Welsh where the clerk wrote it, else the
            # English marked as such, and said plainly when none of it is in Welsh.
            context["agenda_items"] = agenda_in_language(agenda.items, get_language())
            context["agenda_only_in_english"] = get_language() == "cy" and agenda_only_in_english(
                agenda.items
            )
        publications = meeting.publications.prefetch_related("documents").order_by("-version")
        if may_see_full_record(self.request.user):
            # Who published and withdrew: staff see it, the public page shows no one.
            publications = publications.select_related("published_by", "withdrawn_by")
        publications = list(publications)
        live = [p for p in publications if p.is_live]
        context["versions"] = live
        language = get_language()
        context["language"] = language
        if may_see_full_record(self.request.user):
            context["minutes_html"] = minutes_fragment(meeting, public=False, language=language)
            context["publications"] = publications
            context["has_questions"] = has_questions_document(meeting)
            context["can_see_actions"] = self.request.user.has_perm("actions.view_action")
            context["audit"] = meeting_audit(meeting)
        elif live:
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
        meeting = document.publication.meeting
        suffix = "" if language == "en" else f"-{language.replace('+', '-')}"
        name = f"{meeting.board.action_prefix}-{meeting.held_on:%Y-%m-%d}-{kind}-v{version}"
        return pdf_response(
            bytes(document.pdf),
            filename=f"{name}{suffix}.pdf",
            etag=f'"{document.sha256}"',
            request=request,
        )


PREVIEW_KINDS = {
    ("minutes", True): _("Minutes, public"),
    ("minutes", False): _("Minutes, full"),
    ("questions", True): _("Questions and responses, public"),
    ("questions", False): _("Questions and responses, full"),
}


class PreviewDocumentView(TemplateView):
    """A document's preview, public or full. Its link (a GET) only leads to the preview of it
    kept (prepared in the last hour), or says there is none; its button (a POST) asks for one,
    prepared in the task queue, and leads to its page, which offers it when it is ready."""

    template_name = "minutes/preview.html"

    def dispatch(self, request, pk, kind, variant):
        if not may_see_full_record(request.user):
            raise Http404
        if kind not in ("minutes", "questions") or variant not in ("public", "full"):
            raise Http404
        self.meeting = get_object_or_404(Meeting, pk=pk)
        self.document = {"kind": kind, "public": variant == "public", "language": get_language()}
        return super().dispatch(request, pk, kind, variant)

    def get(self, request, pk, kind, variant):
        kept = (
            DocumentPreview.objects.filter(
                meeting=self.meeting,
                requested_at__gte=timezone.now() - services.PREVIEW_KEEP,
                **self.document,
            )
            .order_by("-requested_at")
            .values_list("pk", flat=True)
            .first()
        )
        if kept is not None:
            return redirect("minutes:preview-status", pk=pk, token=kept)
        response = super().get(request)
        response["Cache-Control"] = "no-store"
        return response

    def post(self, request, pk, kind, variant):
        preview = services.preview_request(meeting=self.meeting, **self.document, by=request.user)
        return redirect("minutes:preview-status", pk=pk, token=preview.pk)

    def get_context_data(self, **kwargs):
        kind, public = self.document["kind"], self.document["public"]
        return super().get_context_data(
            meeting=self.meeting,
            what=PREVIEW_KINDS[kind, public],
            unasked=True,
            again_url=self.request.path,
            **kwargs,
        )


class PreviewMixin:
    """A preview of this meeting still kept, to staff who may see the full record only."""

    def get_preview(self, request, pk, token, *, with_pdf: bool = False) -> DocumentPreview:
        if not may_see_full_record(request.user):
            raise Http404
        previews = DocumentPreview.objects.select_related("meeting__board__body")
        if not with_pdf:
            previews = previews.defer("pdf")
        return get_object_or_404(
            previews,
            pk=token,
            meeting_id=pk,
            requested_at__gte=timezone.now() - services.PREVIEW_KEEP,
        )


class PreviewStatusView(PreviewMixin, TemplateView):
    """A preview's page: being prepared (it checks again by itself), ready, out of date because
    the meeting changed since, or why it failed."""

    template_name = "minutes/preview.html"

    def get(self, request, pk, token):
        self.preview = self.get_preview(request, pk, token)
        response = super().get(request)
        response["Cache-Control"] = "no-store"
        return response

    def get_context_data(self, **kwargs):
        preview = self.preview
        ready = preview.status == DocumentPreview.Status.READY
        current = ready and services.preview_is_current(preview=preview)
        variant = "public" if preview.public else "full"
        queued = preview.status == DocumentPreview.Status.QUEUED
        waited = timezone.now() - preview.requested_at
        return super().get_context_data(
            preview=preview,
            meeting=preview.meeting,
            what=PREVIEW_KINDS[preview.kind, preview.public],
            queued=queued,
            # No worker has taken it in the time one takes to prepare many: say so, and what to do.
            workers_stopped=queued and waited > services.PREVIEW_WAIT,
            waited_minutes=int(waited.total_seconds() // 60),
            current=current,
            stale=ready and not current,
            failed=preview.status == DocumentPreview.Status.FAILED,
            again_url=reverse(
                "minutes:preview-document", args=[preview.meeting_id, preview.kind, variant]
            ),
            pdf_url=reverse("minutes:preview-pdf", args=[preview.meeting_id, preview.pk]),
            **kwargs,
        )


class PreviewPdfView(PreviewMixin, View):
    """A prepared preview's PDF while it still shows the meeting as it is; otherwise its page,
    which says why not."""

    def get(self, request, pk, token):
        preview = self.get_preview(request, pk, token, with_pdf=True)
        if preview.status != DocumentPreview.Status.READY or not services.preview_is_current(
            preview=preview
        ):
            return redirect("minutes:preview-status", pk=pk, token=preview.pk)
        variant = "public" if preview.public else "full"
        response = HttpResponse(bytes(preview.pdf), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="preview-{preview.kind}-{variant}-'
            f'{preview.meeting.held_on:%Y-%m-%d}.pdf"'
        )
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


def pdf_response(data: bytes, *, filename: str, etag: str, request) -> HttpResponse:
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag, "Cache-Control": "no-cache"})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Length"] = str(len(data))
    response["ETag"] = etag
    # Caches may keep a copy but must ask each time: a withdrawal takes effect at once.
    response["Cache-Control"] = "public, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class PaperView(View):
    """A paper's PDF: to the public only when a live agenda published it and it is still
    public; staff may open any paper of the meeting. Never under a public file address."""

    def get(self, request, pk, file):
        meeting = get_object_or_404(Meeting, pk=pk)
        if may_see_full_record(request.user):
            allowed = Paper.objects.filter(item__meeting=meeting, file_id=file).exists()
            cache = "private, no-store"
        else:
            agenda = (
                AgendaPublication.objects.live()
                .filter(meeting=meeting)
                .defer("pack")
                .order_by("-version")
            )
            agenda = agenda.first()
            allowed = agenda is not None and file in agenda.served_file_ids()
            cache = None
        if not allowed:
            raise Http404
        stored = get_object_or_404(PaperFile, pk=file)
        response = pdf_response(
            bytes(stored.pdf),
            filename=f"{meeting.board.action_prefix}-{meeting.held_on:%Y-%m-%d}-paper-{file}.pdf",
            etag=f'"{stored.sha256}"',
            request=request,
        )
        if cache:
            response["Cache-Control"] = cache
        return response


class AgendaPackView(View):
    """The agenda pack of a live agenda (the agenda, then its public papers)."""

    def get(self, request, pk, version, language="en"):
        # The pack at the plain address is English (or bilingual); the Welsh one ends ".cy.pdf".
        welsh = language == "cy"
        if language not in ("en", "cy"):
            raise Http404
        agenda = AgendaPublication.objects.live().filter(meeting_id=pk, version=version)
        agenda = agenda.filter(**{"pack_cy_size__isnull" if welsh else "pack_size__isnull": False})
        agenda = agenda.select_related("meeting__board").first()
        if agenda is None:
            raise Http404
        meeting = agenda.meeting
        suffix = "-cy" if welsh else "-en-cy" if agenda.pack_language == "en+cy" else ""
        return pdf_response(
            bytes(agenda.pack_cy if welsh else agenda.pack),
            filename=f"{meeting.board.action_prefix}-{meeting.held_on:%Y-%m-%d}-agenda-pack-"
            f"v{version}{suffix}.pdf",
            etag=f'"{agenda.pack_cy_sha256 if welsh else agenda.pack_sha256}"',
            request=request,
        )


class CalendarFeedView(View):
    """Announced meetings (and the next meeting printed in published minutes that nobody
    announced), as iCalendar: a board's, a body's or everyone's."""

    def get(self, request, slug=None, body=None, language="en"):
        """In English, or in Welsh (meetings.cy.ics): see minutes/calendar.py."""
        if language not in ("en", "cy"):
            raise Http404
        with translation.override(language):
            return self.calendar(request, slug, body, language)

    def calendar(self, request, slug, body, language):
        since = timezone.localdate() - datetime.timedelta(days=31)
        meetings = Meeting.objects.announced().filter(held_on__gte=since)
        publications = Publication.objects.current().filter(
            next_meeting_on__gte=timezone.localdate()
        )
        name = gettext("Board meetings")
        if slug is not None:
            board = get_object_or_404(boards_listed(request.user), slug=slug)
            meetings = meetings.filter(board=board)
            publications = publications.filter(meeting__board=board)
            name = in_language(board, "name", language)[0]
        elif body is not None:
            organisation = get_object_or_404(Organisation, parent=None, slug=body)
            meetings = meetings.filter(board__body=organisation)
            publications = publications.filter(meeting__board__body=organisation)
            name = organisation.shown_name
        # The site's own address, not the request's Host: a UID never changes with the way in.
        host = urlsplit(settings.SITE_URL).hostname or "scrutiny"
        events, taken = [], set()
        for meeting in meetings.select_related("board__body").order_by("held_on", "pk"):
            taken.add((meeting.board_id, meeting.held_on))
            url = request.build_absolute_uri(meeting.get_absolute_url())
            events.append(calendar.meeting_event(meeting, host=host, url=url, language=language))
        printed = publications.select_related("meeting__board__body").order_by(
            "next_meeting_on", "-version"
        )
        for publication in printed:
            board = publication.meeting.board
            key = (board.id, publication.next_meeting_on)
            if key in taken:
                continue
            taken.add(key)
            welsh = language == "cy" and bool(board.name_cy and board.body.name_cy)
            events.append(
                calendar.Event(
                    uid=f"next-{board.slug}-{publication.next_meeting_on:%Y%m%d}@{host}",
                    summary=f"{board.name_cy} ({board.body.name_cy})"
                    if welsh
                    else f"{board.name} ({board.body.display_name or board.body.name})",
                    summary_language="cy" if welsh else "en",
                    day=publication.next_meeting_on,
                    start=publication.next_meeting_start,
                    end=None,
                    length_minutes=board.default_length,
                    venue=publication.next_meeting_venue,
                )
            )
        response = HttpResponse(
            calendar.feed(events, name=name), content_type="text/calendar; charset=utf-8"
        )
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


class BoardActionsView(VisitorCacheMixin, ListView):
    """The actions of a board as its live published minutes print them, 50 a page, with the
    latest progress minuted in public: never anything exempt, draft or withdrawn."""

    template_name = "meetings/board_actions.html"
    context_object_name = "actions"
    paginate_by = 50

    def get_queryset(self):
        self.board = get_object_or_404(boards_listed(self.request.user), slug=self.kwargs["slug"])
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
        context = super().get_context_data(
            board=self.board,
            filter=self.filter,
            filter_query=query.urlencode(),
            **body_identity(self.board.body),
            **kwargs,
        )
        # In Welsh, say plainly when a text of the page is shown in English (it has no Welsh).
        context["in_english"] = get_language() == "cy" and any(
            in_language(entry, field, "cy")[1]
            for entry in context["actions"]
            for field in ("text", "progress")
        )
        return context


class SearchView(TemplateView):
    """Search what the reader may see: the published record, or the full one for staff."""

    template_name = "meetings/search.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = search.clean_query(self.request.GET.get("q", ""))
        # Ranked ids only, as deep as the page asked for: the paginator's slice reads the
        # page's results and their snippets.
        try:
            wanted = max(1, int(self.request.GET.get("page", 1)))
        except ValueError:
            wanted = 1
        results = search.search(query, self.request.user, depth=wanted * self.paginate_by)
        page = Paginator(results, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(
            query=query,
            page_obj=page,
            results=page.object_list,
            count=results.matched,
            listed=len(results),
            full_record=may_see_full_record(self.request.user),
        )
        return context
