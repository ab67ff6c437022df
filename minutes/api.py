"""The read-only JSON API (version 1) of what is published, in the spirit of OParl.

It shows nothing the public pages do not: meetings as their latest live publication stored them
(never the live record), the passages stored with it, the published PDFs, and the board's
published actions; announced meetings still to come (cancelled ones as cancelled) and the live
published agendas as stored at their publication, with their public papers and agenda pack.
The boards and forthcoming meetings are chosen by the same rules as the public pages'
(minutes.views). Every list is paginated; every object names itself by its URL ("id").
Documented in docs/api.md.
"""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from meetings.models import (
    AgendaPublication,
    Board,
    Meeting,
    Publication,
    PublishedDocument,
    PublishedText,
)
from minutes.models import PublicAction
from minutes.services import meeting_heading
from minutes.views import boards_listed, forthcoming_meetings
from scrutiny.limits import as_id

VERSION = "1"
PAGE_SIZE = 50
OPARL = "https://schema.oparl.org/1.1/"


class ApiView(View):
    """A GET-only JSON view: errors are JSON too, and responses may be read from any site."""

    http_method_names = ["get", "head", "options"]

    def url(self, name: str, **kwargs) -> str:
        return self.request.build_absolute_uri(reverse(f"minutes:api-{name}", kwargs=kwargs))

    def dispatch(self, request, *args, **kwargs):
        try:
            data = super().dispatch(request, *args, **kwargs)
        except Http404:
            data = JsonResponse({"error": "not found"}, status=404)
        if not isinstance(data, JsonResponse):
            return data
        data["Access-Control-Allow-Origin"] = "*"
        data["Cache-Control"] = "public, max-age=300"
        return data

    def page(self, rows, serialise) -> JsonResponse:
        """A page of a list (?page=N, PAGE_SIZE a page), OParl's pagination and links."""
        paginator = Paginator(rows, PAGE_SIZE)
        number = as_id(self.request.GET.get("page", "1"))
        if number is None or not 1 <= number <= paginator.num_pages:
            return JsonResponse(
                {"error": f"page must be a number from 1 to {paginator.num_pages}"}, status=400
            )
        page = paginator.page(number)
        base = self.request.build_absolute_uri(self.request.path)

        def link(n):
            return f"{base}?page={n}"

        links = {"first": link(1), "last": link(paginator.num_pages)}
        if page.has_previous():
            links["prev"] = link(page.previous_page_number())
        if page.has_next():
            links["next"] = link(page.next_page_number())
        return JsonResponse(
            {
                "data": [serialise(row) for row in page.object_list],
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
        return {
            "id": self.url("board-detail", slug=board.slug),
            "type": OPARL + "Organization",
            "name": board.name,
            "body": board.body.name,
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

    def meeting(self, publication: Publication, *, full: bool = False) -> dict:
        meeting = publication.meeting
        data = {
            "id": self.url("meeting-detail", pk=meeting.pk),
            "type": OPARL + "Meeting",
            "name": publication.title,
            "date": publication.held_on.isoformat() if publication.held_on else None,
            "board": self.url("board-detail", slug=meeting.board.slug),
            "version": publication.version,
            "published": publication.published_at.isoformat(),
            "web": self.request.build_absolute_uri(meeting.get_absolute_url()),
        }
        if full:
            data["versionNote"] = publication.note
            data["agendaItem"] = self.items(publication)
            data["auxiliaryFile"] = [self.document(d) for d in publication.documents.all()]
            data["earlierVersions"] = [
                {
                    "version": earlier.version,
                    "published": earlier.published_at.isoformat(),
                    "note": earlier.note,
                    "auxiliaryFile": [self.document(d) for d in earlier.documents.all()],
                }
                for earlier in Publication.objects.live()
                .filter(meeting=meeting, version__lt=publication.version)
                .prefetch_related(Prefetch("documents", PublishedDocument.objects.defer("pdf")))
                .order_by("-version")
            ]
        return data

    def items(self, publication: Publication) -> list[dict]:
        """The agenda as published: items with their minutes, papers and questions."""
        items: list[dict] = []
        for text in publication.texts.order_by("position"):
            if text.kind in (PublishedText.Kind.ITEM, PublishedText.Kind.MINUTES):
                items.append(
                    {
                        "type": OPARL + "AgendaItem",
                        "number": text.number,
                        "name": text.title,
                        "minutes": text.text,
                        "language": text.language,
                        "papers": [],
                        "questions": [],
                    }
                )
            elif items and text.kind == PublishedText.Kind.PAPER:
                items[-1]["papers"].append({"name": text.title, "author": text.text})
            elif items and text.kind == PublishedText.Kind.QUESTION:
                items[-1]["questions"].append(
                    {"number": text.number, "question": text.text, "response": None}
                )
            elif items and items[-1]["questions"] and text.kind == PublishedText.Kind.RESPONSE:
                items[-1]["questions"][-1]["response"] = text.text
        return items

    def document(self, document: PublishedDocument) -> dict:
        return {
            "type": OPARL + "File",
            "name": document.get_kind_display(),
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

    def announced(self, meeting: Meeting) -> dict:
        """A meeting as announced: when, where, whether the public may attend, cancelled."""

        def at(time: datetime.time | None) -> str | None:
            if time is None:
                return None
            moment = datetime.datetime.combine(meeting.held_on, time)
            return timezone.make_aware(moment).isoformat()

        data = {
            "id": self.url("meeting-detail", pk=meeting.pk),
            "type": OPARL + "Meeting",
            "name": meeting_heading(meeting),
            "date": meeting.held_on.isoformat(),
            "start": at(meeting.start_time),
            "end": at(meeting.end_time),
            "location": {"type": OPARL + "Location", "description": meeting.venue}
            if meeting.venue
            else None,
            "public": meeting.is_public,
            "cancelled": meeting.cancelled_at is not None,
            "board": self.url("board-detail", slug=meeting.board.slug),
            "web": self.request.build_absolute_uri(meeting.get_absolute_url()),
        }
        if hasattr(meeting, "has_agenda"):
            data["hasAgenda"] = meeting.has_agenda
        return data

    def agenda(self, agenda: AgendaPublication) -> dict:
        """A published agenda as stored at its publication: its items (an exempt one by title
        only where the board allows it, with its reason), their public papers, and the pack."""
        meeting_id = agenda.meeting_id

        def paper(entry: dict) -> dict:
            data = {"name": entry["title"], "author": entry.get("author", "")}
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
                }
                for item in agenda.items
            ],
            "auxiliaryFile": [],
        }
        if agenda.pack_size:
            url = reverse(
                "minutes:agenda-pack", kwargs={"pk": meeting_id, "version": agenda.version}
            )
            data["auxiliaryFile"].append(
                {
                    "type": OPARL + "File",
                    "name": _("Agenda pack"),
                    "mimeType": "application/pdf",
                    "size": agenda.pack_size,
                    "pageCount": agenda.pack_pages,
                    "sha256Checksum": agenda.pack_sha256,
                    "accessUrl": self.request.build_absolute_uri(url),
                }
            )
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
            lambda entry: {
                "type": "scrutiny:Action",
                "ref": entry.ref,
                "text": entry.text,
                "owners": [
                    {"abbreviation": owner["label"], "title": owner["title"]}
                    for owner in entry.owners
                ],
                "dueDate": entry.due_on.isoformat() if entry.due_on else None,
                "status": entry.action.status,
                "statusLabel": str(entry.action.get_status_display()),
                "latestProgress": entry.progress,
                "board": self.url("board-detail", slug=board.slug),
            },
        )
