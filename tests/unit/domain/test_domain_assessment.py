"""Assessment: a collective's own judgement of its strength, dimension by dimension,
with a narrative; recorded and revised. Every rule is checked, and a refused command
records nothing. The narrative arrives sealed (here ``b"\x01..."`` stands in for the seal)
and is checked as typed before (``check_narrative``)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from organize.domain import DIMENSIONS, Assessment, DimensionLevel
from organize.domain.assessment import check_narrative
from organize.domain.errors import DomainError
from organize.domain.limits import NARRATIVE_MAX
from tests.unit.domain.support import (
    assert_replays,
    event_names,
    new_id,
    refused,
    refused_creation,
)


def level(dimension: str = "leadership", value: int = 2) -> DimensionLevel:
    return DimensionLevel(dimension=dimension, level=value)


def make(**overrides: object) -> Assessment:
    kwargs: dict[str, object] = {
        "id": new_id(),
        "collective_id": new_id(),
        "assessed_on": date(2024, 3, 8),
        "levels": (level("leadership", 3), level("safety_climate", 1)),
        "sealed_narrative": b"\x01Four members facilitated this quarter; two for the first time.",
    }
    kwargs.update(overrides)
    return Assessment.record(**kwargs)  # type: ignore[arg-type]


def test_dimensions_are_the_eight_of_the_brief() -> None:
    assert len(DIMENSIONS) == 8 and len(set(DIMENSIONS)) == 8
    assert DIMENSIONS[0] == "issue_dynamism" and DIMENSIONS[-1] == "safety_climate"


def test_record_and_revise_replays() -> None:
    a = make()
    assert a.levels == {"leadership": 3, "safety_climate": 1}
    assert a.narrative == "" and a.sealed_narrative.startswith(b"\x01Four")  # never in the clear
    a.revise((level("leadership", 4),), None)
    assert a.levels == {"leadership": 4}
    assert a.sealed_narrative is None  # a narrative may be left empty
    assert a.revisions == 1
    assert event_names(assert_replays(a)) == ["Recorded", "Revised"]


@given(st.dictionaries(st.sampled_from(DIMENSIONS), st.integers(0, 4), min_size=1))
def test_any_set_of_valid_levels_is_accepted(levels: dict[str, int]) -> None:
    a = make(levels=tuple(level(d, v) for d, v in levels.items()))
    assert a.levels == levels


@pytest.mark.parametrize(("narrative", "code"), [("n" * (NARRATIVE_MAX + 1), "too_long"),
                                               (None, "invalid")])
def test_narrative_is_checked_before_it_is_sealed(narrative, code: str) -> None:
    with pytest.raises(DomainError) as info:
        check_narrative(narrative)
    assert (info.value.code, info.value.field) == (code, "narrative")
    assert check_narrative("") == ""  # a narrative may be left empty


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"levels": ()}, "empty", "levels"),
        ({"levels": level()}, "invalid", "levels"),
        ({"levels": ({"dimension": "leadership", "level": 2},)}, "invalid", "levels"),
        ({"levels": (level("membership_count", 4),)}, "unknown_code", "levels"),
        ({"levels": (level("leadership", 2), level("leadership", 3))}, "duplicate", "levels"),
        ({"levels": (level("leadership", 5),)}, "out_of_range", "levels"),
        ({"levels": (level("leadership", -1),)}, "out_of_range", "levels"),
        ({"levels": (level("leadership", True),)}, "out_of_range", "levels"),  # type: ignore[arg-type]
        ({"sealed_narrative": "In the clear"}, "invalid", "narrative"),
        ({"sealed_narrative": b""}, "empty", "narrative"),
        ({"assessed_on": "2024-03-08"}, "invalid", "assessed_on"),
        ({"collective_id": None}, "invalid", "collective_id"),
    ],
)
def test_record_refuses_bad_input(overrides: dict[str, object], code: str, field: str) -> None:
    with refused_creation(code, field):
        make(**overrides)


def test_revise_refuses_bad_levels() -> None:
    a = make()
    with refused(a, "empty", "levels"):
        a.revise((), "nothing")
    with refused(a, "out_of_range", "levels"):
        a.revise((level("alliances", 9),), "too high")
