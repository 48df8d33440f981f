"""Organisation: employers (a household counts), recruiters, unions, NGOs and the rest."""

import pytest

from organize.domain import Organisation
from tests.unit.domain.support import (
    TAXONOMY,
    assert_replays,
    event_names,
    new_id,
    refused,
    refused_creation,
)


def make(**overrides: object) -> Organisation:
    kwargs: dict[str, object] = {
        "id": new_id(),
        "name": "Household 14",
        "kind": "employer",
        "place": "HK-KLN",
        "taxonomy": TAXONOMY,
    }
    kwargs.update(overrides)
    return Organisation.create(**kwargs)  # type: ignore[arg-type]


def test_happy_path_records_events_and_replays() -> None:
    o = make()
    o.rename("Household 15")
    assert (o.name, o.kind, o.place) == ("Household 15", "employer", "HK-KLN")
    assert event_names(assert_replays(o)) == ["Created", "Renamed"]


def test_place_is_optional_and_kinds_include_womens_rights_groups() -> None:
    o = make(place=None, kind="womens_rights_group", name="Women's Rights Forum")
    assert o.place is None


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"name": ""}, "empty", "name"),
        ({"name": "n" * 121}, "too_long", "name"),
        ({"kind": "police"}, "unknown_code", "kind"),
        ({"place": ""}, "empty", "place"),
        ({"place": "p" * 65}, "too_long", "place"),
    ],
)
def test_create_refuses_bad_input(overrides: dict[str, object], code: str, field: str) -> None:
    with refused_creation(code, field):
        make(**overrides)


def test_rename_refuses_too_long_name() -> None:
    o = make()
    with refused(o, "too_long", "name"):
        o.rename("n" * 121)
