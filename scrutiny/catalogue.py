"""The Welsh catalogue's health: what is untranslated or fuzzy, and which source strings it lacks.

Used by the test suite and by scripts/untranslated.py (which prints the same lists for the
translator). Finding what the catalogue lacks runs makemessages over a copy of the sources, so the
real catalogue is never rewritten by a check.
"""

import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# Folders that hold no strings of ours.
NOT_SOURCES = {".venv", ".git", "locale", "static", "staticfiles", "media", "node_modules"}
NOT_SOURCES |= {"test-artifacts", ".pytest_cache", ".ruff_cache", "__pycache__"}


def _entries(path: Path = CATALOGUE):
    import polib

    return polib.pofile(str(path)) if path.suffix == ".po" else polib.mofile(str(path))


def untranslated() -> list[str]:
    """Entries of the catalogue with no Welsh, or a fuzzy (unchecked) Welsh."""
    out = []
    for entry in _entries():
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            out.append(f"fuzzy: {entry.msgid}")
        elif entry.msgid_plural:
            forms = [entry.msgstr_plural.get(k, "") for k in range(6)]
            if not all(forms):
                out.append(f"plural forms missing: {entry.msgid}")
        elif not entry.msgstr:
            out.append(f"untranslated: {entry.msgid}")
    return out


def source_msgids() -> set[str]:
    """Every msgid the sources hold today, as makemessages finds them."""
    root = Path(settings.BASE_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(
            root,
            copy,
            ignore=lambda directory, names: [n for n in names if n in NOT_SOURCES],
        )
        locale = copy / "locale"
        locale.mkdir()
        cwd = os.getcwd()
        try:
            os.chdir(copy)
            with override_settings(LOCALE_PATHS=[locale]):
                call_command("makemessages", locale=["cy"], verbosity=0, no_location=True)
        finally:
            os.chdir(cwd)
        return {entry.msgid for entry in _entries(locale / "cy" / "LC_MESSAGES" / "django.po")}


def missing_msgids() -> list[str]:
    """Source strings the catalogue lacks: run makemessages, then translate them."""
    known = {entry.msgid for entry in _entries() if not entry.obsolete}
    return sorted(source_msgids() - known)


def stale_compiled() -> list[str]:
    """Catalogue entries whose compiled (.mo) form differs: run compilemessages."""
    compiled = {entry.msgid: entry for entry in _entries(COMPILED)}
    out = []
    for entry in _entries():
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        other = compiled.get(entry.msgid)
        if other is None or (other.msgstr, other.msgstr_plural) != (
            entry.msgstr,
            {int(k): v for k, v in entry.msgstr_plural.items()},
        ):
            out.append(entry.msgid)
    return out
