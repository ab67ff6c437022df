"""Atom feeds of what a body or a board publishes: minutes, corrections and agendas, in English
or in Welsh (feed.cy.atom). A Welsh entry names the board and meeting by their Welsh twins; an
entry whose board or meeting has none is given in English, and says so (xml:lang per entry)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from meetings.models import AgendaPublication, Board, Organisation, Publication
from minutes.services import meeting_heading
from scrutiny.languages import in_language
from scrutiny.limits import without_control_characters

FEED_LENGTH = 50


@dataclass
class Entry:
    guid: str
    title: str
    link: str
    published_at: datetime
    description: str
    language: str = "en"


LANGUAGES = ("en", "cy")


def entries(language: str = "en", **filters) -> list[Entry]:
    """The latest live publications (minutes and their corrections) and agendas, in the
    language asked for where the board and meeting have their Welsh names, else in English."""
    minutes = (
        Publication.objects.live()
        .filter(**filters)
        .select_related("meeting__board")
        .defer("minutes_html")
        .order_by("-published_at")[:FEED_LENGTH]
    )
    agendas = (
        AgendaPublication.objects.live()
        .filter(**filters)
        .select_related("meeting__board")
        .defer("pack", "items")
        .order_by("-published_at")[:FEED_LENGTH]
    )
    out = []
    for publication in minutes:
        meeting = publication.meeting
        # A correction whose note has no Welsh is given in English, note and all.
        welsh = language == "cy" and bool(meeting.board.name_cy and publication.title_cy)
        note, note_lang = in_language(publication, "note", "cy" if welsh else "en")
        welsh = welsh and not (publication.version > 1 and note_lang)
        with translation.override("cy" if welsh else "en"):
            if publication.version > 1:
                title = _("Correction (version %(n)s): minutes of %(board)s, %(meeting)s")
                description = note
            else:
                title = _("Minutes published: %(board)s, %(meeting)s")
                description = _("The minutes of the meeting are published.")
            names = {
                "n": publication.version,
                "board": meeting.board.name_cy if welsh else meeting.board.name,
                "meeting": publication.title_cy if welsh else publication.title,
            }
            out.append(
                Entry(
                    guid=f"minutes-{meeting.pk}-v{publication.version}",
                    title=title % names,
                    link=_page(meeting, language) + f"#v{publication.version}",
                    published_at=publication.published_at,
                    description=description,
                    language="cy" if welsh else "en",
                )
            )
    for agenda in agendas:
        meeting = agenda.meeting
        welsh = language == "cy" and bool(meeting.board.name_cy)
        welsh = welsh and bool(meeting.title_cy or not meeting.title)
        with translation.override("cy" if welsh else "en"):
            names = {
                "board": meeting.board.name_cy if welsh else meeting.board.name,
                "meeting": meeting_heading(meeting, "cy" if welsh else "en"),
            }
            out.append(
                Entry(
                    guid=f"agenda-{meeting.pk}-v{agenda.version}",
                    title=_("Agenda published: %(board)s, %(meeting)s") % names,
                    link=_page(meeting, language) + f"#agenda-v{agenda.version}",
                    published_at=agenda.published_at,
                    description=_("The agenda and papers of the meeting are published."),
                    language="cy" if welsh else "en",
                )
            )
    out.sort(key=lambda entry: entry.published_at, reverse=True)
    return out[:FEED_LENGTH]


class PrintableAtom1Feed(Atom1Feed):
    """An Atom feed that writes a control character pasted into a title or note (which XML 1.0
    cannot carry) as a space, rather than failing."""

    def __init__(self, title, link, description, **kwargs):
        kwargs = {k: _printable(v) for k, v in kwargs.items()}
        super().__init__(_printable(title), link, _printable(description), **kwargs)

    def add_item(self, title, link, description, **kwargs):
        super().add_item(_printable(title), link, _printable(description), **kwargs)


def _printable(value):
    return without_control_characters(value) if isinstance(value, str) else value


def _page(meeting, language: str) -> str:
    """The meeting's page in the feed's language (even for an entry given in English)."""
    with translation.override(language):
        return meeting.get_absolute_url()


class EntryLanguageFeed(PrintableAtom1Feed):
    """Atom with each entry's own xml:lang."""

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": item["entry_language"]}


class PublicationsFeed(Feed):
    feed_type = EntryLanguageFeed

    def __call__(self, request, *args, language="en", **kwargs):
        if language not in LANGUAGES:
            raise Http404
        with translation.override(language):
            return super().__call__(request, *args, **kwargs)

    def item_extra_kwargs(self, item: Entry) -> dict:
        return {"entry_language": item.language}

    def item_title(self, item: Entry) -> str:
        return item.title

    def item_description(self, item: Entry) -> str:
        return item.description

    def item_link(self, item: Entry) -> str:
        return item.link

    def item_guid(self, item: Entry) -> str:
        return item.guid

    item_guid_is_permalink = False

    def item_pubdate(self, item: Entry) -> datetime:
        return item.published_at

    def item_updateddate(self, item: Entry) -> datetime:
        return item.published_at


class BoardFeed(PublicationsFeed):
    def get_object(self, request, slug):
        from minutes.views import boards_listed

        return get_object_or_404(boards_listed(request.user).select_related("body"), slug=slug)

    def title(self, obj: Board) -> str:
        return _("%(board)s: new publications") % {
            "board": in_language(obj, "name", translation.get_language())[0]
        }

    def subtitle(self, obj: Board) -> str:
        return obj.body.shown_name

    def link(self, obj: Board) -> str:
        return obj.get_absolute_url()  # in the feed's language

    def items(self, obj: Board) -> list[Entry]:
        return entries(translation.get_language(), meeting__board=obj)


class BodyFeed(PublicationsFeed):
    def get_object(self, request, body):
        return get_object_or_404(Organisation, parent=None, slug=body)

    def title(self, obj: Organisation) -> str:
        return _("%(body)s: new publications") % {"body": obj.shown_name}

    def subtitle(self, obj: Organisation) -> str:
        return _("Minutes, corrections and agendas of the boards.")

    def link(self, obj: Organisation) -> str:
        return reverse("minutes:body-home", kwargs={"body": obj.slug})

    def items(self, obj: Organisation) -> list[Entry]:
        return entries(translation.get_language(), meeting__board__body=obj)
