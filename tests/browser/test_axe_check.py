"""The axe check the browser tests rely on finds what it must: a page that breaks WCAG rules is
reported, rule by rule, on its first load and on a later one (axe is injected once a document)."""

BAD = """<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>
<h1>Bad</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#777;background:#888">Faint text</p></main></body></html>"""
GOOD = """<!doctype html><html lang="en"><head><title>Good</title></head><body><main>
<h1>Good</h1><p>Plain text</p></main></body></html>"""


def test_axe_reports_each_violation_on_every_load(browser, axe):
    page = browser.new_page()
    try:
        page.set_content(GOOD)
        assert axe(page) == []
        page.goto("data:text/html," + BAD.replace("#", "%23"))
        found = axe(page)
        assert [v.split(":")[0] for v in found] == ["color-contrast", "image-alt"]
        assert "1× e.g. ['img']" in found[1]
        assert axe(page) == found  # a second run on the same document, axe already there
    finally:
        page.close()
