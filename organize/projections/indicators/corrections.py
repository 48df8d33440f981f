"""The indicators' corrections: a held meeting or a grievance's day corrected after the
fact. A correction moves facts in time, so the subjects they belong to are scored again from
the earlier of the two readings (a meeting) or from their first fact as it now stands (a
grievance: its series is dropped and rebuilt, as if the day had been entered right).

A mixin of ``IndicatorsView``: the handlers use its tables (``self.t``) and its marking of
touched subjects (``self._mark``).
"""

from __future__ import annotations

from uuid import UUID

from organize.domain import Grievance, Meeting
from organize.projections.base import on
from organize.projections.indicators.facts import CAMPAIGN, COLLECTIVE


class CorrectionHandlers:
    """Handlers of the correcting events (a mixin of ``IndicatorsView``)."""

    def _meeting_changed(self, curs, meeting_id, sets: str, args: tuple, *days) -> None:
        """A held meeting corrected: update it and mark its collectives and campaigns on the
        days its reading changes."""
        curs.execute(f"UPDATE {self.t.meetings} SET {sets} WHERE id = %s AND held_nid IS NOT NULL "
                     "RETURNING collective_ids, agenda_campaign_ids, held_on",
                     (*args, meeting_id))
        row = curs.fetchone()
        if row is None:
            return
        for day in {*days, row["held_on"]} - {None}:
            for collective_id in row["collective_ids"]:
                self._mark(COLLECTIVE, collective_id, day, day)
            for campaign_id in row["agenda_campaign_ids"]:
                self._mark(CAMPAIGN, campaign_id, day, day)

    @on(Meeting.AttendanceCorrected)
    def meeting_attendance_corrected(self, curs, e, _nid) -> None:
        self._meeting_changed(curs, e.originator_id,
                              "attendee_ids = %s, facilitator_ids = %s, speaker_ids = %s",
                              (list(e.attendee_ids), list(e.facilitator_ids), list(e.speaker_ids)))

    @on(Meeting.DecisionsCorrected)
    def meeting_decisions_corrected(self, curs, e, _nid) -> None:
        self._meeting_changed(curs, e.originator_id, "decisions = %s", (e.decision_count,))

    @on(Meeting.Corrected)
    def meeting_corrected(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.meetings} SET kind = %s WHERE id = %s", (e.kind, e.originator_id))
        if e.held_at is not None:
            curs.execute(f"SELECT held_on FROM {self.t.meetings} WHERE id = %s", (e.originator_id,))
            before = curs.fetchone()
            self._meeting_changed(curs, e.originator_id, "held_on = %s", (e.held_at.date(),),
                                  before["held_on"] if before else None)

    @on(Grievance.Corrected)
    def grievance_corrected(self, curs, e, _nid) -> None:
        """Its day corrected: it was raised on the new day, each join happened by the clock
        it would have had then, and its collective and campaigns are scored again from the
        earlier of the two days, as if it had been entered right."""
        t = self.t
        curs.execute(
            f"WITH old AS (SELECT on_date FROM {t.gevents} WHERE grievance_id = %(g)s AND kind = 'raised'), "
            f"r AS (UPDATE {t.gevents} SET on_date = %(on)s WHERE grievance_id = %(g)s AND kind = 'raised') "
            "SELECT (SELECT on_date FROM old) AS before",
            {"g": e.originator_id, "on": e.occurred_on})
        row = curs.fetchone()
        before = row["before"] if row else None
        if before is None or before == e.occurred_on:
            return
        curs.execute(
            f"UPDATE {t.gevents} j SET on_date = coalesce((SELECT max(d.on_date) FROM {t.gevents} d "
            "WHERE d.grievance_id = j.grievance_id AND d.kind <> 'joined' AND d.nid < j.nid), j.on_date) "
            "WHERE j.grievance_id = %s AND j.kind = 'joined'", (e.originator_id,))
        curs.execute(
            f"UPDATE {t.grievances} g SET clock = (SELECT max(on_date) FROM {t.gevents} "
            "WHERE grievance_id = g.id) WHERE id = %s RETURNING collective_id, campaign_ids",
            (e.originator_id,))
        row = curs.fetchone()
        # Its clock and its events' days moved: read again when next needed. The clock just
        # stored supersedes one the batch's earlier events moved (not stored yet).
        self._memory.grievances.pop(e.originator_id, None)
        self._clocks.pop(e.originator_id, None)
        if row is None:
            return
        self._reset(curs, COLLECTIVE, row["collective_id"])
        for campaign_id in row["campaign_ids"]:
            self._reset(curs, CAMPAIGN, campaign_id)

    def _reset(self, curs, subject: str, subject_id: UUID) -> None:
        """Its facts moved in time (a corrected day): its series is dropped and scored again
        from its first fact to its last as they now stand, so that it starts and ends where
        it would have, had the day been entered right."""
        f = self.facts(curs, subject, subject_id)
        days = [*(m.on for m in f.meetings), *(e.on for e in f.grievance_events),
                *(e.on for e in f.campaign_events), *(a.since for a in f.alliances),
                *(a.until for a in f.alliances if a.until is not None)]
        for table in (self.t.levels, self.t.series, self.t.pending):
            curs.execute(f"DELETE FROM {table} WHERE subject = %s AND id = %s", (subject, subject_id))
        self._dirty.pop((subject, subject_id), None)
        if days:
            self._mark(subject, subject_id, min(days), max(days))
