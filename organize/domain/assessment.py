"""The Assessment aggregate: a collective's or an organiser's own judgement of its
organising strength, dimension by dimension, with a narrative.

The computed indicators live elsewhere (projections); this is the human judgement shown
beside them, because where the two disagree the disagreement is itself information
(DOMAIN.md, lesson 8). Not every dimension has to be judged at once, and a level is
never a score to rank collectives by.

The narrative can name or describe people, so it arrives sealed under the collective's own
key (``sealed_narrative``; None when left empty) and ``erase-collective`` destroys it.
Version 1 events kept it in the clear (``narrative``); an upgrade rewrites those once.
"""

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.errors import DomainError
from organize.domain.limits import (
    NARRATIVE_MAX,
    check_date,
    check_sealed,
    check_text,
    check_uuid,
)
from organize.domain.values import DIMENSIONS, LEVEL_MAX, LEVEL_MIN, DimensionLevel


class Assessment(Aggregate):
    @classmethod
    def record(
        cls,
        *,
        id: UUID,  # the application chooses ids
        collective_id: UUID,
        assessed_on: date,
        levels: tuple[DimensionLevel, ...],
        sealed_narrative: bytes | None,
    ) -> "Assessment":
        return cls(
            id=check_uuid(id, field="id"),
            collective_id=check_uuid(collective_id, field="collective_id"),
            assessed_on=check_date(assessed_on, field="assessed_on"),
            levels=check_levels(levels),
            narrative="",
            sealed_narrative=_sealed(sealed_narrative),
        )

    class Recorded(Aggregate.Created):
        """Version 2 seals the narrative (``sealed_narrative``); version 1 kept it in the
        clear (``narrative``)."""

        class_version = 2
        collective_id: UUID
        assessed_on: date
        levels: tuple[DimensionLevel, ...]
        narrative: str
        sealed_narrative: bytes | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["sealed_narrative"] = None

    @event(Recorded)
    def __init__(
        self,
        id: UUID,
        collective_id: UUID,
        assessed_on: date,
        levels: tuple[DimensionLevel, ...],
        narrative: str,
        sealed_narrative: bytes | None,
    ) -> None:
        self.collective_id = collective_id
        self.assessed_on = assessed_on
        self.levels: dict[str, int] = {}
        self.narrative = narrative  # only assessments recorded before narratives were sealed
        self.sealed_narrative = sealed_narrative
        self.revisions = 0
        self._set_levels(levels)

    def revise(self, levels: tuple[DimensionLevel, ...], sealed_narrative: bytes | None) -> None:
        self._revised(levels=check_levels(levels), narrative="",
                      sealed_narrative=_sealed(sealed_narrative))

    class Revised(Aggregate.Event):
        """Version 2 seals the narrative, as ``Recorded`` does."""

        class_version = 2
        levels: tuple[DimensionLevel, ...]
        narrative: str
        sealed_narrative: bytes | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["sealed_narrative"] = None

    @event(Revised)
    def _revised(self, levels: tuple[DimensionLevel, ...], narrative: str,
                 sealed_narrative: bytes | None) -> None:
        self.levels = {}
        self._set_levels(levels)
        self.narrative = narrative
        self.sealed_narrative = sealed_narrative
        self.revisions += 1

    def _set_levels(self, levels: tuple[DimensionLevel, ...]) -> None:
        for dl in levels:
            self.levels[dl.dimension] = dl.level


def check_levels(levels: object, *, field: str = "levels") -> tuple[DimensionLevel, ...]:
    """At least one level, each for a known dimension, each dimension once, 0..4."""
    if isinstance(levels, DimensionLevel) or not isinstance(levels, (tuple, list)):
        raise DomainError("The levels must be a list of dimension levels.", field=field)
    if not levels:
        raise DomainError("Give a level for at least one dimension.", field=field, code="empty")
    seen: set[str] = set()
    for dl in levels:
        if not isinstance(dl, DimensionLevel):
            raise DomainError("Each level must name a dimension and a level.", field=field)
        if dl.dimension not in DIMENSIONS:
            raise DomainError(
                f"{str(dl.dimension)[:60]!r} is not a dimension of organising strength; "
                f"choose from {', '.join(DIMENSIONS)}.",
                field=field,
                code="unknown_code",
            )
        if dl.dimension in seen:
            raise DomainError(
                f"The dimension {dl.dimension} is given more than once; give it one level.",
                field=field,
                code="duplicate",
            )
        seen.add(dl.dimension)
        if (
            not isinstance(dl.level, int)
            or isinstance(dl.level, bool)
            or not LEVEL_MIN <= dl.level <= LEVEL_MAX
        ):
            raise DomainError(
                f"The level for {dl.dimension} must be a whole number from {LEVEL_MIN} "
                f"(not yet) to {LEVEL_MAX} (strong).",
                field=field,
                code="out_of_range",
            )
    return tuple(levels)


def _sealed(sealed: object) -> bytes | None:
    return None if sealed is None else check_sealed(sealed, field="narrative")


def check_narrative(narrative: object) -> str:
    """The narrative as typed, checked before the application seals it."""
    # A narrative may be left empty: some leaders read and write little, and their
    # levels still count.
    return check_text(narrative, field="narrative", max_len=NARRATIVE_MAX, required=False)
