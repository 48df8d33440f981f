"""Reading the campaign board: a collective's campaigns and one campaign, the invitations a
collective has to answer or a campaign has sent, and the federation's board across
collectives, each scoped to what the reader may see (other collectives named only where they
joined the same campaign). The tables are written by the view in ``__init__.py``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from uuid import UUID

import asyncpg
import msgspec

from organize.domain.campaign import PENDING
from organize.projections.base import Tables
from organize.projections.reads import Scope, tables
from organize.projections.views.campaign_board import (
    ACTION,
    ACTIVE,
    AGREEMENT,
    CLOSED,
    INVITING,
    ORGANISING,
    RESULTS,
    STATES,
)


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


class CollectiveRef(msgspec.Struct, kw_only=True):
    id: UUID
    name: str


class InvitationRow(msgspec.Struct, kw_only=True):
    campaign_id: UUID
    collective_id: UUID
    collective_name: str
    state: str  # pending | accepted | declined
    invited_on: date
    decided_on: date | None
    reason: str | None  # a code of invitation_decline_reasons


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
    invitations: list[InvitationRow] = []


class _Names:
    """Which ids one reader may see on the board (``organize.application.policy``): collectives in her
    scope; for a leader, also the collectives that joined a campaign her collective joined
    too (an invitation alone names nobody); grievances of collectives in her scope."""

    def __init__(self, scope: Scope, mine: set[UUID], grievances: set[UUID]):
        self.everything = scope == Scope.everything()
        self.leader = scope.collective_ids is not None
        self.mine = mine
        self.grievances = grievances

    @classmethod
    async def load(cls, conn: asyncpg.Connection, t: Tables, scope: Scope, collective_ids,
                   grievance_ids=()) -> _Names:
        ids = None if scope.collective_ids is None else list(scope.collective_ids)
        mine = {r["id"] for r in await conn.fetch(
            f"SELECT id FROM {t.collectives} WHERE id = ANY($1::uuid[])"
            " AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[])) AND ($3::text IS NULL OR federation = $3)",
            list(set(collective_ids)), ids, scope.federation)}
        grievances = {r["id"] for r in await conn.fetch(
            f"SELECT g.id FROM {t.grievances} g JOIN {t.collectives} c ON c.id = g.collective_id "
            "WHERE g.id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR c.id = ANY($2::uuid[]))"
            " AND ($3::text IS NULL OR c.federation = $3)", list(set(grievance_ids)), ids,
            scope.federation)}
        return cls(scope, mine, grievances)

    def collectives(self, ids, joined=()) -> list[UUID]:
        if self.everything:
            return list(ids)
        inside = self.leader and bool(self.mine & set(joined))
        return [i for i in ids if i in self.mine or (inside and i in joined)]

    def grievance_ids(self, ids) -> list[UUID]:
        return list(ids) if self.everything else [g for g in ids if g in self.grievances]


async def _campaigns(conn: asyncpg.Connection, t: Tables, scope: Scope, *,
                     campaign_id: UUID | None = None, status: str | None = None,
                     joined_by: UUID | None = None) -> list[CampaignRow]:
    ids = None if scope.collective_ids is None else list(scope.collective_ids)
    # Visible when any of its collectives, joined or invited, is in scope.
    rows = await conn.fetch(
        f"SELECT * FROM {t.campaigns} p "
        "WHERE ($1::uuid IS NULL OR p.id = $1) AND ($2::text IS NULL OR p.status = $2)"
        " AND ($5::uuid IS NULL OR $5 = ANY(p.collective_ids))"
        " AND (($3::uuid[] IS NULL AND $4::text IS NULL) OR EXISTS ("
        f"  SELECT 1 FROM {t.collectives} c WHERE c.id = ANY(p.collective_ids || p.invited_ids)"
        "   AND ($3::uuid[] IS NULL OR c.id = ANY($3::uuid[]))"
        "   AND ($4::text IS NULL OR c.federation = $4))) "
        "ORDER BY p.launched_on DESC, p.launched_nid DESC",
        campaign_id, status, ids, scope.federation, joined_by)
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
    invitations: dict[UUID, list[InvitationRow]] = defaultdict(list)
    for row in await _invitations(conn, t, campaign_ids=found):
        invitations[row.campaign_id].append(row)
    names = await _Names.load(conn, t, scope, [i for r in rows for i in [*r["collective_ids"],
                                                                         *r["invited_ids"]]],
                              [g for r in rows for g in r["grievance_ids"]])
    out = []
    for r in rows:
        joined, reach = list(r["collective_ids"]), [*r["collective_ids"], *r["invited_ids"]]
        nameable = set(names.collectives(reach, joined))
        out.append(CampaignRow(
            id=r["id"], issue=r["issue"], status=r["status"], launched_on=r["launched_on"],
            closed_on=r["closed_on"], collective_ids=[i for i in joined if i in nameable],
            sectors=list(r["sectors"]), grievance_ids=names.grievance_ids(r["grievance_ids"]),
            linked_grievances=len(r["grievance_ids"]), demands=demands[r["id"]],
            actions=[msgspec.structs.replace(a, collective_ids=[i for i in a.collective_ids
                                                                if i in nameable])
                     for a in actions[r["id"]]],
            agreements=agreements[r["id"]], last_nid=r["last_nid"],
            invitations=[i for i in invitations[r["id"]] if i.collective_id in nameable]))
    return out


async def list_campaigns(conn: asyncpg.Connection, scope: Scope, *,
                         status: str | None = None,
                         joined_by: UUID | None = None) -> list[CampaignRow]:
    """Campaigns any of whose collectives is in scope, the most recently launched first;
    with ``joined_by``, only those that collective has joined (a home page's own)."""
    t = await tables(conn, "campaign_board")
    return await _campaigns(conn, t, scope, status=status, joined_by=joined_by)


class JoinedCampaign(msgspec.Struct, kw_only=True):
    """A campaign as a collective's home lists it: its issue and how many demands and actions."""

    id: UUID
    issue: str
    demands: int
    actions: int


async def joined_campaigns(conn: asyncpg.Connection, scope: Scope, collective_id: UUID, *,
                           status: str, limit: int) -> list[JoinedCampaign]:
    """The campaigns ``collective_id`` has joined, the most recently launched first, in one
    query: those ``list_campaigns(joined_by=...)`` returns that still name the collective
    among their joined ones for this reader (``_Names``: she sees everything, or a collective
    of the campaign's joined ones is in her scope, or, outside a leader's scope, this one is)."""
    t = await tables(conn, "campaign_board")
    ids = None if scope.collective_ids is None else list(scope.collective_ids)
    everything = scope == Scope.everything()
    rows = await conn.fetch(
        "SELECT p.id, p.issue,"
        f" (SELECT count(*) FROM {t.demands} d WHERE d.campaign_id = p.id) AS demands,"
        f" (SELECT count(*) FROM {t.actions} a WHERE a.campaign_id = p.id) AS actions "
        f"FROM {t.campaigns} p WHERE p.status = $1 AND $2 = ANY(p.collective_ids)"
        " AND ($5 OR EXISTS ("
        f"  SELECT 1 FROM {t.collectives} c WHERE c.id = ANY(p.collective_ids)"
        "   AND ($3::uuid[] IS NULL OR c.id = ANY($3::uuid[]))"
        "   AND ($4::text IS NULL OR c.federation = $4)"
        "   AND ($3::uuid[] IS NOT NULL OR c.id = $2))) "
        "ORDER BY p.launched_on DESC, p.launched_nid DESC LIMIT $6",
        status, collective_id, ids, scope.federation, everything, limit)
    return [JoinedCampaign(id=r["id"], issue=r["issue"], demands=r["demands"],
                           actions=r["actions"]) for r in rows]


async def get_campaign(conn: asyncpg.Connection, scope: Scope,
                       campaign_id: UUID) -> CampaignRow | None:
    """One campaign, or None when it is unknown or out of scope."""
    t = await tables(conn, "campaign_board")
    found = await _campaigns(conn, t, scope, campaign_id=campaign_id)
    return found[0] if found else None


# == Invitations ===============================================================================


async def _names(conn: asyncpg.Connection, t: Tables, ids) -> dict[UUID, str]:
    rows = await conn.fetch(f"SELECT id, name FROM {t.names} WHERE id = ANY($1::uuid[])", list(ids))
    return {r["id"]: r["name"] for r in rows}


def _state_as_of(r, as_of: date | None) -> tuple[str, date | None, str | None]:
    """An invitation's state, answer date and reason as they stood on ``as_of``."""
    if r["decided_on"] is not None and (as_of is None or r["decided_on"] <= as_of):
        return r["state"], r["decided_on"], r["reason"]
    return PENDING, None, None


async def _invitations(conn: asyncpg.Connection, t: Tables, *, campaign_ids=None,
                       collective_id: UUID | None = None,
                       as_of: date | None = None) -> list[InvitationRow]:
    rows = await conn.fetch(
        f"SELECT i.*, n.name FROM {t.invitations} i LEFT JOIN {t.names} n ON n.id = i.collective_id "
        "WHERE ($1::uuid[] IS NULL OR i.campaign_id = ANY($1::uuid[]))"
        " AND ($2::uuid IS NULL OR i.collective_id = $2)"
        " AND ($3::date IS NULL OR i.invited_on <= $3) "
        "ORDER BY i.campaign_id, i.invited_nid, i.collective_id",
        None if campaign_ids is None else list(campaign_ids), collective_id, as_of)
    out = []
    for r in rows:
        state, decided_on, reason = _state_as_of(r, as_of)
        out.append(InvitationRow(campaign_id=r["campaign_id"], collective_id=r["collective_id"],
                                 collective_name=r["name"] or "", state=state, invited_on=r["invited_on"],
                                 decided_on=decided_on, reason=reason))
    return out


class CollectiveInvitation(msgspec.Struct, kw_only=True):
    """One invitation as the invited collective's leaders see it: what the campaign is about
    and who else is in it or invited. Codes, the issue and the demands; no person."""

    campaign_id: UUID
    issue: str
    campaign_status: str  # active | closed
    launched_on: date
    sectors: list[str]
    demands: list[str]
    state: str  # pending | accepted | declined
    invited_on: date
    decided_on: date | None
    reason: str | None
    joined: list[CollectiveRef]
    invited: list[CollectiveRef]  # the other collectives invited, whatever their answer
    linked_grievances: int


async def _collective_in_scope(conn: asyncpg.Connection, t: Tables, scope: Scope,
                               collective_id: UUID) -> bool:
    row = await conn.fetchrow(f"SELECT id, federation FROM {t.collectives} WHERE id = $1", collective_id)
    return row is not None and scope.allows(row["id"], row["federation"])


async def collective_invitations(conn: asyncpg.Connection, scope: Scope, collective_id: UUID, *,
                                 state: str | None = PENDING) -> list[CollectiveInvitation] | None:
    """The campaigns a collective is invited to (pending ones by default; ``state=None``
    for all), the newest invitation first. None when the collective is unknown or outside
    ``scope``."""
    t = await tables(conn, "campaign_board")
    if not await _collective_in_scope(conn, t, scope, collective_id):
        return None
    if state is not None and state not in STATES:
        return []
    rows = await conn.fetch(
        f"SELECT i.*, p.issue, p.status, p.launched_on, p.sectors, p.collective_ids, p.invited_ids,"
        " cardinality(p.grievance_ids) AS linked "
        f"FROM {t.invitations} i JOIN {t.campaigns} p ON p.id = i.campaign_id "
        "WHERE i.collective_id = $1 AND ($2::text IS NULL OR i.state = $2) "
        "ORDER BY i.invited_on DESC, i.invited_nid DESC", collective_id, state)
    if not rows:
        return []
    campaign_ids = [r["campaign_id"] for r in rows]
    demands: dict[UUID, list[str]] = defaultdict(list)
    for r in await conn.fetch(f"SELECT campaign_id, text FROM {t.demands} "
                              "WHERE campaign_id = ANY($1::uuid[]) ORDER BY campaign_id, position",
                              campaign_ids):
        demands[r["campaign_id"]].append(r["text"])
    names = await _names(conn, t, {i for r in rows for i in [*r["collective_ids"], *r["invited_ids"]]})
    seen = await _Names.load(conn, t, scope, [i for r in rows for i in [*r["collective_ids"],
                                                                        *r["invited_ids"]]])
    return [
        CollectiveInvitation(
            campaign_id=r["campaign_id"], issue=r["issue"], campaign_status=r["status"],
            launched_on=r["launched_on"], sectors=list(r["sectors"]), demands=demands[r["campaign_id"]],
            state=r["state"], invited_on=r["invited_on"], decided_on=r["decided_on"], reason=r["reason"],
            joined=[CollectiveRef(id=i, name=names.get(i, "")) for i in seen.collectives(
                r["collective_ids"], r["collective_ids"])],
            invited=[CollectiveRef(id=i, name=names.get(i, "")) for i in seen.collectives(
                r["invited_ids"]) if i != collective_id],
            linked_grievances=r["linked"])
        for r in rows
    ]


async def campaign_invitations(conn: asyncpg.Connection, scope: Scope,
                               campaign_id: UUID) -> list[InvitationRow] | None:
    """Every invitation of one campaign, in the order made. None when the campaign is
    unknown or outside ``scope``."""
    t = await tables(conn, "campaign_board")
    found = await _campaigns(conn, t, scope, campaign_id=campaign_id)
    return None if not found else found[0].invitations


# == The cross-collective board ================================================================


class DemandTally(msgspec.Struct, kw_only=True):
    won: int
    partly_won: int
    lost: int
    open: int


class NextAction(msgspec.Struct, kw_only=True):
    """What is waiting: an invitation to answer (``ref`` = the collective), a demand still
    open (``ref`` = the demand), or a meeting with the campaign on its agenda that is not
    held yet (``ref`` = the meeting, ``on`` = the day it is scheduled for)."""

    kind: str  # answer_invitation | open_demand | meeting
    ref: UUID
    on: date | None  # when it started waiting; for a meeting, its day
    detail: str | None = None  # the collective's name, the demand's text, the meeting's kind


class BoardCampaign(msgspec.Struct, kw_only=True):
    id: UUID
    issue: str
    stage: str  # inviting | organising | action | results | agreement | closed
    status: str  # active | closed, as of the date
    launched_on: date
    closed_on: date | None
    sectors: list[str]
    collectives: list[CollectiveRef]  # in the campaign, as of the date
    invitations: list[InvitationRow]  # each with its state as of the date
    demands: list[DemandRow]  # each with its result as of the date
    tally: DemandTally
    actions: list[ActionRow]
    agreements: int
    linked_grievances: int
    next_actions: list[NextAction]


class FederationBoard(msgspec.Struct, kw_only=True):
    federation: str
    as_of: date | None  # None: as things stand now
    campaigns: list[BoardCampaign]  # the most recently launched first: never ranked


def _stage(status: str, agreements: int, results: int, actions: int, joined: int) -> str:
    if status == CLOSED:
        return CLOSED
    if agreements:
        return AGREEMENT
    if results:
        return RESULTS
    if actions:
        return ACTION
    return ORGANISING if joined else INVITING


def _by_campaign(rows) -> dict[UUID, list]:
    out: dict[UUID, list] = defaultdict(list)
    for r in rows:
        out[r["campaign_id"]].append(r)
    return out


async def _meeting_collectives(conn: asyncpg.Connection, t: Tables, scope: Scope,
                               meetings: dict[UUID, list]) -> set[UUID]:
    """The meetings (of those listed) that have a collective in the reader's scope."""
    ids = list({m["meeting_id"] for rows in meetings.values() for m in rows})
    if not ids:
        return set()
    scoped = None if scope.collective_ids is None else list(scope.collective_ids)
    return {r["meeting_id"] for r in await conn.fetch(
        f"SELECT m.meeting_id FROM {t.meetings} m WHERE m.meeting_id = ANY($1::uuid[]) AND EXISTS ("
        f" SELECT 1 FROM {t.collectives} c WHERE c.id = ANY(m.collective_ids)"
        "  AND ($2::uuid[] IS NULL OR c.id = ANY($2::uuid[])) AND ($3::text IS NULL OR c.federation = $3))",
        ids, scoped, scope.federation)}


async def federation_board(conn: asyncpg.Connection, scope: Scope, federation: str,
                           as_of: date | None = None) -> FederationBoard | None:
    """The campaigns that reach the federation's collectives (joined or invited), as they
    stood on ``as_of`` (now by default), answered from the dated rows: stage, demands and
    what came of them, actions, collectives in and invited, sectors, and what waits next.
    None when the federation has no collective the reader may see."""
    if scope.federation is not None and scope.federation != federation:
        return None
    if "\x00" in federation:
        return None
    t = await tables(conn, "campaign_board")
    ids = None if scope.collective_ids is None else list(scope.collective_ids)
    visible = {r["id"] for r in await conn.fetch(
        f"SELECT id FROM {t.collectives} WHERE federation = $1"
        " AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))", federation, ids)}
    if not visible:
        return None
    campaigns = await conn.fetch(
        f"SELECT * FROM {t.campaigns} WHERE ($1::date IS NULL OR launched_on <= $1) "
        "AND (collective_ids || invited_ids) && $2::uuid[] "
        "ORDER BY launched_on DESC, launched_nid DESC", as_of, list(visible))
    if not campaigns:
        return FederationBoard(federation=federation, as_of=as_of, campaigns=[])
    found = [r["id"] for r in campaigns]
    joins = _by_campaign(await conn.fetch(
        f"SELECT * FROM {t.joins} WHERE campaign_id = ANY($1::uuid[])"
        " AND ($2::date IS NULL OR joined_on <= $2) ORDER BY campaign_id, nid", found, as_of))
    invitations: dict[UUID, list[InvitationRow]] = defaultdict(list)
    for row in await _invitations(conn, t, campaign_ids=found, as_of=as_of):
        invitations[row.campaign_id].append(row)
    demands = _by_campaign(await conn.fetch(
        f"SELECT * FROM {t.demands} WHERE campaign_id = ANY($1::uuid[])"
        " AND ($2::date IS NULL OR added_on <= $2) ORDER BY campaign_id, position", found, as_of))
    results: dict[UUID, tuple[str, date]] = {}
    for r in await conn.fetch(
            f"SELECT DISTINCT ON (demand_id) demand_id, result, on_date FROM {t.results} "
            "WHERE campaign_id = ANY($1::uuid[]) AND ($2::date IS NULL OR on_date <= $2) "
            "ORDER BY demand_id, nid DESC", found, as_of):
        results[r["demand_id"]] = (r["result"], r["on_date"])
    actions = _by_campaign(await conn.fetch(
        f"SELECT * FROM {t.actions} WHERE campaign_id = ANY($1::uuid[])"
        " AND ($2::date IS NULL OR taken_on <= $2) ORDER BY campaign_id, taken_on, nid", found, as_of))
    agreements = {r["campaign_id"]: r["n"] for r in await conn.fetch(
        f"SELECT campaign_id, count(*)::int AS n FROM {t.agreements} WHERE campaign_id = ANY($1::uuid[])"
        " AND ($2::date IS NULL OR signed_on <= $2) GROUP BY campaign_id", found, as_of)}
    links = {r["campaign_id"]: r["n"] for r in await conn.fetch(
        f"SELECT campaign_id, count(*)::int AS n FROM {t.links} WHERE campaign_id = ANY($1::uuid[])"
        " AND ($2::date IS NULL OR linked_on <= $2) GROUP BY campaign_id", found, as_of)}
    names = await _names(conn, t, {r["collective_id"] for rows in joins.values() for r in rows})
    meetings: dict[UUID, list] = defaultdict(list)
    for r in await conn.fetch(
            f"SELECT meeting_id, campaign_ids, kind, scheduled_on FROM {t.meetings} "
            "WHERE campaign_ids && $1::uuid[] AND NOT cancelled"
            " AND (held_on IS NULL OR ($2::date IS NOT NULL AND held_on > $2)) "
            "ORDER BY scheduled_for, meeting_id", found, as_of):
        for campaign_id in r["campaign_ids"]:
            meetings[campaign_id].append(r)

    seen = await _Names.load(conn, t, scope, [i for p in campaigns for i in [*p["collective_ids"],
                                                                             *p["invited_ids"]]])
    meeting_collectives = await _meeting_collectives(conn, t, scope, meetings)
    out = []
    for p in campaigns:
        cid = p["id"]
        # In the campaign's own order: launched with, then joined.
        order = {c: i for i, c in enumerate(p["collective_ids"])}
        joined = sorted((r["collective_id"] for r in joins.get(cid, [])),
                        key=lambda c: (order.get(c, len(order)), str(c)))
        invited = invitations.get(cid, [])
        # The federation's view: reached through a visible collective as of the date.
        if not (set(joined) | {i.collective_id for i in invited}) & visible:
            continue
        nameable = set(seen.collectives([*joined, *(i.collective_id for i in invited)], joined))
        joined = [i for i in joined if i in nameable]
        invited = [i for i in invited if i.collective_id in nameable]
        closed = p["closed_on"] is not None and (as_of is None or p["closed_on"] <= as_of)
        status = CLOSED if closed else ACTIVE
        demand_rows = []
        tally = {"won": 0, "partly_won": 0, "lost": 0, "open": 0}
        for d in demands.get(cid, []):
            result, result_on = results.get(d["demand_id"], (None, None))
            tally[result if result in tally else "open"] += 1
            demand_rows.append(DemandRow(demand_id=d["demand_id"], text=d["text"], result=result,
                                         result_on=result_on))
        action_rows = [ActionRow(action_id=a["action_id"], kind=a["kind"], taken_on=a["taken_on"],
                                 participants=a["participants"],
                                 collective_ids=[i for i in a["collective_ids"] if i in nameable])
                       for a in actions.get(cid, [])]
        next_actions: list[NextAction] = []
        if not closed:
            next_actions += [NextAction(kind="answer_invitation", ref=i.collective_id, on=i.invited_on,
                                        detail=i.collective_name) for i in invited if i.state == PENDING]
            next_actions += [NextAction(kind="open_demand", ref=d.demand_id, on=None, detail=d.text)
                             for d in demand_rows if d.result is None]
            next_actions += [NextAction(kind="meeting", ref=m["meeting_id"],
                                        on=m["scheduled_on"], detail=m["kind"])
                             for m in meetings.get(cid, []) if m["meeting_id"] in meeting_collectives]
        out.append(BoardCampaign(
            id=cid, issue=p["issue"],
            stage=_stage(status, agreements.get(cid, 0), len(demand_rows) - tally["open"],
                         len(action_rows), len(joined)),
            status=status, launched_on=p["launched_on"], closed_on=p["closed_on"] if closed else None,
            sectors=list(p["sectors"]),
            collectives=[CollectiveRef(id=i, name=names.get(i, "")) for i in joined],
            invitations=invited, demands=demand_rows, tally=DemandTally(**tally), actions=action_rows,
            agreements=agreements.get(cid, 0), linked_grievances=links.get(cid, 0),
            next_actions=next_actions))
    return FederationBoard(federation=federation, as_of=as_of, campaigns=out)
