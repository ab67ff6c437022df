"""Files are checked against each version's schema with its definitions written in place (a
reference looked up at each use was half the time of an import's check), and first by the same
schema compiled to Python. The inlined schema accepts and refuses exactly what the published
one does, saying the same thing at the same path; the compiled one accepts and refuses it
too."""

import copy
import json
import re
from pathlib import Path

import pytest
from fastjsonschema import JsonSchemaException
from fastjsonschema import compile as compile_schema

from minutes.interchange import FORMAT_1_0, FORMAT_1_1, schema
from minutes.interchange.validation import (
    REMOTE_REFUSED,
    Validator,
    _accepts,
    _validator,
    schema_errors,
)

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
    published = Validator(schema(version))
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


WRONG_VALUES = (
    None,
    True,
    False,
    0,
    1,
    1.0,
    -1,
    1.5,
    "",
    " ",
    "x" * 5000,
    "25:00",
    "10:00\n",
    "2014-13-45",
    "2019-11-26\n",
    [],
    {},
    [{}],
)
# Keys whose schema is a constant, a boolean, a number, a date or a time: each gets every value.
TARGETED = {"owned_by_body", "paragraph", "exempt", "public", "start", "end", "date", "due"}


def _mutations(document: dict):
    """The document with one value somewhere replaced by a value of another kind or shape, or
    one key added or removed: every keyword the schema uses is met somewhere in a meeting."""
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            paths.append(path)
            for key, value in node.items():
                walk(value, [*path, key])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, [*path, index])
        paths.append(path)

    walk(document, [])
    paths = [path for path in paths if path]
    step = max(1, len(paths) // 60)  # 60 places spread through the document
    spread = [(path, [WRONG_VALUES[n % len(WRONG_VALUES)]]) for n, path in enumerate(paths[::step])]
    targeted = [(path, list(WRONG_VALUES)) for path in paths if path[-1] in TARGETED][:12]
    for path, values in spread + targeted:
        for wrong in (*values, {"surprise": 1}, "drop"):
            broken = copy.deepcopy(document)
            parent = broken
            for part in path[:-1]:
                parent = parent[part]
            if wrong == "drop":
                if isinstance(parent, dict):
                    del parent[path[-1]]
                else:
                    continue
            elif wrong == {"surprise": 1} and isinstance(parent[path[-1]], dict):
                parent[path[-1]]["surprise"] = 1
            else:
                parent[path[-1]] = copy.deepcopy(wrong)
            yield broken


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("version", [FORMAT_1_0, FORMAT_1_1])
def test_the_compiled_check_accepts_and_refuses_what_the_published_schema_does(path, version):
    """An import first asks the compiled schema (fastjsonschema) whether a file is valid, and
    asks jsonschema what is wrong only when it says no (jsonschema then decides): the compiled
    check must never accept a file that the published schema refuses."""
    published = Validator(schema(version))
    document = json.loads(path.read_text(encoding="utf-8"))
    document["format"] = version
    refused = compared = 0
    for variant in [*_breakages(document), *_mutations(document)]:
        valid = not any(published.iter_errors(variant))
        assert bool(schema_errors(variant)) == (not valid)
        try:
            _accepts(version)(variant)
            accepted = True
        except JsonSchemaException:
            accepted = False
        assert valid or not accepted, json.dumps(variant)[:300]
        compared += 1
        refused += not valid
    assert compared > 50
    assert refused > compared / 2


def test_every_reference_of_the_schemas_is_within_them():
    """The compiled check resolves references itself: none may leave the schema (and one that
    did would be refused, never fetched)."""
    for version in (FORMAT_1_0, FORMAT_1_1):
        refs = re.findall(r'"\$ref": "([^"]*)"', json.dumps(schema(version)))
        assert refs
        assert all(ref.startswith("#/$defs/") for ref in refs)
    with pytest.raises(ValueError, match="outside itself"):
        compile_schema({"$ref": "https://example.invalid/schema.json"}, handlers=REMOTE_REFUSED)
