"""The indicators' bargaining facts: the rounds a collective opens, their sessions, the
votes that ratified a tentative agreement, and the grievances that cite a clause as breached.
They feed negotiating power and collective voice.

A mixin of ``IndicatorsView``: the handlers use its tables (``self.t``) and its marking of
touched subjects (``self._mark``), and its batch memory (``self._memory``, ``memory.py``).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from organize.domain import Bargaining, Grievance
from organize.projections.base import on
from organize.projections.indicators.facts import COLLECTIVE


class BargainingHandlers:
    """Handlers of bargaining rounds (a mixin of ``IndicatorsView``)."""

    @on(Bargaining.Opened)
    def bargaining_opened(self, curs, e, _nid) -> None:
        curs.execute(f"INSERT INTO {self.t.brounds} (id, collective_id) VALUES (%s, %s) "
                     "ON CONFLICT (id) DO NOTHING", (e.originator_id, e.collective_id))
        if self._memory.round(curs, e.originator_id) is None:
            self._memory.rounds[e.originator_id] = e.collective_id

    @on(Bargaining.SessionHeld)
    def bargaining_session(self, curs, e, nid) -> None:
        self._bargaining_event(curs, e.originator_id, nid, "session", e.held_on)

    @on(Bargaining.VoteRecorded)
    def bargaining_vote(self, curs, e, nid) -> None:
        if e.carried:  # a vote that did not carry sends the round back to the table
            self._bargaining_event(curs, e.originator_id, nid, "ratified", e.on,
                                   voters=e.votes_for + e.against + e.abstaining)

    @on(Grievance.BreachCited)
    def breach_cited(self, curs, e, nid) -> None:
        # Dated by the grievance's clock: the latest day its story has reached.
        g = self._memory.grievance(curs, e.originator_id)
        if g is not None:
            self._bargaining_event(curs, e.bargaining_id, nid, "breach", g.clock, clause_id=e.clause_id)

    def _bargaining_event(self, curs, bargaining_id: UUID, nid: int, kind: str, on: date, *,
                          voters: int = 0, clause_id: UUID | None = None) -> None:
        # The round's collective is known from the batch's memory: no read.
        collective_id = self._memory.round(curs, bargaining_id)
        if collective_id is None:
            return
        curs.execute(
            f"INSERT INTO {self.t.bevents} (nid, bargaining_id, collective_id, kind, on_date, voters,"
            " clause_id) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (nid, bargaining_id, collective_id, kind, on, voters, clause_id))
        self._mark(COLLECTIVE, collective_id, on, on)
