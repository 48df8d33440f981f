"""The catalogues are complete and in step with the sources, and their words keep the rules."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from organize.domain.taxonomy import VOCABULARIES
from organize.projections.indicators.measures import LEVEL_LABELS, RISK_LEVEL_LABELS
from web.i18n import LOCALES, get_translations, taxonomy_label
from web.i18n.catalog import TEMPLATE, extract_template, message_keys, po_path, problems, read_catalogue
from web.i18n.labels import _level_words, _risk_words, _trend_words, default_taxonomy, dimension_label


class _English:
    def pgettext(self, context, message):
        return message


@pytest.fixture(scope="module")
def extracted():
    return extract_template()


def test_catalogues_are_complete_and_match_the_sources(extracted):
    assert problems(extracted) == []


def test_every_catalogue_holds_exactly_the_extracted_messages(extracted):
    wanted = message_keys(extracted)
    assert len(wanted) > 250
    for lang in LOCALES:
        catalog = read_catalogue(lang)
        assert message_keys(catalog) == wanted, lang
        untranslated = [m.id for m in catalog if m.id and not m.string]
        assert untranslated == [], lang


def test_the_committed_template_is_current(extracted):
    with TEMPLATE.open("rb") as f:
        committed = read_po(f)
    assert message_keys(committed) == message_keys(extracted)


def test_plural_forms_header_matches_the_language():
    assert read_catalogue("ar").num_plurals == 6
    assert read_catalogue("ne").num_plurals == 2


def test_english_words_keep_the_rules(extracted):
    # DOMAIN.md, lesson 10: never "victim", never "runaway"; "absconding" only as a charge.
    for message in extracted:
        text = message.id if isinstance(message.id, str) else " ".join(message.id)
        assert not re.search(r"\bvictims?\b|\brunaways?\b", text, re.I), text
        if re.search(r"abscond", text, re.I):
            assert "charge" in text.lower(), text


def test_translations_keep_their_placeholders():
    for lang in LOCALES:
        for message in read_catalogue(lang):
            if message.id and isinstance(message.id, str):
                assert sorted(re.findall(r"%\(\w+\)s", message.id)) == \
                    sorted(re.findall(r"%\(\w+\)s", message.string)), (lang, message.id)


@pytest.mark.parametrize("lang", [lang for lang in LOCALES if lang != "en"])
def test_every_taxonomy_label_is_translated(lang):
    taxonomy = default_taxonomy()
    for vocabulary in VOCABULARIES:
        for entry in taxonomy.entries(vocabulary):
            shown = taxonomy_label(vocabulary, entry.code, lang)
            assert shown and shown != entry.label, (lang, vocabulary, entry.code)


def test_taxonomy_label_in_english_and_for_unknown_codes():
    assert taxonomy_label("sectors", "domestic_care") == "Domestic and care work"
    assert taxonomy_label("categories", "documents_confiscated", "ne") == "राहदानी वा परिचयपत्र खोसिएको"
    assert taxonomy_label("sectors", "no_such_code", "ar") == "no_such_code"


def test_level_and_trend_words_match_the_indicators():
    english = _English()
    assert _level_words(english) == LEVEL_LABELS
    assert _risk_words(english) == RISK_LEVEL_LABELS
    assert set(_trend_words(english)) == {"growing", "stalling", "steady", "rising", "easing"}


@pytest.mark.parametrize("lang", [lang for lang in LOCALES if lang != "en"])
def test_indicator_words_are_translated(lang):
    tr, en = get_translations(lang), _English()
    english = _level_words(en) + _risk_words(en) + tuple(_trend_words(en).values())
    for words in (_level_words(tr), _risk_words(tr), tuple(_trend_words(tr).values())):
        assert all(w and w not in english for w in words), (lang, words)
    for dimension in ("issue_dynamism", "collective_voice", "safety_climate"):
        assert dimension_label(dimension, lang) != dimension_label(dimension, "en")


def test_catalogues_are_found_as_package_resources():
    for lang in LOCALES:
        assert po_path(lang).with_suffix(".mo").is_file()
        assert get_translations(lang).gettext("Exit") == {
            "en": "Exit", "ne": "निस्कनुहोस्", "bn": "বের হন", "ar": "خروج"}[lang]
