"""Welsh twins: the bilingual Dyfed-Powys example imports and exports them, its Welsh documents
are in Welsh (and say so), its public page shows the visitor's language, and a body that needs
Welsh versions cannot publish without them."""

import json
import subprocess
from io import BytesIO, StringIO
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from meetings.models import AgendaItem, Meeting, PublishedDocument
from minutes.documents import render_minutes_pdf
from minutes.services import PublicationError, meeting_approve, meeting_publish
from minutes.welsh import untranslated
from tests.interchange import normalise

# Only the tests that read a PDF render with WeasyPrint.
pytestmark = pytest.mark.django_db

BILINGUAL = (
    Path(settings.BASE_DIR) / "tests" / "fixtures" / "dyfed-powys-ppb-2014-03-13.bilingual.json"
)
ENGLISH = Path(settings.BASE_DIR) / "fixtures" / "dyfed-powys-ppb-2014-03-13.json"


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def struct_langs(pdf: bytes) -> list[tuple[str, str]]:
    """(structure type, /Lang) of every element of the structure tree that names a language."""
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if "/Lang" in node:
                found.append((str(node.get("/S")), str(node.Lang)))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    with pikepdf.open(BytesIO(pdf)) as document:
        walk(document.Root.StructTreeRoot)
    return found


def pdf_lang(pdf: bytes) -> str:
    with pikepdf.open(BytesIO(pdf)) as document:
        return str(document.Root.Lang)


@pytest.fixture
def meeting():
    call_command("import_meeting", str(BILINGUAL), stdout=StringIO())
    return Meeting.objects.select_related("board__body").get()


def test_the_bilingual_example_translates_every_printed_text(meeting):
    assert untranslated(meeting) == []
    assert meeting.board.body.welsh
    assert meeting.board.name_cy == "Bwrdd Perfformiad Plismona"


def test_the_bilingual_example_round_trips_its_welsh_twins(meeting):
    original = json.loads(BILINGUAL.read_text(encoding="utf-8"))
    out = StringIO()
    call_command("export_meeting", "PPB", "2014-03-13", stdout=out)
    exported = json.loads(out.getvalue())
    assert exported["format"] == "scrutiny.meeting/1.1"
    assert normalise(exported) == normalise(original, numbered_like=exported)
    hate_crime = exported["items"][3]["items"][0]
    assert hate_crime["title_cy"] == "Troseddau Casineb"
    assert hate_crime["actions"][0]["text_cy"].startswith("Argymhellion prosiect ymchwil")
    assert exported["items"][0]["action_reviews"][1]["progress_cy"].startswith("Wedi'i gwblhau")


def test_an_english_only_meeting_still_exports_as_1_0():
    call_command("import_meeting", str(ENGLISH), stdout=StringIO())
    out = StringIO()
    call_command("export_meeting", "PPB", "2014-03-13", stdout=out)
    assert json.loads(out.getvalue())["format"] == "scrutiny.meeting/1"


@pytest.mark.real_pdf
def test_the_welsh_minutes_pdf_is_in_welsh_and_says_so(meeting):
    pdf = render_minutes_pdf(meeting, public=True, language="cy")
    assert pdf_lang(pdf) == "cy"
    text = pdf_text(pdf)
    for welsh in [
        "Comisiynydd Heddlu a Throseddu Dyfed-Powys",
        "Cofnodion Bwrdd Perfformiad Plismona",
        "Dydd Iau 13 Mawrth 2014",
        "Yn bresennol",
        "Ymddiheuriadau",
        "Troseddau Casineb",
        "Crynodeb o'r camau gweithredu",
        "Argymhellion prosiect ymchwil troseddau casineb",
        "Tudalen 1 o 8",
    ]:
        assert welsh.casefold() in text.casefold(), welsh
    assert "Hate Crime" not in text
    # The bilingual statement's English line is marked as English, and nothing else is.
    assert ("/Span", "en-GB") in struct_langs(pdf)
    english = render_minutes_pdf(meeting, public=True)
    assert pdf_lang(english) == "en-GB"
    assert "Hate Crime" in pdf_text(english)
    assert ("/Span", "cy") in struct_langs(english)  # the statement's Welsh line


@pytest.mark.real_pdf
def test_a_text_without_welsh_prints_in_english_marked_as_english(meeting):
    item = AgendaItem.objects.get(title="Data Quality")
    item.minutes_cy = ""
    item.save()
    pdf = render_minutes_pdf(meeting, public=True, language="cy")
    assert "Data Quality Assurance Board" in pdf_text(pdf)
    assert ("/Div", "en") in struct_langs(pdf)
    assert untranslated(meeting) == ["Item Data Quality: minutes"]


def publish(meeting, clerk, approver):
    meeting.created_by = clerk
    meeting.status = Meeting.Status.DRAFT
    meeting.save()
    meeting_approve(meeting=meeting, by=approver)
    return meeting_publish(meeting=meeting, by=approver)


@pytest.mark.real_pdf
def test_publication_stores_the_welsh_documents_beside_the_english(meeting, clerk, approver):
    publication = publish(meeting, clerk, approver)
    documents = {(d.kind, d.language): d for d in publication.documents.all()}
    assert set(documents) == {("minutes", "en"), ("minutes", "cy")}
    welsh = documents["minutes", "cy"]
    assert pdf_lang(bytes(welsh.pdf)) == "cy"
    assert welsh.get_absolute_url().endswith("/v1/minutes.cy.pdf")
    assert publication.title_cy == "13 Mawrth 2014"
    assert "Troseddau Casineb" in publication.minutes_html_cy


def test_the_public_search_finds_the_welsh_minutes(client, meeting, clerk, approver):
    publication = publish(meeting, clerk, approver)
    welsh = publication.texts.filter(language="cy")
    assert welsh.filter(text__contains="Canmolodd y CHTh").exists()
    # Only what differs from the English: no text is stored twice (an item whose Welsh title
    # is all that differs is stored with that title and no text).
    english = set(publication.texts.filter(language="en").values_list("text", flat=True))
    assert not english & set(welsh.exclude(text="").values_list("text", flat=True))
    page = client.get("/cy/search/", {"q": "Canmolodd"}).content.decode()
    assert f"/cy/meetings/{meeting.pk}/" in page


def test_a_welsh_body_cannot_publish_while_a_text_lacks_its_welsh(meeting, clerk, approver):
    item = AgendaItem.objects.get(title="Hate Crime")
    item.title_cy = ""
    item.save()
    with pytest.raises(PublicationError, match="1 testun|1 text") as refused:
        publish(meeting, clerk, approver)
    assert "Hate Crime" not in str(refused.value) or "title" in str(refused.value)
    assert not meeting.publications.exists()
    # The body may choose to publish in English while the Welsh is prepared.
    body = meeting.board.body
    body.welsh_required = False
    body.save()
    meeting.refresh_from_db()
    meeting_publish(meeting=meeting, by=approver)
    assert meeting.publications.count() == 1


@pytest.mark.real_pdf
def test_a_body_may_publish_one_bilingual_document(meeting, clerk, approver):
    body = meeting.board.body
    body.bilingual_documents = True
    body.save()
    publication = publish(meeting, clerk, approver)
    (document,) = publication.documents.all()
    assert document.language == "en+cy"
    pdf = bytes(document.pdf)
    text = pdf_text(pdf)
    assert "Troseddau Casineb" in text
    assert "Hate Crime" in text
    assert "Ymddiheuriadau" in text
    assert "Apologies" in text
    assert ("/Div", "en-GB") in struct_langs(pdf)
    assert ("/Div", "cy") in struct_langs(pdf)


def test_the_public_page_shows_the_visitors_language(client, meeting, clerk, approver):
    publish(meeting, clerk, approver)
    with translation.override("cy"):
        welsh_url = reverse("minutes:meeting-detail", args=[meeting.pk])
    with translation.override("en"):
        english_url = reverse("minutes:meeting-detail", args=[meeting.pk])
    assert (welsh_url, english_url) == (
        f"/cy/meetings/{meeting.pk}/",
        f"/en/meetings/{meeting.pk}/",
    )

    welsh = client.get(welsh_url).content.decode()
    assert '<html lang="cy">' in welsh
    assert "Troseddau Casineb" in welsh
    assert "Hate Crime" not in welsh
    assert "Cofnodion (yn Gymraeg" in welsh
    assert f'hreflang="en" href="http://testserver{english_url}"' in welsh

    english = client.get(english_url).content.decode()
    assert '<html lang="en">' in english
    assert "Hate Crime" in english
    assert "Troseddau Casineb" not in english


def test_the_welsh_page_says_plainly_when_minutes_exist_only_in_english(client, clerk, approver):
    call_command("import_meeting", str(ENGLISH), stdout=StringIO())
    meeting = Meeting.objects.get()
    publish(meeting, clerk, approver)
    page = client.get(f"/cy/meetings/{meeting.pk}/").content.decode()
    assert '<html lang="cy">' in page
    assert "Cyhoeddwyd y cofnodion hyn yn Saesneg yn unig" in page
    assert '<article class="minutes" lang="en">' in page
    assert "Hate Crime" in page


@pytest.mark.real_pdf
def test_the_welsh_pdf_is_served_at_its_own_address(client, meeting, clerk, approver):
    publish(meeting, clerk, approver)
    response = client.get(f"/meetings/{meeting.pk}/v1/minutes.cy.pdf")
    assert response.status_code == 200
    assert pdf_lang(response.content) == "cy"
    assert "-cy.pdf" in response["Content-Disposition"]
    assert client.get(f"/meetings/{meeting.pk}/v1/minutes.xx.pdf").status_code == 404
    assert PublishedDocument.objects.count() == 2
