"""Assessments: a collective's own judgement of its strength, or its organiser's.

- ``RecordAssessment``, ``ReviseAssessment``: leaders and organisers of the collective.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from organize import commands as c
from organize.application.base import Done, Use, new_id
from organize.application.policy import (
    BOTH,
    COLLECTIVE,
    Relation,
    Rule,
    touching,
)
from organize.domain import (
    Assessment,
    Collective,
)
from organize.domain.assessment import check_narrative
from organize.domain.values import DimensionLevel
from organize.texts import seal_text

if TYPE_CHECKING:
    from organize.application import Organize


def _levels(levels: tuple[c.Level, ...]) -> tuple[DimensionLevel, ...]:
    return tuple(DimensionLevel(dimension=x.dimension, level=x.level) for x in levels)


def _sealed_narrative(app: Organize, collective_id: UUID, narrative: str) -> bytes | None:
    """Under the collective's own key: erase-collective destroys it."""
    narrative = check_narrative(narrative)
    return seal_text(app, collective_id, narrative, (collective_id,)) if narrative else None


def _record_assessment(app: Organize, cmd: c.RecordAssessment) -> Done:
    app.exists(Collective, cmd.collective_id, field="collective_id")
    agg = Assessment.record(id=new_id(cmd.command_id, "assessment"),
                            collective_id=cmd.collective_id, assessed_on=cmd.assessed_on,
                            levels=_levels(cmd.levels),
                            sealed_narrative=_sealed_narrative(app, cmd.collective_id, cmd.narrative))
    return Done(agg.id, [agg])


def _revise_assessment(app: Organize, cmd: c.ReviseAssessment) -> Done:
    agg = app.target(Assessment, cmd, "assessment_id")
    agg.revise(_levels(cmd.levels), _sealed_narrative(app, agg.collective_id, cmd.narrative))
    return Done(agg.id, [agg])





TABLE: dict[type[c.Command], Use] = {
    c.RecordAssessment: Use(_record_assessment, Rule(BOTH, COLLECTIVE)),
    c.ReviseAssessment: Use(_revise_assessment, Rule(BOTH, touching(Relation.ASSESSMENT, "assessment_id"))),
}
