"""Dates, numbers and money in the reader's language.

Babel formats with the locale's patterns, month names and grouping (Nepali and Bengali
group digits 12,34,567). Babel does not write native digits, so where the locale's default
numbering system (CLDR) is not Latin, the Latin digits are swapped for native ones: Nepali
uses Devanagari digits (०-९) and Bengali uses Bengali digits (০-৯). CLDR's default for
Arabic is Latin digits, and that is kept. All of it is one table, ``_DIGIT_ZERO``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import get_date_format, get_month_names
from babel.dates import get_timezone_name as _babel_zone_name
from babel.dates import parse_pattern as _date_pattern
from babel.numbers import format_currency as _babel_currency
from babel.numbers import format_decimal as _babel_decimal

from web.i18n.locales import DEFAULT_LOCALE, LOCALES

# The code point of zero in each numbering system whose digits are consecutive.
_DIGIT_ZERO = {"deva": 0x0966, "beng": 0x09E6, "arab": 0x0660, "arabext": 0x06F0}


def _lang(lang: str) -> str:
    return lang if lang in LOCALES else DEFAULT_LOCALE


@cache
def numbering_system(lang: str) -> str:
    """CLDR's default numbering system for ``lang``: ``latn``, ``deva``, ``beng``..."""
    return Locale.parse(_lang(lang)).default_numbering_system or "latn"


@cache
def _digit_table(lang: str) -> dict[int, str] | None:
    zero = _DIGIT_ZERO.get(numbering_system(lang))
    if zero is None:
        return None
    return {ord("0") + i: chr(zero + i) for i in range(10)}


def localise_digits(text: str, lang: str) -> str:
    """``text`` with Latin digits written in the locale's own digits, where it has them."""
    table = _digit_table(_lang(lang))
    return text.translate(table) if table else text


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(_lang(lang))


def parsed_locale(lang: str) -> Locale:
    """Babel's locale for ``lang``, parsed once: given a name, Babel parses it on every call
    (half of a percentage's time in ne and ar)."""
    return _locale(lang)


@cache
def _date_format(lang: str, format: str):
    """The locale and the parsed pattern of a date format: what Babel's ``format_date``
    looks up on every call, looked up once (a list page formats a date on every row)."""
    locale = _locale(lang)
    named = format in ("full", "long", "medium", "short")
    return locale, _date_pattern(get_date_format(format, locale=locale) if named else format)


def _field(name: str, locale: Locale) -> Callable[[date], str] | None:
    """One field of a date pattern as Babel's ``DateTimeFormat`` writes it, for the fields of
    a day, a month and a year only (None for any other: that pattern goes through Babel)."""
    char, num = name[0], len(name)
    if char == "d":
        return lambda d: f"{d.day:0{num}d}"
    if char == "y":
        if num == 2:
            return lambda d: f"{d.year:02d}"[-2:]
        return lambda d: f"{d.year:0{num}d}"
    if char in ("M", "L"):
        if num <= 2:
            return lambda d: f"{d.month:0{num}d}"
        width = {3: "abbreviated", 4: "wide", 5: "narrow"}[num]
        names = dict(get_month_names(width, {"M": "format", "L": "stand-alone"}[char], locale))
        return lambda d: names[d.month]
    return None


@cache
def _date_fields(lang: str, format: str):
    """A date format's pattern with a function for each of its fields, when they are all
    fields of a day, a month or a year (None otherwise): a list page formats a date on every
    row, and Babel's own path looks each field up through a dozen calls (11 us a date)."""
    locale, pattern = _date_format(lang, format)
    fields = {}
    for name in _FORMAT_KEY.findall(pattern.format):
        if name not in fields:
            fields[name] = _field(name, locale)
            if fields[name] is None:
                return None
    return pattern.format, tuple(fields.items())


_FORMAT_KEY = re.compile(r"%\((\w+)\)s")  # the fields a parsed pattern's ``format`` names


def format_date(value: date | datetime | str | None, lang: str, format: str = "medium") -> str:
    """``7 Mar 2025`` in the reader's language; ``format`` is short/medium/long/full or a
    CLDR pattern. ISO strings (from JSON) are accepted; None gives an empty string."""
    if value is None or value == "":
        return ""
    value = _as_date(value)
    if isinstance(value, datetime):  # Babel's own path for a datetime (its time zone)
        return localise_digits(_babel_date(value, format, locale=_locale(lang)), lang)
    fields = _date_fields(lang, format)
    if fields is None:
        locale, pattern = _date_format(lang, format)
        return localise_digits(pattern.apply(value, locale), lang)
    text, parts = fields
    return localise_digits(text % {name: write(value) for name, write in parts}, lang)


def format_datetime(value: datetime | str | None, lang: str, format: str = "medium",
                    tzinfo=None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    text = _babel_datetime(value, format, tzinfo=tzinfo, locale=_locale(lang))
    return localise_digits(text, lang)


def zone_name(zone: tzinfo, lang: str) -> str:
    """A time zone's name in ``lang`` (CLDR: "Hong Kong Time", "हङकङ समय")."""
    if str(zone) in ("UTC", "Etc/UTC"):  # CLDR names it "Unknown Region (UTC) Time"
        return "UTC"
    return _babel_zone_name(zone, locale=_locale(lang))


def _as_number(value: int | float | Decimal | str) -> int | float | Decimal:
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a number: {value[:30]!r}") from None
    return value


def format_number(value: int | float | Decimal | str | None, lang: str) -> str:
    if value is None or value == "":
        return ""
    if type(value) is int and 0 <= value < 1000:  # counts on a page: no sign, no grouping
        return localise_digits(str(value), lang)
    return localise_digits(_babel_decimal(_as_number(value), locale=_locale(lang)), lang)


def format_money(amount: int | float | Decimal | str | None, currency: str, lang: str) -> str:
    """An amount with its currency (``QAR 1,500.00``), in the reader's language."""
    if amount is None or amount == "":
        return ""
    text = _babel_currency(_as_number(amount), currency.upper(), locale=_locale(lang))
    return localise_digits(text, lang)
