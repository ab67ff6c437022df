"""The one place that turns HTML into PDF. It owns WeasyPrint and what it may fetch.

User text reaches the renderer inside our templates (auto-escaped), so markup in it is inert; a
reference it smuggles in (file://, http://127.0.0.1, data:) still has to pass the fetcher, and
the fetcher serves nothing but our own files under static/pdf/.
"""

import mimetypes
import resource
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from scrutiny.limits import DOCUMENT_HTML

SCHEME = "scrutiny-static:"
PDF_ASSETS = Path(settings.BASE_DIR) / "static" / "pdf"
RENDER_SECONDS = 120


class RenderError(Exception):
    """A document that could not be rendered; nothing was stored."""


class OwnFilesOnlyFetcher(URLFetcher):
    """Serves files under static/pdf/ by the scrutiny-static: scheme; refuses every other URL."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=["scrutiny-static"], allow_redirects=False, **kwargs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.startswith(SCHEME):
            self.refused.append(url[:200])
            raise ValueError(f"Refused to fetch {url[:80]!r}: documents use only their own files.")
        relative = url.removeprefix(SCHEME).lstrip("/")
        path = (PDF_ASSETS / relative).resolve()
        if not path.is_relative_to(PDF_ASSETS.resolve()) or not path.is_file():
            self.refused.append(url[:200])
            raise ValueError(f"No such document asset: {relative[:80]!r}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime_type})


@contextmanager
def _time_limit(seconds: int):
    """Stop a runaway render. Signals only work in the main thread; elsewhere, no alarm."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise RenderError(f"Rendering took longer than {seconds} seconds and was stopped.")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def render_pdf(html: str, *, stylesheet: str = "document.css") -> bytes:
    """A tagged PDF (PDF/UA-1); title and language come from the HTML's <title> and lang."""
    if len(html) > DOCUMENT_HTML:
        raise RenderError("The document is too large to render; shorten the longest items.")
    fetcher = OwnFilesOnlyFetcher()
    css = CSS(string=(PDF_ASSETS / stylesheet).read_text(encoding="utf-8"), url_fetcher=fetcher)
    try:
        with _time_limit(RENDER_SECONDS):
            document = HTML(string=html, base_url=SCHEME + "/", url_fetcher=fetcher)
            return document.write_pdf(stylesheets=[css], pdf_variant="pdf/ua-1")
    except RenderError:
        raise
    except MemoryError:
        raise RenderError("The document is too large to render.") from None


def peak_memory_kib() -> int:
    """Peak resident memory of this process, for the benchmarks."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
