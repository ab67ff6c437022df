"""Search: the public finds what was published, as published; staff also find the live record.

The public searches PublishedText, the passages stored at publication from the public content
(minutes_content with public=True), and AgendaText, those stored with a published agenda, so
nothing exempt, restricted, draft or withdrawn is there to be found: only live publications (of
each meeting only its latest live version) and live agendas are searched. Staff who may see the
full record search the live agenda items, questions and papers of every meeting, and, with the
register's permission, the actions.

A search ranks first and shows later: each source gives the ids and ranks of its best matches,
as deep as the page shown needs (at least FIRST_DEPTH), with how many it matches in all (counted
only when there are more than that), and only
the page of results shown is read in full, with its snippets. Every match counts and can be
paged to.
On PostgreSQL: full-text search with a configuration per language (English is stemmed; Welsh,
which PostgreSQL cannot stem, is read word for word by 'simple'), websearch_to_tsquery, ranking
from the stored, GIN-indexed vectors (scrutiny/fulltext.py) and highlighted snippets. On SQLite:
every word must appear, ranked by how often they do.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from actions.models import Action
from meetings.models import (
    AgendaItem,
    AgendaPublication,
    Paper,
    Publication,
    PublishedText,
    Question,
    may_see_full_record,
)
from minutes.content import MinutesContent
from minutes.models import AgendaText
from scrutiny.fulltext import SEARCH_CONFIGS, stored_vector
from scrutiny.languages import in_language

MAX_QUERY = 200
FIRST_DEPTH = 200
# The results listed for one query: the best 1,000 (50 pages). Each page deeper ranks every
# match again to that depth; a common word matches 179,000 passages at 120,000 actions, and a
# page far down (or one asked for beyond the end) held a worker for over a second.
MAX_RESULTS = 1000
# Highlight markers that cannot occur in stored text: the snippet is escaped, then marked.
_START, _STOP = "\x02", "\x03"


@dataclass
class Result:
    kind: str
    kind_label: str
    title: str
    snippet: SafeString
    url: str
    context: str
    rank: float


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def clean_query(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY]


def published_texts(content: MinutesContent, actions: list[dict]) -> list[PublishedText]:
    """The passages of public minutes to store with a publication (unsaved, in reading order),
    titled in the content's language: in Welsh the Welsh item and paper titles where they
    exist."""
    assert content.public, "only public content is ever stored for the public to search"
    rows: list[PublishedText] = []
    language = content.language

    def title_of(obj) -> str:
        return in_language(obj, "title", language)[0]

    def add(kind, number, title, text):
        rows.append(
            PublishedText(
                kind=kind, position=len(rows), number=number or "", title=title, text=text
            )
        )

    def walk(nodes):
        for node in nodes:
            item = node.item
            title = title_of(item)
            if node.withheld:
                if not node.show_title:
                    with translation.override(language):
                        title = str(_("Exempt item"))
                reason = in_language(item, "exempt_reason", language)[0]
                add(PublishedText.Kind.ITEM, item.number, title, reason)
                continue
            add(PublishedText.Kind.ITEM, item.number, title, "\n\n".join(node.paragraphs))
            for paper in node.papers:
                add(PublishedText.Kind.PAPER, item.number, title_of(paper), paper.author)
            for q in node.questions:
                add(PublishedText.Kind.QUESTION, q.number, title, q.question)
                if not q.awaiting:
                    add(PublishedText.Kind.RESPONSE, q.number, title, q.response)
            walk(node.children)

    walk(content.items)
    for row in actions:
        # Only what the minutes print of an action: its text where they raised it (or the
        # review printed its summary), and the progress minuted in public.
        text = "\n\n".join(
            filter(None, [row.get("text") or row.get("summary"), row.get("progress")])
        )
        if text:
            add(PublishedText.Kind.ACTION, row["ref"], row["ref"], text)
    return rows


# Welsh twins of an agenda's texts, where the published agenda carries them ("title_cy").
AGENDA_LANGUAGES = (("en", ""), ("cy", "_cy"))


def agenda_passages(items: list[dict]) -> list[dict]:
    """The passages of a published agenda (its stored items), in reading order: each item as
    listed (an exempt one with its reason) and each public paper with its author; Welsh ones
    where the agenda has them."""
    rows: list[dict] = []
    for item in items:
        for language, suffix in AGENDA_LANGUAGES:
            title = item.get(f"title{suffix}")
            if title:
                rows.append(
                    {
                        "kind": PublishedText.Kind.ITEM,
                        "number": item.get("number") or "",
                        "title": title,
                        "text": item.get(f"reason{suffix}") or item.get("reason") or "",
                        "language": language,
                    }
                )
            for paper in item.get("papers", []):
                if paper.get(f"title{suffix}"):
                    rows.append(
                        {
                            "kind": PublishedText.Kind.PAPER,
                            "number": item.get("number") or "",
                            "title": paper[f"title{suffix}"],
                            "text": paper.get("author") or "",
                            "language": language,
                        }
                    )
    return rows


def agenda_texts(agenda: AgendaPublication) -> list[AgendaText]:
    """The passages to store with a published agenda (unsaved)."""
    return [
        AgendaText(agenda=agenda, position=position, **passage)
        for position, passage in enumerate(agenda_passages(agenda.items))
    ]


def public_texts() -> QuerySet[PublishedText]:
    """Passages of the latest live version of each published meeting."""
    return PublishedText.objects.filter(publication__in=Publication.objects.current())


def live_agenda_texts() -> QuerySet[AgendaText]:
    """Passages of the live published agendas (a meeting has at most one)."""
    return AgendaText.objects.filter(agenda__withdrawn_at__isnull=True)


# --- Matching ------------------------------------------------------------------------------


def _terms(query: str) -> list[str]:
    """The words of a query for the SQLite fallback: quoted phrases kept whole, operators and
    excluded words (-word) dropped."""
    terms = [phrase for phrase in re.findall(r'"([^"]+)"', query) if phrase.strip()]
    rest = re.sub(r'"[^"]*"', " ", query)
    terms += [word for word in rest.split() if word.lower() not in ("or", "and") and word[0] != "-"]
    return [t.strip() for t in terms if t.strip()]


def _fallback_snippet(text: str, terms: list[str], width: int = 220) -> SafeString:
    lowered = text.lower()
    hits = [lowered.find(t.lower()) for t in terms if lowered.find(t.lower()) >= 0]
    start = max(0, min(hits) - width // 3) if hits else 0
    excerpt = text[start : start + width]
    marked = escape(excerpt)
    for term in sorted(terms, key=len, reverse=True):
        marked = re.sub(
            re.escape(escape(term)), lambda m: f"<mark>{m.group(0)}</mark>", marked, flags=re.I
        )
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(text) else ""
    return mark_safe(prefix + marked + suffix)  # noqa: S308 - escaped above, marks are ours


def _marked(headline: str) -> SafeString:
    escaped = escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(escaped)  # noqa: S308 - escaped above, marks are ours


@dataclass(frozen=True)
class Source:
    """Something searched: its rows, the fields of their passage (an optional title, and a
    text), the stored vector indexing them on PostgreSQL, their language, and how a row is
    shown: show(row) gives its kind, title, address and context."""

    queryset: QuerySet
    title: str | None
    text: str
    show: Callable[[object], tuple[str, str, str, str]]
    column: str = "search_vector"
    language: str = "en"

    def _fields(self, queryset: QuerySet) -> QuerySet:
        """The passage's title and text, as match_title and match_text."""
        title = F(self.title) if self.title else Value("")
        return queryset.annotate(
            match_title=Coalesce(title, Value(""), output_field=TextField()),
            match_text=Coalesce(F(self.text), Value(""), output_field=TextField()),
        )

    def tsquery(self, query: str) -> SearchQuery:
        return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIGS[self.language])

    def matching(self, query: str) -> QuerySet:
        """PostgreSQL: the rows whose stored vector matches, each with its rank."""
        vector = stored_vector(self.queryset.model, self.column)
        tsquery = self.tsquery(query)
        return self.queryset.annotate(found=vector, rank=SearchRank(vector, tsquery)).filter(
            found=tsquery
        )

    def ranked(self, query: str, depth: int) -> tuple[list[tuple[int, float]], int]:
        """The ids and ranks of the best `depth` matches, best first, and how many match."""
        if is_postgres():
            ranked = list(
                self.matching(query).order_by("-rank", "pk").values_list("pk", "rank")[:depth]
            )
            if len(ranked) < depth:
                return ranked, len(ranked)
            # Counted apart only when there are more: a count on the ranking query (a window)
            # would make it carry every matching row to the sort, twice as slow.
            vector = stored_vector(self.queryset.model, self.column)
            matches = self.queryset.annotate(found=vector).filter(found=self.tsquery(query))
            return ranked, matches.order_by().count()
        terms = _terms(query)
        if not terms:
            return [], 0
        condition = Q()
        for term in terms:
            condition &= Q(match_title__icontains=term) | Q(match_text__icontains=term)
        rows = (
            self._fields(self.queryset)
            .filter(condition)
            .values_list("pk", "match_title", "match_text")
        )
        ranked = []
        for pk, title, text in rows:
            haystack = f"{title} {title} {text}".lower()
            ranked.append((pk, float(sum(haystack.count(t.lower()) for t in terms))))
        ranked.sort(key=lambda hit: (-hit[1], hit[0]))
        return ranked[:depth], len(ranked)

    def snippets(self, pks: list[int], query: str) -> dict[int, tuple[object, SafeString]]:
        """These rows, each with its snippet: escaped, with the words found in <mark>."""
        rows = self._fields(self.queryset.filter(pk__in=pks))
        if is_postgres():
            passage = (
                Concat(F("match_title"), Value(" – "), F("match_text"), output_field=TextField())
                if self.title
                else F("match_text")
            )
            rows = rows.annotate(
                headline=SearchHeadline(
                    passage,
                    self.tsquery(query),
                    config=SEARCH_CONFIGS[self.language],
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                )
            )
            return {row.pk: (row, _marked(row.headline)) for row in rows}
        terms = _terms(query)
        return {
            row.pk: (
                row,
                _fallback_snippet(
                    f"{row.match_title} – {row.match_text}" if self.title else row.match_text,
                    terms,
                ),
            )
            for row in rows
        }


class Found:
    """What a search found, best first: every source ranked as deep as the slice shown needs
    (a page deep in the results asks each source for that many), with the number of all the
    matches; the results themselves (with their snippets) are read only for the slice shown."""

    def __init__(self, sources: list[Source], query: str, *, depth: int = FIRST_DEPTH):
        self.sources = sources
        self.query = query
        self.depth = 0
        self.total = 0
        self.hits: list[tuple[float, int, int]] = []
        # Ranked once, as deep as the page asked for needs (never more than MAX_RESULTS).
        self._rank(min(max(depth, FIRST_DEPTH), MAX_RESULTS))

    def _rank(self, depth: int) -> None:
        """Rank every source to `depth` (at least), unless it already is or has no more."""
        if depth <= self.depth or len(self.hits) >= self.total > 0:
            return
        hits, total = [], 0
        for n, source in enumerate(self.sources):
            ranked, matches = source.ranked(self.query, depth)
            hits += [(rank, n, pk) for pk, rank in ranked]
            total += matches
        hits.sort(key=lambda hit: (-hit[0], hit[1], hit[2]))
        self.depth, self.total, self.hits = depth, total, hits[:depth]

    @property
    def matched(self) -> int:
        """How many passages match, of which at most MAX_RESULTS are listed."""
        return self.total

    def __len__(self) -> int:
        """The results listed: the best MAX_RESULTS at most."""
        return min(self.total, MAX_RESULTS)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        stop = len(self) if index.stop is None else min(index.stop, len(self))
        index = slice(index.start, stop)
        if stop > self.depth:
            self._rank(min(max(stop, 2 * self.depth), MAX_RESULTS))
        chosen = self.hits[index]
        wanted = defaultdict(list)
        for _rank, n, pk in chosen:
            wanted[n].append(pk)
        shown = {}
        for n, pks in wanted.items():
            for pk, (row, snippet) in self.sources[n].snippets(pks, self.query).items():
                shown[n, pk] = (row, snippet)
        results = []
        for rank, n, pk in chosen:
            if (n, pk) not in shown:  # gone between ranking and showing
                continue
            row, snippet = shown[n, pk]
            kind, title, url, context = self.sources[n].show(row)
            label = str(PublishedText.Kind(kind).label)
            results.append(
                Result(
                    kind=kind,
                    kind_label=label,
                    title=title or label,
                    snippet=snippet,
                    url=url,
                    context=context,
                    rank=rank,
                )
            )
        return results

    def __iter__(self):
        return iter(self[:])


# --- What each reader searches --------------------------------------------------------------


def _passage_title(row) -> str:
    return f"{row.number} {row.title}".strip() if row.kind == PublishedText.Kind.ITEM else row.title


def _show_published(row) -> tuple[str, str, str, str]:
    meeting = row.publication.meeting
    if row.kind == PublishedText.Kind.ACTION:
        url = reverse("minutes:board-actions", kwargs={"slug": meeting.board.slug})
    else:
        url = meeting.get_absolute_url()
    welsh = translation.get_language() == "cy"
    title = (row.publication.title_cy if welsh else "") or row.publication.title
    context = f"{_board_name(meeting.board)}, {title}"
    return row.kind, _passage_title(row), url, context


def _board_name(board) -> str:
    """A board as the reader's language names it (in Welsh its Welsh name, where it has one)."""
    return in_language(board, "name", translation.get_language())[0]


def _show_agenda(row) -> tuple[str, str, str, str]:
    meeting = row.agenda.meeting
    when = date_format(meeting.held_on, "j F Y")
    agenda = _("agenda of %(date)s") % {"date": when}
    context = f"{_board_name(meeting.board)}, {agenda}"
    return row.kind, _passage_title(row), meeting.get_absolute_url(), context


def _public_sources() -> list[Source]:
    # Only what a result shows of its publication: not the stored minutes and actions.
    published = (
        public_texts()
        .select_related("publication__meeting__board")
        .defer("publication__minutes_html", "publication__minutes_html_cy", "publication__actions")
    )
    agendas = (
        live_agenda_texts()
        .select_related("agenda__meeting__board")
        .defer("agenda__pack", "agenda__pack_cy", "agenda__items")
    )
    sources = []
    for language in SEARCH_CONFIGS:
        sources += [
            Source(
                published.filter(language=language),
                "title",
                "text",
                _show_published,
                language=language,
            ),
            Source(
                agendas.filter(language=language), "title", "text", _show_agenda, language=language
            ),
        ]
    return sources


def _staff_context(meeting) -> str:
    from minutes.services import meeting_heading

    if meeting is None:
        return ""
    status = meeting.get_status_display()
    return f"{meeting.board.name}, {meeting_heading(meeting)} ({status})"


def _show_item(row):
    title = f"{row.number} {row.title}".strip()
    return "item", title, row.meeting.get_absolute_url(), _staff_context(row.meeting)


def _show_paper(row):
    meeting = row.item.meeting
    return "paper", row.title, meeting.get_absolute_url(), _staff_context(meeting)


def _show_question(kind):
    def show(row):
        meeting = row.item.meeting
        title = f"{row.number} {row.item.title}".strip()
        return kind, title, meeting.get_absolute_url(), _staff_context(meeting)

    return show


def _show_action(row):
    url = reverse("actions:action-detail", kwargs={"pk": row.pk})
    return "action", row.ref, url, _staff_context(row.raised_at_meeting)


def _staff_sources(register: bool) -> list[Source]:
    questions = Question.objects.select_related("item__meeting__board")
    sources = [
        Source(AgendaItem.objects.select_related("meeting__board"), "title", "minutes", _show_item),
        Source(
            Paper.objects.select_related("item__meeting__board"), "title", "author", _show_paper
        ),
        Source(
            questions, "number", "question", _show_question("question"), column="search_question"
        ),
        Source(
            questions, "number", "response", _show_question("response"), column="search_response"
        ),
    ]
    if register:
        sources.append(
            Source(
                Action.objects.select_related("board", "raised_at_meeting__board"),
                None,
                "text",
                _show_action,
            )
        )
    return sources


def search(query: str, user, *, depth: int = FIRST_DEPTH) -> Found:
    """What a user finds for a query, best first: the public record, or the full one for staff.
    Slice it (a paginator does) to read the results; `depth`, the results the page shown needs,
    ranks them in one pass."""
    query = clean_query(query)
    if not query:
        return Found([], query)
    if may_see_full_record(user):
        sources = _staff_sources(register=user.has_perm("actions.view_action"))
    else:
        sources = _public_sources()
    return Found(sources, query, depth=depth)
