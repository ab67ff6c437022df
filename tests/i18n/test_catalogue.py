"""The Welsh catalogue is complete, checked, compiled, and up to date with the sources; no
template shows text that is not marked for translation."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format

from scrutiny import catalogue
from scrutiny.template_scan import scan, scan_text

HOW = (
    "Run scripts/untranslated.py; then manage.py makemessages -l cy --no-obsolete "
    "--ignore=.venv, translate in locale/cy/LC_MESSAGES/django.po, and compile it (msgfmt)."
)


def test_every_entry_is_translated_and_none_is_fuzzy():
    pending = catalogue.untranslated()
    assert pending == [], f"{len(pending)} entries need Welsh. {HOW}\n" + "\n".join(pending)


def test_the_catalogue_holds_every_string_of_the_sources():
    missing = catalogue.missing_msgids()
    assert missing == [], (
        f"{len(missing)} source strings are not in the Welsh catalogue. {HOW}\n"
        + "\n".join(missing)
    )


def test_the_compiled_catalogue_matches_the_catalogue():
    stale = catalogue.stale_compiled()
    assert stale == [], f"The .mo is out of date for {len(stale)} entries. {HOW}\n" + "\n".join(
        stale
    )


def test_welsh_has_six_plural_forms_and_counts_use_them():
    header = catalogue._entries().metadata["Plural-Forms"]
    assert header.startswith("nplurals=6;")
    forms = {}
    with translation.override("cy"):
        for n in (0, 1, 2, 3, 6, 7):
            forms[n] = translation.ngettext("%(counter)s meeting", "%(counter)s meetings", n) % {
                "counter": n
            }
    assert forms == {
        0: "0 o gyfarfodydd",
        1: "1 cyfarfod",
        2: "2 gyfarfod",
        3: "3 chyfarfod",
        6: "6 chyfarfod",
        7: "7 o gyfarfodydd",
    }


def test_dates_in_welsh_name_the_day():
    import datetime

    with translation.override("cy"):
        assert date_format(datetime.date(2014, 3, 13), "l j F Y") == "Dydd Iau 13 Mawrth 2014"
    with translation.override("en"):
        assert date_format(datetime.date(2014, 3, 13), "l j F Y") == "Thursday 13 March 2014"


def test_no_template_has_text_outside_translation_tags():
    found = scan(Path(settings.BASE_DIR) / "templates")
    assert found == [], "Mark these for translation ({% translate %}):\n" + "\n".join(
        map(str, found)
    )


@pytest.mark.parametrize(
    ("source", "bare"),
    [
        ("<p>Hello</p>", ["Hello"]),
        ('<img alt="A logo" src="x">', ["A logo"]),
        ('<nav aria-label="Main"></nav>', ["Main"]),
        ("{% load i18n %}<p>{% translate 'Hello' %}</p>", []),
        ("<p>{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}</p>", []),
        ("<p>{{ meeting.title }} – {{ when }}</p>", []),
        ('<p><span lang="cy">Mae\'r ddogfen hon ar gael</span></p>', []),
        ("<script>var x = 'text';</script>", []),
        ("{# a note #}<p>{% comment %}Draft{% endcomment %}</p>", []),
        ('<{{ heading }} id="board-{{ pk }}" class="h4">{{ name }}</{{ heading }}>', []),
        ("<{{ heading }}>Boards</{{ heading }}>", ["Boards"]),
    ],
)
def test_the_scanner_finds_bare_text_and_only_that(source, bare):
    assert [found.text for found in scan_text(source)] == bare
