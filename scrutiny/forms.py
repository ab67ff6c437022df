"""What forms across the project share."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PlainTextField(forms.CharField):
    """Text from a text area, with the line endings the record keeps. Browsers send CRLF and the
    field strips what surrounds the text; neither is an edit, so a page saved unchanged does not
    count as changed (which would reopen approved minutes)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        return self.to_python(initial or "") != self.to_python(data or "")


class OptimisticLockMixin(forms.ModelForm):
    """Refuse to overwrite changes someone else saved after this form was opened.

    The form carries the row's version; on a changed form the row is read again under a lock,
    and a different version means another save came first. The form is shown again with what
    was typed, so nothing is lost. The model's `version` counts saves.
    """

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The main form of an admin page with inlines checks even when only an inline changed:
    # the page is edited as one (see scrutiny.admin_locks.WholePageLockAdmin).
    lock_whole_page = False

    conflict_message = _(
        "Someone else saved changes to this %(thing)s after you opened it, so your changes were "
        "not saved. What you typed is kept below: open the %(thing)s again in another tab to see "
        "their changes, then apply yours."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lock_version"].initial = self.instance.version if self.instance.pk else None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and (self.has_changed() or self.lock_whole_page):
            current = (
                type(self.instance)
                .objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is not None and current != cleaned.get("lock_version"):
                raise forms.ValidationError(
                    self.conflict_message % {"thing": self.instance._meta.verbose_name},
                    code="conflict",
                )
        return cleaned

    def save(self, commit=True):
        if self.instance.pk and self.has_changed():
            self.instance.version = (self.cleaned_data.get("lock_version") or 0) + 1
        return super().save(commit=commit)
