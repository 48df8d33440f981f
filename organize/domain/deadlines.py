"""Grievance deadlines: a pure function of a grievance's facts and its procedure's steps.

A grievance procedure runs on time limits: contractual steps and statutory limitation
periods, counted from the incident or from the day the worker learned of it. For a
migrant worker the binding deadline is often her departure, after which a claim is hard to
pursue, so the earliest planned departure among the parties is a deadline of its own.

Nothing here is stored: deadlines are *computed* from facts, so they change whenever a fact
does (a step taken, the incident's day corrected, a departure recorded). ``fold`` is how
the projection keeps the facts as events arrive, one by one; ``facts_of`` reads the same
facts from a grievance's final state. The property test holds them equal for random
histories, so the list a leader sees is the one the final state implies.
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import msgspec

INCIDENT = "incident"
KNOWLEDGE = "knowledge"
PREVIOUS = "previous_step"  # counted from the day the step before it was taken
CLOCKS = (INCIDENT, KNOWLEDGE, PREVIOUS)
DEPARTURE = "departure"  # the deadline her planned departure sets
DUE_SOON_DAYS = 7


class Step(msgspec.Struct, frozen=True, kw_only=True):
    """One step of a procedure: its code, its name, its limit in days and its clock."""

    code: str
    name: str
    days: int
    clock: str = INCIDENT


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    """What a grievance's deadlines depend on, and nothing else."""

    occurred_on: date
    learned_on: date | None = None
    taken: tuple[tuple[str, date], ...] = ()  # steps taken, (code, day), in recording order
    parties: tuple[UUID, ...] = ()
    is_open: bool = True
    procedure_id: UUID | None = None  # chosen for this grievance; None: the collective's own


class Deadline(msgspec.Struct, frozen=True, kw_only=True):
    step: str  # a step's code, or DEPARTURE
    due_on: date
    met_on: date | None = None


def deadlines(facts: Facts, steps: tuple[Step, ...],
              departures: Mapping[UUID, date] | None = None) -> tuple[Deadline, ...]:
    """Every deadline of an open grievance, in the procedure's order, then her departure."""
    if not facts.is_open:
        return ()
    taken = dict(facts.taken)
    out: list[Deadline] = []
    previous: date | None = None
    for step in steps:
        if step.clock == PREVIOUS:
            anchor = previous
        elif step.clock == KNOWLEDGE:
            # Unknown knowledge counts from the incident: the earlier, safer day.
            anchor = facts.learned_on or facts.occurred_on
        else:
            anchor = facts.occurred_on
        met = taken.get(step.code)
        if anchor is not None:
            out.append(Deadline(step=step.code, due_on=anchor + timedelta(days=step.days), met_on=met))
        previous = met
    leaving = departure_deadline(facts.parties, departures or {})
    return tuple(out) if leaving is None else (*out, leaving)


def departure_deadline(parties: Iterable[UUID], departures: Mapping[UUID, date]) -> Deadline | None:
    """The deadline the earliest planned departure among the parties sets, if any. The
    projection never holds a departure's day (it is sealed under her key): the read path
    opens the parties' departures for a reader the policy allows and adds this then."""
    leaving = [departures[w] for w in parties if w in departures]
    return Deadline(step=DEPARTURE, due_on=min(leaving)) if leaving else None


def urgency(deadline: Deadline, today: date) -> str | None:
    """``overdue``, ``due_soon`` or None (met, or not yet near)."""
    if deadline.met_on is not None:
        return None
    if deadline.due_on < today:
        return "overdue"
    if deadline.due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return None


# -- the facts, event by event (the projection) and from the final state (the aggregate) --

def fold(facts: Facts | None, name: str, data: Mapping[str, Any]) -> Facts | None:
    """The facts after one grievance event (its class name and its attributes)."""
    if name == "Raised":
        return Facts(occurred_on=data["occurred_on"], parties=tuple(data["worker_ids"]))
    if facts is None:
        return None
    if name == "Corrected":
        return msgspec.structs.replace(facts, occurred_on=data["occurred_on"])
    if name == "Joined":
        return msgspec.structs.replace(facts, parties=facts.parties + tuple(data["worker_ids"]))
    if name == "KnowledgeRecorded":
        return msgspec.structs.replace(facts, learned_on=data["on"])
    if name == "StepTaken":
        return msgspec.structs.replace(facts, taken=facts.taken + ((data["step"], data["on"]),))
    if name == "ProcedureFollowed":
        return msgspec.structs.replace(facts, procedure_id=data["procedure_id"])
    if name in ("OutcomeRecorded", "Withdrawn"):
        return msgspec.structs.replace(facts, is_open=False)
    if name == "Reopened":
        return msgspec.structs.replace(facts, is_open=True)
    return facts


def fold_departure(departures: Mapping[UUID, Any], worker_id: UUID, name: str,
                   data: Mapping[str, Any]) -> dict[UUID, Any]:
    """Planned departures, as stored, after one worker event: recorded, cleared, or gone with
    her erasure. A departure is stored sealed (bytes under her key); a version 1 event's day
    was a date in the clear."""
    out = dict(departures)
    stored = data.get("sealed_on") or data.get("on") if name == "DeparturePlanned" else None
    if stored is not None:
        out[worker_id] = stored
    elif name in ("DeparturePlanned", "Erased"):
        out.pop(worker_id, None)
    return out


def departure_stored(worker: Any) -> Any:
    """The same departure, as stored, read from a worker aggregate's state."""
    return worker.sealed_departure or worker.departure_on


def facts_of(grievance: Any) -> Facts:
    """The same facts, read from a grievance aggregate's state."""
    return Facts(
        occurred_on=grievance.occurred_on,
        learned_on=grievance.learned_on,
        taken=tuple(grievance.steps_taken),
        parties=tuple(grievance.worker_ids),
        is_open=grievance.status == "open",
        procedure_id=grievance.procedure_id,
    )
