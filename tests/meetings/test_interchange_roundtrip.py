import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.interchange import normalise

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
# The demo data: the format's authors' own example is one of them.
FILES = sorted(FIXTURES.glob("*.json"))


def export(prefix: str, date: str, title: str = "") -> dict:
    out = StringIO()
    args = ["export_meeting", prefix, date] + (["--title", title] if title else [])
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_every_demo_file_is_found():
    names = {path.name for path in FIXTURES.glob("*.json")}
    assert names == {
        "dyfed-powys-ppb-2014-03-13.json",
        "gwent-spb-2018-11-30.json",
        "gwent-spb-2019-11-26.json",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip_gives_back_the_same_values(path):
    original = json.loads(path.read_text(encoding="utf-8"))
    call_command("import_meeting", str(path), stdout=StringIO())
    meeting = original["meeting"]
    exported = export(original["board"]["action_prefix"], meeting["date"], meeting.get("title", ""))
    assert normalise(exported) == normalise(original, numbered_like=exported)


def test_all_demo_files_together_round_trip_each():
    """People and posts shared between meetings are one record, and each meeting still
    exports as it was imported."""
    call_command("import_meeting", *map(str, FILES), stdout=StringIO())
    for path in FILES:
        original = json.loads(path.read_text(encoding="utf-8"))
        meeting = original["meeting"]
        exported = export(
            original["board"]["action_prefix"], meeting["date"], meeting.get("title", "")
        )
        assert normalise(exported) == normalise(original, numbered_like=exported), path.name


def test_export_imports_again_with_replace_to_the_same_document(tmp_path):
    example = FIXTURES / "dyfed-powys-ppb-2014-03-13.json"
    call_command("import_meeting", str(example), stdout=StringIO())
    first = export("PPB", "2014-03-13")
    again = tmp_path / "again.json"
    again.write_text(json.dumps(first), encoding="utf-8")
    call_command("import_meeting", "--replace", str(again), stdout=StringIO())
    assert normalise(export("PPB", "2014-03-13")) == normalise(first)


def test_export_is_valid_against_the_schema():
    from minutes.interchange.importer import validate_document

    call_command("import_meeting", *map(str, FILES), stdout=StringIO())
    for path in FILES:
        original = json.loads(path.read_text(encoding="utf-8"))
        validate_document(export(original["board"]["action_prefix"], original["meeting"]["date"]))


def test_export_of_unknown_meeting_says_so():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No meeting of the board PPB on 2014-03-13"):
        export("PPB", "2014-03-13")
    with pytest.raises(CommandError, match="not a date"):
        export("PPB", "13/03/2014")


# The SHA-256 of the 1.0 contract (keys sorted), as agreed with the other systems that use it.
CONTRACT_1_0 = "fa7a934b4a5fc23fdb1156e74a96738b9c2170400a8cf51ba46f8ae31e018d7c"


def test_bundled_1_0_schema_is_the_shared_contract():
    from minutes.interchange import FORMAT_1_0, SCHEMA_PATHS

    bundled = json.loads(SCHEMA_PATHS[FORMAT_1_0].read_text())
    digest = hashlib.sha256(json.dumps(bundled, sort_keys=True).encode()).hexdigest()
    assert digest == CONTRACT_1_0


def test_every_1_0_file_is_a_valid_1_1_file():
    """1.1 only adds: a 1.0 document relabelled 1.1 validates against the 1.1 schema."""
    from jsonschema import Draft202012Validator

    from minutes.interchange import FORMAT_1_1, schema

    validator = Draft202012Validator(schema(FORMAT_1_1))
    for path in FILES:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["format"] == "scrutiny.meeting/1"
        assert list(validator.iter_errors({**document, "format": FORMAT_1_1})) == [], path


def test_a_meeting_that_uses_nothing_new_exports_as_1_0():
    call_command("import_meeting", *map(str, FILES), stdout=StringIO())
    for path in FILES:
        original = json.loads(path.read_text(encoding="utf-8"))
        exported = export(original["board"]["action_prefix"], original["meeting"]["date"])
        assert exported["format"] == "scrutiny.meeting/1"
