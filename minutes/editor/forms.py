"""The meeting editor's forms. Choices come from lists loaded once per page (not one query per
field), so the page costs the same number of queries however big the record is."""

from django import forms
from django.utils.translation import gettext_lazy as _

from actions.models import ActionStatus, DueKind
from meetings.models import Attendance
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
    chair_role = AbbrevField(label=_("Chair (post)"), required=False)
    chair = PickField(label=_("Chair (person, when no post)"), required=False)
    chair_note = _text(_("Chair note"), rows=2, max_length=5000)
    chair_note_cy = _text(_("Chair note in Welsh"), rows=2, max_length=5000)
    minute_taker = forms.CharField(label=_("Minute taker"), required=False, max_length=500)
    lock_version = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "meeting-version"}))

    fields_saved = [
        "held_on",
        "title",
        "title_cy",
        "start_time",
        "end_time",
        "venue",
        "chair_role",
        "chair",
        "chair_note",
        "chair_note_cy",
        "minute_taker",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].set_objects(self.lists.people)


class NextMeetingForm(EditorForm):
    next_meeting_on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    next_meeting_start = forms.TimeField(label=_("Start"), required=False, widget=TIME)
    next_meeting_venue = forms.CharField(label=_("Venue"), required=False, max_length=500)
    next_meeting_note = _text(_("Note"), rows=2, max_length=5000)
    lock_version = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "meeting-version"}))

    fields_saved = [
        "next_meeting_on",
        "next_meeting_start",
        "next_meeting_venue",
        "next_meeting_note",
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
        self.fields["organisation"].set_objects(self.lists.organisations, label_of=short_name)
        self.fields["name"].widget.attrs.update({"list": "editor-people", "autocomplete": "off"})

    def clean(self):
        cleaned = super().clean()
        person_pk = cleaned.get("person")
        cleaned["person"] = self.lists.people_by_pk.get(person_pk) if person_pk else None
        if cleaned["person"] is None and not cleaned.get("name", "").strip():
            cleaned["blank"] = True
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

    fields_saved = [
        "number",
        "question",
        "question_cy",
        "asked_by",
        "response",
        "response_cy",
        "responder",
        "restricted",
    ]


class BaseQuestionFormSet(BaseAttendanceFormSet):
    pass


QuestionFormSet = forms.formset_factory(
    QuestionForm, formset=BaseQuestionFormSet, extra=0, max_num=200, validate_max=True
)


class RaiseActionForm(EditorForm):
    text = _text(_("Action"), rows=3, required=True, max_length=5000)
    text_cy = _text(_("Action in Welsh"), rows=3, max_length=5000)
    owners = forms.MultipleChoiceField(
        label=_("Owners: posts at this meeting"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_owner = AbbrevField(label=_("Or another post of the body"), required=False)
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].choices = [(r.pk, r.abbrev) for r in self.lists.attendee_roles]

    def clean(self):
        cleaned = super().clean()
        owners = [self.lists.roles_by_pk[int(pk)] for pk in cleaned.get("owners", [])]
        if cleaned.get("other_owner") and cleaned["other_owner"] not in owners:
            owners.append(cleaned["other_owner"])
        if not owners and "text" in cleaned and not cleaned.get("owned_by_body"):
            self.add_error("owners", _("Choose at least one owner, or the body itself."))
        cleaned["due_kind"] = cleaned.get("due_kind") or DueKind.DATE
        if cleaned["due_kind"] == DueKind.MEETING and not cleaned.get("due_on"):
            self.add_error("due_on", _("Give the date of the meeting the action is due by."))
        cleaned["owner_list"] = owners
        return cleaned


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].set_objects(
            self.lists.items, label_of=lambda i: f"{i.number} {i.title}".strip()
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("text") and cleaned.get("item") is None:
            self.add_error("item", _("Choose the item this progress is minuted under."))
        return cleaned


class BaseReviewFormSet(BaseAttendanceFormSet):
    pass


ReviewFormSet = forms.formset_factory(ReviewRowForm, formset=BaseReviewFormSet, extra=0)
