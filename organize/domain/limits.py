"""Size limits and the small input checks every aggregate shares.

This room exists so that each limit is stated once and each kind of bad input is refused
with the same code and the same kind of sentence, whichever aggregate meets it. The
checks run in the public command methods, before an event is triggered, so a refused
command records nothing. They never run on replay.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Protocol
from uuid import UUID
from zoneinfo import available_timezones

from organize.domain.errors import DomainError

NAME_MAX = 120  # names and labels: a collective, an organisation, an occupation
TITLE_MAX = 300  # one line of plain text: a campaign issue, a demand
TEXT_MAX = 2000  # a paragraph of plain text: a clause, a decision, a summary
NARRATIVE_MAX = 8000  # an assessment's narrative, which may run to several paragraphs
SEALED_MAX = 16384  # bytes of encrypted personal data in one field
LIST_MAX = 50  # items in any tuple parameter
PEOPLE_MAX = 500  # attendees of an assembly, participants in a strike
PLACE_MAX = 64  # a place code such as "HK" or "HK-KLN"

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# Control characters (other than tab and line breaks) have no business in plain text and
# can hide content from the person reading it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_text(value: object, *, field: str, max_len: int, required: bool = True) -> str:
    """Return ``value`` stripped, or refuse it if it is empty (when required) or long."""
    if not isinstance(value, str):
        raise DomainError(f"The {_words(field)} must be text.", field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(
            f"The {_words(field)} is empty; please write something.",
            field=field,
            code="empty",
        )
    if len(value) > max_len:
        raise DomainError(
            f"The {_words(field)} is {len(value)} characters long; please shorten it to at most {max_len}.",
            field=field,
            code="too_long",
        )
    if _CONTROL.search(value):
        raise DomainError(
            f"The {_words(field)} contains invisible control characters; please retype it.",
            field=field,
        )
    return value


def check_optional_text(value: object, *, field: str, max_len: int) -> str | None:
    """Like ``check_text`` but ``None`` or blank text means "not given"."""
    if value is None:
        return None
    value = check_text(value, field=field, max_len=max_len, required=False)
    return value or None


def check_texts(
    values: object,
    *,
    field: str,
    max_len: int,
    min_items: int = 0,
    max_items: int = LIST_MAX,
) -> tuple[str, ...]:
    """A tuple of non-empty texts, each within ``max_len``."""
    items = _check_items(values, field=field, min_items=min_items, max_items=max_items)
    return tuple(check_text(v, field=field, max_len=max_len) for v in items)


def check_sealed(value: object, *, field: str) -> bytes:
    """Sealed (encrypted) personal data: opaque, but never empty and never huge."""
    if isinstance(value, (bytearray, memoryview)):
        value = bytes(value)
    if not isinstance(value, bytes):
        raise DomainError(
            f"The {_words(field)} must be sealed (encrypted bytes) before it reaches the domain.",
            field=field,
        )
    if not value:
        raise DomainError(f"The {_words(field)} is empty; it is required.", field=field, code="empty")
    if len(value) > SEALED_MAX:
        raise DomainError(
            f"The {_words(field)} is {len(value)} bytes once sealed; please shorten it "
            f"to fit in {SEALED_MAX} bytes.",
            field=field,
            code="too_long",
        )
    return value


def check_optional_sealed(value: object, *, field: str) -> bytes | None:
    """Optional sealed data: ``None`` means "not given"; empty bytes are refused."""
    if value is None:
        return None
    return check_sealed(value, field=field)


def check_uuid(value: object, *, field: str) -> UUID:
    if not isinstance(value, UUID):
        raise DomainError(f"The {_words(field)} must be an identifier.", field=field)
    return value


def check_optional_uuid(value: object, *, field: str) -> UUID | None:
    return None if value is None else check_uuid(value, field=field)


def check_ids(
    values: object,
    *,
    field: str,
    min_items: int = 0,
    max_items: int = LIST_MAX,
) -> tuple[UUID, ...]:
    """A tuple of distinct identifiers, order kept."""
    items = _check_items(values, field=field, min_items=min_items, max_items=max_items)
    ids = tuple(check_uuid(v, field=field) for v in items)
    _check_distinct(ids, field=field)
    return ids


def check_date(value: object, *, field: str) -> date:
    # A datetime is a date too, but a date field holding one is almost always a bug
    # that would make equal days compare unequal.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise DomainError(f"The {_words(field)} must be a calendar date.", field=field)
    return value


def check_optional_date(value: object, *, field: str) -> date | None:
    return None if value is None else check_date(value, field=field)


def check_datetime(value: object, *, field: str) -> datetime:
    # Collectives span time zones; a time without one cannot be ordered safely.
    if not isinstance(value, datetime):
        raise DomainError(f"The {_words(field)} must be a date and time.", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(f"The {_words(field)} must include a time zone.", field=field)
    return value


CORRECTION_REASONS = ("typing_mistake", "wrong_day_or_time", "wrong_person", "came_to_light",
                      "other")


def check_reason(reason: object) -> str:
    """Why a record was corrected: one of ``CORRECTION_REASONS``."""
    if reason not in CORRECTION_REASONS:
        raise DomainError("Choose why this is being corrected.", field="reason",
                          code="correction_reason")
    return reason  # type: ignore[return-value]


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(value: object, *, field: str) -> str:
    """An IANA time zone name such as "Asia/Hong_Kong" (the tz database's own list)."""
    if not isinstance(value, str) or value not in _time_zones():
        raise DomainError(f"The {_words(field)} must be a time zone such as 'Asia/Hong_Kong'.",
                          field=field, code="unknown_time_zone")
    return value


def check_bool(value: object, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise DomainError(f"The {_words(field)} must be yes or no.", field=field)
    return value


def check_code(value: object, *, field: str) -> str:
    """A stable snake_case code that is not from a taxonomy vocabulary."""
    if not isinstance(value, str) or not CODE_PATTERN.match(value):
        raise DomainError(
            f"The {_words(field)} must be a short code of lower-case letters, digits "
            "and underscores, such as 'found_other_work'.",
            field=field,
        )
    return value


def check_optional_code(value: object, *, field: str) -> str | None:
    return None if value is None else check_code(value, field=field)


def check_place(value: object, *, field: str) -> str:
    """A short place code such as "HK" or "HK-KLN"."""
    return check_text(value, field=field, max_len=PLACE_MAX)


def check_optional_place(value: object, *, field: str) -> str | None:
    return None if value is None else check_place(value, field=field)


def check_places(values: object, *, field: str) -> tuple[str, ...]:
    items = _check_items(values, field=field, min_items=0, max_items=LIST_MAX)
    places = tuple(check_place(v, field=field) for v in items)
    _check_distinct(places, field=field)
    return places


def check_language(value: object, *, field: str) -> str:
    """A BCP-47-like language tag: "en", "tl", "zh-Hant", "ar-EG"."""
    if not isinstance(value, str) or not LANGUAGE_PATTERN.match(value):
        raise DomainError(
            f"The {_words(field)} must be a language tag such as 'en', 'tl' or 'zh-Hant'.",
            field=field,
        )
    return value


def check_languages(values: object, *, field: str) -> tuple[str, ...]:
    items = _check_items(values, field=field, min_items=0, max_items=LIST_MAX)
    tags = tuple(check_language(v, field=field) for v in items)
    _check_distinct(tags, field=field)
    return tags


def check_not_before(later: date, earlier: date, *, field: str, what: str) -> None:
    """Refuse a date that comes before the one it must follow."""
    if later < earlier:
        raise DomainError(
            f"The {_words(field)} ({later.isoformat()}) is before {what} "
            f"({earlier.isoformat()}); please check the dates.",
            field=field,
            code="date_order",
        )


def _check_items(values: object, *, field: str, min_items: int, max_items: int) -> tuple[object, ...]:
    # Events only hold tuples; a list is accepted from callers and frozen here.
    # A bare string is refused because iterating it would give its letters.
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise DomainError(f"The {_words(field)} must be a list of items.", field=field)
    items = tuple(values)
    if len(items) < min_items:
        raise DomainError(
            f"The {_words(field)} needs at least {min_items} {'item' if min_items == 1 else 'items'}.",
            field=field,
            code="empty",
        )
    if len(items) > max_items:
        raise DomainError(
            f"The {_words(field)} has {len(items)} items; at most {max_items} can be recorded at once.",
            field=field,
            code="too_many",
        )
    return items


def _check_distinct(items: tuple[object, ...], *, field: str) -> None:
    seen: set[object] = set()
    for position, item in enumerate(items, start=1):
        if item in seen:
            raise DomainError(
                f"Item {position} of the {_words(field)} is listed twice; please list each one once.",
                field=field,
                code="duplicate",
            )
        seen.add(item)


def _words(field: str) -> str:
    """A field name as words for a sentence: "worker_ids" becomes "worker ids"."""
    return field.replace("_", " ")


class CodeChecker(Protocol):
    """What ``check_codes`` needs from a taxonomy (kept abstract to avoid a cycle)."""

    def require(self, vocabulary: str, code: object, *, field: str) -> str: ...


def check_codes(
    values: object,
    *,
    taxonomy: CodeChecker,
    vocabulary: str,
    field: str,
    min_items: int = 0,
) -> tuple[str, ...]:
    """Distinct codes, each known to ``vocabulary`` in the taxonomy."""
    items = _check_items(values, field=field, min_items=min_items, max_items=LIST_MAX)
    codes = tuple(taxonomy.require(vocabulary, v, field=field) for v in items)
    _check_distinct(codes, field=field)
    return codes
