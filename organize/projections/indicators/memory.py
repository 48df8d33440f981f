"""What the indicators' handlers would otherwise read back from their tables, kept in memory
for one batch: a grievance's collective, campaigns, clock and the span of its events' days,
and a meeting's collectives and agenda. Most are read up front, in two queries for the whole
batch (``preload``); the rest when first needed. The handlers keep these copies in step with
what they write, so their writes need no answer and run in pipeline mode.

The memory lives for one batch (one transaction): it is emptied before and after each, so
a batch that rolls back leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from organize.domain import Campaign, Grievance, Meeting
from organize.projections.base import Tables

_GRIEVANCE = ("SELECT id, collective_id, campaign_ids, clock, "
              "(SELECT min(on_date) FROM {gevents} WHERE grievance_id = g.id) AS first, "
              "(SELECT max(on_date) FROM {gevents} WHERE grievance_id = g.id) AS last "
              "FROM {grievances} g WHERE id = ANY(%s)")
_MEETING = ("SELECT id, collective_ids, agenda_grievance_ids, agenda_campaign_ids FROM {meetings} "
            "WHERE id = ANY(%s)")


@dataclass(slots=True)
class GrievanceMemo:
    collective_id: UUID
    campaign_ids: list[UUID]
    clock: date  # the latest domain day its story has reached
    first: date | None = None  # the earliest and latest days of its events
    last: date | None = None

    def saw(self, on: date) -> None:
        self.first = on if self.first is None else min(self.first, on)
        self.last = on if self.last is None else max(self.last, on)


@dataclass(frozen=True, slots=True)
class MeetingMemo:
    collective_ids: list[UUID]
    grievance_ids: list[UUID]  # on its agenda
    campaign_ids: list[UUID]


class BatchMemory:
    def __init__(self, t: Tables):
        self.t = t
        self.grievances: dict[UUID, GrievanceMemo | None] = {}  # None: no such grievance
        self.meetings: dict[UUID, MeetingMemo | None] = {}

    def clear(self) -> None:
        self.grievances.clear()
        self.meetings.clear()

    def preload(self, curs, batch: list) -> None:
        """Read the grievances and meetings the batch's events name, in two queries."""
        meetings = {e.originator_id for _, e in batch if isinstance(e, Meeting.Held)}
        if meetings:
            self._read_meetings(curs, meetings)
        grievances = {g for m in self.meetings.values() if m for g in m.grievance_ids}
        for _, e in batch:
            if isinstance(e, Grievance.Event):
                grievances.add(e.originator_id)
            elif isinstance(e, Campaign.GrievanceLinked):
                grievances.add(e.grievance_id)
            elif isinstance(e, Meeting.Scheduled):
                grievances.update(e.agenda_grievance_ids)
        if grievances:
            self._read_grievances(curs, grievances)

    def grievance(self, curs, grievance_id: UUID) -> GrievanceMemo | None:
        if grievance_id not in self.grievances:
            self._read_grievances(curs, {grievance_id})
        return self.grievances[grievance_id]

    def meeting(self, curs, meeting_id: UUID) -> MeetingMemo | None:
        if meeting_id not in self.meetings:
            self._read_meetings(curs, {meeting_id})
        return self.meetings[meeting_id]

    def _read_grievances(self, curs, ids: set[UUID]) -> None:
        curs.execute(_GRIEVANCE.format(gevents=self.t.gevents, grievances=self.t.grievances), (list(ids),))
        self.grievances.update(dict.fromkeys(ids))
        for r in curs.fetchall():
            self.grievances[r["id"]] = GrievanceMemo(r["collective_id"], list(r["campaign_ids"]),
                                                     r["clock"], r["first"], r["last"])

    def _read_meetings(self, curs, ids: set[UUID]) -> None:
        curs.execute(_MEETING.format(meetings=self.t.meetings), (list(ids),))
        self.meetings.update(dict.fromkeys(ids))
        for r in curs.fetchall():
            self.meetings[r["id"]] = MeetingMemo(list(r["collective_ids"]), list(r["agenda_grievance_ids"]),
                                                 list(r["agenda_campaign_ids"]))

