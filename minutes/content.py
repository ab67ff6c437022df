"""The content of a meeting's minutes, built once for the page and the documents.

Everything that decides what the public may see is here: an exempt item keeps only its number,
its title where the board allows, and the reason; a restricted response keeps only the fact that
a response was given; actions raised under an exempt item are left out, and where a public item
reviews such an action, only its ref and the progress minuted there are shown.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from actions.models import Action, ActionOwner, ActionUpdate
from meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    Paper,
    Publication,
    Question,
    split_paragraphs,
)
from scrutiny.languages import in_language


@dataclass
class AttendanceGroup:
    heading: str
    entries: list[Attendance]


@dataclass
class ItemView:
    item: AgendaItem
    withheld: bool
    show_title: bool
    paragraphs: list[str] = field(default_factory=list)
    papers: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    reviews: list[ActionUpdate] = field(default_factory=list)
    departures: list = field(default_factory=list)
    children: list["ItemView"] = field(default_factory=list)
    paragraphs_lang: str = ""

    @property
    def review_table(self) -> bool:
        """Reviews printed with the action's summary form a table, as in an "Action Summary"."""
        return any(review.summary for review in self.reviews)

    @property
    def paragraphs_with_actions(self) -> list[tuple[str, list[Action]]]:
        """Each paragraph with the actions it raised (the Action column of Gwent's minutes):
        an action without a paragraph, or with one the minutes do not have, goes by the last."""
        last = len(self.paragraphs)
        raised: dict[int, list[Action]] = {}
        for action in self.actions:
            number = action.paragraph if action.paragraph and action.paragraph <= last else last
            raised.setdefault(number, []).append(action)
        return [(text, raised.get(n, [])) for n, text in enumerate(self.paragraphs, start=1)]

    @property
    def no_comments(self) -> bool:
        """A paper considered without questions is printed as "No comments were raised"."""
        return bool(self.papers) and not self.questions


@dataclass
class QuestionView:
    number: str
    question: str
    asked_by: str
    response: str
    responder: str
    withheld: bool
    awaiting: bool
    question_lang: str = ""  # set when the text is in another language than the document
    response_lang: str = ""


@dataclass
class MinutesContent:
    meeting: Meeting
    public: bool
    language: str
    present: list[AttendanceGroup]
    in_attendance: list[Attendance]
    apologies: list[Attendance]
    absent: list[Attendance]
    items: list[ItemView]
    reviews: list[ActionUpdate]
    new_actions: list[Action]
    # Progress minuted at the meeting under no item: printed in a section of its own.
    unplaced_reviews: list[ActionUpdate] = field(default_factory=list)

    @property
    def has_due_dates(self) -> bool:
        """The action summary has a Due column when any action has a due date."""
        return any(action.due_on for action in self.new_actions)


def _group(entries: list[Attendance]) -> list[AttendanceGroup]:
    groups: dict[str, AttendanceGroup] = {}
    for entry in entries:
        heading = entry.organisation.name if entry.organisation_id else ""
        groups.setdefault(heading, AttendanceGroup(heading, [])).entries.append(entry)
    return list(groups.values())


def minutes_content(meeting: Meeting, *, public: bool, language: str = "en") -> MinutesContent:
    """What the minutes show; with public=True, only what may be published. In Welsh
    (language="cy") each text is its Welsh twin, or the English marked as such where none."""
    return minutes_contents([meeting], public=public, language=language)[0]


def minutes_contents(
    meetings: list[Meeting], *, public: bool, language: str = "en"
) -> list[MinutesContent]:
    """The content of each of these meetings (see minutes_content), read in one set of queries
    for them all: what each shows is decided by the same rules, one meeting at a time. An
    action reviewed at several of them is read once (its text, board, owners and raising item
    are only read here, never changed)."""
    by_pk = {meeting.pk: meeting for meeting in meetings}
    attendance_of: dict[int, list[Attendance]] = {pk: [] for pk in by_pk}
    for entry in Attendance.objects.filter(meeting__in=list(by_pk)).select_related(
        "person", "role", "organisation"
    ):
        entry.meeting = by_pk[entry.meeting_id]
        attendance_of[entry.meeting_id].append(entry)

    owners = Prefetch("owners", queryset=ActionOwner.objects.select_related("role", "person"))
    # The action a review prints: read once for all the reviews of it.
    reviewed = Prefetch(
        "action",
        queryset=Action.objects.select_related(
            "board", "raised_at_item__parent__parent"
        ).prefetch_related(owners),
    )
    items_of: dict[int, list[AgendaItem]] = {pk: [] for pk in by_pk}
    # An item's rows are read into lists of its own (to_attr), which builds no related manager
    # or queryset for each item: the lists are only read here.
    for item in AgendaItem.objects.filter(meeting__in=list(by_pk)).prefetch_related(
        Prefetch(
            "papers",
            queryset=Paper.objects.select_related("file").defer("file__pdf"),
            to_attr="minutes_papers",
        ),
        Prefetch(
            "questions",
            queryset=Question.objects.select_related("responder"),
            to_attr="minutes_questions",
        ),
        Prefetch("departures", to_attr="minutes_departures"),
        Prefetch(
            "actions",
            queryset=Action.objects.select_related("board")
            .prefetch_related(owners)
            .order_by("position", "number"),
            to_attr="minutes_actions",
        ),
        Prefetch(
            "action_reviews",
            queryset=ActionUpdate.objects.prefetch_related(reviewed).order_by("position", "pk"),
            to_attr="minutes_reviews",
        ),
    ):
        item.meeting = by_pk[item.meeting_id]
        items_of[item.meeting_id].append(item)
    unplaced_of: dict[int, list[ActionUpdate]] = {pk: [] for pk in by_pk}
    for review in (
        ActionUpdate.objects.filter(meeting__in=list(by_pk), item__isnull=True)
        .prefetch_related(reviewed)
        .order_by("position", "pk")
    ):
        review.meeting = by_pk[review.meeting_id]
        unplaced_of[review.meeting_id].append(review)
    # An action's own text reaches the public only through the published minutes of the meeting
    # that raised it (or of this meeting, when it raised the action or the review printed it).
    # The rule is the same wherever the review is minuted: under an item or under none.
    raised_elsewhere_of = {
        pk: {
            review.action.raised_at_meeting_id
            for review in [
                *(review for item in items_of[pk] for review in item.minutes_reviews),
                *unplaced_of[pk],
            ]
            if review.action.raised_at_meeting_id not in (None, pk)
        }
        for pk in by_pk
    }
    raised_elsewhere = set().union(*raised_elsewhere_of.values())
    raised_in_published = (
        set(
            Publication.objects.live()
            .filter(meeting__in=raised_elsewhere)
            .values_list("meeting_id", flat=True)
            .distinct()
        )
        if public and raised_elsewhere
        else set()
    )
    return [
        _content(
            meeting,
            public=public,
            language=language,
            attendance=attendance_of[meeting.pk],
            items=items_of[meeting.pk],
            unplaced_reviews=unplaced_of[meeting.pk],
            raised_elsewhere=raised_elsewhere_of[meeting.pk],
            raised_in_published=raised_in_published,
        )
        for meeting in meetings
    ]


def _content(
    meeting: Meeting,
    *,
    public: bool,
    language: str,
    attendance: list[Attendance],
    items: list[AgendaItem],
    unplaced_reviews: list[ActionUpdate],
    raised_elsewhere: set[int],
    raised_in_published: set[int],
) -> MinutesContent:
    """What one meeting's minutes show, from its rows as read by minutes_contents."""
    by_status: dict[str, list[Attendance]] = {}
    for entry in attendance:
        by_status.setdefault(entry.status, []).append(entry)
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)

    withheld_text = str(_("A response was given and has been withheld from publication."))
    private_action_text = str(_("An action raised in a private session."))
    unpublished_action_text = str(_("An action of a meeting whose minutes are not published."))

    def review_view(review: ActionUpdate) -> ActionUpdate:
        """What the review prints as the action's summary: never the text of a private action."""
        raised_under = review.action.raised_at_item
        review.raised_in_private = raised_under is not None and raised_under.is_exempt_in_effect()
        raised_at = review.action.raised_at_meeting_id
        review.shown_summary_lang = ""
        if review.summary:
            review.shown_summary, review.shown_summary_lang = in_language(
                review, "summary", language
            )
        elif public and review.raised_in_private:
            review.shown_summary = private_action_text
        elif public and raised_at in raised_elsewhere and raised_at not in raised_in_published:
            review.shown_summary = unpublished_action_text
        else:
            review.shown_summary, review.shown_summary_lang = in_language(
                review.action, "text", language
            )
        text, review.text_lang = in_language(review, "text", language)
        review.shown_paragraphs = split_paragraphs(text)
        review.shown_text = text
        return review

    def question_view(q) -> QuestionView:
        withheld = public and q.restricted and bool(q.response)
        question, question_lang = in_language(q, "question", language)
        response, response_lang = in_language(q, "response", language)
        reason, reason_lang = in_language(q, "restricted_reason", language)
        return QuestionView(
            number=q.number,
            question=question,
            asked_by=q.asked_by,
            response=(reason or withheld_text) if withheld else response,
            responder=q.responder.abbrev if q.responder_id else "",
            withheld=withheld,
            awaiting=not q.response,
            question_lang=question_lang,
            response_lang=reason_lang if withheld else response_lang,
        )

    reviews: list[ActionUpdate] = []
    new_actions: list[Action] = []

    def build(item: AgendaItem, inherited_exempt: bool) -> ItemView:
        exempt = inherited_exempt or item.exempt
        if public and exempt:
            return ItemView(item=item, withheld=True, show_title=meeting.board.public_exempt_titles)
        minutes, minutes_lang = in_language(item, "minutes", language)
        view = ItemView(
            item=item,
            withheld=False,
            show_title=True,
            paragraphs=split_paragraphs(minutes),
            paragraphs_lang=minutes_lang,
            papers=item.minutes_papers,
            questions=[question_view(q) for q in item.minutes_questions],
            actions=list(item.minutes_actions),
            reviews=[review_view(review) for review in item.minutes_reviews],
            departures=item.minutes_departures,
        )
        reviews.extend(view.reviews)
        new_actions.extend(view.actions)
        view.children = [build(child, exempt) for child in children.get(item.pk, [])]
        return view

    tree = [build(item, False) for item in children.get(None, [])]
    unplaced = [review_view(review) for review in unplaced_reviews]
    reviews.extend(unplaced)
    return MinutesContent(
        meeting=meeting,
        public=public,
        language=language,
        present=_group(by_status.get(Attendance.Status.PRESENT, [])),
        in_attendance=by_status.get(Attendance.Status.IN_ATTENDANCE, []),
        apologies=by_status.get(Attendance.Status.APOLOGIES, []),
        absent=by_status.get(Attendance.Status.ABSENT, []),
        items=tree,
        reviews=reviews,
        new_actions=new_actions,
        unplaced_reviews=unplaced,
    )
