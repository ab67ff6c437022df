"""The read-only JSON API (version 1) of what is published, in the spirit of OParl.

It shows nothing the public pages do not: meetings as their latest live publication stored them
(never the live record), the passages stored with it, the published PDFs, and the board's
published actions; announced meetings still to come (cancelled ones as cancelled) and the live
published agendas as stored at their publication, with their public papers and agenda pack.
The boards and forthcoming meetings are chosen by the same rules as the public pages'
(minutes.views). Every list is paginated; every object names itself by its URL ("id").
In Welsh (`?lang=cy`, or Accept-Language: cy) every text is its Welsh twin where one was
published, else the English, and each object says which language each of its texts is in
("textLanguage"). Documented in docs/api.md.
"""

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views import View

from meetings.models import (
    AgendaPublication,
    Board,
    Meeting,
    Publication,
    PublishedDocument,
    PublishedText,
)
from minutes.calendar import meeting_times
from minutes.documents import agenda_in_language
from minutes.models import PublicAction
from minutes.services import meeting_heading
from minutes.views import boards_listed, forthcoming_meetings
from scrutiny.languages import in_language
from scrutiny.limits import as_id

VERSION = "1"
PAGE_SIZE = 50
OPARL = "https://schema.oparl.org/1.1/"
LANGUAGES = ("en", "cy")


def requested_language(request) -> str | None:
    """The language asked for: ?lang=, else the first of ours in Accept-Language, else English;
    None for a ?lang= we do not answer in."""
    if "lang" in request.GET:
        language = request.GET["lang"]
        return language if language in LANGUAGES else None
    for tag, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if tag.split("-")[0].lower() in LANGUAGES:
            return tag.split("-")[0].lower()
    return "en"


class ApiView(View):
    """A GET-only JSON view: errors are JSON too, and responses may be read from any site."""

    http_method_names = ["get", "head", "options"]

    def url(self, name: str, **kwargs) -> str:
        return self.request.build_absolute_uri(reverse(f"minutes:api-{name}", kwargs=kwargs))

    def dispatch(self, request, *args, **kwargs):
        self.language = requested_language(request)
        if self.language is None:
            data = JsonResponse({"error": "lang must be en or cy"}, status=400)
        else:
            try:
                with translation.override(self.language):
                    data = super().dispatch(request, *args, **kwargs)
            except Http404:
                data = JsonResponse({"error": "not found"}, status=404)
        if not isinstance(data, JsonResponse):
            return data
        data["Access-Control-Allow-Origin"] = "*"
        data["Cache-Control"] = "public, max-age=300"
        data["Content-Language"] = self.language or "en"
        patch_vary_headers(data, ["Accept-Language"])
        return data

    def text(self, obj, field: str) -> tuple[str, str]:
        """A text in the answer's language (its Welsh twin, or the English where it has none),
        and the language it is in."""
        text, fallback = in_language(obj, field, self.language)
        return text, fallback or self.language

    def file_order(self, language: str) -> int:
        """Files in the answer's language first, then bilingual ones, then the others."""
        return 0 if language == self.language else 1 if "+" in language else 2

    def page(self, rows, serialise) -> JsonResponse:
        """A page of a list (?page=N, PAGE_SIZE a page), OParl's pagination and links."""
        paginator = Paginator(rows, PAGE_SIZE)
        number = as_id(self.request.GET.get("page", "1"))
        if number is None or not 1 <= number <= paginator.num_pages:
            return JsonResponse(
                {"error": f"page must be a number from 1 to {paginator.num_pages}"}, status=400
            )
        page = paginator.page(number)
        rows = self.prepare(list(page.object_list))
        base = self.request.build_absolute_uri(self.request.path)

        def link(n):
            query = {"page": n}
            if "lang" in self.request.GET:
                query["lang"] = self.language
            return f"{base}?{urlencode(query)}"

        links = {"first": link(1), "last": link(paginator.num_pages)}
        if page.has_previous():
            links["prev"] = link(page.previous_page_number())
        if page.has_next():
            links["next"] = link(page.next_page_number())
        return JsonResponse(
            {
                "data": [serialise(row) for row in rows],
                "pagination": {
                    "totalElements": paginator.count,
                    "elementsPerPage": PAGE_SIZE,
                    "currentPage": page.number,
                    "totalPages": paginator.num_pages,
                },
                "links": links,
            },
            json_dumps_params={"ensure_ascii": False},
        )

    def prepare(self, rows: list) -> list:
        """A page's rows, read once before they are serialised (a list may fetch what its rows
        show in one query here)."""
        return rows

    def agenda(self, agenda: AgendaPublication) -> dict:
        """A published agenda as stored at its publication: its items (an exempt one by title
        only where the board allows it, with its reason), their public papers, and the pack."""
        meeting_id = agenda.meeting_id

        def paper(entry: dict) -> dict:
            data = {
                "name": entry["title"],
                "author": entry.get("author", ""),
                "textLanguage": {"name": entry["title_lang"] or self.language},
            }
            if entry.get("file"):
                url = reverse("minutes:paper", kwargs={"pk": meeting_id, "file": entry["file"]})
                data["file"] = {
                    "type": OPARL + "File",
                    "mimeType": "application/pdf",
                    "size": entry["size"],
                    "pageCount": entry["pages"],
                    "accessUrl": self.request.build_absolute_uri(url),
                }
            return data

        data = {
            "type": "scrutiny:Agenda",
            "version": agenda.version,
            "published": agenda.published_at.isoformat(),
            "agendaItem": [
                {
                    "type": OPARL + "AgendaItem",
                    "number": item["number"],
                    "name": item["title"],
                    "public": not item["exempt"],
                    "exemptReason": item["reason"] if item["exempt"] else None,
                    "papers": [paper(entry) for entry in item["papers"]],
                    "textLanguage": {"name": item["title_lang"] or self.language}
                    | (
                        {"exemptReason": item["reason_lang"] or self.language}
                        if item["exempt"]
                        else {}
                    ),
                }
                for item in agenda_in_language(agenda.items, self.language)
            ],
            "auxiliaryFile": [],
        }
        packs = []
        if agenda.pack_size:
            url = reverse(
                "minutes:agenda-pack", kwargs={"pk": meeting_id, "version": agenda.version}
            )
            packs.append(
                (agenda.pack_language, agenda.pack_size, agenda.pack_pages, agenda.pack_sha256, url)
            )
        if agenda.pack_cy_size:
            url = reverse(
                "minutes:agenda-pack-language",
                kwargs={"pk": meeting_id, "version": agenda.version, "language": "cy"},
            )
            packs.append(
                ("cy", agenda.pack_cy_size, agenda.pack_cy_pages, agenda.pack_cy_sha256, url)
            )
        for language, size, pages, sha256, url in sorted(
            packs, key=lambda pack: self.file_order(pack[0])
        ):
            data["auxiliaryFile"].append(
                {
                    "type": OPARL + "File",
                    "name": _("Agenda pack"),
                    "language": language,
                    "mimeType": "application/pdf",
                    "size": size,
                    "pageCount": pages,
                    "sha256Checksum": sha256,
                    "accessUrl": self.request.build_absolute_uri(url),
                }
            )
        return data


def live_agendas(meeting_ids) -> dict[int, AgendaPublication]:
    """The live published agenda of each of these meetings (a meeting has at most one)."""
    agendas = (
        AgendaPublication.objects.live()
        .filter(meeting_id__in=meeting_ids)
        .defer("pack", "pack_cy")
        .order_by("meeting_id", "version")
    )
    return {agenda.meeting_id: agenda for agenda in agendas}


def latest_publications():
    """The latest live publication of each published meeting: what its public page shows."""
    return (
        Publication.objects.current().select_related("meeting__board__body").defer("minutes_html")
    )


def public_boards():
    """Boards as the public pages list them: those with published minutes or an announced
    meeting."""
    return boards_listed(AnonymousUser())


class IndexView(ApiView):
    def get(self, request):
        return JsonResponse(
            {
                "id": self.url("index"),
                "type": OPARL + "System",
                "apiVersion": VERSION,
                "language": self.language,
                "languages": list(LANGUAGES),
                "name": "Scrutiny",
                "documentation": request.build_absolute_uri(reverse("home")),
                "boards": self.url("board-list"),
                "meetings": self.url("meeting-list"),
                "forthcoming": self.url("forthcoming-list"),
            }
        )


class BoardListView(ApiView):
    def get(self, request):
        return self.page(public_boards().order_by("body__name", "name"), self.board)

    def board(self, board: Board) -> dict:
        name, name_lang = self.text(board, "name")
        body, body_lang = self.text(board.body, "name")
        return {
            "id": self.url("board-detail", slug=board.slug),
            "type": OPARL + "Organization",
            "name": name,
            "body": body,
            "textLanguage": {"name": name_lang, "body": body_lang},
            "actionPrefix": board.action_prefix,
            "web": self.request.build_absolute_uri(board.get_absolute_url()),
            "meetings": self.url("board-meetings", slug=board.slug),
            "forthcoming": self.url("board-forthcoming", slug=board.slug),
            "actions": self.url("board-actions", slug=board.slug),
        }


class BoardDetailView(BoardListView):
    def get(self, request, slug):
        return JsonResponse(self.board(get_object_or_404(public_boards(), slug=slug)))


class MeetingListView(ApiView):
    def get(self, request, slug=None):
        publications = latest_publications()
        if slug is not None:
            board = get_object_or_404(public_boards(), slug=slug)
            publications = publications.filter(meeting__board=board)
        return self.page(
            publications.order_by("-held_on", "-meeting_id"), lambda p: self.meeting(p)
        )

    def prepare(self, rows: list) -> list:
        self.agendas = live_agendas([row.meeting_id for row in rows])
        return rows

    def meeting(self, publication: Publication, *, full: bool = False) -> dict:
        meeting = publication.meeting
        name, name_lang = self.text(publication, "title")
        data = {
            "id": self.url("meeting-detail", pk=meeting.pk),
            "type": OPARL + "Meeting",
            "language": self.language,
            "name": name,
            "textLanguage": {"name": name_lang},
            "date": publication.held_on.isoformat() if publication.held_on else None,
            "board": self.url("board-detail", slug=meeting.board.slug),
            "version": publication.version,
            "published": publication.published_at.isoformat(),
            "web": self.request.build_absolute_uri(meeting.get_absolute_url()),
        }
        if not full:
            agenda = self.agendas.get(meeting.pk)
            data["agenda"] = self.agenda(agenda) if agenda is not None else None
        if full:
            data["versionNote"], data["textLanguage"]["versionNote"] = self.text(
                publication, "note"
            )
            data["agendaItem"] = self.items(publication)
            data["auxiliaryFile"] = self.documents(publication.documents.all())
            data["earlierVersions"] = [
                {
                    "version": earlier.version,
                    "published": earlier.published_at.isoformat(),
                    "note": (note := self.text(earlier, "note"))[0],
                    "textLanguage": {"note": note[1]},
                    "auxiliaryFile": self.documents(earlier.documents.all()),
                }
                for earlier in Publication.objects.live()
                .filter(meeting=meeting, version__lt=publication.version)
                .prefetch_related(Prefetch("documents", PublishedDocument.objects.defer("pdf")))
                .order_by("-version")
            ]
        return data

    def passages(self, publication: Publication) -> list[tuple[PublishedText, str, str]]:
        """The publication's passages in reading order, each with its title and text in the
        answer's language, and the language each is in. The Welsh passages are stored after
        the English, only where they differ (minutes.services.welsh_passages): each takes the
        place of the English passage of its kind and number (a paper, of its author too)."""
        texts = list(publication.texts.order_by("position"))
        english = [text for text in texts if text.language != "cy"]
        shown = [[text, text.title, text.text, "en", "en"] for text in english]
        if self.language == "cy":
            for welsh in (text for text in texts if text.language == "cy"):
                for row in shown:
                    text = row[0]
                    same = (text.kind, text.number) == (welsh.kind, welsh.number)
                    if text.kind == PublishedText.Kind.PAPER:
                        same = same and text.text == welsh.text
                    if same and row[3] == "en" and row[4] == "en":
                        row[1], row[3] = welsh.title, "cy"
                        if welsh.text:
                            row[2], row[4] = welsh.text, "cy"
                        break
        return [tuple(row) for row in shown]

    def items(self, publication: Publication) -> list[dict]:
        """The agenda as published: items with their minutes, papers and questions."""
        items: list[dict] = []
        for text, title, body, title_lang, body_lang in self.passages(publication):
            if text.kind in (PublishedText.Kind.ITEM, PublishedText.Kind.MINUTES):
                items.append(
                    {
                        "type": OPARL + "AgendaItem",
                        "number": text.number,
                        "name": title,
                        "minutes": body,
                        "language": body_lang,
                        "textLanguage": {"name": title_lang, "minutes": body_lang},
                        "papers": [],
                        "questions": [],
                    }
                )
            elif items and text.kind == PublishedText.Kind.PAPER:
                items[-1]["papers"].append(
                    {"name": title, "author": body, "textLanguage": {"name": title_lang}}
                )
            elif items and text.kind == PublishedText.Kind.QUESTION:
                items[-1]["questions"].append(
                    {
                        "number": text.number,
                        "question": body,
                        "response": None,
                        "textLanguage": {"question": body_lang},
                    }
                )
            elif items and items[-1]["questions"] and text.kind == PublishedText.Kind.RESPONSE:
                items[-1]["questions"][-1]["response"] = body
                items[-1]["questions"][-1]["textLanguage"]["response"] = body_lang
        return items

    def documents(self, documents) -> list[dict]:
        """The PDFs of a publication, those in the answer's language first."""
        ordered = sorted(documents, key=lambda document: self.file_order(document.language))
        return [self.document(document) for document in ordered]

    def document(self, document: PublishedDocument) -> dict:
        return {
            "type": OPARL + "File",
            "name": document.get_kind_display(),
            "language": document.language,
            "mimeType": "application/pdf",
            "size": document.size,
            "sha256Checksum": document.sha256,
            "accessUrl": self.request.build_absolute_uri(document.get_absolute_url()),
        }


class ForthcomingListView(ApiView):
    """Announced meetings still to come, soonest first, as the public pages list them."""

    def get(self, request, slug=None):
        filters = {}
        if slug is not None:
            filters["board"] = get_object_or_404(public_boards(), slug=slug)
        return self.page(forthcoming_meetings(**filters), self.announced)

    def prepare(self, rows: list) -> list:
        self.agendas = live_agendas([row.pk for row in rows])
        return rows

    def announced(self, meeting: Meeting) -> dict:
        """A meeting as announced: when, where, whether the public may attend, cancelled."""
        start, end = meeting_times(
            meeting.held_on,
            meeting.start_time,
            meeting.end_time,
            length_minutes=meeting.board.default_length,
        )

        venue, venue_lang = self.text(meeting, "venue")
        data = {
            "id": self.url("meeting-detail", pk=meeting.pk),
            "type": OPARL + "Meeting",
            "language": self.language,
            "name": meeting_heading(meeting, self.language),
            "textLanguage": {
                "name": "en"
                if self.language == "cy" and meeting.title and not meeting.title_cy
                else self.language
            },
            "date": meeting.held_on.isoformat(),
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "location": {
                "type": OPARL + "Location",
                "description": venue,
                "textLanguage": {"description": venue_lang},
            }
            if venue
            else None,
            "public": meeting.is_public,
            "cancelled": meeting.cancelled_at is not None,
            "board": self.url("board-detail", slug=meeting.board.slug),
            "web": self.request.build_absolute_uri(meeting.get_absolute_url()),
        }
        if hasattr(meeting, "has_agenda"):
            data["hasAgenda"] = meeting.has_agenda
            agenda = self.agendas.get(meeting.pk)
            data["agenda"] = self.agenda(agenda) if agenda is not None else None
        return data


class MeetingDetailView(MeetingListView, ForthcomingListView):
    """A meeting as published; before its minutes are, as announced. With its live agenda."""

    def get(self, request, pk):
        publication = (
            latest_publications()
            .prefetch_related(Prefetch("documents", PublishedDocument.objects.defer("pdf")))
            .filter(meeting_id=pk)
            .first()
        )
        if publication is not None:
            data = self.meeting(publication, full=True)
        else:
            announced = Meeting.objects.announced().select_related("board__body")
            data = self.announced(get_object_or_404(announced, pk=pk))
        agenda = (
            AgendaPublication.objects.live()
            .filter(meeting_id=pk)
            .defer("pack")
            .order_by("-version")
            .first()
        )
        data["agenda"] = self.agenda(agenda) if agenda is not None else None
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


class BoardActionsView(ApiView):
    """The board's actions as its published minutes print them, with where each stands."""

    def get(self, request, slug):
        board = get_object_or_404(public_boards(), slug=slug)
        return self.page(
            PublicAction.objects.filter(board=board).select_related("action").order_by("-number"),
            lambda entry: self.action(entry, board),
        )

    def action(self, entry: PublicAction, board: Board) -> dict:
        """An action of the log: its text and progress as the minutes printed them, in Welsh
        where the Welsh minutes printed them."""
        text, text_lang = self.text(entry, "text")
        progress, progress_lang = self.text(entry, "progress")
        return {
            "type": "scrutiny:Action",
            "ref": entry.ref,
            "text": text,
            # The posts' titles are English (a post has no Welsh title).
            "textLanguage": {"text": text_lang, "latestProgress": progress_lang, "owners": "en"},
            "owners": [
                {"abbreviation": owner["label"], "title": owner["title"]} for owner in entry.owners
            ],
            "dueDate": entry.due_on.isoformat() if entry.due_on else None,
            "status": entry.action.status,
            "statusLabel": str(entry.action.get_status_display()),
            "latestProgress": progress,
            "board": self.url("board-detail", slug=board.slug),
        }
