"""The Procedure aggregate: a collective's grievance procedure, steps with time limits.

A procedure is the collective's own (or one agreement's: ``agreement_id`` is a plain
reference, since agreements are recorded elsewhere). Each step has a code, a name, a limit
in days and the clock it runs on: from the incident, from the day the worker learned of it,
or from the day the step before was taken. Revising a procedure changes every deadline
computed from it; nothing is stored per grievance (``organize.domain.deadlines``).
"""

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.deadlines import CLOCKS, DEPARTURE, PREVIOUS, Step
from organize.domain.errors import DomainError
from organize.domain.limits import (
    NAME_MAX,
    check_code,
    check_optional_uuid,
    check_text,
    check_uuid,
)

STEPS_MAX = 20
DAYS_MAX = 3650  # ten years: the longest limitation period anyone will type


class Procedure(Aggregate):
    @classmethod
    def define(cls, *, id: UUID, collective_id: UUID, agreement_id: UUID | None, name: str,
               steps: tuple[Step, ...]) -> "Procedure":
        return cls(
            id=check_uuid(id, field="id"),
            collective_id=check_uuid(collective_id, field="collective_id"),
            agreement_id=check_optional_uuid(agreement_id, field="agreement_id"),
            name=check_text(name, field="name", max_len=NAME_MAX),
            steps=check_steps(steps),
        )

    @event("Defined")
    def __init__(self, id: UUID, collective_id: UUID, agreement_id: UUID | None, name: str,
                 steps: tuple[Step, ...]) -> None:
        self.collective_id = collective_id
        self.agreement_id = agreement_id
        self.name = name
        self.steps = steps

    def revise(self, *, name: str, steps: tuple[Step, ...]) -> None:
        name = check_text(name, field="name", max_len=NAME_MAX)
        steps = check_steps(steps)
        if name == self.name and steps == self.steps:
            raise DomainError("Nothing was changed.", code="nothing_changed")
        self._revised(name=name, steps=steps)

    @event("Revised")
    def _revised(self, name: str, steps: tuple[Step, ...]) -> None:
        self.name = name
        self.steps = steps

    def step(self, code: object) -> Step:
        for s in self.steps:
            if s.code == code:
                return s
        raise DomainError("This procedure has no such step; choose one of its steps.",
                          field="step", code="no_such_step")


def check_steps(steps: object) -> tuple[Step, ...]:
    if not isinstance(steps, tuple | list) or not steps:
        raise DomainError("Give the procedure at least one step.", field="steps", code="empty")
    if len(steps) > STEPS_MAX:
        raise DomainError(f"A procedure has at most {STEPS_MAX} steps.", field="steps",
                          code="too_many")
    out: list[Step] = []
    for position, s in enumerate(steps, start=1):
        field = f"steps.{position}"
        if not isinstance(s, Step):
            raise DomainError(f"Step {position} is not a step.", field=field)
        code = check_code(s.code, field=field)
        if code == DEPARTURE or code in (o.code for o in out):
            raise DomainError(f"Step {position}'s code is used already; give each step its own.",
                              field=field, code="duplicate")
        if isinstance(s.days, bool) or not isinstance(s.days, int) or not 1 <= s.days <= DAYS_MAX:
            raise DomainError(f"Step {position}'s time limit must be a number of days from 1 to "
                              f"{DAYS_MAX}.", field=field, code="out_of_range")
        if s.clock not in CLOCKS:
            raise DomainError(f"Step {position}'s clock must start at the incident, at knowledge "
                              "of it or at the step before.", field=field)
        if s.clock == PREVIOUS and position == 1:
            raise DomainError("The first step has no step before it; count it from the incident "
                              "or from knowledge of it.", field=field, code="no_previous_step")
        out.append(Step(code=code, name=check_text(s.name, field=field, max_len=NAME_MAX),
                        days=s.days, clock=s.clock))
    return tuple(out)
