"""Dates are written field by field for the formats of a day, a month and a year
(web.i18n.formatting._date_fields): the same text as Babel's own path, in every language."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import format_date as babel_date

from web.i18n import formatting
from web.i18n.locales import LOCALES

FORMATS = ("short", "medium", "long", "full", "d MMM", "MMM y", "LLLL y", "LLLLL", "dd.MM.yy",
           "EEE d MMM", "y 'y' d")


@pytest.mark.parametrize("lang", LOCALES)
def test_every_format_writes_what_babel_writes(lang):
    days = [date(1999, 12, 25) + timedelta(days=n) for n in range(0, 12_000, 11)]
    days += [date(1, 1, 1), date(9999, 12, 31), date(2024, 2, 29)]
    locale = formatting._locale(lang)
    for format in FORMATS:
        for day in days:
            expected = formatting.localise_digits(babel_date(day, format, locale=locale), lang)
            assert formatting.format_date(day, lang, format) == expected, (format, day)


def test_the_named_formats_but_full_take_the_short_path():
    for lang in LOCALES:
        assert all(formatting._date_fields(lang, f) is not None
                   for f in ("short", "medium", "long"))
        assert formatting._date_fields(lang, "full") is None  # a weekday: Babel's path
