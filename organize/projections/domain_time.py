"""Domain time: the date on which each event became true in the world, as the views that
answer "as of a date" read it (the day a meeting was held, the day a spell began), never
the day it was typed in.

Most events carry their own date. A few carry none:

- reference data (a collective or organisation created or renamed, accounts, profiles,
  consents aside): true from the beginning, so always part of any past;
- a meeting scheduled or cancelled: a plan, not a fact; always part of any past (a meeting
  only counts once it is held, on the day it was held);
- an event that happens *to* something without a date of its own (a demand added, a
  collective joined, a grievance linked to a campaign; a worker joining a grievance; an
  assessment revised) takes the *clock* of its aggregate: the latest domain date the
  aggregate had seen when it happened. A held meeting moves the clock of the grievances on
  its agenda (they were discussed that day).

Each event's own date is the domain's one rule (``organize.domain.dates.OWN_DATE``).
``DomainClock.date_of`` gives each event of the log, read in order, its domain date (or
None for "always"). The views use the same rules when they store rows (``campaign_board``
keeps the campaign's clock), so a read "as of D" over the whole history equals the read of
views fed only the events dated D or earlier; ``tests/integration/test_time_travel.py``
proves it on the demo's history.

One known limit, stated plainly: the indicators credit a campaign result that names no
collective to the collectives in the campaign *when it is recorded*. A result back-dated
before a join that was recorded earlier (and dated by a clock later than the result) is
therefore credited to the joined collective in the full history, but not in a view built
only from the events up to a date between the two. Records entered in date order, as the
demo's are, never meet this.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from organize.domain import Assessment, Campaign, Grievance, Meeting
from organize.domain.dates import OWN_DATE, as_date

# Events dated by their aggregate's clock.
CLOCKED: frozenset[type] = frozenset({
    Campaign.DemandAdded, Campaign.CollectiveJoined, Campaign.GrievanceLinked,
    Grievance.Joined, Assessment.Revised,
})


class DomainClock:
    """Reads the log in order and dates each event (see the module's docstring)."""

    def __init__(self) -> None:
        self.clocks: dict[UUID, date] = {}
        self.agendas: dict[UUID, tuple[UUID, ...]] = {}  # meeting -> grievances on its agenda

    def _tick(self, aggregate_id: UUID, on: date) -> None:
        clock = self.clocks.get(aggregate_id)
        self.clocks[aggregate_id] = on if clock is None else max(clock, on)

    def date_of(self, event: Any) -> date | None:
        kind = type(event)
        aggregate_id = event.originator_id
        if kind is Meeting.Scheduled:
            self.agendas[aggregate_id] = tuple(event.agenda_grievance_ids)
            return None
        if kind in CLOCKED:
            return self.clocks.get(aggregate_id)
        attribute = OWN_DATE.get(kind)
        if attribute is None:
            return None  # reference data and plans: always part of the past
        on = as_date(getattr(event, attribute))
        if on is None:
            return None
        self._tick(aggregate_id, on)
        if kind is Meeting.Held:
            for grievance_id in self.agendas.get(aggregate_id, ()):
                if grievance_id in self.clocks:
                    self._tick(grievance_id, on)
        return on


__all__ = ["CLOCKED", "OWN_DATE", "DomainClock"]
