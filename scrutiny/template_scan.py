"""Find text in templates that a user reads but that is not marked for translation.

Text counts when it has a letter and stands outside {% translate %}, {% blocktranslate %},
template variables and tags, scripts and styles; so do the alt, title, aria-label and placeholder
attributes. Text inside an element that carries its own lang="..." is deliberately in that
language (the Welsh line of the bilingual statement) and is left alone.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

BLOCKS = re.compile(
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    r"|{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|{#.*?#}",
    re.DOTALL,
)
TAGS = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
# An element whose name is a variable (<{{ heading }} ...>) is still an element.
VARIABLE_TAG = re.compile(r"(</?){{.*?}}", re.DOTALL)
LETTER = re.compile(r"[^\W\d_]")
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class BareText:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def _blank(match: re.Match) -> str:
    """Keep line numbers: replace a block by as many newlines as it spans."""
    return "\n" * match.group(0).count("\n")


class _Scanner(HTMLParser):
    def __init__(self, name: str):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.stack: list[tuple[str, bool]] = []  # (tag, in another language or code)
        self.found: list[BareText] = []

    def _exempt(self) -> bool:
        return any(exempt for _tag, exempt in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        exempt = tag in ("script", "style") or "lang" in attributes and tag != "html"
        if not self._exempt() and not exempt:
            for name, value in attrs:
                if name in READ_ATTRIBUTES and value and LETTER.search(value):
                    self.found.append(BareText(self.name, self.getpos()[0], value.strip()))
        if tag not in VOID:
            self.stack.append((tag, exempt))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._exempt() and LETTER.search(data):
            self.found.append(BareText(self.name, self.getpos()[0], " ".join(data.split())))


def scan_text(source: str, name: str = "") -> list[BareText]:
    source = VARIABLE_TAG.sub(r"\1element", BLOCKS.sub(_blank, source))
    stripped = TAGS.sub(lambda m: _blank(m) or " ", source)
    scanner = _Scanner(name)
    scanner.feed(stripped)
    scanner.close()
    return scanner.found


def scan(root: Path) -> list[BareText]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix in (".html", ".txt") and path.is_file():
            found += scan_text(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    return found
