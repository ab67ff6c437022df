#!/usr/bin/env python
"""Print what the Welsh catalogue still needs: source strings it lacks (after other work added
them), and entries untranslated or fuzzy. Exit status 1 when there is anything to do.

    .venv/bin/python scripts/untranslated.py

Then: manage.py makemessages -l cy --no-obsolete --ignore=.venv, translate, and
msgfmt -o locale/cy/LC_MESSAGES/django.mo locale/cy/LC_MESSAGES/django.po (or compilemessages).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")

import django  # noqa: E402

django.setup()

from scrutiny import catalogue  # noqa: E402


def main() -> int:
    missing = catalogue.missing_msgids()
    pending = catalogue.untranslated()
    stale = catalogue.stale_compiled()
    for msgid in missing:
        print(f"not in the catalogue: {msgid}")
    for line in pending:
        print(line)
    for msgid in stale:
        print(f"not compiled (.mo out of date): {msgid}")
    return 1 if missing or pending or stale else 0


if __name__ == "__main__":
    sys.exit(main())
