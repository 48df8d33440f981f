"""Sector flows, for each federation: how workers move between sectors over their
trajectories, how many work in several sectors at once, and how much of the work recorded
is unpaid care (DOMAIN.md, lesson 2). Unions that organise one sector miss this.

Aggregates only. The view keeps each worker's spells and, from them, her contribution:
the sector transitions in her trajectory and two flags. A contribution is recomputed from
her spells after each batch that touched them, so it never depends on how events were
batched. A worker belongs to the federations of every collective she has been a member of.

- A **transition** A→B: the spells that start next after an A spell started (spells that
  start on the same day are one step) include a B spell, with B ≠ A.
- **Concurrent multi-sector work**: two of her spells in different sectors overlap in time
  (the overlap rule of the worker directory).
- **Unpaid care**: a spell in the ``unpaid_care`` sector.

**The organiser's read** (``federation_flows``, issue 6) publishes only aggregates that
cannot single anyone out: a transition cell counted by fewer than k workers is shown as
suppressed, and the margins go through the research exports' disclosure control
(``organize.exports.disclosure.suppress``: primary and complementary suppression), so a
hidden cell cannot be worked back from the totals. k defaults to the research default (10)
and is never below its floor (5). Shares are withheld when the group they describe, or
the rest of the workers, is smaller than k.

**As of a date**: memberships carry the day they began, spells their start and end, so
``federation_flows(..., as_of=D)`` recomputes the trajectories as they stood on D (spells
started by D; an end after D is not yet known) from the same pure functions the view uses.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import combinations
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Worker
from organize.exports.disclosure import DEFAULT_K, MIN_K, suppress
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.registry import register
from organize.projections.views._federations import KnowsFederations, federation_in_scope
from organize.projections.views.worker_directory import spells_overlap

UNPAID_CARE = "unpaid_care"


def transitions(spells: list[tuple[str, date]]) -> set[tuple[str, str]]:
    """(from, to) sector pairs between consecutive start days, given (sector, started_on)."""
    by_day: dict[date, set[str]] = defaultdict(set)
    for sector, started_on in spells:
        by_day[started_on].add(sector)
    days = sorted(by_day)
    return {(a, b) for d0, d1 in zip(days, days[1:], strict=False)
            for a in by_day[d0] for b in by_day[d1] if a != b}


def concurrent_multi_sector(spells: list[tuple[str, date, date | None]]) -> bool:
    return any(a[0] != b[0] and spells_overlap(a[1:], b[1:]) for a, b in combinations(spells, 2))


@register
class SectorFlowsView(KnowsFederations, View):
    name = "sector_flows"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._dirty: set[UUID] = set()

    def ddl(self, t: Tables) -> list[str]:
        return [
            self.collectives_ddl(t),
            f"CREATE INDEX IF NOT EXISTS {t.collectives}_federation_idx ON {t.collectives} (federation)",
            f"CREATE TABLE IF NOT EXISTS {t.worker_collectives} ("
            " worker_id uuid NOT NULL, collective_id uuid NOT NULL,"
            " PRIMARY KEY (collective_id, worker_id))",
            f"CREATE TABLE IF NOT EXISTS {t.spells} ("
            " spell_id uuid PRIMARY KEY, worker_id uuid NOT NULL, sector text NOT NULL,"
            " started_on date NOT NULL, ended_on date)",
            f"CREATE INDEX IF NOT EXISTS {t.spells}_worker_idx ON {t.spells} (worker_id)",
            # Since when each worker is a member of each collective (the earliest date).
            f"CREATE TABLE IF NOT EXISTS {t.memberships} ("
            " worker_id uuid NOT NULL, collective_id uuid NOT NULL, since date NOT NULL,"
            " PRIMARY KEY (collective_id, worker_id))",
            # Each worker's contribution, recomputed from her spells.
            f"CREATE TABLE IF NOT EXISTS {t.contributions} ("
            " worker_id uuid PRIMARY KEY, spells integer NOT NULL,"
            " unpaid_care_spells integer NOT NULL, concurrent_multi_sector boolean NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t.transitions} ("
            " worker_id uuid NOT NULL, from_sector text NOT NULL, to_sector text NOT NULL,"
            " PRIMARY KEY (worker_id, from_sector, to_sector))",
        ]

    def _member(self, curs, worker_id: UUID, collective_id: UUID, since: date | None) -> None:
        curs.execute(f"INSERT INTO {self.t.worker_collectives} (worker_id, collective_id) "
                     "VALUES (%s, %s) ON CONFLICT DO NOTHING", (worker_id, collective_id))
        if since is not None:
            m = self.t.memberships
            curs.execute(f"INSERT INTO {m} (worker_id, collective_id, since) VALUES (%s, %s, %s) "
                         f"ON CONFLICT (collective_id, worker_id) DO UPDATE SET since = least({m}.since, "
                         "EXCLUDED.since)", (worker_id, collective_id, since))

    @on(Worker.Registered)
    def registered(self, curs, e, _nid) -> None:
        if e.collective_id is not None:
            self._member(curs, e.originator_id, e.collective_id, e.joined_on)

    @on(Worker.JoinedCollective)
    def joined_collective(self, curs, e, _nid) -> None:
        self._member(curs, e.originator_id, e.collective_id, e.on)

    @on(Worker.SpellStarted)
    def spell_started(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.spells} (spell_id, worker_id, sector, started_on) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (spell_id) DO NOTHING",
            (e.spell_id, e.originator_id, e.sector, e.started_on))
        self._dirty.add(e.originator_id)

    @on(Worker.SpellEnded)
    def spell_ended(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.spells} SET ended_on = %s WHERE spell_id = %s",
                     (e.ended_on, e.spell_id))
        self._dirty.add(e.originator_id)

    def after_batch(self, curs) -> None:
        dirty, self._dirty = sorted(self._dirty), set()
        if not dirty:
            return
        t = self.t
        curs.execute(f"SELECT worker_id, sector, started_on, ended_on FROM {t.spells} "
                     "WHERE worker_id = ANY(%s::uuid[])", (dirty,))
        spells: dict[UUID, list[tuple[str, date, date | None]]] = defaultdict(list)
        for r in curs.fetchall():
            spells[r["worker_id"]].append((r["sector"], r["started_on"], r["ended_on"]))
        curs.execute(f"DELETE FROM {t.contributions} WHERE worker_id = ANY(%s::uuid[])", (dirty,))
        curs.execute(f"DELETE FROM {t.transitions} WHERE worker_id = ANY(%s::uuid[])", (dirty,))
        contributions, flows = [], []
        for worker_id in dirty:
            mine = spells.get(worker_id)
            if not mine:
                continue
            contributions.append((worker_id, len(mine), sum(s[0] == UNPAID_CARE for s in mine),
                                  concurrent_multi_sector(mine)))
            flows.extend((worker_id, a, b) for a, b in sorted(transitions([s[:2] for s in mine])))
        if contributions:
            curs.executemany(
                f"INSERT INTO {t.contributions} (worker_id, spells, unpaid_care_spells,"
                " concurrent_multi_sector) VALUES (%s, %s, %s, %s)", contributions)
        if flows:
            curs.executemany(f"INSERT INTO {t.transitions} (worker_id, from_sector, to_sector) "
                             "VALUES (%s, %s, %s)", flows)


# == Reading ===================================================================================


class Flow(msgspec.Struct, kw_only=True):
    from_sector: str
    to_sector: str
    workers: int


class SectorFlows(msgspec.Struct, kw_only=True):
    federation: str
    workers_with_trajectories: int
    concurrent_multi_sector: int  # workers with spells in two sectors at once
    with_unpaid_care: int  # workers with at least one unpaid-care spell
    spells: int
    unpaid_care_spells: int
    unpaid_care_share: float | None  # of all spells; None without spells
    flows: list[Flow]  # the transition matrix, non-zero cells only


async def sector_flows(conn: asyncpg.Connection, scope: Scope, federation: str) -> SectorFlows | None:
    """The federation's flows, through the collectives in scope; None when the federation
    has no collective (in scope)."""
    t = await tables(conn, "sector_flows")
    if not await federation_in_scope(conn, t, scope, federation):
        return None
    ids = None if scope.collective_ids is None else list(scope.collective_ids)
    members = (
        f"SELECT DISTINCT wc.worker_id FROM {t.worker_collectives} wc "
        f"JOIN {t.collectives} c ON c.id = wc.collective_id "
        "WHERE c.federation = $1 AND ($2::uuid[] IS NULL OR c.id = ANY($2::uuid[]))")
    totals = await conn.fetchrow(
        "SELECT count(*)::int AS workers,"
        " count(*) FILTER (WHERE p.concurrent_multi_sector)::int AS concurrent,"
        " count(*) FILTER (WHERE p.unpaid_care_spells > 0)::int AS unpaid_care,"
        " coalesce(sum(p.spells), 0)::int AS spells,"
        " coalesce(sum(p.unpaid_care_spells), 0)::int AS unpaid_care_spells "
        f"FROM {t.contributions} p WHERE p.worker_id IN ({members})", federation, ids)
    flows = await conn.fetch(
        "SELECT from_sector, to_sector, count(*)::int AS workers "
        f"FROM {t.transitions} WHERE worker_id IN ({members}) "
        "GROUP BY from_sector, to_sector ORDER BY workers DESC, from_sector, to_sector",
        federation, ids)
    return SectorFlows(
        federation=federation, workers_with_trajectories=totals["workers"],
        concurrent_multi_sector=totals["concurrent"], with_unpaid_care=totals["unpaid_care"],
        spells=totals["spells"], unpaid_care_spells=totals["unpaid_care_spells"],
        unpaid_care_share=(round(totals["unpaid_care_spells"] / totals["spells"], 4)
                           if totals["spells"] else None),
        flows=[Flow(**dict(r)) for r in flows])


# == The organiser's read: k-suppressed, as of a date ==========================================


class FlowCell(msgspec.Struct, kw_only=True):
    from_sector: str
    to_sector: str
    workers: int | None  # None: suppressed (fewer than k, or hidden to protect one that is)


class FederationFlows(msgspec.Struct, kw_only=True):
    federation: str
    as_of: date | None  # None: as things stand now
    k: int
    rows: list[str]  # from-sectors
    columns: list[str]  # to-sectors
    cells: list[FlowCell]  # the non-zero cells (a cell not listed is 0)
    row_totals: dict[str, int | None]  # transitions out of each sector
    column_totals: dict[str, int | None]  # transitions into each sector
    grand_total: int | None
    suppressed_cells: int
    workers_with_trajectories: int | None  # None when fewer than k
    concurrent_multi_sector_share: float | None  # of the workers with trajectories
    unpaid_care_worker_share: float | None  # workers with at least one unpaid-care spell
    unpaid_care_spell_share: float | None  # unpaid-care spells among all spells
    note: str


def _share(part: int, whole: int, k: int) -> float | None:
    """``part / whole``, unless the part or the rest is a group of fewer than k."""
    if whole < k or 0 < part < k or 0 < whole - part < k:
        return None
    return round(part / whole, 4)


def effective_k(k: int | None) -> int:
    """The k in force: the research default when not given, never below the floor."""
    return DEFAULT_K if k is None else max(int(k), MIN_K)


async def federation_flows(conn: asyncpg.Connection, scope: Scope, federation: str,
                           as_of: date | None = None, *, k: int | None = None) -> FederationFlows | None:
    """The federation's sector flows for an organiser: the transition matrix with every
    cell below k suppressed (and complementary cells and margins where needed), and the
    shares of concurrent multi-sector work and unpaid care, as of ``as_of`` (now by
    default). None when the federation has no collective (in scope)."""
    k = effective_k(k)
    t = await tables(conn, "sector_flows")
    if not await federation_in_scope(conn, t, scope, federation):
        return None
    ids = None if scope.collective_ids is None else list(scope.collective_ids)
    rows = await conn.fetch(
        "SELECT s.worker_id, s.sector, s.started_on,"
        " CASE WHEN $3::date IS NULL OR s.ended_on <= $3 THEN s.ended_on END AS ended_on "
        f"FROM {t.spells} s WHERE ($3::date IS NULL OR s.started_on <= $3) AND s.worker_id IN ("
        f" SELECT m.worker_id FROM {t.memberships} m JOIN {t.collectives} c ON c.id = m.collective_id"
        " WHERE c.federation = $1 AND ($2::uuid[] IS NULL OR c.id = ANY($2::uuid[]))"
        " AND ($3::date IS NULL OR m.since <= $3))", federation, ids, as_of)
    spells: dict[UUID, list[tuple[str, date, date | None]]] = defaultdict(list)
    for r in rows:
        spells[r["worker_id"]].append((r["sector"], r["started_on"], r["ended_on"]))
    table: dict[tuple[str, str], int] = defaultdict(int)
    concurrent = with_care = n_spells = care_spells = 0
    for mine in spells.values():
        for a, b in transitions([s[:2] for s in mine]):
            table[(a, b)] += 1
        concurrent += concurrent_multi_sector(mine)
        care = sum(s[0] == UNPAID_CARE for s in mine)
        with_care += care > 0
        care_spells += care
        n_spells += len(mine)
    workers = len(spells)
    result = suppress(dict(table), k) if table else None
    cells = [] if result is None else [
        FlowCell(from_sector=a, to_sector=b, workers=result.cells[(a, b)])
        for (a, b) in sorted(table)]  # by label: an order by size would rank hidden cells
    return FederationFlows(
        federation=federation, as_of=as_of, k=k,
        rows=list(result.rows) if result else [], columns=list(result.columns) if result else [],
        cells=cells,
        row_totals=dict(result.row_totals) if result else {},
        column_totals=dict(result.column_totals) if result else {},
        grand_total=result.grand_total if result else 0,
        suppressed_cells=sum(1 for c in cells if c.workers is None),
        workers_with_trajectories=workers if workers >= k or workers == 0 else None,
        concurrent_multi_sector_share=_share(concurrent, workers, k),
        unpaid_care_worker_share=_share(with_care, workers, k),
        unpaid_care_spell_share=_share(care_spells, n_spells, k),
        note=f"Aggregates only. A count below {k} is not shown, nor any number it could be worked "
             "back from. A worker can make several moves, so cells count moves between sectors, "
             "each worker once per move.")
