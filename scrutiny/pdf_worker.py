"""The child process that renders a PDF: WeasyPrint, our fetcher, and a cap on memory.

It imports neither Django nor the database: it gets HTML and CSS, and sends back the PDF with a
log of what the document tried to fetch. scrutiny.pdf starts it, waits for it for a limited time
and kills it when it takes too long.
"""

import base64
import binascii
import mimetypes
import re
import resource
from pathlib import Path

import pydyf
from weasyprint import CSS, HTML
from weasyprint.pdf import tags as weasyprint_tags
from weasyprint.urls import URLFetcher, URLFetcherResponse

SCHEME = "scrutiny-static:"
DOCUMENT_ASSETS = Path(__file__).resolve().parent.parent / "static" / "pdf"
# A body's logo travels inside the document as a PNG or JPEG data: URL; no other data: URL is
# served (no stylesheets, fonts or SVG, which could reach further).
INLINE_IMAGE = re.compile(r"data:(image/(?:png|jpeg));base64,([A-Za-z0-9+/=]+)")
INLINE_IMAGE_MAX = 4 * 1024 * 1024


class OwnFilesOnlyFetcher(URLFetcher):
    """Serves files under the assets folder by the scrutiny-static: scheme; refuses every other
    URL. Every attempt is logged, so the caller can see what a document tried to reach."""

    def __init__(self, assets: Path = DOCUMENT_ASSETS, **kwargs):
        super().__init__(allowed_protocols=["scrutiny-static"], allow_redirects=False, **kwargs)
        self.assets = Path(assets).resolve()
        self.attempts: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.attempts.append(url[:200])
        inline = INLINE_IMAGE.fullmatch(url) if len(url) <= INLINE_IMAGE_MAX else None
        if inline is not None:
            try:
                body = base64.b64decode(inline.group(2), validate=True)
            except binascii.Error:
                self.refused.append(url[:200])
                raise ValueError("Refused a malformed inline image.") from None
            return URLFetcherResponse(
                url[:64], body=body, headers={"Content-Type": inline.group(1)}
            )
        if not url.startswith(SCHEME):
            self.refused.append(url[:200])
            raise ValueError(f"Refused to fetch {url[:80]!r}: documents use only their own files.")
        relative = url.removeprefix(SCHEME).lstrip("/")
        path = (self.assets / relative).resolve()
        if not path.is_relative_to(self.assets) or not path.is_file():
            self.refused.append(url[:200])
            raise ValueError(f"No such document asset: {relative[:80]!r}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime_type})


_build_box_tree = weasyprint_tags._build_box_tree
SCOPES = {"row": "/Row", "col": "/Column", "column": "/Column"}


def _build_box_tree_with_lang(box, parent, pdf, page_number, nums, annotations, tags):
    """WeasyPrint's structure tree, where an element whose lang="..." differs from the
    document's carries it as /Lang (PDF/UA 7.2): a screen reader reads an English passage of a
    Welsh document as English. WeasyPrint 70 writes /Lang only on the catalogue; this wraps its
    tree builder, which calls itself through the module, so every level goes through here."""
    lang = scope = None
    if box.element is not None and box.element_tag not in ("html", "body"):
        lang = box.element.attrib.get("lang")
        scope = SCOPES.get(box.element.attrib.get("scope", "")) if box.element_tag == "th" else None
    for element in _build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
        if element.get("P") == parent.reference:
            if lang and "Lang" not in element:
                element["Lang"] = pydyf.String(lang)
            if scope and element.get("S") == "/TH" and "A" in element:
                element["A"]["Scope"] = scope  # table headers say what they head (PDF/UA 7.5)
        yield element


weasyprint_tags._build_box_tree = _build_box_tree_with_lang


def write_pdf(html: str, css: str, assets: Path) -> tuple[bytes, OwnFilesOnlyFetcher]:
    fetcher = OwnFilesOnlyFetcher(assets)
    stylesheet = CSS(string=css, url_fetcher=fetcher)
    document = HTML(string=html, base_url=SCHEME + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1"), fetcher


def render(connection, html: str, css: str, assets: str, memory_bytes: int) -> None:
    """Child process entry point: send ("ok", pdf, attempts, refused, peak memory in KiB) or
    (kind, message)."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        pdf, fetcher = write_pdf(html, css, Path(assets))
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        connection.send(("ok", pdf, fetcher.attempts, fetcher.refused, peak_kib))
    except MemoryError:
        connection.send(("memory", ""))
    except Exception as exc:  # reported to the parent, which raises RenderError
        connection.send(("error", f"{type(exc).__name__}: {str(exc)[:300]}"))
    finally:
        connection.close()
