"""A collective's time zone: which one, from what, and its today.

A collective chooses its zone (an IANA name) when it is created, and its leaders can change
it. When none is chosen, the zone comes from the country of its first place that names a
country with a single zone in CLDR (``HK-KLN`` -> Asia/Hong_Kong); when no place settles it
(no place, or a country spanning several zones), UTC, marked ``default`` so that a page can
ask a leader to choose.

Meeting times are typed and shown in the zone; they are stored with their offset. "Today",
for the check that a date is not in the future, is the collective's today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from babel.core import get_global

DEFAULT = "UTC"


@cache
def _territory_zones() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in get_global("territory_zones").items()}


def zone_for_places(places: tuple[str, ...]) -> tuple[str, str]:
    """(zone name, source) for a collective created without a zone: ``place`` when a place's
    country has one zone, else (UTC, ``default``)."""
    for place in places:
        zones = _territory_zones().get(place.split("-")[0].strip().upper(), ())
        if len(zones) == 1:
            return zones[0], "place"
    return DEFAULT, "default"


def zone_name(collective: Any) -> str:
    """The collective's zone name; derived from its places when none was recorded yet."""
    return getattr(collective, "time_zone", None) or zone_for_places(tuple(collective.places))[0]


def zone_of(collective: Any) -> tzinfo:
    return ZoneInfo(zone_name(collective))


def today_in(zone: tzinfo | None) -> date:
    """Today where ``zone`` is (UTC without one)."""
    return datetime.now(zone or UTC).date()


@cache
def all_zones() -> tuple[str, ...]:
    """Every IANA zone a collective may choose, sorted, without the legacy aliases."""
    return tuple(
        sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/")))
        + [DEFAULT]
    )


def suggested_zones(places: tuple[str, ...]) -> tuple[str, ...]:
    """The zones of the collective's countries, first in a picker."""
    found: list[str] = []
    for place in places:
        found.extend(_territory_zones().get(place.split("-")[0].strip().upper(), ()))
    return tuple(dict.fromkeys(found))
