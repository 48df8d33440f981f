"""What the indicators' handlers would otherwise read back from their tables, kept in memory
for one batch: a grievance's collective, campaigns, clock and the span of its events' days,
a meeting's collectives and agenda, a campaign's collectives, a bargaining round's collective,
and the collectives allied with an organisation (from their first alliance with it). They are
read up front, in a few queries for the whole batch (``preload``), before the handlers run;
what a handler needs that was not foreseen is read when first needed. The handlers keep these
copies in step with what they write, so their writes need no answer and run in pipeline mode
(a read there syncs the pipeline: a round trip).

The memory lives for one batch (one transaction): it is emptied before and after each, so
a batch that rolls back leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from organize.domain import Bargaining, Campaign, Grievance, Meeting, Organisation
from organize.projections.base import Tables

_GRIEVANCE = ("SELECT id, collective_id, campaign_ids, clock, "
              "(SELECT min(on_date) FROM {gevents} WHERE grievance_id = g.id) AS first, "
              "(SELECT max(on_date) FROM {gevents} WHERE grievance_id = g.id) AS last "
              "FROM {grievances} g WHERE id = ANY(%s)")
_MEETING = ("SELECT id, collective_ids, agenda_grievance_ids, agenda_campaign_ids FROM {meetings} "
            "WHERE id = ANY(%s)")
_CAMPAIGN = "SELECT id, collective_ids FROM {campaigns} WHERE id = ANY(%s)"
_ROUND = "SELECT id, collective_id FROM {brounds} WHERE id = ANY(%s)"
_ALLIES = ("SELECT organisation_id, collective_id, min(since) AS since FROM {alliances} "
           "WHERE organisation_id = ANY(%s) GROUP BY organisation_id, collective_id")
# The campaign events whose handlers need the campaign's collectives.
_CAMPAIGN_EVENTS = (Campaign.Launched, Campaign.CollectiveJoined, Campaign.ActionTaken,
                    Campaign.DemandResolved, Campaign.AgreementSigned)


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
        self.campaigns: dict[UUID, list[UUID] | None] = {}  # its collectives
        self.rounds: dict[UUID, UUID | None] = {}  # a bargaining round's collective
        # An organisation -> each collective allied with it -> the day of their first alliance.
        self.allies: dict[UUID, dict[UUID, date]] = {}

    def clear(self) -> None:
        self.grievances.clear()
        self.meetings.clear()
        self.campaigns.clear()
        self.rounds.clear()
        self.allies.clear()

    def preload(self, curs, batch: list) -> None:
        """Read what the batch's events name, a query per kind of record."""
        campaigns: set[UUID] = set()
        rounds: set[UUID] = set()
        organisations: set[UUID] = set()
        for _, e in batch:
            if isinstance(e, _CAMPAIGN_EVENTS):
                campaigns.add(e.originator_id)
            elif isinstance(e, (Bargaining.Opened, Bargaining.SessionHeld, Bargaining.VoteRecorded)):
                rounds.add(e.originator_id)
            elif isinstance(e, Grievance.BreachCited):
                rounds.add(e.bargaining_id)
            elif isinstance(e, (Organisation.Created, Organisation.KindCorrected)):
                organisations.add(e.originator_id)
        if campaigns:
            self._read_campaigns(curs, campaigns)
        if rounds:
            self._read_rounds(curs, rounds)
        if organisations:
            self._read_allies(curs, organisations)
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

    def campaign(self, curs, campaign_id: UUID) -> list[UUID] | None:
        """The campaign's collectives (None: no such campaign)."""
        if campaign_id not in self.campaigns:
            self._read_campaigns(curs, {campaign_id})
        return self.campaigns[campaign_id]

    def round(self, curs, bargaining_id: UUID) -> UUID | None:
        """The bargaining round's collective (None: no such round)."""
        if bargaining_id not in self.rounds:
            self._read_rounds(curs, {bargaining_id})
        return self.rounds[bargaining_id]

    def allied(self, curs, organisation_id: UUID) -> dict[UUID, date]:
        """The collectives allied with the organisation, each with its first alliance's day."""
        if organisation_id not in self.allies:
            self._read_allies(curs, {organisation_id})
        return self.allies[organisation_id]

    def _read_campaigns(self, curs, ids: set[UUID]) -> None:
        curs.execute(_CAMPAIGN.format(campaigns=self.t.campaigns), (list(ids),))
        self.campaigns.update(dict.fromkeys(ids))
        for r in curs.fetchall():
            self.campaigns[r["id"]] = list(r["collective_ids"])

    def _read_rounds(self, curs, ids: set[UUID]) -> None:
        curs.execute(_ROUND.format(brounds=self.t.brounds), (list(ids),))
        self.rounds.update(dict.fromkeys(ids))
        for r in curs.fetchall():
            self.rounds[r["id"]] = r["collective_id"]

    def _read_allies(self, curs, ids: set[UUID]) -> None:
        curs.execute(_ALLIES.format(alliances=self.t.alliances), (list(ids),))
        for i in ids:
            self.allies[i] = {}
        for r in curs.fetchall():
            self.allies[r["organisation_id"]][r["collective_id"]] = r["since"]

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

