"""Grievance procedures: a collective's steps and time limits, by its leaders only.

- ``DefineProcedure``: leaders of the collective. One procedure per collective, and one per
  agreement of it: the id derives from the collective (and the agreement), so a second
  definition is refused and the grievances find their procedure without a search.
- ``ReviseProcedure``: leaders of its collective; every deadline computed from it follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from organize import commands as c
from organize.application.base import ID_NAMESPACE, Done, Use
from organize.application.policy import COLLECTIVE, LEADERS, PROCEDURE, Rule
from organize.domain import Collective, Procedure
from organize.domain.deadlines import Step
from organize.errors import Conflict

if TYPE_CHECKING:
    from organize.application import Organize


def procedure_id(collective_id: UUID, agreement_id: UUID | None = None) -> UUID:
    """The id of a collective's own procedure (or of one agreement's)."""
    return uuid5(ID_NAMESPACE, f"procedure:{collective_id}:{agreement_id or ''}")


def procedure_of(app: Organize, collective_id: UUID) -> Procedure | None:
    """The collective's own procedure, if it has defined one."""
    try:
        found = app.repository.get(procedure_id(collective_id))
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, Procedure) else None


def _steps(steps: tuple[c.ProcedureStep, ...]) -> tuple[Step, ...]:
    return tuple(Step(code=s.code, name=s.name, days=s.days, clock=s.clock) for s in steps)


def _define_procedure(app: Organize, cmd: c.DefineProcedure) -> Done:
    app.exists(Collective, cmd.collective_id, field="collective_id")
    new = procedure_id(cmd.collective_id, cmd.agreement_id)
    try:
        app.repository.get(new)
    except AggregateNotFoundError:
        pass
    else:
        raise Conflict("This collective has defined this procedure already; revise it instead.",
                       field="name", code="procedure_exists")
    agg = Procedure.define(id=new, collective_id=cmd.collective_id,
                           agreement_id=cmd.agreement_id, name=cmd.name, steps=_steps(cmd.steps))
    return Done(agg.id, [agg])


def _revise_procedure(app: Organize, cmd: c.ReviseProcedure) -> Done:
    agg = app.target(Procedure, cmd, "procedure_id")
    agg.revise(name=cmd.name, steps=_steps(cmd.steps))
    return Done(agg.id, [agg])


TABLE: dict[type[c.Command], Use] = {
    c.DefineProcedure: Use(_define_procedure, Rule(LEADERS, COLLECTIVE)),
    c.ReviseProcedure: Use(_revise_procedure, Rule(LEADERS, PROCEDURE)),
}
