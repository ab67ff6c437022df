"""Playwright on Debian's Chromium, never a downloaded browser. Missing Chromium is a failure."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    """A browser drives the pages, whatever the engine under them: `make test` runs these on
    PostgreSQL, the production database, and not again on SQLite."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.engine_independent)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/system-deps.sh (as root).")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# Only the violations come back to Python, each with its rule, its help and where the first
# offending node is: axe still runs every rule of these tags on the whole page, but it no longer
# serialises every node that passed (several megabytes a run on the admin and editor pages).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
AXE_RUN = """options => axe.run(document, options).then(results => results.violations.map(v => (
    {id: v.id, help: v.help, count: v.nodes.length, target: v.nodes[0].target,
     summary: v.nodes[0].failureSummary})))"""


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.base import AXE_SCRIPT

    def violations(page) -> list[str]:
        # axe is injected once a document (a new page load starts without it), not once a run.
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(AXE_SCRIPT)
        # Colours are judged as they settle: a button swapped in under the pointer is otherwise
        # caught halfway through Bootstrap's 0.15 s hover transition.
        page.evaluate(
            "document.getAnimations().forEach(a => { if (a instanceof CSSTransition) a.finish(); })"
        )
        found = page.evaluate(AXE_RUN, AXE_OPTIONS)
        return [
            f"{v['id']}: {v['help']} ({v['count']}× e.g. {v['target']}: {v['summary']})"
            for v in found
        ]

    return violations
