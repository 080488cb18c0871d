"""The committed catalogues (locale/): complete, well formed, and compiled as they read.

Read with a few lines of Python rather than gettext's tools, so that the suite
needs no gettext installed; `make messages` also runs `msgfmt --check`.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

LOCALE = Path(settings.BASE_DIR) / "locale"
# Forms per language: Arabic six (zero, one, two, few, many, other), Russian three,
# French and Spanish three (one, many, other), Chinese one.
PLURALS = {"ar": 6, "zh_Hans": 1, "fr": 3, "ru": 3, "es": 3}
LANGUAGES = [to_locale(code) for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%(?:\([a-z_0-9]+\))?[-#0 +]*\d*(?:\.\d+)?[sdrfxX]")
TAG = re.compile(r"</?[a-z]+\b[^>]*>")
# Exactly one number takes these Arabic forms (n == 0, 1, 2): they may spell it
# out rather than print it ("مرتين"), as gettext allows.
SPELLED_OUT = {"ar": {0, 1, 2}}


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file; the header is the one with an empty msgid."""
    entries, entry, last = [], Entry(), None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if last is not None:
                entries.append(entry)
            entry, last = Entry(), None
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            keyword, _space, rest = line.partition(" ")
            value, last = ast.literal_eval(rest), keyword
            if keyword.startswith("msgstr["):
                last = int(keyword[7:-1])
                entry.msgstr[last] = ""
            elif keyword == "msgstr":
                last = 0
                entry.msgstr[0] = ""
            else:
                setattr(entry, keyword, "")
        if isinstance(last, int):
            entry.msgstr[last] += value
        else:
            setattr(entry, last, getattr(entry, last) + value)
    return entries


def catalogue(language: str) -> tuple[Entry, list[Entry]]:
    entries = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    (header,) = [e for e in entries if e.msgid == ""]
    return header, [e for e in entries if e.msgid != ""]


def placeholders(text: str) -> set[str]:
    # "%%" is a literal percent sign, not the start of a placeholder ("50%% range").
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def test_there_is_a_catalogue_for_every_other_un_language():
    assert sorted(LANGUAGES) == sorted(PLURALS)
    for language in LANGUAGES:
        assert (LOCALE / language / "LC_MESSAGES" / "django.po").is_file()
        assert (LOCALE / language / "LC_MESSAGES" / "django.mo").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_gives_the_languages_plural_forms(language):
    header, _entries = catalogue(language)
    assert "fuzzy" not in header.flags
    assert f"Plural-Forms: nplurals={PLURALS[language]};" in header.msgstr[0]
    assert f"Language: {language}\n" in header.msgstr[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    _header, entries = catalogue(language)
    assert len(entries) > 400
    assert not [e.msgid for e in entries if e.obsolete]
    assert not [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [
        e.msgid
        for e in entries
        if not all(form.strip() for form in e.msgstr.values())
        or len(e.msgstr) != (PLURALS[language] if e.msgid_plural else 1)
    ]
    assert not untranslated


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_and_the_markup(language):
    _header, entries = catalogue(language)
    for entry in entries:
        wanted = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        tags = sorted(TAG.findall(entry.msgid))
        for form, text in entry.msgstr.items():
            found = placeholders(text)
            if entry.msgid_plural and form in SPELLED_OUT.get(language, set()):
                assert found <= wanted, (entry.msgid, form, text)
            else:
                assert found == wanted, (entry.msgid, form, text)
            assert sorted(TAG.findall(text)) == tags, (entry.msgid, form, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_is_both_plain_and_counted(language):
    """gettext merges them into one entry, and the plain lookup then finds nothing."""
    _header, entries = catalogue(language)
    plain = {(e.msgctxt, e.msgid) for e in entries if not e.msgid_plural}
    counted = {(e.msgctxt, e.msgid) for e in entries if e.msgid_plural}
    assert not plain & counted


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_says_what_the_po_file_says(language):
    """The committed .mo is the one `make messages` compiles from the committed .po."""
    _header, entries = catalogue(language)
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    for entry in entries:
        if entry.msgid_plural:
            for n in range(0, 120):
                form = compiled.plural(n)
                got = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                )
                assert got == entry.msgstr[form], (entry.msgid, n)
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


def test_russian_counts_take_the_three_forms_of_the_language():
    with (LOCALE / "ru" / "LC_MESSAGES" / "django.mo").open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    forms = {n: compiled.ngettext("day to go", "days to go", n) for n in (1, 2, 5, 11, 21, 22, 25)}
    assert forms == {
        1: "день до вступления в силу",
        2: "дня до вступления в силу",
        5: "дней до вступления в силу",
        11: "дней до вступления в силу",
        21: "день до вступления в силу",
        22: "дня до вступления в силу",
        25: "дней до вступления в силу",
    }


def test_arabic_counts_take_the_six_forms_of_the_language():
    with (LOCALE / "ar" / "LC_MESSAGES" / "django.mo").open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    text = {n: compiled.ngettext("Import %(counter)s action", "", n) for n in (0, 1, 2, 3, 11, 100)}
    assert text == {
        0: "استيراد %(counter)s إجراء",
        1: "استيراد إجراء واحد",
        2: "استيراد إجراءين",
        3: "استيراد %(counter)s إجراءات",
        11: "استيراد %(counter)s إجراءً",
        100: "استيراد %(counter)s إجراء",
    }
