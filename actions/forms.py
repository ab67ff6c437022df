"""Forms of the action register: each accepts only the fields its user may change."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from actions.models import Action, ActionStatus
from meetings.models import Person, Role
from scrutiny.limits import LONG_TEXT, as_id

MAX_TEXT = LONG_TEXT


class _ActionForm(forms.Form):
    """A form posted to one of an action's own URLs, laid out by crispy."""

    url_name: str = ""
    submit_label = _("Save")
    submit_class = "btn-primary"

    # The action's version when the page was opened: a save against an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, action: Action, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = action.version
        self.helper = FormHelper()
        self.helper.form_action = reverse(f"actions:{self.url_name}", kwargs={"pk": action.pk})
        self.helper.form_id = f"form-{self.url_name}"
        # Our own messages, next to the field, rather than the browser's bubbles.
        self.helper.attrs = {"novalidate": ""}
        submit = Submit("submit", self.submit_label)
        submit.field_classes = f"btn {self.submit_class}"
        self.helper.add_input(submit)

    def clean(self):
        """Without the version the page was opened at, a save could overwrite someone else's.
        (Said above the form: the version is a hidden field, whose own errors are not shown.)"""
        cleaned = super().clean()
        if cleaned.get("version") is None:
            self.add_error(None, _("This form is out of date: open the action again and resubmit."))
        return cleaned


def _text(label, *, required=True, help_text="", rows=4):
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("This cannot be empty.")},
    )


class ProgressForm(_ActionForm):
    """What a force lead may do to an action: report progress, nothing else."""

    url_name = "action-update-create"
    submit_label = _("Add update")
    text = _text(_("Progress"), help_text=_("What has been done since the last update."))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("No change")),
            (ActionStatus.IN_PROGRESS, _("In progress")),
            (ActionStatus.COMPLETED, _("Completed: ask the OPCC to close it")),
        ],
        widget=forms.RadioSelect,
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text:
            raise forms.ValidationError(_("Write what progress has been made."))
        return text


class CloseForm(_ActionForm):
    url_name = "action-close"
    submit_label = _("Accept and close")
    note = _text(_("Note (optional)"), required=False, rows=2)


class ReopenForm(_ActionForm):
    url_name = "action-reopen"
    submit_label = _("Reopen")
    submit_class = "btn-outline-primary"
    reason = _text(_("Reason for reopening"), rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("Give the reason for reopening.")


class WithdrawForm(_ActionForm):
    url_name = "action-withdraw"
    submit_label = _("Withdraw")
    submit_class = "btn-outline-danger"
    reason = _text(_("Reason for withdrawing"), rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("Give the reason for withdrawing.")


class ReassignForm(_ActionForm):
    url_name = "action-reassign"
    submit_label = _("Change owners")
    submit_class = "btn-outline-primary"
    roles = forms.ModelMultipleChoiceField(
        label=_("Posts"), queryset=Role.objects.none(), required=False
    )
    people = forms.ModelMultipleChoiceField(
        label=_("People (where no post fits)"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args, action: Action, **kwargs):
        owners = list(action.owners.all())
        kwargs.setdefault(
            "initial",
            {
                "roles": [o.role_id for o in owners if o.role_id],
                "people": [o.person_id for o in owners if o.person_id],
            },
        )
        super().__init__(*args, action=action, **kwargs)
        body = action.board.body_id
        self.fields["roles"].queryset = Role.objects.filter(body=body).order_by("abbrev")
        self.fields["people"].queryset = Person.objects.filter(body=body).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("roles") and not cleaned.get("people"):
            raise forms.ValidationError(_("Choose at least one owner: a post or a person."))
        return cleaned

    def owners(self) -> list:
        return [*self.cleaned_data["roles"], *self.cleaned_data["people"]]


class DueDateForm(_ActionForm):
    url_name = "action-due"
    submit_label = _("Set due date")
    submit_class = "btn-outline-primary"
    due_on = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for no due date."),
    )

    def __init__(self, *args, action: Action, **kwargs):
        kwargs.setdefault("initial", {"due_on": action.due_on})
        super().__init__(*args, action=action, **kwargs)

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        raised = self.action.raised_date
        if due_on and raised and due_on < raised:
            raise forms.ValidationError(
                _("The due date cannot be before the action was raised (%(date)s).")
                % {"date": date_format(raised, "j F Y")}
            )
        return due_on


class LinkForm(_ActionForm):
    url_name = "action-link"
    submit_label = _("Add link")
    submit_class = "btn-outline-primary"
    ref = forms.CharField(label=_("See also (ref)"), max_length=40)

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, action=action, **kwargs)
        # An example from the action's own board, e.g. "SPB 7", or just its number.
        self.fields["ref"].help_text = _("Another action of this body, e.g. %(prefix)s 7.") % {
            "prefix": action.board.action_prefix
        }

    def clean_ref(self):
        ref = self.cleaned_data["ref"].strip()
        prefix, _sep, number = ref.rpartition(" ")
        board = self.action.board
        if not prefix:
            prefix = board.action_prefix
        if as_id(number) is None:
            raise forms.ValidationError(_("Give a ref such as %(ref)s.") % {"ref": self.action.ref})
        other = (
            Action.objects.filter(
                board__body=board.body_id, board__action_prefix__iexact=prefix, number=as_id(number)
            )
            .select_related("board")
            .first()
        )
        if other is None:
            raise forms.ValidationError(_("There is no action %(ref)s.") % {"ref": ref})
        if other.pk == self.action.pk:
            raise forms.ValidationError(_("An action cannot refer to itself."))
        self.other = other
        return ref
