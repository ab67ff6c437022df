"""The documents: render commands, previews, and a renderer that fetches nothing but our
own files."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from scrutiny.pdf import OwnFilesOnlyFetcher
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
)
from tests.minutes.publication.helpers import (
    pdf_text,
    squashed,
)

pytestmark = pytest.mark.django_db


# --- Render commands and previews ---------------------------------------------------------


@pytest.mark.real_pdf
@pytest.mark.parametrize("command", ["render_minutes", "render_questions"])
def test_render_commands_write_the_public_and_the_full_pdf(command, prepared, tmp_path):
    texts = {}
    for variant in ("public", "full"):
        output = tmp_path / f"{variant}.pdf"
        out = StringIO()
        call_command(command, "SPB", "2019-11-26", f"--{variant}", "-o", str(output), stdout=out)
        assert output.read_bytes().startswith(b"%PDF-")
        assert str(output) in out.getvalue()
        texts[variant] = pdf_text(output.read_bytes())
    assert "NOT FOR PUBLICATION" in texts["full"]
    assert "NOT FOR PUBLICATION" not in texts["public"]
    assert "1,342 officers." in texts["public"]


@pytest.mark.parametrize("command", ["render_minutes", "render_questions"])
def test_render_commands_need_public_or_full(command, prepared, tmp_path):
    output = tmp_path / "out.pdf"
    with pytest.raises(CommandError, match="--public"):
        call_command(command, "SPB", "2019-11-26", "-o", str(output), stdout=StringIO())
    assert not output.exists()


@pytest.mark.parametrize("command", ["render_minutes", "render_questions"])
def test_render_commands_name_a_missing_meeting(command, prepared, tmp_path):
    output = tmp_path / "out.pdf"
    with pytest.raises(CommandError) as error:
        call_command(command, "SPB", "2031-01-31", "--public", "-o", str(output))
    assert "SPB" in str(error.value)
    assert "2031-01-31" in str(error.value)
    assert not output.exists()


PREVIEWS = [(k, v) for k in ("minutes", "questions") for v in ("public", "full")]


def test_previews_are_pdfs_for_staff_and_not_found_for_the_public(client, clerk, prepared):
    urls = [
        reverse("minutes:preview-document", args=[prepared.pk, kind, variant])
        for kind, variant in PREVIEWS
    ]
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    client.force_login(clerk)
    for url in urls:
        page = client.post(url, follow=True)
        assert page.status_code == 200
        assert "The preview is ready." in page.content.decode()
        response = client.get(page.context["pdf_url"])
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert "no-store" in response["Cache-Control"]


# --- The renderer fetches nothing but our own files ---------------------------------------

HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel=stylesheet href="http://127.0.0.1:1/x.css">',
    "url(file:///etc/hostname)",
]


@pytest.mark.real_pdf
def test_references_in_minutes_print_as_text_and_fetch_nothing(board):
    from minutes.documents import minutes_html
    from scrutiny.pdf import render

    meeting = MeetingFactory(board=board)
    AgendaItemFactory(meeting=meeting, title="Hostile", minutes="\n\n".join(HOSTILE))
    rendered = render(minutes_html(meeting, public=True))
    text = squashed(pdf_text(rendered.pdf))
    assert [s for s in HOSTILE if squashed(s) not in text] == []
    assert rendered.attempts == []  # escaped, the references are text: nothing tries to fetch


@pytest.mark.real_pdf
def test_the_renderer_logs_and_refuses_what_a_document_tries_to_fetch():
    """The control for the test above: a reference that is markup is tried, and refused."""
    from scrutiny.pdf import render

    rendered = render(
        '<html lang="en-GB"><title>T</title><p>Hi</p>'
        '<img src="file:///etc/hostname"><img src="http://127.0.0.1:1/x.png"></html>'
    )
    assert rendered.pdf.startswith(b"%PDF")
    assert rendered.refused == ["file:///etc/hostname", "http://127.0.0.1:1/x.png"]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:1/x.css",
        "https://example.org/x.css",
        "data:text/css,body{}",
        "scrutiny-static:/../../settings.py",
        "scrutiny-static:/../../../../etc/passwd",
        "scrutiny-static:/no-such-file.css",
    ],
)
def test_fetcher_refuses_anything_but_our_document_files(url):
    fetcher = OwnFilesOnlyFetcher()
    with pytest.raises(ValueError, match="Refused to fetch|No such document asset"):
        fetcher.fetch(url)
    assert fetcher.refused


def test_fetcher_serves_the_document_stylesheet():
    response = OwnFilesOnlyFetcher().fetch("scrutiny-static:/document.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
