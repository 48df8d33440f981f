"""The campaign board: each issue campaign with its demands and their results, its
actions, its linked grievances, its agreements and whether it is closed.

Negotiating capacity matters more than knowing one's rights (DOMAIN.md, lesson 5), so the
board shows what was demanded and what came of it. Participants in an action are counted,
never listed: who took part is for the meeting log and the indicators, not a board.
A campaign's closing summary is free text and stays out. The issue, the demands and the
agreements' clauses are kept sealed, as tokens (``organize.projections.sealed``) that the web
layer opens for the reader; the tables hold no opened text.

Joint campaigns (issue 6): the board records each collective's invitation and its answer,
and serves three reads built on them (``reads.py``): a collective's invitations (for its
leaders), a campaign's invitations, and the cross-collective board of a federation.

**Domain time.** Every row carries the domain date it became true: a campaign its launch
date, an action its date, a result its date, an invitation the day it was made and the day
it was answered. Events that carry no date of their own (a demand added, a collective
joined, a grievance linked) take the campaign's *clock*: the latest domain date the
campaign had seen when they happened (``domain_time``). So ``federation_board(...,
as_of=D)`` answers from the event history as it stood on D, never from a stored page.
Changing this view's tables means ``organize projections rebuild campaign_board``.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from organize.domain import Campaign, Collective, Grievance, Meeting
from organize.domain.campaign import ACCEPTED, DECLINED, PENDING
from organize.projections.base import Tables, View, on
from organize.projections.sealed import list_token, token
from organize.projections.views._federations import KnowsFederations

ACTIVE, CLOSED = "active", "closed"
STATES = (PENDING, ACCEPTED, DECLINED)
# Stages of a campaign on the cross-collective board, from the facts as of a date.
INVITING, ORGANISING, ACTION, RESULTS, AGREEMENT = (
    "inviting", "organising", "action", "results", "agreement")


class CampaignBoardView(KnowsFederations, View):
    name = "campaign_board"
    version = 2  # 2: collective texts kept sealed (tokens); a stored generation is rebuilt

    def ddl(self, t: Tables) -> list[str]:
        return [
            self.collectives_ddl(t),
            f"CREATE TABLE IF NOT EXISTS {t.campaigns} ("
            " id uuid PRIMARY KEY, issue text NOT NULL, status text NOT NULL,"
            " launched_on date NOT NULL, closed_on date, collective_ids uuid[] NOT NULL,"
            " sectors text[] NOT NULL, grievance_ids uuid[] NOT NULL DEFAULT '{}',"
            " launched_nid bigint NOT NULL, last_nid bigint NOT NULL,"
            " invited_ids uuid[] NOT NULL DEFAULT '{}', clock date)",
            # Tables of a generation built before issue 6 gain the columns (a rebuild fills them).
            f"ALTER TABLE {t.campaigns} ADD COLUMN IF NOT EXISTS invited_ids uuid[] NOT NULL DEFAULT '{{}}'",
            f"ALTER TABLE {t.campaigns} ADD COLUMN IF NOT EXISTS clock date",
            f"CREATE INDEX IF NOT EXISTS {t.campaigns}_invited_idx "
            f"ON {t.campaigns} USING gin (invited_ids)",
            f"CREATE INDEX IF NOT EXISTS {t.campaigns}_collectives_idx "
            f"ON {t.campaigns} USING gin (collective_ids)",
            f"CREATE TABLE IF NOT EXISTS {t.demands} ("
            " demand_id uuid PRIMARY KEY, campaign_id uuid NOT NULL, position integer NOT NULL,"
            " text text NOT NULL, result text, result_on date, result_nid bigint, added_on date)",
            f"ALTER TABLE {t.demands} ADD COLUMN IF NOT EXISTS added_on date",
            f"CREATE INDEX IF NOT EXISTS {t.demands}_campaign_idx ON {t.demands} (campaign_id, position)",
            f"CREATE TABLE IF NOT EXISTS {t.actions} ("
            " action_id uuid PRIMARY KEY, campaign_id uuid NOT NULL, kind text NOT NULL,"
            " taken_on date NOT NULL, participants integer NOT NULL, collective_ids uuid[] NOT NULL,"
            " nid bigint NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {t.actions}_campaign_idx ON {t.actions} (campaign_id, taken_on)",
            f"CREATE TABLE IF NOT EXISTS {t.agreements} ("
            " agreement_id uuid PRIMARY KEY, campaign_id uuid NOT NULL,"
            " with_organisation_id uuid NOT NULL, signed_on date NOT NULL, clauses text[] NOT NULL,"
            " nid bigint NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {t.agreements}_campaign_idx ON {t.agreements} (campaign_id)",
            # Every result of every demand, dated: what stood on a past date.
            f"CREATE TABLE IF NOT EXISTS {t.results} ("
            " nid bigint PRIMARY KEY, demand_id uuid NOT NULL, campaign_id uuid NOT NULL,"
            " result text NOT NULL, on_date date NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {t.results}_campaign_idx ON {t.results} (campaign_id)",
            # Which collective is in which campaign since when (launch, join, acceptance).
            f"CREATE TABLE IF NOT EXISTS {t.joins} ("
            " campaign_id uuid NOT NULL, collective_id uuid NOT NULL, joined_on date NOT NULL,"
            " nid bigint NOT NULL, PRIMARY KEY (campaign_id, collective_id))",
            f"CREATE TABLE IF NOT EXISTS {t.links} ("
            " campaign_id uuid NOT NULL, grievance_id uuid NOT NULL, linked_on date NOT NULL,"
            " nid bigint NOT NULL, PRIMARY KEY (campaign_id, grievance_id))",
            f"CREATE TABLE IF NOT EXISTS {t.invitations} ("
            " campaign_id uuid NOT NULL, collective_id uuid NOT NULL, state text NOT NULL,"
            " invited_on date NOT NULL, invited_nid bigint NOT NULL, decided_on date,"
            " decided_nid bigint, reason text, PRIMARY KEY (campaign_id, collective_id))",
            f"CREATE INDEX IF NOT EXISTS {t.invitations}_collective_idx "
            f"ON {t.invitations} (collective_id, state)",
            # Collectives' names (not personal data): the board names the collectives.
            f"CREATE TABLE IF NOT EXISTS {t.names} (id uuid PRIMARY KEY, name text NOT NULL)",
            # Meetings with campaigns on their agenda (a coordination meeting is a next step).
            f"CREATE TABLE IF NOT EXISTS {t.meetings} ("
            " meeting_id uuid PRIMARY KEY, campaign_ids uuid[] NOT NULL, kind text NOT NULL,"
            " collective_ids uuid[] NOT NULL, scheduled_for timestamptz NOT NULL,"
            " scheduled_on date NOT NULL, held_on date,"
            " cancelled boolean NOT NULL DEFAULT false, nid bigint NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {t.meetings}_campaigns_idx "
            f"ON {t.meetings} USING gin (campaign_ids)",
            # Each grievance's collective: a reader sees only her collectives' grievance ids.
            f"CREATE TABLE IF NOT EXISTS {t.grievances} (id uuid PRIMARY KEY, collective_id uuid NOT NULL)",
        ]

    @on(Grievance.Raised)
    def grievance_raised(self, curs, e, _nid) -> None:
        self.insert(curs, self.t.grievances, "id uuid, collective_id uuid",
                    (e.originator_id, e.collective_id), conflict="ON CONFLICT DO NOTHING")

    _clocks: dict[UUID, date | None] | None = None  # campaign -> clock, within a batch

    def apply_batch(self, curs, batch, last_id: int, after: int | None = None) -> None:
        try:
            super().apply_batch(curs, batch, last_id, after)
        finally:
            self._clocks = None  # read again by the next batch

    def prefetch(self, curs, batch) -> None:
        """The clock of every campaign the batch's events touch, in one read: the handlers
        then keep it in memory as their updates move it (rather than a round trip each)."""
        self._clocks = {}
        ids = list({e.originator_id for _, e in batch if isinstance(e, Campaign.Event)})
        if ids:
            curs.execute(f"SELECT id, clock FROM {self.t.campaigns} WHERE id = ANY(%s)", (ids,))
            self._clocks = {r["id"]: r["clock"] for r in curs.fetchall()}

    def _touch(self, curs, e, nid, assignments: str = "", params: tuple = (),
               on: date | None = None) -> date | None:
        """Update the campaign row, move its clock to ``on`` (when later) and return the
        clock: the date of an event that carries none of its own. The clock returned is the
        one the update leaves (``greatest``, which passes over a null), kept in memory since
        ``prefetch``; None when there is no such campaign."""
        sets = f"{assignments}, last_nid = %s" if assignments else "last_nid = %s"
        if self._clocks is None:  # an event applied on its own, outside a batch
            curs.execute(f"UPDATE {self.t.campaigns} SET {sets}, clock = greatest(clock, %s::date) "
                         "WHERE id = %s RETURNING clock", (*params, nid, on, e.originator_id))
            row = curs.fetchone()
            return None if row is None else row["clock"]
        curs.execute(f"UPDATE {self.t.campaigns} SET {sets}, clock = greatest(clock, %s::date) "
                     "WHERE id = %s", (*params, nid, on, e.originator_id))
        if e.originator_id not in self._clocks:
            return None
        clock = self._clocks[e.originator_id]
        if on is not None:
            on = on.date() if isinstance(on, datetime) else on
            clock = on if clock is None else max(clock, on)
        self._clocks[e.originator_id] = clock
        return clock

    @on(Collective.Created)
    def collective_created(self, curs, e, nid) -> None:
        super().collective_created(curs, e, nid)
        curs.execute(f"INSERT INTO {self.t.names} (id, name) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                     (e.originator_id, e.name))

    @on(Collective.Renamed)
    def collective_renamed(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.names} SET name = %s WHERE id = %s", (e.name, e.originator_id))

    def _joined(self, curs, campaign_id: UUID, collective_id: UUID, on: date | None, nid: int) -> None:
        if on is None:
            return
        curs.execute(f"INSERT INTO {self.t.joins} (campaign_id, collective_id, joined_on, nid) "
                     "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING", (campaign_id, collective_id, on, nid))

    def _add_demand(self, curs, campaign_id: UUID, demand, position_sql: str, params: tuple,
                    added_on: date | None) -> None:
        curs.execute(
            f"INSERT INTO {self.t.demands} (demand_id, campaign_id, position, text, added_on) "
            f"VALUES (%s, %s, {position_sql}, %s, %s) ON CONFLICT (demand_id) DO NOTHING",
            (demand.demand_id, campaign_id, *params,
             token(campaign_id, demand.sealed_text, demand.text), added_on))

    @on(Campaign.Launched)
    def launched(self, curs, e, nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.campaigns} (id, issue, status, launched_on, collective_ids,"
            " sectors, launched_nid, last_nid, clock) VALUES (%s, %s, %s, %s, %s::uuid[], %s::text[],"
            " %s, %s, %s) ON CONFLICT (id) DO NOTHING RETURNING id",
            (e.originator_id, token(e.originator_id, e.sealed_issue, e.issue), ACTIVE,
             e.launched_on, list(e.collective_ids),
             list(e.sectors), nid, nid, e.launched_on))
        if curs.fetchone() is None:
            return
        if self._clocks is not None:
            self._clocks[e.originator_id] = e.launched_on
        for position, demand in enumerate(e.demands):
            self._add_demand(curs, e.originator_id, demand, "%s", (position,), e.launched_on)
        for collective_id in e.collective_ids:
            self._joined(curs, e.originator_id, collective_id, e.launched_on, nid)

    @on(Campaign.DemandAdded)
    def demand_added(self, curs, e, nid) -> None:
        clock = self._touch(curs, e, nid)
        self._add_demand(curs, e.originator_id, e.demand,
                         f"(SELECT count(*) FROM {self.t.demands} WHERE campaign_id = %s)",
                         (e.originator_id,), clock)

    @on(Campaign.DemandCorrected)
    def demand_corrected(self, curs, e, nid) -> None:
        self._touch(curs, e, nid)
        curs.execute(f"UPDATE {self.t.demands} SET text = %s WHERE demand_id = %s",
                     (token(e.originator_id, e.demand.sealed_text, e.demand.text),
                      e.demand.demand_id))

    @on(Campaign.DemandWithdrawn)
    def demand_withdrawn(self, curs, e, nid) -> None:
        self._touch(curs, e, nid)
        curs.execute(f"DELETE FROM {self.t.demands} WHERE demand_id = %s", (e.demand_id,))

    @on(Campaign.CollectiveJoined)
    def collective_joined(self, curs, e, nid) -> None:
        clock = self._touch(curs, e, nid, "collective_ids = collective_ids || %s::uuid",
                            (e.collective_id,))
        self._joined(curs, e.originator_id, e.collective_id, clock, nid)

    @on(Campaign.GrievanceLinked)
    def grievance_linked(self, curs, e, nid) -> None:
        clock = self._touch(curs, e, nid, "grievance_ids = grievance_ids || %s::uuid",
                            (e.grievance_id,))
        if clock is not None:
            self.insert(curs, self.t.links, "campaign_id uuid, grievance_id uuid, linked_on date, nid bigint",
                        (e.originator_id, e.grievance_id, clock, nid), conflict="ON CONFLICT DO NOTHING")

    @on(Campaign.CollectiveInvited)
    def collective_invited(self, curs, e, nid) -> None:
        self._touch(curs, e, nid, "invited_ids = invited_ids || %s::uuid", (e.collective_id,), e.on)
        curs.execute(
            f"INSERT INTO {self.t.invitations} (campaign_id, collective_id, state, invited_on,"
            " invited_nid) VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (e.originator_id, e.collective_id, PENDING, e.on, nid))

    def _answered(self, curs, e, nid, state: str, reason: str | None) -> None:
        self._touch(curs, e, nid, on=e.on)
        curs.execute(f"UPDATE {self.t.invitations} SET state = %s, decided_on = %s, decided_nid = %s,"
                     " reason = %s WHERE campaign_id = %s AND collective_id = %s",
                     (state, e.on, nid, reason, e.originator_id, e.collective_id))

    # A scheduled meeting is a plan, not a fact: it carries no domain date and belongs to
    # every past (``domain_time``); it stops being a next step once held, on the day held.
    @on(Meeting.Scheduled)
    def meeting_scheduled(self, curs, e, nid) -> None:
        if e.agenda_campaign_ids:
            self.insert(
                curs, self.t.meetings,
                "meeting_id uuid, campaign_ids uuid[], kind text, collective_ids uuid[],"
                " scheduled_for timestamptz, scheduled_on date, nid bigint",
                (e.originator_id, list(e.agenda_campaign_ids), e.kind, list(e.collective_ids),
                 e.scheduled_for, e.scheduled_for.date(), nid), conflict="ON CONFLICT DO NOTHING")

    @on(Meeting.Held)
    def meeting_held(self, curs, e, _nid) -> None:
        self.update(curs, self.t.meetings, "meeting_id uuid, held_on date", "held_on = x.held_on",
                    (e.originator_id, e.held_at.date()))

    @on(Meeting.Corrected)
    def meeting_corrected(self, curs, e, _nid) -> None:
        # Its kind and times as they should read (held_on only moves once held).
        curs.execute(f"UPDATE {self.t.meetings} SET kind = %s, scheduled_for = %s, scheduled_on = %s,"
                     " held_on = CASE WHEN held_on IS NULL THEN NULL ELSE %s::date END WHERE meeting_id = %s",
                     (e.kind, e.scheduled_for, e.scheduled_for.date(),
                      e.held_at.date() if e.held_at is not None else None, e.originator_id))

    @on(Meeting.TimesLocalised)
    def meeting_times_localised(self, curs, e, _nid) -> None:
        # The same typed clock, now at the collective's offset (organize.migrations).
        curs.execute(f"UPDATE {self.t.meetings} SET scheduled_for = %s, scheduled_on = %s,"
                     " held_on = coalesce(%s::date, held_on) WHERE meeting_id = %s",
                     (e.scheduled_for, e.scheduled_for.date(),
                      e.held_at.date() if e.held_at is not None else None, e.originator_id))

    @on(Meeting.Cancelled)
    def meeting_cancelled(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.meetings} SET cancelled = true WHERE meeting_id = %s",
                     (e.originator_id,))

    @on(Campaign.InvitationAccepted)
    def invitation_accepted(self, curs, e, nid) -> None:
        self._answered(curs, e, nid, ACCEPTED, None)

    @on(Campaign.InvitationDeclined)
    def invitation_declined(self, curs, e, nid) -> None:
        self._answered(curs, e, nid, DECLINED, e.reason)

    @on(Campaign.ActionTaken)
    def action_taken(self, curs, e, nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.actions} (action_id, campaign_id, kind, taken_on, participants,"
            " collective_ids, nid) VALUES (%s, %s, %s, %s, %s, %s::uuid[], %s)"
            " ON CONFLICT (action_id) DO NOTHING",
            (e.action_id, e.originator_id, e.kind, e.taken_on, len(e.participant_ids),
             list(e.collective_ids), nid))
        self._touch(curs, e, nid, on=e.taken_on)

    @on(Campaign.DemandResolved)
    def demand_resolved(self, curs, e, nid) -> None:
        # The latest result stands: a demand partly won can later be won.
        curs.execute(f"UPDATE {self.t.demands} SET result = %s, result_on = %s, result_nid = %s "
                     "WHERE demand_id = %s", (e.result, e.on, nid, e.demand_id))
        curs.execute(f"INSERT INTO {self.t.results} (nid, demand_id, campaign_id, result, on_date) "
                     "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                     (nid, e.demand_id, e.originator_id, e.result, e.on))
        self._touch(curs, e, nid, on=e.on)

    @on(Campaign.AgreementSigned)
    def agreement_signed(self, curs, e, nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.agreements} (agreement_id, campaign_id, with_organisation_id,"
            " signed_on, clauses, nid) VALUES (%s, %s, %s, %s, %s::text[], %s)"
            " ON CONFLICT (agreement_id) DO NOTHING",
            (e.agreement_id, e.originator_id, e.with_organisation_id, e.signed_on,
             list_token(e.originator_id, e.sealed_clauses, list(e.clauses)), nid))
        self._touch(curs, e, nid, on=e.signed_on)

    @on(Campaign.Closed)
    def closed(self, curs, e, nid) -> None:
        self._touch(curs, e, nid, "status = %s, closed_on = %s", (CLOSED, e.on), on=e.on)
