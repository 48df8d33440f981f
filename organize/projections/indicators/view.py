"""The indicators view: the facts the organising-strength indicators are scored from, the
weekly series of levels for every collective and campaign, and how they are read.

Handlers keep small, domain-dated fact tables (meetings held, what happened to grievances,
campaign actions and results, alliances, work spells, self-assessments) and note which
collectives and campaigns a fact touches, from which week. After each batch
(``after_batch``) the series of each touched subject is recomputed in Python from the
earliest affected week to a few windows past its latest fact: facts can arrive late
(back-dated), and a late fact changes every week whose window can see it.

The series is stored compactly: a week's row for a dimension is written only when it
differs from the week before, and reads carry the last row forward. A recompute writes only
the rows that change (``series.py``), and the scorer skips the weeks that cannot differ
from the week before (``Scorer.changes``). Rows are the same whatever the batch boundaries
were, so a rebuild equals the incrementally kept view.
Each row carries the digest of the rubric that scored it; re-scoring under a changed
rubric is a rebuild (``registry.rebuild(..., "indicators", rubric=...)``).

A campaign's issue and a self-assessment's narrative are kept sealed, as tokens
(``organize.projections.sealed``) that the web layer opens for the reader.

Handlers write a batch's plain inserts through ``View.insert`` (one statement per table per
batch) and keep a grievance's clock and a work spell's end to store once, after the batch's
events (``_store_clocks``, ``_store_ends``).

The handlers of bargaining rounds (``bargaining.py``) and of corrections (``corrections.py``)
are mixins of this view; the facts are loaded by ``facts.load_facts``.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from organize.domain import Assessment, Campaign, Collective, Grievance, Meeting, Organisation, Worker
from organize.projections.base import APPLICATION_NAME, Tables, View, on
from organize.projections.indicators.bargaining import BargainingHandlers
from organize.projections.indicators.corrections import CorrectionHandlers
from organize.projections.indicators.facts import CAMPAIGN, COLLECTIVE, Facts, load_facts
from organize.projections.indicators.memory import BatchMemory, GrievanceMemo, MeetingMemo
from organize.projections.indicators.rubric import Rubric, load_rubric
from organize.projections.indicators.scoring import Scorer, week_of
from organize.projections.indicators.series import copy_rows, json_text, write_series
from organize.projections.sealed import token

# While the runner is more than CATCH_UP_LAG notifications behind the head of the log,
# series are recomputed only every MAX_DEFERRED notifications (so that they stay fresh
# under a constant stream of writes too).
CATCH_UP_LAG = 100
MAX_DEFERRED = 20_000
EARLIEST = date(1900, 1, 1)
LATEST = date(9000, 1, 1)
WEEK = timedelta(days=7)
# The columns of the fact rows handlers set aside for one INSERT per table per batch.
_GEVENT = ("nid bigint, grievance_id uuid, kind text, on_date date, worker_ids uuid[], "
           "organisation_id uuid, outcome text")
_CEVENT = ("nid bigint, campaign_id uuid, kind text, on_date date, detail text, participant_ids uuid[], "
           "collective_ids uuid[], organisation_id uuid")
_SPELL = "worker_id uuid, spell_id uuid, nid bigint, sector text, started_on date"
_MEETING = ("id uuid, kind text, collective_ids uuid[], agenda_grievance_ids uuid[], "
            "agenda_campaign_ids uuid[]")
_GRIEVANCE = "id uuid, collective_id uuid, clock date"
# The fact tables a recompute reads subject by subject. A long catch-up fills them faster
# than autovacuum analyses them, and a planner that knows a table's size but not its
# columns can read every grievance event for each subject (a hash join over the whole
# table: 40 ms a subject at 200k events, 2.7 ms once analysed). Before recomputing
# ANALYZE_AT subjects or more, those that have changed more than they hold since last
# analysed are analysed (so each is analysed a few times over a catch-up, as it doubles).
# The levels are read by their primary key alone, and are costly to analyse (0.4 s at 50k
# events): they are left to autovacuum. The pending lists of their GIN indexes are merged
# then too (a search reads all of a pending list: at 200k events, finding the meetings of
# 400 workers took 167 ms before, 35 ms after).
_FACT_TABLES = ("grievances", "gevents", "meetings", "campaigns", "cevents", "spells", "alliances",
                "bevents")
ANALYZE_AT = 16
ANALYZE_MIN_CHANGES = 1000
# A recompute copies the new rows of the levels in one COPY per COPY_ROWS rows or so, and
# stores the extents of the series it recomputed in one statement.
COPY_ROWS = 5_000
_NOTHING = "ON CONFLICT DO NOTHING"
_ID_NOTHING = "ON CONFLICT (id) DO NOTHING"


class IndicatorsView(BargainingHandlers, CorrectionHandlers, View):
    """Deps: ``rubric`` (a ``Rubric``; the default rubric when missing) and, optionally,
    ``events_table`` (the notification log's table, to tell how far behind the view is)."""

    name = "indicators"
    # 2: collective texts kept sealed (tokens); 3: reasons stored as codes (rebuilt);
    # 4: bargaining rounds feed negotiating power and collective voice (rebuilt)
    version = 4
    # Handlers run in pipeline mode: what they need of grievances and meetings is kept in
    # memory for the batch (``memory.py``), so most events are written without an answer.

    def __init__(self, datastore, *, generation: int = 1, **deps: Any):
        super().__init__(datastore, generation=generation, **deps)
        self.rubric: Rubric = deps.get("rubric") or default_rubric()
        # The application's notification log (eventsourcing names it after the application).
        self.events_table: str = deps.get("events_table") or f"{APPLICATION_NAME.lower()}_events"
        self._last_id: int | None = None
        self._recomputed_at = 0  # the notification id of the last recompute
        # What this batch touched: (subject, id) -> [recompute from, earliest fact, latest fact]
        self._dirty: dict[tuple[str, UUID], list[date | None]] = {}
        # What the handlers of this batch read of grievances and meetings.
        self._memory = BatchMemory(self.t)
        # Workers whose trajectory the batch changed -> the earliest day it changed from.
        self._participants: dict[UUID, date] = {}
        # Grievances whose clock the batch moved -> the clock, stored in one UPDATE after it.
        self._clocks: dict[UUID, date] = {}
        # Work spells the batch ended: (worker, spell) -> the day, stored in one UPDATE.
        self._ends: dict[tuple[UUID, UUID], date] = {}

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {t.collectives} ("
            " id uuid PRIMARY KEY, name text NOT NULL, federation text,"
            " erased boolean NOT NULL DEFAULT false)",
            f"CREATE TABLE IF NOT EXISTS {t.orgs} (id uuid PRIMARY KEY, kind text NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t.spells} ("
            " worker_id uuid NOT NULL, spell_id uuid NOT NULL, nid bigint NOT NULL, sector text NOT NULL,"
            " started_on date NOT NULL, ended_on date, PRIMARY KEY (worker_id, spell_id))",
            f"CREATE TABLE IF NOT EXISTS {t.meetings} ("
            " id uuid PRIMARY KEY, kind text NOT NULL, collective_ids uuid[] NOT NULL,"
            " agenda_grievance_ids uuid[] NOT NULL, agenda_campaign_ids uuid[] NOT NULL,"
            " held_nid bigint, held_on date, attendee_ids uuid[], facilitator_ids uuid[],"
            " speaker_ids uuid[], decisions integer)",
            f"CREATE INDEX IF NOT EXISTS {t.meetings}_coll_idx ON {t.meetings} USING gin (collective_ids)",
            f"CREATE INDEX IF NOT EXISTS {t.meetings}_att_idx ON {t.meetings} USING gin (attendee_ids)",
            f"CREATE INDEX IF NOT EXISTS {t.meetings}_camp_idx ON {t.meetings} "
            "USING gin (agenda_campaign_ids)",
            f"CREATE TABLE IF NOT EXISTS {t.grievances} ("
            " id uuid PRIMARY KEY, collective_id uuid NOT NULL, clock date NOT NULL,"
            " campaign_ids uuid[] NOT NULL DEFAULT '{}')",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_coll_idx ON {t.grievances} (collective_id)",
            f"CREATE TABLE IF NOT EXISTS {t.gevents} ("
            " nid bigint NOT NULL, grievance_id uuid NOT NULL, kind text NOT NULL, on_date date NOT NULL,"
            " worker_ids uuid[] NOT NULL DEFAULT '{}', organisation_id uuid, outcome text,"
            " PRIMARY KEY (nid, grievance_id))",
            f"CREATE INDEX IF NOT EXISTS {t.gevents}_g_idx ON {t.gevents} (grievance_id, on_date)",
            f"CREATE TABLE IF NOT EXISTS {t.campaigns} ("
            " id uuid PRIMARY KEY, nid bigint NOT NULL, issue text NOT NULL, launched_on date NOT NULL,"
            " sectors text[] NOT NULL, collective_ids uuid[] NOT NULL,"
            " grievance_ids uuid[] NOT NULL DEFAULT '{}', closed_on date)",
            f"CREATE TABLE IF NOT EXISTS {t.cevents} ("
            " nid bigint PRIMARY KEY, campaign_id uuid NOT NULL, kind text NOT NULL, on_date date NOT NULL,"
            " detail text, participant_ids uuid[] NOT NULL DEFAULT '{}', collective_ids uuid[] NOT NULL,"
            " organisation_id uuid)",
            f"CREATE INDEX IF NOT EXISTS {t.cevents}_camp_idx ON {t.cevents} (campaign_id, on_date)",
            f"CREATE INDEX IF NOT EXISTS {t.cevents}_coll_idx ON {t.cevents} USING gin (collective_ids)",
            f"CREATE INDEX IF NOT EXISTS {t.cevents}_part_idx ON {t.cevents} USING gin (participant_ids)",
            f"CREATE TABLE IF NOT EXISTS {t.brounds} (id uuid PRIMARY KEY, collective_id uuid NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t.bevents} ("
            " nid bigint PRIMARY KEY, bargaining_id uuid NOT NULL, collective_id uuid NOT NULL,"
            " kind text NOT NULL, on_date date NOT NULL, voters integer NOT NULL DEFAULT 0,"
            " clause_id uuid)",
            f"CREATE INDEX IF NOT EXISTS {t.bevents}_coll_idx ON {t.bevents} (collective_id, on_date)",
            f"CREATE TABLE IF NOT EXISTS {t.alliances} ("
            " nid bigint PRIMARY KEY, collective_id uuid NOT NULL, organisation_id uuid NOT NULL,"
            " since date NOT NULL, until date, ended_nid bigint)",
            f"CREATE INDEX IF NOT EXISTS {t.alliances}_coll_idx ON {t.alliances} (collective_id)",
            f"CREATE INDEX IF NOT EXISTS {t.alliances}_org_idx ON {t.alliances} (organisation_id)",
            f"CREATE TABLE IF NOT EXISTS {t.assessments} ("
            " id uuid PRIMARY KEY, collective_id uuid NOT NULL, assessed_on date NOT NULL,"
            " levels jsonb NOT NULL, narrative text NOT NULL, nid bigint NOT NULL, revised_nid bigint)",
            f"CREATE INDEX IF NOT EXISTS {t.assessments}_coll_idx ON {t.assessments} "
            "(collective_id, assessed_on)",
            # The extent of each subject's series: first week with a fact, last week with a
            # fact, last week stored (a few windows later, when every window is empty).
            f"CREATE TABLE IF NOT EXISTS {t.series} ("
            " subject text NOT NULL, id uuid NOT NULL, first_week date NOT NULL,"
            " last_fact_week date NOT NULL, last_week date NOT NULL, rubric_digest text NOT NULL,"
            " PRIMARY KEY (subject, id))",
            f"CREATE TABLE IF NOT EXISTS {t.levels} ("
            " subject text NOT NULL, id uuid NOT NULL, dimension text NOT NULL, week date NOT NULL,"
            " level smallint NOT NULL, reasons jsonb NOT NULL, measures jsonb NOT NULL, gap text,"
            " rubric_digest text NOT NULL, PRIMARY KEY (subject, id, dimension, week))",
            f"CREATE TABLE IF NOT EXISTS {t.rubrics} (digest text PRIMARY KEY, body jsonb NOT NULL)",
            # Subjects whose series await recomputing while the view catches up.
            f"CREATE TABLE IF NOT EXISTS {t.pending} ("
            " subject text NOT NULL, id uuid NOT NULL, recompute_from date NOT NULL, first_fact date,"
            " last_fact date, PRIMARY KEY (subject, id))",
        ]

    # -- marking what a fact touches ----------------------------------------------------------

    def _mark(self, subject: str, subject_id: UUID, earliest: date, latest: date | None) -> None:
        """``subject_id`` has facts dated ``earliest`` to ``latest``; with ``latest`` None,
        no fact of its own but a change in how its facts from ``earliest`` on read (an
        ally's kind, a participant's work history). Its weeks from there are recomputed."""
        # A date off the calendar's sane range (a slip of the keyboard) must not make the
        # series run for millennia, nor the window arithmetic overflow.
        earliest = min(max(earliest, EARLIEST), LATEST)
        latest = None if latest is None else min(max(latest, EARLIEST), LATEST)
        span = self._dirty.get((subject, subject_id))
        if span is None:
            span = self._dirty[(subject, subject_id)] = [earliest, None, None]
        _widen(span, earliest, earliest if latest is not None else None, latest)

    def _grievance_event(self, curs, grievance_id: UUID, nid: int, kind: str, on: date | None, *,
                         worker_ids=(), organisation_id: UUID | None = None,
                         outcome: str | None = None) -> None:
        """Record what happened to a grievance, move its clock (the latest domain date it
        has seen), and mark its collective and campaigns. Nothing is read back: what it needs
        of the grievance is in the batch's memory."""
        g = self._memory.grievance(curs, grievance_id)
        if g is None:
            return
        if on is not None and on > g.clock:
            g.clock = self._clocks[grievance_id] = on  # stored once, at the end of the batch
        on = on or g.clock  # a join carries no date: it happened by the grievance's clock
        self.insert(curs, self.t.gevents, _GEVENT, (nid, grievance_id, kind, on, list(worker_ids),
                                                    organisation_id, outcome), conflict=_NOTHING)
        g.saw(on)
        self._mark(COLLECTIVE, g.collective_id, on, on)
        for campaign_id in g.campaign_ids:
            self._mark(CAMPAIGN, campaign_id, on, on)

    # -- collectives and organisations -------------------------------------------------------------

    @on(Collective.Created)
    def collective_created(self, curs, e, _nid) -> None:
        curs.execute(f"INSERT INTO {self.t.collectives} (id, name, federation) VALUES (%s, %s, %s) "
                     "ON CONFLICT (id) DO NOTHING", (e.originator_id, e.name, e.federation))

    @on(Collective.Renamed)
    def collective_renamed(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.collectives} SET name = %s WHERE id = %s", (e.name, e.originator_id))

    @on(Collective.Erased)
    def collective_erased(self, curs, e, _nid) -> None:
        # erase-collective destroyed its texts; its name and counts stay.
        curs.execute(f"UPDATE {self.t.collectives} SET erased = true WHERE id = %s", (e.originator_id,))

    @on(Collective.AllianceFormed)
    def alliance_formed(self, curs, e, nid) -> None:
        curs.execute(f"INSERT INTO {self.t.alliances} (nid, collective_id, organisation_id, since) "
                     "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                     (nid, e.originator_id, e.organisation_id, e.since))
        allied = self._memory.allies.get(e.organisation_id)  # kept in step when in memory
        if allied is not None:
            since = allied.get(e.originator_id)
            allied[e.originator_id] = e.since if since is None else min(since, e.since)
        self._mark(COLLECTIVE, e.originator_id, e.since, e.since)

    @on(Collective.AllianceEnded)
    def alliance_ended(self, curs, e, nid) -> None:
        curs.execute(f"UPDATE {self.t.alliances} SET until = %s, ended_nid = %s WHERE collective_id = %s "
                     "AND organisation_id = %s AND until IS NULL",
                     (e.until, nid, e.originator_id, e.organisation_id))
        self._mark(COLLECTIVE, e.originator_id, e.until, e.until)

    @on(Organisation.KindCorrected)
    def organisation_kind_corrected(self, curs, e, _nid) -> None:
        # Its alliances read differently from the first of them on (an NGO that was a union).
        self.change(curs, self.t.orgs, e.originator_id, f"UPDATE {self.t.orgs} SET kind = %s WHERE id = %s",
                    (e.kind, e.originator_id))
        self._mark_allies(curs, e.originator_id)

    @on(Organisation.Created)
    def organisation_created(self, curs, e, _nid) -> None:
        # An alliance recorded before its organisation: its kind is known only now.
        self.insert(curs, self.t.orgs, "id uuid, kind text", (e.originator_id, e.kind), conflict=_NOTHING)
        self._mark_allies(curs, e.originator_id)

    def _mark_allies(self, curs, organisation_id: UUID) -> None:
        """Change what is known of an organisation, and mark the collectives allied with it
        from their first alliance with it on (known from the batch's memory: no read)."""
        for collective_id, since in self._memory.allied(curs, organisation_id).items():
            self._mark(COLLECTIVE, collective_id, since, None)

    # -- trajectories ---------------------------------------------------------------------------

    @on(Worker.SpellStarted)
    def spell_started(self, curs, e, nid) -> None:
        self.insert(curs, self.t.spells, _SPELL, (e.originator_id, e.spell_id, nid, e.sector, e.started_on),
                    conflict=_NOTHING)
        self._note_participant(e.originator_id, e.started_on)

    @on(Worker.SpellEnded)
    def spell_ended(self, curs, e, _nid) -> None:
        # Stored with the batch's other ends in one UPDATE (``_store_ends``): a spell ends
        # only once started (the worker's own events, in order), so its row is there by then.
        self._ends[(e.originator_id, e.spell_id)] = e.ended_on
        self._note_participant(e.originator_id, e.ended_on)

    @on(Worker.SpellCorrected)
    def spell_corrected(self, curs, e, _nid) -> None:
        # Marked from the earliest day either reading covers: the corrected start or before.
        curs.execute(f"SELECT started_on FROM {self.t.spells} WHERE worker_id = %s AND spell_id = %s",
                     (e.originator_id, e.spell_id))
        row = curs.fetchone()
        since = min(e.started_on, row["started_on"]) if row else e.started_on
        self._ends.pop((e.originator_id, e.spell_id), None)  # its end is the corrected one
        self._mark_participant(
            curs, e.originator_id, since,
            f"UPDATE {self.t.spells} SET sector = %s, started_on = %s, ended_on = %s"
            " WHERE worker_id = %s AND spell_id = %s",
            (e.sector, e.started_on, e.ended_on, e.originator_id, e.spell_id))

    @on(Worker.SpellWithdrawn)
    def spell_withdrawn(self, curs, e, _nid) -> None:
        curs.execute(f"SELECT started_on FROM {self.t.spells} WHERE worker_id = %s AND spell_id = %s",
                     (e.originator_id, e.spell_id))
        row = curs.fetchone()
        self._ends.pop((e.originator_id, e.spell_id), None)
        if row is not None:
            self._mark_participant(
                curs, e.originator_id, row["started_on"],
                f"DELETE FROM {self.t.spells} WHERE worker_id = %s AND spell_id = %s",
                (e.originator_id, e.spell_id))

    def _mark_participant(self, curs, worker_id: UUID, on: date, change: str, args: tuple) -> None:
        """Change her trajectory (a statement on her rows of the spells alone); the gatherings
        she took part in, whose reading it changes, are marked from ``on`` at the end of the
        batch (``_mark_gatherings``)."""
        self.change(curs, self.t.spells, worker_id, change, args)
        self._note_participant(worker_id, on)

    def _note_participant(self, worker_id: UUID, on: date) -> None:
        since = self._participants.get(worker_id)
        self._participants[worker_id] = on if since is None else min(since, on)

    def _mark_gatherings(self, curs) -> None:
        """Mark the collectives and campaigns of the held meetings and campaign actions that
        the batch's changed participants took part in (one query for the batch). Read at
        the end of the batch, it also finds a gathering held later in it: marked, it is
        only scored again."""
        participants, self._participants = self._participants, {}
        if not participants:
            return
        people = list(participants)
        curs.execute(
            f"SELECT w, collective_ids, agenda_campaign_ids AS campaign_ids FROM {self.t.meetings}, "
            "unnest(attendee_ids) w WHERE attendee_ids && %(p)s::uuid[] AND held_nid IS NOT NULL "
            "AND w = ANY(%(p)s::uuid[]) "
            f"UNION ALL SELECT w, collective_ids, ARRAY[campaign_id] FROM {self.t.cevents}, "
            "unnest(participant_ids) w WHERE participant_ids && %(p)s::uuid[] AND w = ANY(%(p)s::uuid[])",
            {"p": people})
        for row in curs.fetchall():
            on = participants[row["w"]]
            for collective_id in row["collective_ids"]:
                self._mark(COLLECTIVE, collective_id, on, None)
            for campaign_id in row["campaign_ids"]:
                self._mark(CAMPAIGN, campaign_id, on, None)

    # -- meetings -------------------------------------------------------------------------------

    @on(Meeting.Scheduled)
    def meeting_scheduled(self, curs, e, _nid) -> None:
        self.insert(curs, self.t.meetings, _MEETING,
                    (e.originator_id, e.kind, list(e.collective_ids), list(e.agenda_grievance_ids),
                     list(e.agenda_campaign_ids)), conflict=_ID_NOTHING)
        if self._memory.meetings.get(e.originator_id) is None:
            self._memory.meetings[e.originator_id] = MeetingMemo(
                list(e.collective_ids), list(e.agenda_grievance_ids), list(e.agenda_campaign_ids))

    @on(Meeting.Held)
    def meeting_held(self, curs, e, nid) -> None:
        held_on = e.held_at.date()  # the local date where it was held
        m = self._memory.meeting(curs, e.originator_id)
        if m is None:
            return
        self.change(
            curs, self.t.meetings, e.originator_id,
            f"UPDATE {self.t.meetings} SET held_nid = %s, held_on = %s, attendee_ids = %s, "
            "facilitator_ids = %s, speaker_ids = %s, decisions = %s WHERE id = %s",
            (nid, held_on, list(e.attendee_ids), list(e.facilitator_ids), list(e.speaker_ids),
             e.decision_count, e.originator_id))
        for collective_id in m.collective_ids:
            self._mark(COLLECTIVE, collective_id, held_on, held_on)
        for campaign_id in m.campaign_ids:
            self._mark(CAMPAIGN, campaign_id, held_on, held_on)
        # A grievance on the agenda of a held meeting was discussed: a collective response.
        for grievance_id in m.grievance_ids:
            self._grievance_event(curs, grievance_id, nid, "discussed", held_on)

    # -- grievances -----------------------------------------------------------------------------

    @on(Grievance.Raised)
    def grievance_raised(self, curs, e, nid) -> None:
        self.insert(curs, self.t.grievances, _GRIEVANCE, (e.originator_id, e.collective_id, e.occurred_on),
                    conflict=_ID_NOTHING)
        if self._memory.grievance(curs, e.originator_id) is None:
            self._memory.grievances[e.originator_id] = GrievanceMemo(e.collective_id, [], e.occurred_on)
        self._grievance_event(curs, e.originator_id, nid, "raised", e.occurred_on, worker_ids=e.worker_ids)

    @on(Grievance.Joined)
    def grievance_joined(self, curs, e, nid) -> None:
        self._grievance_event(curs, e.originator_id, nid, "joined", None, worker_ids=e.worker_ids)

    @on(Grievance.EvidenceNoted)
    def evidence_noted(self, curs, e, nid) -> None:
        self._grievance_event(curs, e.originator_id, nid, "evidence", e.on)

    @on(Grievance.Referred)
    def referred(self, curs, e, nid) -> None:
        self._grievance_event(curs, e.originator_id, nid, "referred", e.on, organisation_id=e.organisation_id)

    @on(Grievance.Escalated)
    def escalated(self, curs, e, nid) -> None:
        self._grievance_event(curs, e.originator_id, nid, "escalated", e.on)

    @on(Grievance.NegotiationRecorded)
    def negotiation(self, curs, e, nid) -> None:
        self._grievance_event(curs, e.originator_id, nid, "negotiation", e.held_on,
                              organisation_id=e.with_organisation_id)

    @on(Grievance.OutcomeRecorded)
    def outcome(self, curs, e, nid) -> None:
        self._grievance_event(curs, e.originator_id, nid, "outcome", e.on, outcome=e.outcome)

    @on(Grievance.RetaliationReported)
    def retaliation(self, curs, e, nid) -> None:
        self._grievance_event(curs, e.originator_id, nid, "retaliation", e.on)

    @on(Grievance.Withdrawn)
    def withdrawn(self, curs, e, nid) -> None:
        self._grievance_event(curs, e.originator_id, nid, "withdrawn", e.on)

    @on(Grievance.Reopened)
    def reopened(self, curs, e, nid) -> None:
        self._grievance_event(curs, e.originator_id, nid, "reopened", e.on)

    # -- campaigns ------------------------------------------------------------------------------

    @on(Campaign.Launched)
    def campaign_launched(self, curs, e, nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.campaigns} (id, nid, issue, launched_on, sectors, collective_ids) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
            (e.originator_id, nid, token(e.originator_id, e.sealed_issue, e.issue), e.launched_on,
             list(e.sectors), list(e.collective_ids)))
        if self._memory.campaign(curs, e.originator_id) is None:
            self._memory.campaigns[e.originator_id] = list(e.collective_ids)
        self._campaign_event(curs, e, nid, "launched", e.launched_on, list(e.collective_ids))

    @on(Campaign.CollectiveJoined)
    def campaign_joined(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.campaigns} SET collective_ids = array_append(collective_ids, %s) "
                     "WHERE id = %s AND NOT collective_ids @> %s",
                     (e.collective_id, e.originator_id, [e.collective_id]))
        collective_ids = self._memory.campaign(curs, e.originator_id)
        if collective_ids is not None and e.collective_id not in collective_ids:
            collective_ids.append(e.collective_id)

    @on(Campaign.GrievanceLinked)
    def grievance_linked(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.campaigns} SET grievance_ids = array_append(grievance_ids, %s) "
                     "WHERE id = %s AND NOT grievance_ids @> %s",
                     (e.grievance_id, e.originator_id, [e.grievance_id]))
        self.change(curs, self.t.grievances, e.grievance_id,
                    f"UPDATE {self.t.grievances} SET campaign_ids = array_append(campaign_ids, %s) "
                    "WHERE id = %s AND NOT campaign_ids @> %s",
                    (e.originator_id, e.grievance_id, [e.originator_id]))
        g = self._memory.grievance(curs, e.grievance_id)
        if g is None:
            return
        if e.originator_id not in g.campaign_ids:
            g.campaign_ids.append(e.originator_id)
        # The grievance's whole story becomes part of the campaign's facts.
        if g.first is not None:
            self._mark(CAMPAIGN, e.originator_id, g.first, g.last)

    @on(Campaign.ActionTaken)
    def action_taken(self, curs, e, nid) -> None:
        self._campaign_event(curs, e, nid, "action", e.taken_on, list(e.collective_ids) or None,
                             detail=e.kind, participants=e.participant_ids)

    @on(Campaign.DemandResolved)
    def demand_resolved(self, curs, e, nid) -> None:
        self._campaign_event(curs, e, nid, "result", e.on, None, detail=e.result)

    @on(Campaign.AgreementSigned)
    def agreement_signed(self, curs, e, nid) -> None:
        self._campaign_event(curs, e, nid, "agreement", e.signed_on, None,
                             organisation_id=e.with_organisation_id)

    @on(Campaign.Closed)
    def campaign_closed(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.campaigns} SET closed_on = %s WHERE id = %s", (e.on, e.originator_id))

    def _campaign_event(self, curs, e, nid: int, kind: str, on: date, collective_ids: list | None, *,
                        detail: str | None = None, participants=(),
                        organisation_id: UUID | None = None) -> None:
        # Without collectives of its own, attributed to the campaign's collectives when it
        # happened (known from the batch's memory: no read).
        if collective_ids is None:
            collective_ids = list(self._memory.campaign(curs, e.originator_id) or ())
        self.insert(curs, self.t.cevents, _CEVENT, (nid, e.originator_id, kind, on, detail,
                                                    list(participants), collective_ids, organisation_id),
                    conflict=_NOTHING)
        self._mark(CAMPAIGN, e.originator_id, on, on)
        for collective_id in collective_ids:
            self._mark(COLLECTIVE, collective_id, on, on)

    # -- self-assessments -----------------------------------------------------------------------

    @on(Assessment.Recorded)
    def assessment_recorded(self, curs, e, nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.assessments} (id, collective_id, assessed_on, levels, narrative, nid) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
            (e.originator_id, e.collective_id, e.assessed_on,
             json_text({dl.dimension: dl.level for dl in e.levels}),
             token(e.collective_id, e.sealed_narrative, e.narrative), nid))

    @on(Assessment.Revised)
    def assessment_revised(self, curs, e, nid) -> None:
        # The narrative is sealed under the collective's key (kept as a token, never opened).
        curs.execute(f"SELECT collective_id FROM {self.t.assessments} WHERE id = %s",
                     (e.originator_id,))
        row = curs.fetchone()
        if row is None:
            return
        curs.execute(f"UPDATE {self.t.assessments} SET levels = %s, narrative = %s, revised_nid = %s "
                     "WHERE id = %s",
                     (json_text({dl.dimension: dl.level for dl in e.levels}),
                      token(row["collective_id"], e.sealed_narrative, e.narrative), nid,
                      e.originator_id))

    # -- recomputing the series -----------------------------------------------------------------

    def apply_batch(self, curs: Cursor[DictRow], batch, last_id: int,
                    after: int | None = None) -> None:
        self._last_id = last_id
        batch = list(batch)
        self._memory.clear()
        self._clocks.clear()
        self._ends.clear()
        self._memory.preload(curs, batch)
        super().apply_batch(curs, batch, last_id, after)

    def after_batch(self, curs: Cursor[DictRow]) -> None:
        """Recompute the series the batch touched, once the view is (nearly) caught up.

        While the runner is far behind the log (a first catch-up, a rebuild), the touched
        subjects are set aside in the pending table, in this same transaction, and their
        series are recomputed once, near the head: recomputing them batch after batch
        would redo the same weeks many times. What ends up stored is the same either way.
        """
        self._store_clocks(curs)
        self._store_ends(curs)
        self._mark_gatherings(curs)
        dirty, self._dirty = self._dirty, {}
        self._memory.clear()  # what the next batch's handlers need is read again
        if self._behind(curs):
            p = self.t.pending
            if dirty:  # one statement for the batch (psycopg pipelines the rows)
                curs.executemany(
                    f"INSERT INTO {p} (subject, id, recompute_from, first_fact, last_fact) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (subject, id) DO UPDATE SET "
                    f"recompute_from = least({p}.recompute_from, EXCLUDED.recompute_from), "
                    f"first_fact = least({p}.first_fact, EXCLUDED.first_fact), "
                    f"last_fact = greatest({p}.last_fact, EXCLUDED.last_fact)",
                    [(subject, subject_id, *span) for (subject, subject_id), span in dirty.items()])
            return
        self._recomputed_at = self._last_id or 0
        self._recompute_dirty(curs, dirty)

    def _store_clocks(self, curs) -> None:
        """The clocks the batch moved, in one statement: each the latest day its grievance's
        events reached, as an UPDATE per moving event would have left it."""
        clocks, self._clocks = self._clocks, {}
        if clocks:
            curs.execute(f"UPDATE {self.t.grievances} g SET clock = x.clock "
                         "FROM unnest(%s::uuid[], %s::date[]) AS x(id, clock) WHERE g.id = x.id",
                         (list(clocks), list(clocks.values())))

    def _store_ends(self, curs) -> None:
        """The ends of work spells the batch recorded, in one statement (before any read of
        a spell's end: the facts a correction reads, the recompute's)."""
        ends, self._ends = self._ends, {}
        if ends:
            curs.execute(f"UPDATE {self.t.spells} s SET ended_on = x.ended_on FROM "
                         "unnest(%s::uuid[], %s::uuid[], %s::date[]) AS x(worker_id, spell_id, ended_on) "
                         "WHERE s.worker_id = x.worker_id AND s.spell_id = x.spell_id",
                         ([w for w, _ in ends], [sp for _, sp in ends], list(ends.values())))

    def finish(self, curs: Cursor[DictRow]) -> int:
        """Recompute what the catch-up set aside in the pending table (weeks recomputed)."""
        return self._recompute_dirty(curs, {})

    def _behind(self, curs) -> bool:
        last_id = getattr(self, "_last_id", None)
        if last_id is None:
            return False
        curs.execute(f"SELECT max(notification_id) AS head FROM {self.events_table}")
        head = curs.fetchone()["head"] or 0
        return head - last_id > CATCH_UP_LAG and last_id - self._recomputed_at < MAX_DEFERRED

    def _recompute_dirty(self, curs, dirty: dict[tuple[str, UUID], list[date | None]]) -> int:
        curs.execute(f"DELETE FROM {self.t.pending} RETURNING subject, id, recompute_from, first_fact, "
                     "last_fact")
        for row in curs.fetchall():
            span = dirty.setdefault((row["subject"], row["id"]), [row["recompute_from"], None, None])
            _widen(span, row["recompute_from"], row["first_fact"], row["last_fact"])
        if not dirty:
            return 0
        if len(dirty) >= ANALYZE_AT:
            self._analyze_facts(curs)
        self._save_rubric(curs)
        # The stored extent of every series to recompute, in one query.
        keys = sorted(dirty, key=lambda key: (key[0], str(key[1])))
        curs.execute(f"SELECT subject, id, first_week, last_fact_week FROM {self.t.series} "
                     "WHERE (subject, id) IN (SELECT * FROM unnest(%s::text[], %s::uuid[]))",
                     ([subject for subject, _ in keys], [subject_id for _, subject_id in keys]))
        extents = {(r["subject"], r["id"]): (r["first_week"], r["last_fact_week"]) for r in curs.fetchall()}
        weeks, rows, series = 0, [], []
        for key in keys:
            weeks += self._recompute(curs, *key, *dirty[key], extents.get(key), rows, series)
            if len(rows) >= COPY_ROWS:
                copy_rows(curs, self.t.levels, rows)
                rows.clear()
        copy_rows(curs, self.t.levels, rows)
        if series:
            curs.execute(
                f"INSERT INTO {self.t.series} (subject, id, first_week, last_fact_week, last_week, "
                "rubric_digest) SELECT * FROM unnest(%s::text[], %s::uuid[], %s::date[], %s::date[], "
                "%s::date[], %s::text[]) ON CONFLICT (subject, id) DO UPDATE SET "
                "first_week = EXCLUDED.first_week, last_fact_week = EXCLUDED.last_fact_week, "
                "last_week = EXCLUDED.last_week, rubric_digest = EXCLUDED.rubric_digest",
                [list(column) for column in zip(*series, strict=True)])
        return weeks

    def _analyze_facts(self, curs) -> None:
        """ANALYZE the fact tables that changed more than they hold since last analysed
        (a table its role does not own is skipped with a warning, never an error), and
        merge the pending lists of their GIN indexes that its role owns."""
        curs.execute("SELECT relname FROM pg_stat_user_tables WHERE relid = ANY(%s::regclass[]) "
                     "AND n_mod_since_analyze >= greatest(%s, n_live_tup)",
                     ([getattr(self.t, name) for name in _FACT_TABLES], ANALYZE_MIN_CHANGES))
        tables = [row["relname"] for row in curs.fetchall()]
        for table in tables:
            curs.execute(f"ANALYZE {table}")
        if tables:
            curs.execute("SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
                         "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                         "WHERE i.indrelid = ANY(%s::regclass[]) AND a.amname = 'gin' "
                         "AND pg_has_role(c.relowner, 'USAGE')", (tables,))

    def _save_rubric(self, curs) -> None:
        curs.execute(f"INSERT INTO {self.t.rubrics} (digest, body) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                     (self.rubric.digest, json_text(self.rubric.to_dict())))

    def _recompute(self, curs, subject: str, subject_id: UUID, recompute_from: date,
                   first_fact: date | None, last_fact: date | None,
                   extent: tuple[date, date] | None, rows: list[tuple], series: list[tuple]) -> int:
        """Re-score ``subject_id``'s weeks from ``recompute_from`` on. Its series runs from
        the week of its first fact to a few windows past its last: past the last fact every
        window empties within two windows, the levels stop changing, and reads carry the
        last row forward. ``extent`` is the stored series' first week and last fact's week.
        Only the weeks whose rows change are written (``series.py``): the new ones are added
        to ``rows``, to copy in, and the series' extent to ``series``. Returns the number of
        weeks scored."""
        t, window = self.t, self.rubric.window_weeks
        firsts = [week_of(first_fact)] if first_fact else []
        lasts = [week_of(last_fact)] if last_fact else []
        if extent:
            firsts.append(extent[0])
            lasts.append(extent[1])
        if not firsts:
            return 0  # no fact of its own yet
        first, last = min(firsts), max(lasts)
        start = max(week_of(recompute_from), first)
        end = last + WEEK * (2 * window + 1)
        if start > end:
            return 0
        facts = self.facts(curs, subject, subject_id, since=start - WEEK * (2 * window + 1))
        digest = self.rubric.digest
        weeks = write_series(curs, t.levels, subject, subject_id, start,
                             Scorer(facts, self.rubric).changes(start, end), digest, rows)
        series.append((subject, subject_id, first, last, end, digest))
        return weeks

    def facts(self, curs, subject: str, subject_id: UUID, since: date | None = None) -> Facts:
        """The facts of one collective or campaign that weeks after ``since`` can see."""
        self._store_ends(curs)
        return load_facts(curs, self.t, subject, subject_id, since)


def _widen(span: list[date | None], recompute_from: date, first_fact: date | None,
           last_fact: date | None) -> None:
    span[0] = min(span[0], recompute_from)
    if first_fact is not None:
        span[1] = first_fact if span[1] is None else min(span[1], first_fact)
    if last_fact is not None:
        span[2] = last_fact if span[2] is None else max(span[2], last_fact)


@cache
def default_rubric() -> Rubric:
    return load_rubric()
