"""Bargaining rounds: each round's stage and dates, its clauses (sealed wording, whether
agreed, proposals and breaches cited per clause), its sessions, and the agreements in force
that expire soon (the renewal reminder on a leader's home page).

Scoped by the round's collective (a leader's collectives, an organiser's federation). Texts
are kept as sealed tokens (``organize.projections.sealed``) and opened by the page for its
reader; organisers' pages show stages and counts only.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Bargaining, Grievance, Organisation
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.sealed import list_token, token
from organize.projections.views._federations import KnowsFederations

RENEWAL_DAYS = 90  # an agreement expiring within this many days is due for renewal


class BargainingView(KnowsFederations, View):
    name = "bargaining"

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {t.rounds} ("
            " id uuid PRIMARY KEY, collective_id uuid NOT NULL, counterpart_id uuid NOT NULL,"
            " campaign_id uuid, status text NOT NULL, opened_on date NOT NULL,"
            " team integer NOT NULL, mandate_on date, demands text[] NOT NULL DEFAULT '{}',"
            " demand_count integer NOT NULL DEFAULT 0, tentative_on date, vote_on date,"
            " votes_for integer, against integer, abstaining integer, rule text, carried boolean,"
            " starts_on date, expires_on date, ended_on date, end_reason text)",
            f"CREATE INDEX IF NOT EXISTS {t.rounds}_collective_idx ON {t.rounds} (collective_id)",
            f"CREATE TABLE IF NOT EXISTS {t.clauses} ("
            " bargaining_id uuid NOT NULL, clause_id uuid NOT NULL, position integer NOT NULL,"
            " wording text, agreed boolean NOT NULL DEFAULT false,"
            " ours integer NOT NULL DEFAULT 0, theirs integer NOT NULL DEFAULT 0,"
            " breaches integer NOT NULL DEFAULT 0, offer_ours numeric, offer_ours_currency text,"
            " offer_theirs numeric, offer_theirs_currency text, agreed_amount numeric,"
            " agreed_currency text, PRIMARY KEY (bargaining_id, clause_id))",
            f"CREATE TABLE IF NOT EXISTS {t.sessions} ("
            " bargaining_id uuid NOT NULL, session_id uuid PRIMARY KEY, held_on date NOT NULL,"
            " ours integer NOT NULL, their_side text[] NOT NULL DEFAULT '{}',"
            " clause_ids uuid[] NOT NULL, notes text[] NOT NULL DEFAULT '{}')",
            f"CREATE TABLE IF NOT EXISTS {t.counterparts} (id uuid PRIMARY KEY, name text NOT NULL)",
            self.collectives_ddl(t),
        ]

    @on(Organisation.Created, Organisation.Renamed)
    def organisation_named(self, curs, e, _nid) -> None:
        curs.execute(f"INSERT INTO {self.t.counterparts} (id, name) VALUES (%s, %s) "
                     "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
                     (e.originator_id, e.name))

    @on(Bargaining.Opened)
    def opened(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.rounds} (id, collective_id, counterpart_id, campaign_id, status,"
            " opened_on, team) VALUES (%s, %s, %s, %s, 'open', %s, %s) ON CONFLICT (id) DO NOTHING",
            (e.originator_id, e.collective_id, e.counterpart_id, e.campaign_id, e.opened_on,
             len(e.team_ids)))

    @on(Bargaining.MandateAdopted)
    def mandate_adopted(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.rounds} SET mandate_on = %s, demands = %s, demand_count = %s"
                     " WHERE id = %s",
                     (e.adopted_on, list_token(e.originator_id, e.sealed_demands, []),
                      e.demand_count, e.originator_id))

    @on(Bargaining.ClauseTabled)
    def clause_tabled(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.clauses} (bargaining_id, clause_id, position, wording) "
            f"SELECT %s, %s, count(*), %s FROM {self.t.clauses} WHERE bargaining_id = %s "
            "ON CONFLICT DO NOTHING",
            (e.originator_id, e.clause_id, token(e.originator_id, e.sealed_wording),
             e.originator_id))

    @on(Bargaining.SessionHeld)
    def session_held(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.sessions} (bargaining_id, session_id, held_on, ours, their_side,"
            " clause_ids, notes) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (e.originator_id, e.session_id, e.held_on, len(e.our_ids),
             list_token(e.originator_id, e.sealed_their_side, []), list(e.clause_ids),
             list_token(e.originator_id, e.sealed_notes, [])))

    @on(Bargaining.Proposed)
    def proposed(self, curs, e, _nid) -> None:
        side = "ours" if e.side == "ours" else "theirs"
        offered = getattr(e, "offered", None)
        curs.execute(f"UPDATE {self.t.clauses} SET {side} = {side} + 1, "
                     f"offer_{side} = coalesce(%s, offer_{side}), "
                     f"offer_{side}_currency = coalesce(%s, offer_{side}_currency) "
                     "WHERE bargaining_id = %s AND clause_id = %s",
                     (offered and offered.amount, offered and offered.currency,
                      e.originator_id, e.clause_id))

    @on(Bargaining.TentativeReached)
    def tentative(self, curs, e, _nid) -> None:
        self._status(curs, e, "tentative", tentative_on=e.on)
        for agreed in getattr(e, "amounts", ()):
            curs.execute(f"UPDATE {self.t.clauses} SET agreed_amount = %s, agreed_currency = %s "
                         "WHERE bargaining_id = %s AND clause_id = %s",
                         (agreed.amount.amount, agreed.amount.currency, e.originator_id,
                          agreed.clause_id))

    @on(Bargaining.VoteRecorded)
    def voted(self, curs, e, _nid) -> None:
        self._status(curs, e, "ratified" if e.carried else "open", vote_on=e.on,
                     votes_for=e.votes_for, against=e.against, abstaining=e.abstaining,
                     rule=e.rule, carried=e.carried)

    @on(Bargaining.InForce)
    def in_force(self, curs, e, _nid) -> None:
        self._status(curs, e, "in_force", starts_on=e.starts_on, expires_on=e.expires_on)
        curs.execute(f"UPDATE {self.t.clauses} SET agreed = clause_id = ANY(%s) "
                     "WHERE bargaining_id = %s", (list(e.clause_ids), e.originator_id))

    @on(Bargaining.Ended)
    def ended(self, curs, e, _nid) -> None:
        self._status(curs, e, "ended", ended_on=e.on, end_reason=e.reason)

    @on(Grievance.BreachCited)
    def breach_cited(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.clauses} SET breaches = breaches + 1 "
                     "WHERE bargaining_id = %s AND clause_id = %s", (e.bargaining_id, e.clause_id))

    def _status(self, curs, e, status: str, **columns) -> None:
        sets = "".join(f", {name} = %s" for name in columns)
        curs.execute(f"UPDATE {self.t.rounds} SET status = %s{sets} WHERE id = %s",
                     (status, *columns.values(), e.originator_id))


# == Reading ==================================================================================

class RoundRow(msgspec.Struct, kw_only=True):
    id: UUID
    collective_id: UUID
    counterpart: str
    campaign_id: UUID | None
    status: str
    opened_on: date
    team: int
    mandate_on: date | None
    demand_count: int
    tentative_on: date | None
    vote_on: date | None
    votes_for: int | None
    against: int | None
    abstaining: int | None
    rule: str | None
    carried: bool | None
    starts_on: date | None
    expires_on: date | None
    ended_on: date | None
    end_reason: str | None
    demands: list[str] = []
    sessions: int = 0


class ClauseRow(msgspec.Struct, kw_only=True):
    clause_id: UUID
    wording: str | None
    agreed: bool
    ours: int
    theirs: int
    breaches: int
    offer_ours: Decimal | None = None  # the last amount each side offered, exact
    offer_ours_currency: str | None = None
    offer_theirs: Decimal | None = None
    offer_theirs_currency: str | None = None
    agreed_amount: Decimal | None = None  # the amount agreed on it, exact
    agreed_currency: str | None = None


class SessionRow(msgspec.Struct, kw_only=True):
    session_id: UUID
    held_on: date
    ours: int
    their_side: list[str]
    clause_ids: list[UUID]
    notes: list[str]


class RoundDetail(msgspec.Struct, kw_only=True):
    round: RoundRow
    clauses: list[ClauseRow]
    sessions: list[SessionRow]


_IN_SCOPE = ("($1::uuid[] IS NULL OR c.id = ANY($1::uuid[])) "
             "AND ($2::text IS NULL OR c.federation = $2)")
_ROUND = ("SELECT r.*, coalesce(o.name, '') AS counterpart, (SELECT count(*) FROM {sessions} s"
          " WHERE s.bargaining_id = r.id)::int AS sessions FROM {rounds} r"
          " JOIN {collectives} c ON c.id = r.collective_id"
          " LEFT JOIN {counterparts} o ON o.id = r.counterpart_id WHERE " + _IN_SCOPE)


def _scope(scope: Scope) -> tuple[list[UUID] | None, str | None]:
    return (None if scope.collective_ids is None else list(scope.collective_ids)), scope.federation


def _round(r, *, words: bool) -> RoundRow:
    row = {k: r[k] for k in RoundRow.__struct_fields__}
    row["demands"] = list(r["demands"]) if words else []
    return RoundRow(**row)


async def list_rounds(conn: asyncpg.Connection, scope: Scope, *,
                      collective_id: UUID | None = None, status: str | None = None,
                      campaign_id: UUID | None = None,
                      limit: int = 200, offset: int = 0) -> list[RoundRow]:
    """The rounds of collectives in scope (of one, given ``collective_id``; grown from one
    campaign, given ``campaign_id``), newest first (no texts: a list shows none)."""
    t = await tables(conn, "bargaining")
    rows = await conn.fetch(
        _ROUND.format(**vars(_Names(t))) + " AND ($3::text IS NULL OR r.status = $3)"
        " AND ($6::uuid IS NULL OR r.collective_id = $6)"
        " AND ($7::uuid IS NULL OR r.campaign_id = $7)"
        " ORDER BY r.opened_on DESC, r.id LIMIT $4 OFFSET $5",
        *_scope(scope), status, limit, offset, collective_id, campaign_id)
    return [_round(r, words=False) for r in rows]


async def one_round(conn: asyncpg.Connection, scope: Scope, bargaining_id: UUID, *,
                    words: bool) -> RoundDetail | None:
    """One round in scope with its clauses and sessions, or None (unknown or out of scope:
    the page answers both alike). ``words``: whether the reader reads its texts (leaders,
    admins); otherwise every sealed token is left out, never handed on."""
    t = await tables(conn, "bargaining")
    r = await conn.fetchrow(_ROUND.format(**vars(_Names(t))) + " AND r.id = $3",
                            *_scope(scope), bargaining_id)
    if r is None:
        return None
    clauses = await conn.fetch(
        f"SELECT clause_id, wording, agreed, ours, theirs, breaches, offer_ours,"
        f" offer_ours_currency, offer_theirs, offer_theirs_currency, agreed_amount,"
        f" agreed_currency FROM {t.clauses} "
        "WHERE bargaining_id = $1 ORDER BY position, clause_id", bargaining_id)
    sessions = await conn.fetch(
        f"SELECT session_id, held_on, ours, their_side, clause_ids, notes FROM {t.sessions} "
        "WHERE bargaining_id = $1 ORDER BY held_on, session_id", bargaining_id)
    return RoundDetail(
        round=_round(r, words=words),
        clauses=[ClauseRow(**{**dict(x), "wording": x["wording"] if words else None})
                 for x in clauses],
        sessions=[SessionRow(**{**dict(x), "their_side": list(x["their_side"]) if words else [],
                                "notes": list(x["notes"]) if words else [],
                                "clause_ids": list(x["clause_ids"])}) for x in sessions])


async def due_for_renewal(conn: asyncpg.Connection, scope: Scope, today: date, *,
                          collective_id: UUID | None = None,
                          within: int = RENEWAL_DAYS) -> list[RoundRow]:
    """Agreements in force that expire within ``within`` days of ``today`` (or have expired
    without being ended): time to prepare the next mandate."""
    t = await tables(conn, "bargaining")
    rows = await conn.fetch(
        _ROUND.format(**vars(_Names(t))) + " AND r.status = 'in_force' AND r.expires_on <= $3"
        " AND ($4::uuid IS NULL OR r.collective_id = $4) ORDER BY r.expires_on, r.id",
        *_scope(scope), today + timedelta(days=within), collective_id)
    return [_round(r, words=False) for r in rows]


class _Names:
    def __init__(self, t: Tables):
        self.rounds, self.clauses, self.sessions = t.rounds, t.clauses, t.sessions
        self.collectives, self.counterparts = t.collectives, t.counterparts
