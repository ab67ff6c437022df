"""Submit an admin change page as the browser would: every field as rendered, with changes."""

from django.forms.models import ModelChoiceIteratorValue


def _value(value):
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, ModelChoiceIteratorValue):
        return value.value
    if isinstance(value, (list, tuple)):
        return [str(getattr(v, "pk", v)) for v in value]
    return str(getattr(value, "pk", value))


def _form_data(form, data):
    for bound in form:
        value = _value(bound.value())
        if value is not None:
            data[bound.html_name] = value


def page_data(response) -> dict:
    """The POST data of an admin change page as it was rendered, with Windows line endings in
    text areas, as browsers send them."""
    data = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    return {
        key: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for key, value in data.items()
    }


def split_datetimes(data: dict, *names: str) -> dict:
    """The admin shows a date and time as two inputs (name_0, name_1): post them so."""
    for name in names:
        value = data.pop(name, None)
        if value:
            data[f"{name}_0"], data[f"{name}_1"] = value[:10], value[11:19]
    return data
