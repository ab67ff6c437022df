"""A stand-in for WeasyPrint in tests that are not about documents: a real, small PDF holding
the document's text (pdftotext reads it), made in microseconds instead of seconds.

The document, canary and renderer tests use the real renderer (`pytest.mark.real_pdf`)."""

from contextlib import contextmanager
from html.parser import HTMLParser
from textwrap import wrap
from unittest import mock

from scrutiny.limits import DOCUMENT_HTML
from scrutiny.pdf import Rendered, RenderError

LINES_PER_PAGE = 60
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "br", "section", "table"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.current, self.skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head"):
            self.skip += 1
        elif tag in BLOCKS:
            self._end_line()

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head"):
            self.skip -= 1
        elif tag in BLOCKS:
            self._end_line()

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)

    def _end_line(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.extend(wrap(text, 95) or [""])
        self.current = []


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def fake_pdf(html: str) -> bytes:
    parser = _Text()
    parser.feed(html)
    parser._end_line()
    lines = parser.lines or [""]
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    objects: list[bytes] = []
    font = 3 + 2 * len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for i, page in enumerate(pages):
        stream = (
            b"BT /F1 9 Tf 40 800 Td 12 TL "
            + b" ".join(b"(" + _escape(line) + b") Tj T*" for line in page)
            + b" ET"
        )
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def fake_render(html: str, **_limits) -> Rendered:
    if len(html) > DOCUMENT_HTML:
        raise RenderError("The document is too large to render; shorten the longest items.")
    return Rendered(pdf=fake_pdf(html))


@contextmanager
def rendering_faked():
    """For the setup of a `real_pdf` test whose own renders are the point, not those its setup
    makes on the way (an import that publishes renders every document it stores): the setup's
    documents come from the fake renderer, what the test renders afterwards from WeasyPrint."""
    from scrutiny import pdf

    with mock.patch.object(pdf, "render", fake_render):
        yield
