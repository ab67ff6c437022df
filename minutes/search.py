"""Search: the public finds what was published, as published; staff also find the live record.

The public searches PublishedText, the passages stored at publication from the public content
(minutes_content with public=True), so nothing exempt, restricted, draft or withdrawn is there to
be found: only live publications, and of each meeting only its latest live version, are searched.
Staff who may see the full record search the live agenda items, questions and papers of every
meeting, and, with the register's permission, the actions.

On PostgreSQL: full-text search with a configuration per language (English is stemmed; Welsh,
which PostgreSQL cannot stem, is read word for word by 'simple'), websearch_to_tsquery, ranking
and highlighted snippets; the published texts have a GIN index per language (see migration
meetings 0003). On SQLite: every word must appear, ranked by how often they do.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
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

# Language of a text -> PostgreSQL text-search configuration. A language added here needs its
# partial GIN index too (a migration like meetings 0003).
SEARCH_CONFIGS = {"en": "english", "cy": "simple"}
MAX_QUERY = 200
MAX_RESULTS = 200
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


def search_vector(config: str, title: str = "title", text: str = "text") -> SearchVector:
    """The vector of a passage; for PublishedText, identical to its GIN indexes' expression."""
    return SearchVector(title, weight="A", config=config) + SearchVector(
        text, weight="B", config=config
    )


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def clean_query(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY]


def published_texts(content: MinutesContent, actions: list[dict]) -> list[PublishedText]:
    """The passages of public minutes to store with a publication (unsaved, in reading order)."""
    assert content.public, "only public content is ever stored for the public to search"
    rows: list[PublishedText] = []

    def add(kind, number, title, text):
        rows.append(
            PublishedText(
                kind=kind, position=len(rows), number=number or "", title=title, text=text
            )
        )

    def walk(nodes):
        for node in nodes:
            item = node.item
            if node.withheld:
                title = item.title if node.show_title else _("Exempt item")
                add(PublishedText.Kind.ITEM, item.number, title, item.exempt_reason)
                continue
            add(PublishedText.Kind.ITEM, item.number, item.title, "\n\n".join(node.paragraphs))
            for paper in node.papers:
                add(PublishedText.Kind.PAPER, item.number, paper.title, paper.author)
            for q in node.questions:
                add(PublishedText.Kind.QUESTION, q.number, item.title, q.question)
                if not q.awaiting:
                    add(PublishedText.Kind.RESPONSE, q.number, item.title, q.response)
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


def public_texts() -> QuerySet[PublishedText]:
    """Passages of the latest live version of each published meeting."""
    latest = (
        Publication.objects.live()
        .filter(meeting=OuterRef("publication__meeting"))
        .order_by("-version")
        .values("version")[:1]
    )
    return PublishedText.objects.filter(
        publication__withdrawn_at=None, publication__version=Subquery(latest)
    )


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


def matches(
    queryset: QuerySet, query: str, *, language: str = "en", title="title", text="text"
) -> list:
    """The rows of a queryset whose passage (title and text: field names or paths) matches,
    best first, each with .rank and .snippet (escaped, with the matches in <mark>)."""
    if is_postgres():
        config = SEARCH_CONFIGS[language]
        tsquery = SearchQuery(query, search_type="websearch", config=config)
        rows = list(
            queryset.annotate(
                search=search_vector(config, title, text),
                rank=SearchRank(search_vector(config, title, text), tsquery),
                headline=SearchHeadline(
                    Concat(
                        Coalesce(F(title), Value(""), output_field=TextField()),
                        Value(" – "),
                        Coalesce(F(text), Value(""), output_field=TextField()),
                        output_field=TextField(),
                    ),
                    tsquery,
                    config=config,
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .filter(search=tsquery)
            .order_by("-rank", "pk")[:MAX_RESULTS]
        )
        for row in rows:
            row.snippet = _marked(row.headline)
        return rows
    terms = _terms(query)
    if not terms:
        return []
    queryset = queryset.annotate(
        match_title=Coalesce(F(title), Value(""), output_field=TextField()),
        match_text=Coalesce(F(text), Value(""), output_field=TextField()),
    )
    condition = Q()
    for term in terms:
        condition &= Q(match_title__icontains=term) | Q(match_text__icontains=term)
    rows = list(queryset.filter(condition).order_by("pk")[: MAX_RESULTS * 5])
    for row in rows:
        haystack = f"{row.match_title} {row.match_title} {row.match_text}".lower()
        row.rank = float(sum(haystack.count(t.lower()) for t in terms))
        row.snippet = _fallback_snippet(f"{row.match_title} – {row.match_text}", terms)
    rows.sort(key=lambda r: (-r.rank, r.pk))
    return rows[:MAX_RESULTS]


# --- What each reader searches --------------------------------------------------------------


def _agenda_results(query: str) -> list[Result]:
    """Items and papers of the live published agendas, as published. Agendas are few and short,
    so their words are matched in Python, as on SQLite (no stemming) on either database."""
    terms = _terms(query)
    if not terms:
        return []
    results = []
    agendas = AgendaPublication.objects.live().select_related("meeting__board").defer("pack")
    for agenda in agendas:
        meeting = agenda.meeting
        when = date_format(meeting.held_on, "j F Y")
        context = f"{meeting.board.name}, {_('agenda of %(date)s') % {'date': when}}"
        for item in agenda.items:
            passages = [("item", f"{item['number']} {item['title']}".strip(), item["reason"])]
            passages += [("paper", p["title"], p.get("author", "")) for p in item["papers"]]
            for kind, title, text in passages:
                haystack = f"{title} {text}".lower()
                if all(term.lower() in haystack for term in terms):
                    results.append(
                        Result(
                            kind=kind,
                            kind_label=str(PublishedText.Kind(kind).label),
                            title=title,
                            snippet=_fallback_snippet(
                                f"{title} – {text}" if text else title, terms
                            ),
                            url=meeting.get_absolute_url(),
                            context=context,
                            rank=float(sum(haystack.count(t.lower()) for t in terms)),
                        )
                    )
    return results


def _public_results(query: str) -> list[Result]:
    results = _agenda_results(query)
    texts = public_texts().select_related("publication__meeting__board")
    for language in SEARCH_CONFIGS:
        for row in matches(texts.filter(language=language), query, language=language):
            meeting = row.publication.meeting
            if row.kind == PublishedText.Kind.ACTION:
                url = reverse("minutes:board-actions", kwargs={"slug": meeting.board.slug})
            else:
                url = meeting.get_absolute_url()
            title = f"{row.number} {row.title}".strip() if row.kind == "item" else row.title
            results.append(
                Result(
                    kind=row.kind,
                    kind_label=str(row.get_kind_display()),
                    title=title or str(row.get_kind_display()),
                    snippet=row.snippet,
                    url=url,
                    context=f"{meeting.board.name}, {row.publication.title}",
                    rank=row.rank,
                )
            )
    return results


@dataclass
class Source:
    """Something staff search in the live record: what it is, and how a match is shown."""

    kind: str
    queryset: QuerySet
    title_field: str
    text_field: str
    title: object  # row -> str
    url: object  # row -> str
    meeting: object  # row -> Meeting or None


def _staff_sources(register: bool) -> list[Source]:
    sources = [
        Source(
            "item",
            AgendaItem.objects.select_related("meeting__board"),
            "title",
            "minutes",
            lambda r: f"{r.number} {r.title}".strip(),
            lambda r: r.meeting.get_absolute_url(),
            lambda r: r.meeting,
        ),
        Source(
            "paper",
            Paper.objects.select_related("item__meeting__board"),
            "title",
            "author",
            lambda r: r.title,
            lambda r: r.item.meeting.get_absolute_url(),
            lambda r: r.item.meeting,
        ),
        Source(
            "question",
            Question.objects.select_related("item__meeting__board"),
            "number",
            "question",
            lambda r: f"{r.number} {r.item.title}".strip(),
            lambda r: r.item.meeting.get_absolute_url(),
            lambda r: r.item.meeting,
        ),
        Source(
            "response",
            Question.objects.select_related("item__meeting__board"),
            "number",
            "response",
            lambda r: f"{r.number} {r.item.title}".strip(),
            lambda r: r.item.meeting.get_absolute_url(),
            lambda r: r.item.meeting,
        ),
    ]
    if register:
        sources.append(
            Source(
                "action",
                Action.objects.select_related("board", "raised_at_meeting"),
                "board__action_prefix",
                "text",
                lambda r: r.ref,
                lambda r: reverse("actions:action-detail", kwargs={"pk": r.pk}),
                lambda r: r.raised_at_meeting,
            )
        )
    return sources


def _staff_results(query: str, *, register: bool) -> list[Result]:
    from minutes.services import meeting_heading

    labels = dict(PublishedText.Kind.choices)
    results = []
    for source in _staff_sources(register):
        for row in matches(
            source.queryset, query, title=source.title_field, text=source.text_field
        ):
            meeting = source.meeting(row)
            context = ""
            if meeting is not None:
                status = meeting.get_status_display()
                context = f"{meeting.board.name}, {meeting_heading(meeting)} ({status})"
            results.append(
                Result(
                    kind=source.kind,
                    kind_label=str(labels[source.kind]),
                    title=source.title(row),
                    snippet=row.snippet,
                    url=source.url(row),
                    context=context,
                    rank=row.rank,
                )
            )
    return results


def search(query: str, user) -> list[Result]:
    """What a user finds for a query, best first: the public record, or the full one for staff."""
    query = clean_query(query)
    if not query:
        return []
    if may_see_full_record(user):
        results = _staff_results(query, register=user.has_perm("actions.view_action"))
    else:
        results = _public_results(query)
    results.sort(key=lambda r: -r.rank)
    return results[:MAX_RESULTS]
