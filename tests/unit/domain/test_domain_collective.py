"""Collective: creation, renaming, profile and alliances, and every rule they keep."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from organize.domain import Collective
from organize.domain.limits import NAME_MAX
from tests.unit.domain.support import (
    TAXONOMY,
    assert_replays,
    event_names,
    new_id,
    refused,
    refused_creation,
)


def make(**overrides: object) -> Collective:
    kwargs: dict[str, object] = {
        "id": new_id(),
        "name": "Domestic Workers' Circle, Kowloon",
        "kind": "self_help_group",
        "sectors": ("domestic_care", "unpaid_care"),
        "places": ("HK", "HK-KLN"),
        "languages": ("tl", "id", "zh-Hant"),
        "federation": "Asian Domestic Workers Network",
        "taxonomy": TAXONOMY,
    }
    kwargs.update(overrides)
    return Collective.create(**kwargs)  # type: ignore[arg-type]


def test_happy_path_records_events_and_replays() -> None:
    org = new_id()
    c = make(name="  Circle  ", sectors=["garment"])
    c.rename("Garment Workers' Centre")
    c.update_profile(("garment", "manufacturing"), ("TH-TAK",), ("my", "th"), TAXONOMY)
    c.form_alliance(org, date(2023, 1, 1))
    c.end_alliance(org, date(2024, 1, 1))
    c.form_alliance(org, date(2024, 6, 1))
    assert c.name == "Garment Workers' Centre"
    assert c.kind == "self_help_group"
    assert c.sectors == ("garment", "manufacturing")
    assert c.places == ("TH-TAK",)
    assert c.languages == ("my", "th")
    assert c.federation == "Asian Domestic Workers Network"
    assert c.alliances == {org: date(2024, 6, 1)}
    assert c.past_alliances == [(org, date(2023, 1, 1), date(2024, 1, 1))]
    events = assert_replays(c)
    assert event_names(events) == [
        "Created",
        "Renamed",
        "ProfileUpdated",
        "AllianceFormed",
        "AllianceEnded",
        "AllianceFormed",
    ]
    assert events[0].name == "Circle"  # stripped before it is recorded
    assert events[0].sectors == ("garment",)  # a list is frozen into a tuple


def test_federation_is_optional() -> None:
    assert make(federation=None).federation is None
    assert make(federation="  ").federation is None


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"name": ""}, "empty", "name"),
        ({"name": "x" * (NAME_MAX + 1)}, "too_long", "name"),
        ({"name": 5}, "invalid", "name"),
        ({"kind": "union"}, "unknown_code", "kind"),
        ({"sectors": ("garment", "textiles")}, "unknown_code", "sectors"),
        ({"sectors": ("garment", "garment")}, "duplicate", "sectors"),
        ({"sectors": "garment"}, "invalid", "sectors"),
        ({"places": ("HK", "")}, "empty", "places"),
        ({"places": ("x" * 65,)}, "too_long", "places"),
        ({"places": ("HK", "HK")}, "duplicate", "places"),
        ({"languages": ("English",)}, "invalid", "languages"),
        ({"languages": ("en_US",)}, "invalid", "languages"),
        ({"languages": ("en", "en")}, "duplicate", "languages"),
        (
            {"languages": tuple(f"a{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(51))},
            "too_many",
            "languages",
        ),
        ({"federation": "f" * (NAME_MAX + 1)}, "too_long", "federation"),
        ({"id": "not-a-uuid"}, "invalid", "id"),
    ],
)
def test_create_refuses_bad_input(overrides: dict[str, object], code: str, field: str) -> None:
    with refused_creation(code, field):
        make(**overrides)


@given(st.from_regex(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}", fullmatch=True))
def test_language_tags_accepted(tag: str) -> None:
    assert make(languages=(tag,)).languages == (tag,)


def test_rename_refuses_empty_name() -> None:
    c = make()
    with refused(c, "empty", "name"):
        c.rename("   ")


def test_update_profile_refuses_unknown_sector_and_records_nothing() -> None:
    c = make()
    with refused(c, "unknown_code", "sectors"):
        c.update_profile(("plantation",), ("HK",), ("en",), TAXONOMY)
    with refused(c, "invalid", "languages"):
        c.update_profile(("garment",), ("HK",), ("EN",), TAXONOMY)


def test_alliance_rules() -> None:
    c = make()
    org = new_id()
    with refused(c, "not_allied", "organisation_id"):
        c.end_alliance(org, date(2024, 1, 1))
    c.form_alliance(org, date(2024, 1, 1))
    with refused(c, "already_allied", "organisation_id"):
        c.form_alliance(org, date(2024, 2, 1))
    with refused(c, "date_order", "until"):
        c.end_alliance(org, date(2023, 12, 31))
    with refused(c, "invalid", "since"):
        c.form_alliance(new_id(), "2024-01-01")  # type: ignore[arg-type]
    c.end_alliance(org, date(2024, 1, 1))  # the same day is allowed
    assert c.alliances == {}
    assert_replays(c)
