"""The meeting editor's forms. Choices come from lists loaded once per page (not one query per
field), so the page costs the same number of queries however big the record is."""

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from actions.models import Action, ActionStatus, DueKind
from meetings.models import Attendance
from minutes.interchange.validation import prefixed_number
from minutes.services import PaperError, check_pdf
from scrutiny.forms import PlainTextField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _text(label, *, rows=3, required=False, **kwargs):
    return PlainTextField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class PickField(forms.ChoiceField):
    """A choice among objects already loaded: the value is the object, or None."""

    def __init__(self, *, objects=(), label_of=str, empty_label="—", **kwargs):
        super().__init__(**kwargs)
        self.set_objects(objects, label_of=label_of, empty_label=empty_label)

    def set_objects(self, objects, *, label_of=str, empty_label="—"):
        self.objects = {str(obj.pk): obj for obj in objects}
        self.choices = [("", empty_label)] + [(k, label_of(o)) for k, o in self.objects.items()]

    def clean(self, value):
        value = super().clean(value)
        return self.objects.get(value) if value else None

    def prepare_value(self, value):
        return str(getattr(value, "pk", value) or "")


class AbbrevField(forms.CharField):
    """A post typed by its abbreviation ("DPCC"), offered from a list, checked against the body."""

    def __init__(self, *, roles=None, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.roles = roles or {}
        self.widget.attrs.update({"list": "editor-posts", "autocomplete": "off", "size": 8})

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        role = self.roles.get(value.casefold())
        if role is None:
            raise forms.ValidationError(
                _("No post %(abbrev)s in this body: add it in the secretariat's Roles first."),
                params={"abbrev": value},
            )
        return role

    def prepare_value(self, value):
        return getattr(value, "abbrev", value) or ""


def short_name(organisation) -> str:
    """ "Office of the Chief Constable (OCC)" is offered as OCC, to keep the grid narrow."""
    name = organisation.name
    if name.endswith(")") and "(" in name:
        return name[name.rindex("(") + 1 : -1]
    return name


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "ionawr"),
            ("february", "feb", "chwefror"),
            ("march", "mar", "mawrth"),
            ("april", "apr", "ebrill"),
            ("may", "mai"),
            ("june", "jun", "mehefin"),
            ("july", "jul", "gorffennaf"),
            ("august", "aug", "awst"),
            ("september", "sep", "sept", "medi"),
            ("october", "oct", "hydref"),
            ("november", "nov", "tachwedd"),
            ("december", "dec", "rhagfyr"),
        ],
        start=1,
    )
    for name in names
}
DATE_IN_TITLE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th|af|ain|ed|fed)?\s+([^\W\d_]+),?\s+(\d{4})\b"
    r"|\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"
)
REVIEW_WORDS = ("action", "cam gweithredu", "camau gweithredu")


def reviewed_dates(title: str) -> list[datetime.date] | None:
    """For an item whose title says it reviews actions ("Actions from the meeting held on 31st
    August 2018"), the dates it names (of the meetings whose actions it reviews); None for
    another item."""
    if not any(word in title.casefold() for word in REVIEW_WORDS):
        return None
    dates = []
    for match in DATE_IN_TITLE.finditer(title):
        day, month, year = (
            (match[1], MONTHS.get(match[2].casefold()), match[3])
            if match[1]
            else (match[4], match[5], match[6])
        )
        try:
            dates.append(datetime.date(int(year), int(month or 0), int(day)))
        except ValueError:
            continue
    return dates


def default_review_item(items, on: datetime.date | None):
    """The item a review of an action raised on that date is minuted under, unless the clerk
    chooses another: the item reviewing that meeting's actions, else the first reviewing any.
    (The page's script does the same as the agenda changes.)"""
    reviewing = [(item, reviewed_dates(item.title)) for item in items]
    reviewing = [(item, dates) for item, dates in reviewing if dates is not None]
    for item, dates in reviewing:
        if on in dates:
            return item
    return reviewing[0][0] if reviewing else None


class EditorForm(forms.Form):
    """Every editor form gets the page's lists of posts, people and items."""

    fields_saved: list[str] = []

    def __init__(self, *args, lists=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.lists = lists
        for field in self.fields.values():
            if isinstance(field, AbbrevField):
                field.roles = lists.roles_by_abbrev
        # The Welsh twins (`*_cy`) only for a Welsh body: elsewhere they are neither shown nor
        # saved, so what a clerk of a Welsh body typed is never emptied by another form.
        welsh = getattr(lists, "welsh", False)
        for name in [name for name in self.fields if name.endswith("_cy")]:
            if welsh:
                self.fields[name].widget.attrs["lang"] = "cy"
            else:
                del self.fields[name]
        self.fields_saved = [name for name in type(self).fields_saved if name in self.fields]


class DetailsForm(EditorForm):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=500,
        help_text=_('Only when the meeting has its own name, e.g. "Monthly Assurance Meeting".'),
    )
    title_cy = forms.CharField(label=_("Title in Welsh"), required=False, max_length=500)
    start_time = forms.TimeField(label=_("Start"), required=False, widget=TIME)
    end_time = forms.TimeField(label=_("End"), required=False, widget=TIME)
    venue = forms.CharField(label=_("Venue"), required=False, max_length=500)
    venue_cy = forms.CharField(label=_("Venue in Welsh"), required=False, max_length=500)
    chair_role = AbbrevField(label=_("Chair (post)"), required=False)
    chair = PickField(label=_("Chair (person, when no post)"), required=False)
    chair_note = _text(_("Chair note"), rows=2, max_length=5000)
    chair_note_cy = _text(_("Chair note in Welsh"), rows=2, max_length=5000)
    minute_taker = forms.CharField(label=_("Minute taker"), required=False, max_length=500)
    is_public = forms.BooleanField(label=_("Open to the public"), required=False)
    questions_intro = _text(
        _("Introduction to the questions record"),
        rows=2,
        max_length=5000,
        help_text=_("Printed above the questions and responses."),
    )
    questions_intro_cy = _text(
        _("Introduction to the questions record in Welsh"), rows=2, max_length=5000
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "meeting-version"}))

    fields_saved = [
        "held_on",
        "title",
        "title_cy",
        "start_time",
        "end_time",
        "venue",
        "venue_cy",
        "chair_role",
        "chair",
        "chair_note",
        "chair_note_cy",
        "minute_taker",
        "is_public",
        "questions_intro",
        "questions_intro_cy",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].set_objects(self.lists.people)


class NextMeetingForm(EditorForm):
    next_meeting_on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    next_meeting_start = forms.TimeField(label=_("Start"), required=False, widget=TIME)
    next_meeting_venue = forms.CharField(label=_("Venue"), required=False, max_length=500)
    next_meeting_note = _text(_("Note"), rows=2, max_length=5000)
    next_meeting_note_cy = _text(_("Note in Welsh"), rows=2, max_length=5000)
    lock_version = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "meeting-version"}))

    fields_saved = [
        "next_meeting_on",
        "next_meeting_start",
        "next_meeting_venue",
        "next_meeting_note",
        "next_meeting_note_cy",
    ]


class AttendanceRowForm(EditorForm):
    pk = forms.IntegerField(widget=forms.HiddenInput, required=False)
    person = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), required=False, max_length=500)
    role = AbbrevField(label=_("Post"), required=False)
    organisation = PickField(label=_("Listed under"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Attendance.Status.choices,
        widget=forms.RadioSelect,
        initial=Attendance.Status.PRESENT,
    )
    arrival_time = forms.TimeField(label=_("Arrived"), required=False, widget=TIME)
    departure_time = forms.TimeField(label=_("Left"), required=False, widget=TIME)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_objects(
            self.lists.organisations, label_of=short_name, empty_label=_("The post's")
        )
        self.fields["name"].widget.attrs.update({"list": "editor-people", "autocomplete": "off"})

    def clean(self):
        cleaned = super().clean()
        person_pk = cleaned.get("person")
        cleaned["person"] = self.lists.people_by_pk.get(person_pk) if person_pk else None
        if cleaned["person"] is None and not cleaned.get("name", "").strip():
            cleaned["blank"] = True
        # Listed under the post's own organisation unless the clerk chose another.
        role = cleaned.get("role")
        if cleaned.get("organisation") is None and role is not None and role.organisation_id:
            cleaned["organisation"] = self.fields["organisation"].objects.get(
                str(role.organisation_id)
            )
        return cleaned


class BaseAttendanceFormSet(forms.BaseFormSet):
    def __init__(self, *args, lists=None, **kwargs):
        self.lists = lists
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"lists": self.lists}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            lists=self.lists,
        )
        self.add_fields(form, None)
        return form


AttendanceFormSet = forms.formset_factory(
    AttendanceRowForm, formset=BaseAttendanceFormSet, extra=0, max_num=200, validate_max=True
)


class ItemForm(EditorForm):
    number = forms.CharField(label=_("Number"), required=False, max_length=40)
    title = forms.CharField(label=_("Title"), max_length=500)
    title_cy = forms.CharField(label=_("Title in Welsh"), required=False, max_length=500)
    minutes = _text(_("Minutes"), rows=8, max_length=200_000)
    minutes_cy = _text(_("Minutes in Welsh"), rows=8, max_length=200_000)
    exempt = forms.BooleanField(label=_("Exempt (taken in private)"), required=False)
    exempt_reason = forms.CharField(label=_("Exemption reason"), required=False, max_length=1000)
    exempt_reason_cy = forms.CharField(
        label=_("Exemption reason in Welsh"), required=False, max_length=1000
    )
    in_questions_record = forms.BooleanField(
        label=_("In the questions record without a question"), required=False
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    fields_saved = [
        "number",
        "title",
        "title_cy",
        "minutes",
        "minutes_cy",
        "exempt",
        "exempt_reason",
        "exempt_reason_cy",
        "in_questions_record",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs["size"] = 5

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("exempt") and not cleaned.get("exempt_reason", "").strip():
            self.add_error("exempt_reason", _("An exempt item needs the reason for the exemption."))
        return cleaned


class QuestionForm(EditorForm):
    pk = forms.IntegerField(widget=forms.HiddenInput, required=False)
    number = forms.CharField(label=_("Question number"), required=False, max_length=40)
    question = _text(_("Question"), rows=3, max_length=20_000)
    question_cy = _text(_("Question in Welsh"), rows=3, max_length=20_000)
    asked_by = forms.CharField(label=_("Asked by"), required=False, max_length=100)
    response = _text(_("Response"), rows=3, max_length=20_000)
    response_cy = _text(_("Response in Welsh"), rows=3, max_length=20_000)
    responder = AbbrevField(label=_("Responder (post)"), required=False)
    restricted = forms.BooleanField(label=_("Response restricted"), required=False)
    restricted_reason = forms.CharField(
        label=_("Public reason for the restriction"),
        required=False,
        max_length=1000,
        help_text=_("Printed in place of the standard line; must not give away what it withholds."),
    )
    restricted_reason_cy = forms.CharField(
        label=_("Public reason for the restriction in Welsh"), required=False, max_length=1000
    )

    fields_saved = [
        "number",
        "question",
        "question_cy",
        "asked_by",
        "response",
        "response_cy",
        "responder",
        "restricted",
        "restricted_reason",
        "restricted_reason_cy",
    ]
    text_field = "question"


class BaseQuestionFormSet(BaseAttendanceFormSet):
    pass


QuestionFormSet = forms.formset_factory(
    QuestionForm, formset=BaseQuestionFormSet, extra=0, max_num=200, validate_max=True
)


def require_text_of_new_row(form, cleaned: dict, message) -> dict:
    """A new row with something typed but not its main text is an error, not dropped (an emptied
    saved row is deleted)."""
    others = [name for name in form.fields_saved if name != form.text_field]
    if (
        not cleaned.get("pk")
        and not (cleaned.get(form.text_field) or "").strip()
        and any(cleaned.get(name) for name in others)
    ):
        form.add_error(form.text_field, message)
    return cleaned


def checked_pdf(upload):
    """An uploaded paper's PDF checked by its content and size (`check_pdf`), for a form's
    clean method: the editor's papers and the secretariat's."""
    if upload:
        try:
            check_pdf(upload.read())
        except PaperError as exc:
            raise forms.ValidationError(str(exc)) from None
        upload.seek(0)
    return upload


class PaperForm(EditorForm):
    pk = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Paper"), required=False, max_length=500)
    title_cy = forms.CharField(label=_("Paper in Welsh"), required=False, max_length=500)
    author = forms.CharField(label=_("Author"), required=False, max_length=500)
    exempt = forms.BooleanField(label=_("Exempt paper"), required=False)
    upload = forms.FileField(
        label=_("PDF"),
        required=False,
        help_text=_("At most 20 MB; it replaces the paper's current file."),
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
    )
    remove_file = forms.BooleanField(label=_("Remove the PDF"), required=False)

    fields_saved = ["title", "title_cy", "author", "exempt"]
    text_field = "title"
    paper = None  # the saved paper, for its current file

    def clean_upload(self):
        return checked_pdf(self.cleaned_data.get("upload"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("upload") and not (cleaned.get("title") or "").strip():
            self.add_error("title", _("Give the title of the paper."))
        return require_text_of_new_row(self, cleaned, _("Give the title of the paper."))


PaperFormSet = forms.formset_factory(
    PaperForm, formset=BaseQuestionFormSet, extra=0, max_num=100, validate_max=True
)


class DepartureForm(EditorForm):
    pk = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Who left (name as printed)"), required=False, max_length=500)
    left_at = forms.TimeField(label=_("Time"), required=False, widget=TIME)

    fields_saved = ["name", "left_at"]
    text_field = "name"

    def clean(self):
        cleaned = super().clean()
        return require_text_of_new_row(self, cleaned, _("Give the name of who left."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"list": "editor-people", "autocomplete": "off"})


DepartureFormSet = forms.formset_factory(
    DepartureForm, formset=BaseQuestionFormSet, extra=0, max_num=100, validate_max=True
)


def owners_from_text(text: str, lists) -> list:
    """Posts (by abbreviation) or people (by name) of the body, typed by commas ("ACC, HoSPC"),
    in the order typed; a name that is neither raises an error saying which."""
    owners, unknown = [], []
    people = {person.name.casefold(): person for person in lists.people}

    def find(name: str):
        return lists.roles_by_abbrev.get(name.casefold()) or people.get(name.casefold())

    for part in (part.strip() for part in text.replace(";", ",").split(",")):
        # "T/DCC" is one post; "CC / ACC" (as the register shows owners) is two.
        names = [part] if find(part) or "/" not in part else part.split("/")
        for name in (name.strip() for name in names):
            if not name:
                continue
            owner = find(name)
            if owner is None:
                unknown.append(name)
            elif owner not in owners:
                owners.append(owner)
    if unknown:
        raise forms.ValidationError(
            _("No post or person %(names)s in this body."),
            params={"names": ", ".join(unknown)},
        )
    return owners


def owners_as_text(owners) -> str:
    return ", ".join(getattr(owner, "abbrev", None) or owner.name for owner in owners)


class RaiseActionForm(EditorForm):
    action = None  # the action changed, for the form that changes one

    text = _text(_("Action"), rows=3, required=True, max_length=5000)
    text_cy = _text(_("Action in Welsh"), rows=3, max_length=5000)
    owners = forms.CharField(
        label=_("Owners (posts, by commas)"),
        required=False,
        max_length=500,
        help_text=_("Type a post's abbreviation: the posts at this meeting are offered first."),
    )
    owned_by_body = forms.BooleanField(
        label=_("No named post: the body itself owns it"),
        required=False,
        help_text=_('As in "OPCC to schedule"; the register shows "no named owner".'),
    )
    due_kind = forms.ChoiceField(
        label=_("Due"),
        choices=DueKind.choices,
        initial=DueKind.DATE,
        required=False,
        widget=forms.RadioSelect,
    )
    due_on = forms.DateField(
        label=_("Date (of the meeting, when due by a meeting)"), required=False, widget=DATE
    )
    paragraph = forms.IntegerField(
        label=_("Raised in paragraph"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Of the item's minutes, 1 for the first; empty for the last."),
    )
    # The format's `status` and `ref` of an action: what the minutes print of it as raised.
    status = forms.ChoiceField(
        label=_("Status when raised"),
        choices=ActionStatus.choices,
        initial=ActionStatus.OPEN,
        required=False,
    )
    ref = forms.CharField(
        label=_("Reference as printed"),
        required=False,
        max_length=Action._meta.get_field("legacy_ref").max_length,
        help_text=_(
            'Only when the minutes print one, e.g. "Action 3"; the board\'s own (e.g. '
            '"%(prefix)s 60") gives the action that number.'
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].widget.attrs.update(
            {"autocomplete": "off", "data-owners": "", "list": f"{self.prefix}-posts"}
        )
        self.fields["ref"].help_text = self.fields["ref"].help_text % {"prefix": self.prefix_of()}

    def prefix_of(self) -> str:
        return self.lists.meeting.board.action_prefix if self.lists is not None else ""

    def clean_ref(self) -> tuple[int | None, str]:
        """(number, legacy ref), as the importer reads a ref: the board's own prefix and a
        number is the action's number; anything else is kept as printed."""
        ref = self.cleaned_data["ref"].strip()
        if self.action is not None and self.add_prefix("ref") not in self.data:
            return None, self.action.legacy_ref  # a page without the field keeps the saved one
        number = prefixed_number(ref, self.prefix_of())
        if number is None:
            return None, ref
        if self.action is not None and number != self.action.number:
            raise forms.ValidationError(
                _("%(ref)s is another action's number: an action keeps its number (%(own)s)."),
                params={"ref": ref, "own": self.action.ref},
            )
        return number, ""

    def owner_choices(self) -> list:
        """The posts offered as the clerk types: those at this meeting first, then the body's."""
        first = list(self.lists.attendee_roles)
        return first + [role for role in self.lists.roles if role not in first]

    def clean_owners(self) -> list:
        return owners_from_text(self.cleaned_data["owners"], self.lists)

    def clean(self):
        cleaned = super().clean()
        owners = cleaned.get("owners") or []
        wanted = "text" in cleaned or self.action is not None  # a new action needs its text
        if wanted and not owners and "owners" not in self.errors:
            if not cleaned.get("owned_by_body"):
                self.add_error("owners", _("Choose at least one owner, or the body itself."))
        cleaned["due_kind"] = cleaned.get("due_kind") or DueKind.DATE
        # Without a status (a page without the field), an action keeps the one it was raised
        # with.
        kept = self.action.initial_status if self.action is not None else ActionStatus.OPEN
        cleaned["status"] = cleaned.get("status") or kept
        if cleaned["due_kind"] == DueKind.MEETING and not cleaned.get("due_on"):
            self.add_error("due_on", _("Give the date of the meeting the action is due by."))
        cleaned["owner_list"] = owners
        return cleaned


class EditActionForm(RaiseActionForm):
    """A raised action changed in place: its text, owners, due date and links."""

    links = forms.CharField(
        label=_("See also (refs of related actions)"),
        required=False,
        max_length=500,
        help_text=_('Separated by commas, e.g. "SPB 3, SPB 12".'),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, action=None, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)
        self.fields["owners"].label = _("Owners (posts or people, by commas)")

    def clean(self):
        cleaned = super().clean()
        cleaned["link_list"] = self._links(cleaned.get("links", ""))
        return cleaned

    def _links(self, text: str) -> list:
        board = self.action.board
        numbers, unknown = [], []
        for part in (p.strip() for p in text.replace(";", ",").split(",")):
            if not part:
                continue
            match = re.fullmatch(rf"(?:{re.escape(board.action_prefix)})?\s*(\d+)", part, re.I)
            if match:
                numbers.append(int(match[1]))
            else:
                unknown.append(part)
        found = {a.number: a for a in Action.objects.numbered(board, numbers)}
        unknown += [f"{board.action_prefix} {n}" for n in numbers if n not in found]
        if unknown:
            self.add_error(
                "links",
                _("No action %(refs)s on this board.") % {"refs": ", ".join(map(str, unknown))},
            )
        return [found[n] for n in numbers if n in found]


REVIEW_STATUS_CHOICES = [
    ("", _("No change")),
    (ActionStatus.IN_PROGRESS, _("In progress")),
    (ActionStatus.COMPLETED, _("Completed")),
    (ActionStatus.CLOSED, _("Closed")),
]


class ReviewRowForm(EditorForm):
    action = forms.IntegerField(widget=forms.HiddenInput)
    text = _text(_("Progress at this meeting"), rows=2, max_length=20_000)
    text_cy = _text(_("Progress in Welsh"), rows=2, max_length=20_000)
    status = forms.ChoiceField(label=_("Status"), choices=REVIEW_STATUS_CHOICES, required=False)
    item = PickField(
        label=_("Minuted under"),
        required=False,
        widget=forms.Select(attrs={"class": "item-choice"}),
    )

    # What the minutes print of the action beside the progress, when they print it as it was
    # then (older minutes: "Action 2 – Chief Constables Update Report (CC), raised 31 August").
    summary = forms.CharField(label=_("Action as printed"), required=False, max_length=5000)
    summary_cy = forms.CharField(
        label=_("Action as printed, in Welsh"), required=False, max_length=5000
    )
    printed_owners = forms.CharField(
        label=_("Owners as printed (posts or names, by commas)"), required=False, max_length=500
    )
    printed_due_on = forms.DateField(label=_("Due date as printed"), required=False, widget=DATE)
    printed_raised_on = forms.DateField(label=_("Raised on"), required=False, widget=DATE)

    printed_fields = [
        "summary",
        "summary_cy",
        "printed_owners",
        "printed_due_on",
        "printed_raised_on",
    ]
    printed_defaults: dict = {}  # what the register says of a carried-forward action
    auto_item = False  # "minuted under" follows the agenda until the clerk chooses

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].set_objects(
            self.lists.items, label_of=lambda i: f"{i.number} {i.title}".strip()
        )
        # Only the blank and the chosen item are written into each row's list: the page's
        # script fills in the agenda's items once (and again as the agenda changes).
        chosen = self.fields["item"].prepare_value(self["item"].value())
        self.fields["item"].widget.choices = [
            (key, label) for key, label in self.fields["item"].choices if key in ("", chosen)
        ]
        self.fields["printed_owners"].widget.attrs.update(
            {"list": "editor-posts", "autocomplete": "off"}
        )

    def clean_printed_owners(self) -> list[str]:
        """Each a post (by its abbreviation) or a person of the body, as the register names
        them."""
        owners = owners_from_text(self.cleaned_data["printed_owners"], self.lists)
        return [getattr(owner, "abbrev", None) or owner.name for owner in owners]

    def has_printed(self) -> bool:
        """Whether the printed fields are written into the row (they hold something, or an
        error)."""
        names = [n for n in self.printed_fields if n in self.fields]
        if self.is_bound:
            return any(self.data.get(self.add_prefix(n)) for n in names) or any(
                n in self.errors for n in names
            )
        return any(self.initial.get(n) for n in names)

    def printed_open(self) -> bool:
        """Whether the printed fields are shown open: they differ from what the register says
        of a carried-forward action (pre-filled), or hold an error."""
        if self.is_bound and any(n in self.errors for n in self.printed_fields):
            return True
        if not self.has_printed():
            return False
        defaults = self.printed_defaults
        if not defaults:
            return True

        def plain(value) -> str:
            if isinstance(value, datetime.date):
                return value.isoformat()
            return "" if value is None else str(value).strip()

        return any(
            plain(self[n].value()) != plain(defaults.get(n))
            for n in self.printed_fields
            if n in self.fields
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("text") and cleaned.get("item") is None:
            self.add_error("item", _("Choose the item this progress is minuted under."))
        return cleaned


class NamedForm(EditorForm):
    """The posts and people the minutes name besides the attendance and the owners (the
    format's `roles` and `people`), and a post the body does not have yet."""

    roles = forms.CharField(
        label=_("Posts named in the minutes (abbreviations, by commas)"),
        required=False,
        max_length=2000,
    )
    people = _text(
        _("People named in the minutes (one a line)"),
        rows=3,
        max_length=5000,
        help_text=_("A name the body does not know yet is added to it."),
    )
    new_abbrev = forms.CharField(
        label=_("Abbreviation of the new post"), required=False, max_length=40
    )
    new_title = forms.CharField(label=_("Title of the new post"), required=False, max_length=500)
    new_organisation = PickField(label=_("The new post listed under"), required=False)
    lock_version = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "meeting-version"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_organisation"].set_objects(self.lists.organisations, label_of=short_name)
        self.fields["roles"].widget.attrs.update(
            {"list": "editor-posts", "autocomplete": "off", "data-owners": ""}
        )

    def clean(self):
        cleaned = super().clean()
        abbrev = cleaned.get("new_abbrev", "").strip()
        title = cleaned.get("new_title", "").strip()
        if abbrev and not title:
            self.add_error("new_title", _("Give the title of the new post."))
        if title and not abbrev:
            self.add_error("new_abbrev", _("Give the abbreviation of the new post."))
        known = self.lists.roles_by_abbrev
        roles, unknown = [], []
        for name in (n.strip() for n in cleaned.get("roles", "").replace(";", ",").split(",")):
            if not name:
                continue
            if name.casefold() == abbrev.casefold():
                name = abbrev  # the new post, added on save
            elif name.casefold() in known:
                name = known[name.casefold()]
            else:
                unknown.append(name)
                continue
            if name not in roles:
                roles.append(name)
        if unknown:
            self.add_error(
                "roles",
                _("No post %(abbrevs)s in this body: add it below as a new post.")
                % {"abbrevs": ", ".join(unknown)},
            )
        cleaned["role_list"] = roles  # posts, and the new post's abbreviation
        names = []
        for line in cleaned.get("people", "").splitlines():
            name = " ".join(line.split())
            if name and name not in names:
                names.append(name[:500])
        cleaned["people_list"] = names
        return cleaned


class BoardForm(EditorForm):
    """The settings of the meeting's board (and how its body writes times) that every meeting
    of it prints: the format's `board` keys and top-level `time_style`."""

    question_label = forms.CharField(
        label=_("Word for a question"),
        required=False,
        max_length=40,
        help_text=_('As the board prints it, e.g. "Findings"; empty for "Question".'),
    )
    question_label_cy = forms.CharField(
        label=_("Word for a question in Welsh"), required=False, max_length=40
    )
    response_label = forms.CharField(
        label=_("Word for a response"),
        required=False,
        max_length=40,
        help_text=_('As the board prints it, e.g. "Update"; empty for "Response".'),
    )
    response_label_cy = forms.CharField(
        label=_("Word for a response in Welsh"), required=False, max_length=40
    )
    action_column = forms.BooleanField(
        label=_("Print actions in a column beside the minutes"),
        required=False,
        help_text=_("The owners of each action stand beside the paragraph that raised it."),
    )
    welsh_statement = forms.BooleanField(
        label=_("Print the bilingual-availability line"), required=False
    )
    name_cy = forms.CharField(label=_("Board's name in Welsh"), required=False, max_length=500)
    time_style = forms.ChoiceField(
        label=_("How the body writes times"),
        choices=[("24h", _("13:00 (24-hour clock)")), ("12h", _("1.00pm (12-hour clock)"))],
        widget=forms.RadioSelect,
        help_text=_("In the minutes, documents and pages of every board of the body."),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    board_fields = [
        "question_label",
        "question_label_cy",
        "response_label",
        "response_label_cy",
        "action_column",
        "welsh_statement",
        "name_cy",
    ]

    def __init__(self, *args, may_change_board=True, may_change_body=True, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the user may change is offered (and saved).
        if not may_change_board:
            for name in [*self.board_fields, "lock_version"]:
                self.fields.pop(name, None)
        if not may_change_body:
            del self.fields["time_style"]
        self.board_fields = [name for name in self.board_fields if name in self.fields]


class MemberRowForm(EditorForm):
    """A board member: the person, in which post, listed under which group, from when to when."""

    pk = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), required=False, max_length=500)
    role = AbbrevField(label=_("Post"), required=False)
    organisation = PickField(label=_("Listed under"), required=False)
    start_on = forms.DateField(label=_("From"), required=False, widget=DATE)
    end_on = forms.DateField(label=_("To"), required=False, widget=DATE)
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_objects(
            self.lists.organisations, label_of=short_name, empty_label=_("The post's")
        )

    def clean(self):
        cleaned = super().clean()
        cleaned["name"] = " ".join(cleaned.get("name", "").split())
        start_on, end_on = cleaned.get("start_on"), cleaned.get("end_on")
        if start_on and end_on and end_on < start_on:
            self.add_error("end_on", _("A membership cannot end before it starts."))
        if not cleaned["name"] and not cleaned.get("pk"):
            cleaned["blank"] = True
        elif not cleaned["name"] and not cleaned.get("remove"):
            self.add_error("name", _("Give the member's name, or tick Remove."))
        return cleaned


MemberFormSet = forms.formset_factory(
    MemberRowForm, formset=BaseAttendanceFormSet, extra=0, max_num=200, validate_max=True
)
