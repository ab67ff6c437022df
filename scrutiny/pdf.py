"""The one place that turns HTML into PDF. It owns WeasyPrint and what it may fetch.

User text reaches the renderer inside our templates (auto-escaped), so markup in it is inert; a
reference it smuggles in (file://, http://127.0.0.1, data:) still has to pass the fetcher, and
the fetcher serves nothing but our own files under static/pdf/ and PNG or JPEG images inlined
as data: URLs (a body's logo).

Rendering runs in a child process (scrutiny.pdf_worker) with a cap on its memory and a time
limit, whatever thread asks for it: a runaway document is stopped without taking the web
worker with it, and a failed render raises RenderError before anything is stored.
"""

import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from scrutiny import pdf_worker
from scrutiny.limits import DOCUMENT_HTML
from scrutiny.pdf_worker import SCHEME, OwnFilesOnlyFetcher

__all__ = ["SCHEME", "OwnFilesOnlyFetcher", "RenderError", "Rendered", "render", "render_pdf"]

PDF_ASSETS = Path(settings.BASE_DIR) / "static" / "pdf"
RENDER_SECONDS = 120
RENDER_MEMORY_MB = 1024  # a 1.2 MB page of 800 items renders in under 400 MB

# A fork server with WeasyPrint already imported: each render forks from it, so it starts in
# milliseconds, and from a process with no threads or database connections of ours.
_PROCESSES = multiprocessing.get_context("forkserver")
_PROCESSES.set_forkserver_preload(["scrutiny.pdf_worker"])


class RenderError(Exception):
    """A document that could not be rendered; nothing was stored."""


@dataclass
class Rendered:
    pdf: bytes
    attempts: list[str] = field(default_factory=list)  # every URL the document tried to fetch
    refused: list[str] = field(default_factory=list)
    peak_kib: int = 0  # the renderer's peak resident memory


def render(
    html: str,
    *,
    stylesheet: str = "document.css",
    seconds: float = RENDER_SECONDS,
    memory_mb: int = RENDER_MEMORY_MB,
) -> Rendered:
    """A tagged PDF (PDF/UA-1), with the log of what the document tried to fetch."""
    if len(html) > DOCUMENT_HTML:
        raise RenderError("The document is too large to render; shorten the longest items.")
    css = (PDF_ASSETS / stylesheet).read_text(encoding="utf-8")
    receiver, sender = _PROCESSES.Pipe(duplex=False)
    child = _PROCESSES.Process(
        target=pdf_worker.render,
        args=(sender, html, css, str(PDF_ASSETS), memory_mb * 1024 * 1024),
        daemon=True,
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise RenderError(f"Rendering took longer than {seconds:g} seconds and was stopped.")
        outcome = receiver.recv()
    except EOFError:
        raise RenderError(
            f"The renderer stopped before finishing the document (limit {memory_mb} MB)."
        ) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome[0] == "ok":
        _status, pdf, attempts, refused, peak_kib = outcome
        return Rendered(pdf=pdf, attempts=attempts, refused=refused, peak_kib=peak_kib)
    if outcome[0] == "memory":
        raise RenderError(f"The document needed more than {memory_mb} MB to render.")
    raise RenderError(f"The document could not be rendered within {memory_mb} MB ({outcome[1]}).")


def render_pdf(html: str, **limits) -> bytes:
    """A tagged PDF (PDF/UA-1); title and language come from the HTML's <title> and lang."""
    return render(html, **limits).pdf
