"""Words for codes: taxonomy labels, indicator names, levels and trends, in the reader's
language, and the icon that goes beside each grievance-category group.

The taxonomy and the rubric are data (DOMAIN.md, lesson 9), so their English labels are the
msgids: ``web/i18n/extract.py`` pulls them out of the TOML files into the catalogues, and
``taxonomy_label`` looks the English label up and translates it. A label a federation adds
in an extension file has no translation yet and is shown in English until it gets one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from organize.domain.taxonomy import Taxonomy, load_taxonomy
from organize.projections.indicators.measures import RISK_DIMENSIONS
from web.i18n.catalogues import get_translations
from web.i18n.locales import DEFAULT_LOCALE

# The icon (an id in /static/icons.svg) beside each group of grievance categories.
GROUP_ICONS: Mapping[str, str] = MappingProxyType({
    "pay": "money",
    "working_time": "clock",
    "documents_movement": "passport",
    "violence": "hand",
    "recruitment": "recruitment",
    "conditions": "house",
    "discrimination": "discrimination",
    "status_justice": "scale",
})


@cache
def default_taxonomy() -> Taxonomy:
    return load_taxonomy()


def taxonomy_label(vocabulary: str, code: str, lang: str = DEFAULT_LOCALE, *,
                   taxonomy: Taxonomy | None = None) -> str:
    """The label of ``code`` in ``vocabulary`` (``"sectors"``, ``"categories"``...), in
    ``lang``. An unknown code is shown as itself rather than breaking a page."""
    try:
        english = (taxonomy or default_taxonomy()).label(vocabulary, code)
    except KeyError:
        return str(code)
    return get_translations(lang).gettext(english)


def taxonomy_note(vocabulary: str, code: str, lang: str = DEFAULT_LOCALE, *,
                  taxonomy: Taxonomy | None = None) -> str:
    """The hint beside an entry (``"A household counts as an employer."``), or ``""``."""
    try:
        note = (taxonomy or default_taxonomy()).entry(vocabulary, code).note
    except KeyError:
        return ""
    return get_translations(lang).gettext(note) if note else ""


def taxonomy_choices(vocabulary: str, lang: str = DEFAULT_LOCALE, *,
                     taxonomy: Taxonomy | None = None) -> list[tuple[str, str]]:
    """``(code, label)`` pairs in the taxonomy's order, for a select or a list of buttons."""
    tax = taxonomy or default_taxonomy()
    tr = get_translations(lang)
    return [(e.code, tr.gettext(e.label)) for e in tax.entries(vocabulary)]


def group_icon(group: str) -> str:
    return GROUP_ICONS.get(group, "grievance")


@cache
def _default_titles() -> Mapping[str, str]:
    from organize.projections.indicators.rubric import load_rubric

    return MappingProxyType({name: d.title for name, d in load_rubric().dimensions.items()})


def dimension_label(dimension: str, lang: str = DEFAULT_LOCALE, title: str | None = None) -> str:
    """The name of an indicator dimension (``"Collective voice"``) in ``lang``. ``title``
    is the rubric's title when the caller has it (a federation may rename a dimension)."""
    english = title or _default_titles().get(dimension) or dimension.replace("_", " ").capitalize()
    return get_translations(lang).gettext(english)


def _level_words(tr: Any) -> tuple[str, ...]:
    # Literal calls so extraction finds them; the English equals scoring.LEVEL_LABELS.
    return (
        tr.pgettext("indicator level", "not yet"),
        tr.pgettext("indicator level", "emerging"),
        tr.pgettext("indicator level", "growing"),
        tr.pgettext("indicator level", "established"),
        tr.pgettext("indicator level", "strong"),
    )


def _risk_words(tr: Any) -> tuple[str, ...]:
    # Safety climate is a risk: the same 0..4 read as how much risk (scoring.RISK_LEVEL_LABELS).
    return (
        tr.pgettext("risk level", "none reported"),
        tr.pgettext("risk level", "some risk"),
        tr.pgettext("risk level", "rising risk"),
        tr.pgettext("risk level", "high risk"),
        tr.pgettext("risk level", "severe risk"),
    )


def _trend_words(tr: Any) -> Mapping[str, str]:
    return {
        "growing": tr.pgettext("trend", "growing"),
        "stalling": tr.pgettext("trend", "stalling"),
        "steady": tr.pgettext("trend", "steady"),
        "rising": tr.pgettext("trend", "rising"),
        "easing": tr.pgettext("trend", "easing"),
    }


def level_label(dimension: str, level: int, lang: str = DEFAULT_LOCALE) -> str:
    """The word for a level 0..4 (``not yet`` .. ``strong``; for the risk dimension
    ``none reported`` .. ``severe risk``)."""
    tr = get_translations(lang)
    words = _risk_words(tr) if dimension in RISK_DIMENSIONS else _level_words(tr)
    return words[level] if 0 <= level < len(words) else str(level)


def trend_label(word: str, lang: str = DEFAULT_LOCALE) -> str:
    """growing / stalling / steady (risk: rising / easing / steady) in ``lang``."""
    return _trend_words(get_translations(lang)).get(word, word)


_PLACE_CODE = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$")


@cache
def place_label(place: str, lang: str = DEFAULT_LOCALE) -> str:
    """A place as her language names it: an ISO 3166 country code by its name in the
    Unicode CLDR data (``HK`` is 香港 to nobody here, "हङकङ ..." in Nepali), a subdivision
    code (``BD-DHA``) by its country's name and the subdivision's code; anything else (a
    place typed as words) as it was typed."""
    found = _PLACE_CODE.match(place.strip())
    if not found:
        return place
    from babel import Locale

    try:
        country = Locale.parse(lang).territories.get(found.group(1))
    except (ValueError, LookupError):
        country = None
    if not country:
        return place
    return f"{country} · {found.group(2)}" if found.group(2) else country
