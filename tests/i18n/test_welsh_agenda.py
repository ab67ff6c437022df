"""Agendas in Welsh: a Welsh body's published agenda shows the visitor's language (and says
plainly what exists only in English), its pack comes in Welsh with /Lang cy (or one bilingual
pack), its Welsh passages are found by search, and nothing exempt leaks in Welsh."""

import datetime

import pytest

from meetings.models import AgendaPublication, Paper
from meetings.services import meeting_announce
from minutes.services import agenda_publish, paper_attach_pdf
from tests.factories import AgendaItemFactory, BoardFactory, OrganisationFactory, pdf_with_text
from tests.i18n.test_bilingual import pdf_lang, pdf_text, struct_langs

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]


@pytest.fixture
def body():
    return OrganisationFactory(
        name="Dyfed-Powys OPCC", name_cy="Comisiynydd Heddlu a Throseddu Dyfed-Powys", welsh=True
    )


def announced(body):
    board = BoardFactory(
        body=body,
        name="Policing Performance Board",
        name_cy="Bwrdd Perfformiad Plismona",
        slug="ppb",
        action_prefix="PPB",
    )
    meeting = meeting_announce(
        board=board,
        held_on=datetime.date(2099, 3, 13),
        start_time=datetime.time(10, 0),
        venue="Police Headquarters",
        by=None,
    )
    hate = AgendaItemFactory(
        meeting=meeting, number="1", title="Hate Crime", title_cy="Troseddau Casineb", minutes=""
    )
    paper = Paper.objects.create(
        item=hate, title="Hate crime report", title_cy="Adroddiad troseddau casineb", author="CC"
    )
    paper_attach_pdf(paper=paper, data=pdf_with_text("PAPERTEXT"), by=None)
    AgendaItemFactory(meeting=meeting, number="2", title="Data Quality", minutes="")
    AgendaItemFactory(
        meeting=meeting,
        number="3",
        title="Estates disposal plan",
        title_cy="Cynllun gwaredu ystadau",
        exempt=True,
        exempt_reason="Commercially sensitive",
        exempt_reason_cy="Masnachol sensitif",
    )
    hidden = AgendaItemFactory(meeting=meeting, number="3.1", title="Sale of Llandeilo station")
    hidden.title_cy = "Gwerthu gorsaf Llandeilo"
    hidden.parent = meeting.items.get(number="3")
    hidden.save()
    Paper.objects.create(
        item=meeting.items.get(number="1"),
        title="Exempt annex",
        title_cy="Atodiad eithriedig",
        exempt=True,
    )
    return meeting


def test_the_welsh_agenda_page_is_in_welsh_and_marks_what_is_english(client, body, approver):
    meeting = announced(body)
    agenda_publish(meeting=meeting, by=approver)

    welsh = client.get(f"/cy/meetings/{meeting.pk}/").content.decode()
    assert '<html lang="cy">' in welsh
    assert "Bwrdd Perfformiad Plismona" in welsh
    assert "<strong>Troseddau Casineb</strong>" in welsh
    assert ">Adroddiad troseddau casineb</a>" in welsh
    assert '<strong lang="en">Data Quality</strong>' in welsh  # no Welsh: English, marked
    assert "Cynllun gwaredu ystadau" in welsh
    assert "Masnachol sensitif" in welsh
    assert "Hate Crime" not in welsh
    assert "yn Saesneg yn unig" not in welsh  # the agenda is in Welsh, not English only
    assert "Pecyn agenda yn Gymraeg" in welsh
    assert f"/meetings/{meeting.pk}/agenda-pack-v1.cy.pdf" in welsh

    english = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert "<strong>Hate Crime</strong>" in english
    assert "Data Quality" in english
    assert "Commercially sensitive" in english
    assert "Troseddau Casineb" not in english
    assert ' lang="en"' not in english.split('id="agenda-heading"', 1)[1]
    assert "Agenda pack in English" in english

    for page in (welsh, english):
        # Nothing exempt: not the child of an exempt item, not an exempt paper, in any language.
        for secret in ("Llandeilo", "Exempt annex", "Atodiad eithriedig"):
            assert secret not in page


def test_an_agenda_without_welsh_says_so_on_the_welsh_page(client, body, approver):
    meeting = announced(body)
    meeting.items.update(title_cy="", exempt_reason_cy="")
    Paper.objects.update(title_cy="")
    agenda_publish(meeting=meeting, by=approver)
    welsh = client.get(f"/cy/meetings/{meeting.pk}/").content.decode()
    assert "Cyhoeddwyd yr agenda hon yn Saesneg yn unig" in welsh
    assert '<strong lang="en">Hate Crime</strong>' in welsh
    # The exempt label is fixed wording: it is in Welsh even where the titles are not.
    assert "Cyhoeddwyd yr agenda" in welsh


def test_the_welsh_agenda_pack_is_in_welsh(client, body, approver):
    meeting = announced(body)
    agenda = agenda_publish(meeting=meeting, by=approver)
    agenda.refresh_from_db()
    assert agenda.pack_language == "en"

    response = client.get(f"/meetings/{meeting.pk}/agenda-pack-v1.cy.pdf")
    assert response.status_code == 200
    assert "-cy.pdf" in response["Content-Disposition"]
    welsh = bytes(response.content)
    assert pdf_lang(welsh) == "cy"
    text = pdf_text(welsh)
    for words in [
        "Comisiynydd Heddlu a Throseddu Dyfed-Powys",
        "Bwrdd Perfformiad Plismona",
        "Dydd Gwener 13 Mawrth 2099",
        "Troseddau Casineb",
        "Adroddiad troseddau casineb",
        "Masnachol sensitif",
        "Tudalen 1 o 1",
        "PAPERTEXT",  # the paper follows the agenda
    ]:
        assert words.casefold() in text.casefold(), words
    assert "Hate Crime" not in text
    assert "Data Quality" in text
    assert "en" in {lang for _element, lang in struct_langs(welsh)}  # Data Quality
    for secret in ("Llandeilo", "Exempt annex", "Atodiad eithriedig"):
        assert secret not in text

    english = bytes(client.get(f"/meetings/{meeting.pk}/agenda-pack-v1.pdf").content)
    assert pdf_lang(english) == "en-GB"
    assert "Hate Crime" in pdf_text(english)
    assert "Troseddau Casineb" not in pdf_text(english)


def test_a_body_may_publish_one_bilingual_agenda_pack(client, body, approver):
    body.bilingual_documents = True
    body.save()
    meeting = announced(body)
    agenda_publish(meeting=meeting, by=approver)
    agenda = AgendaPublication.objects.get()
    assert agenda.pack_language == "en+cy"
    assert agenda.pack_cy is None
    assert client.get(f"/meetings/{meeting.pk}/agenda-pack-v1.cy.pdf").status_code == 404
    pdf = bytes(client.get(f"/meetings/{meeting.pk}/agenda-pack-v1.pdf").content)
    assert pdf_lang(pdf) == "cy"
    text = pdf_text(pdf)
    assert text.index("Troseddau Casineb") < text.index("Hate Crime")
    assert ("/Div", "en-GB") in struct_langs(pdf)
    page = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert "Agenda pack in Welsh and English" in page


def test_an_english_bodys_agenda_pack_is_as_before(client, approver):
    meeting = announced(OrganisationFactory(name="Gwent OPCC"))
    agenda_publish(meeting=meeting, by=approver)
    agenda = AgendaPublication.objects.get()
    assert agenda.pack_cy is None
    page = client.get(f"/en/meetings/{meeting.pk}/").content.decode()
    assert "Agenda pack (PDF" in page
    assert "Welsh" not in page.split('id="agenda-heading"', 1)[1]


def test_the_search_finds_welsh_agenda_text_and_nothing_exempt(client, body, approver):
    meeting = announced(body)
    agenda_publish(meeting=meeting, by=approver)
    found = client.get("/cy/search/", {"q": "casineb"}).content.decode()
    assert "1 Troseddau Casineb" in found
    assert "Adroddiad troseddau casineb" in found
    exempt = client.get("/cy/search/", {"q": "masnachol"}).content.decode()
    assert "3 Cynllun gwaredu ystadau" in exempt  # the board publishes exempt titles
    for secret in ("llandeilo", "atodiad", "gwerthu"):
        found = client.get("/cy/search/", {"q": secret}).content.decode()
        assert 'class="search-result' not in found


@pytest.mark.parametrize(("language", "lang"), [("en", "en-GB"), ("cy", "cy"), ("en+cy", "cy")])
def test_the_agenda_in_each_language_has_a_sound_structure_tree(body, language, lang):
    from minutes.documents import agenda_html, agenda_snapshot
    from scrutiny.pdf import render_pdf
    from tests.i18n.test_pdf_structure import check_structure

    meeting = announced(body)
    pdf = render_pdf(agenda_html(meeting, agenda_snapshot(meeting), language))
    assert check_structure(pdf, lang=lang) == []
