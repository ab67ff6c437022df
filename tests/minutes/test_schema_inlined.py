"""Files are checked against each version's schema with its definitions written in place (a
reference looked up at each use was half the time of an import's check). The inlined schema
accepts and refuses exactly what the published one does, saying the same thing at the same
path."""

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from minutes.interchange import FORMAT_1_0, FORMAT_1_1, schema
from minutes.interchange.validation import _validator

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "fixtures").glob("*.json")) + sorted(
    (ROOT / "tests" / "fixtures").glob("*.json")
)


def _breakages(document: dict):
    """The document, broken in ways that reach the definitions (items within items, actions,
    dates, times, statuses, text limits)."""
    yield document
    for change in (
        lambda d: d["meeting"].update(date="13/03/2014"),
        lambda d: d["meeting"].update(start="25:00"),
        lambda d: d.update(surprise=True),
        lambda d: d["items"][0].update(title=""),
        lambda d: d["items"][0].update(title="x" * 5000),
        lambda d: d["items"][0].setdefault("items", []).append({"title": "Sub", "items": [{}]}),
        lambda d: d["items"][0].setdefault("actions", []).append({"text": "No owners"}),
        lambda d: (
            d["items"][0]
            .setdefault("actions", [])
            .append({"text": "Bad", "owners": ["HoSPC"], "status": "sort of"})
        ),
        lambda d: d["items"][0].setdefault("action_reviews", []).append({"ref": 60}),
        lambda d: d.pop("items"),
    ):
        broken = copy.deepcopy(document)
        change(broken)
        yield broken


def _errors(validator, document) -> list[tuple[str, str, str]]:
    return sorted(
        (str(list(e.absolute_path)), e.validator, e.message)
        for e in validator.iter_errors(document)
    )


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("version", [FORMAT_1_0, FORMAT_1_1])
def test_the_inlined_schema_accepts_and_refuses_what_the_published_one_does(path, version):
    published = Draft202012Validator(schema(version))
    document = json.loads(path.read_text(encoding="utf-8"))
    document["format"] = version
    seen_refusals = 0
    for variant in _breakages(document):
        expected = _errors(published, variant)
        assert _errors(_validator(version), variant) == expected
        seen_refusals += bool(expected)
    assert seen_refusals >= 9  # every breakage above is refused


def test_a_definition_within_itself_stays_a_reference():
    inlined = _validator(FORMAT_1_1).schema
    text = json.dumps({k: v for k, v in inlined.items() if k != "$defs"})
    assert text.count('"$ref"') == 1  # an item's items: "#/$defs/item"
    assert '"#/$defs/item"' in text
