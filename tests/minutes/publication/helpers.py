"""What the publication tests share: the minutes' text before and after a correction, and the
steps and reads the tests repeat."""

import datetime
import subprocess

from django.urls import reverse

from meetings.models import Meeting, PublishedDocument
from meetings.services import meeting_start_correction

HELD_ON = datetime.date(2019, 11, 26)
ORIGINAL = "The budget was discussed and agreed."
CORRECTED = "The budget was discussed and deferred to January."


def correct(meeting: Meeting, minutes: str = CORRECTED) -> None:
    """What saving an edit in the secretariat pages does (tested through the admin below)."""
    item = meeting.items.get(number="1")
    item.minutes = minutes
    item.save()
    meeting_start_correction(meeting=meeting)


def workflow(client, meeting: Meeting, step: str, text: str = ""):
    url = reverse("admin:meetings_meeting_workflow", args=[meeting.pk, step])
    return client.post(url, {"text": text})


def documents_of(meeting: Meeting) -> list[PublishedDocument]:
    return list(
        PublishedDocument.objects.filter(publication__meeting=meeting)
        .select_related("publication")
        .order_by("publication__version", "kind")
    )


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def squashed(text: str) -> str:
    return "".join(text.split())


def _form_values(form) -> dict:
    """What the browser would send back for an unchanged form."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple) or hasattr(value, "all"):
            value = [getattr(v, "pk", v) for v in value]
        else:
            value = getattr(value, "pk", value)
        data[form.add_prefix(name)] = value
    return data


def admin_change_data(response) -> dict:
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(_form_values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_form_values(form))
    return data


def item_field(response, number: str, name: str) -> str:
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            if inline.formset.model._meta.model_name == "agendaitem":
                if form.instance.number == number:
                    return form.add_prefix(name)
    raise AssertionError(f"no item {number} on the page")
