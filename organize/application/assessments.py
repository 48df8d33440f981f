"""Assessments: a collective's own judgement of its strength, or its organiser's.

- ``RecordAssessment``, ``ReviseAssessment``: leaders and organisers of the collective.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from organize.domain.values import DimensionLevel

if TYPE_CHECKING:
    from organize.application import Organize


def _levels(levels: tuple[c.Level, ...]) -> tuple[DimensionLevel, ...]:
    return tuple(DimensionLevel(dimension=x.dimension, level=x.level) for x in levels)


def _record_assessment(app: Organize, cmd: c.RecordAssessment) -> Done:
    app.exists(Collective, cmd.collective_id, field="collective_id")
    agg = Assessment.record(id=new_id(cmd.command_id, "assessment"),
                            collective_id=cmd.collective_id, assessed_on=cmd.assessed_on,
                            levels=_levels(cmd.levels), narrative=cmd.narrative)
    return Done(agg.id, [agg])


def _revise_assessment(app: Organize, cmd: c.ReviseAssessment) -> Done:
    agg = app.target(Assessment, cmd, "assessment_id")
    agg.revise(_levels(cmd.levels), cmd.narrative)
    return Done(agg.id, [agg])





TABLE: dict[type[c.Command], Use] = {
    c.RecordAssessment: Use(_record_assessment, Rule(BOTH, COLLECTIVE)),
    c.ReviseAssessment: Use(_revise_assessment, Rule(BOTH, touching(Relation.ASSESSMENT, "assessment_id"))),
}
