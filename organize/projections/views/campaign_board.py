"""The campaign board: each issue campaign with its demands and their results, its
actions, its linked grievances, its agreements and whether it is closed.

Negotiating capacity matters more than knowing one's rights (DOMAIN.md, lesson 5), so the
board shows what was demanded and what came of it. Participants in an action are counted,
never listed: who took part is for the meeting log and the indicators, not a board.
A campaign's closing summary is free text and stays out.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Campaign
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.registry import register
from organize.projections.views._federations import KnowsFederations

ACTIVE, CLOSED = "active", "closed"


@register
class CampaignBoardView(KnowsFederations, View):
    name = "campaign_board"

    def ddl(self, t: Tables) -> list[str]:
        return [
            self.collectives_ddl(t),
            f"CREATE TABLE IF NOT EXISTS {t.campaigns} ("
            " id uuid PRIMARY KEY, issue text NOT NULL, status text NOT NULL,"
            " launched_on date NOT NULL, closed_on date, collective_ids uuid[] NOT NULL,"
            " sectors text[] NOT NULL, grievance_ids uuid[] NOT NULL DEFAULT '{}',"
            " launched_nid bigint NOT NULL, last_nid bigint NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {t.campaigns}_collectives_idx "
            f"ON {t.campaigns} USING gin (collective_ids)",
            f"CREATE TABLE IF NOT EXISTS {t.demands} ("
            " demand_id uuid PRIMARY KEY, campaign_id uuid NOT NULL, position integer NOT NULL,"
            " text text NOT NULL, result text, result_on date, result_nid bigint)",
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
        ]

    def _touch(self, curs, e, nid, assignments: str = "", params: tuple = ()) -> None:
        sets = f"{assignments}, last_nid = %s" if assignments else "last_nid = %s"
        curs.execute(f"UPDATE {self.t.campaigns} SET {sets} WHERE id = %s",
                     (*params, nid, e.originator_id))

    def _add_demand(self, curs, campaign_id: UUID, demand, position_sql: str, params: tuple) -> None:
        curs.execute(
            f"INSERT INTO {self.t.demands} (demand_id, campaign_id, position, text) "
            f"VALUES (%s, %s, {position_sql}, %s) ON CONFLICT (demand_id) DO NOTHING",
            (demand.demand_id, campaign_id, *params, demand.text))

    @on(Campaign.Launched)
    def launched(self, curs, e, nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.campaigns} (id, issue, status, launched_on, collective_ids,"
            " sectors, launched_nid, last_nid) VALUES (%s, %s, %s, %s, %s::uuid[], %s::text[], %s, %s)"
            " ON CONFLICT (id) DO NOTHING",
            (e.originator_id, e.issue, ACTIVE, e.launched_on, list(e.collective_ids),
             list(e.sectors), nid, nid))
        for position, demand in enumerate(e.demands):
            self._add_demand(curs, e.originator_id, demand, "%s", (position,))

    @on(Campaign.DemandAdded)
    def demand_added(self, curs, e, nid) -> None:
        self._add_demand(curs, e.originator_id, e.demand,
                         f"(SELECT count(*) FROM {self.t.demands} WHERE campaign_id = %s)",
                         (e.originator_id,))
        self._touch(curs, e, nid)

    @on(Campaign.CollectiveJoined)
    def collective_joined(self, curs, e, nid) -> None:
        self._touch(curs, e, nid, "collective_ids = collective_ids || %s::uuid", (e.collective_id,))

    @on(Campaign.GrievanceLinked)
    def grievance_linked(self, curs, e, nid) -> None:
        self._touch(curs, e, nid, "grievance_ids = grievance_ids || %s::uuid", (e.grievance_id,))

    @on(Campaign.ActionTaken)
    def action_taken(self, curs, e, nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.actions} (action_id, campaign_id, kind, taken_on, participants,"
            " collective_ids, nid) VALUES (%s, %s, %s, %s, %s, %s::uuid[], %s)"
            " ON CONFLICT (action_id) DO NOTHING",
            (e.action_id, e.originator_id, e.kind, e.taken_on, len(e.participant_ids),
             list(e.collective_ids), nid))
        self._touch(curs, e, nid)

    @on(Campaign.DemandResolved)
    def demand_resolved(self, curs, e, nid) -> None:
        # The latest result stands: a demand partly won can later be won.
        curs.execute(f"UPDATE {self.t.demands} SET result = %s, result_on = %s, result_nid = %s "
                     "WHERE demand_id = %s", (e.result, e.on, nid, e.demand_id))
        self._touch(curs, e, nid)

    @on(Campaign.AgreementSigned)
    def agreement_signed(self, curs, e, nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.agreements} (agreement_id, campaign_id, with_organisation_id,"
            " signed_on, clauses, nid) VALUES (%s, %s, %s, %s, %s::text[], %s)"
            " ON CONFLICT (agreement_id) DO NOTHING",
            (e.agreement_id, e.originator_id, e.with_organisation_id, e.signed_on,
             list(e.clauses), nid))
        self._touch(curs, e, nid)

    @on(Campaign.Closed)
    def closed(self, curs, e, nid) -> None:
        self._touch(curs, e, nid, "status = %s, closed_on = %s", (CLOSED, e.on))


# == Reading ===================================================================================


class DemandRow(msgspec.Struct, kw_only=True):
    demand_id: UUID
    text: str
    result: str | None  # won, partly_won, lost; None while open
    result_on: date | None


class ActionRow(msgspec.Struct, kw_only=True):
    action_id: UUID
    kind: str
    taken_on: date
    participants: int
    collective_ids: list[UUID]


class AgreementRow(msgspec.Struct, kw_only=True):
    agreement_id: UUID
    with_organisation_id: UUID
    signed_on: date
    clauses: list[str]


class CampaignRow(msgspec.Struct, kw_only=True):
    id: UUID
    issue: str
    status: str
    launched_on: date
    closed_on: date | None
    collective_ids: list[UUID]
    sectors: list[str]
    grievance_ids: list[UUID]
    linked_grievances: int
    demands: list[DemandRow]
    actions: list[ActionRow]
    agreements: list[AgreementRow]
    last_nid: int


async def _campaigns(conn: asyncpg.Connection, t: Tables, scope: Scope, *,
                     campaign_id: UUID | None = None, status: str | None = None) -> list[CampaignRow]:
    ids = None if scope.collective_ids is None else list(scope.collective_ids)
    # Visible when any of its collectives is in scope.
    rows = await conn.fetch(
        f"SELECT * FROM {t.campaigns} p "
        "WHERE ($1::uuid IS NULL OR p.id = $1) AND ($2::text IS NULL OR p.status = $2)"
        " AND (($3::uuid[] IS NULL AND $4::text IS NULL) OR EXISTS ("
        f"  SELECT 1 FROM {t.collectives} c WHERE c.id = ANY(p.collective_ids)"
        "   AND ($3::uuid[] IS NULL OR c.id = ANY($3::uuid[]))"
        "   AND ($4::text IS NULL OR c.federation = $4))) "
        "ORDER BY p.launched_on DESC, p.launched_nid DESC",
        campaign_id, status, ids, scope.federation)
    if not rows:
        return []
    found = [r["id"] for r in rows]
    demands: dict[UUID, list[DemandRow]] = {i: [] for i in found}
    actions: dict[UUID, list[ActionRow]] = {i: [] for i in found}
    agreements: dict[UUID, list[AgreementRow]] = {i: [] for i in found}
    for r in await conn.fetch(
            f"SELECT * FROM {t.demands} WHERE campaign_id = ANY($1::uuid[]) "
            "ORDER BY campaign_id, position", found):
        demands[r["campaign_id"]].append(DemandRow(
            demand_id=r["demand_id"], text=r["text"], result=r["result"], result_on=r["result_on"]))
    for r in await conn.fetch(
            f"SELECT * FROM {t.actions} WHERE campaign_id = ANY($1::uuid[]) "
            "ORDER BY campaign_id, taken_on, nid", found):
        actions[r["campaign_id"]].append(ActionRow(
            action_id=r["action_id"], kind=r["kind"], taken_on=r["taken_on"],
            participants=r["participants"], collective_ids=list(r["collective_ids"])))
    for r in await conn.fetch(
            f"SELECT * FROM {t.agreements} WHERE campaign_id = ANY($1::uuid[]) "
            "ORDER BY campaign_id, signed_on, nid", found):
        agreements[r["campaign_id"]].append(AgreementRow(
            agreement_id=r["agreement_id"], with_organisation_id=r["with_organisation_id"],
            signed_on=r["signed_on"], clauses=list(r["clauses"])))
    return [
        CampaignRow(
            id=r["id"], issue=r["issue"], status=r["status"], launched_on=r["launched_on"],
            closed_on=r["closed_on"], collective_ids=list(r["collective_ids"]),
            sectors=list(r["sectors"]), grievance_ids=list(r["grievance_ids"]),
            linked_grievances=len(r["grievance_ids"]), demands=demands[r["id"]],
            actions=actions[r["id"]], agreements=agreements[r["id"]], last_nid=r["last_nid"])
        for r in rows
    ]


async def list_campaigns(conn: asyncpg.Connection, scope: Scope, *,
                         status: str | None = None) -> list[CampaignRow]:
    """Campaigns any of whose collectives is in scope, the most recently launched first."""
    t = await tables(conn, "campaign_board")
    return await _campaigns(conn, t, scope, status=status)


async def get_campaign(conn: asyncpg.Connection, scope: Scope,
                       campaign_id: UUID) -> CampaignRow | None:
    """One campaign, or None when it is unknown or out of scope."""
    t = await tables(conn, "campaign_board")
    found = await _campaigns(conn, t, scope, campaign_id=campaign_id)
    return found[0] if found else None
