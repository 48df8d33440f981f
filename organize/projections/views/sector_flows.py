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
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import combinations
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Worker
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.registry import register
from organize.projections.views._federations import KnowsFederations
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
            # Each worker's contribution, recomputed from her spells.
            f"CREATE TABLE IF NOT EXISTS {t.contributions} ("
            " worker_id uuid PRIMARY KEY, spells integer NOT NULL,"
            " unpaid_care_spells integer NOT NULL, concurrent_multi_sector boolean NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t.transitions} ("
            " worker_id uuid NOT NULL, from_sector text NOT NULL, to_sector text NOT NULL,"
            " PRIMARY KEY (worker_id, from_sector, to_sector))",
        ]

    def _member(self, curs, worker_id: UUID, collective_id: UUID) -> None:
        curs.execute(f"INSERT INTO {self.t.worker_collectives} (worker_id, collective_id) "
                     "VALUES (%s, %s) ON CONFLICT DO NOTHING", (worker_id, collective_id))

    @on(Worker.Registered)
    def registered(self, curs, e, _nid) -> None:
        if e.collective_id is not None:
            self._member(curs, e.originator_id, e.collective_id)

    @on(Worker.JoinedCollective)
    def joined_collective(self, curs, e, _nid) -> None:
        self._member(curs, e.originator_id, e.collective_id)

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
    if scope.federation is not None and scope.federation != federation:
        return None
    t = await tables(conn, "sector_flows")
    ids = None if scope.collective_ids is None else list(scope.collective_ids)
    known = await conn.fetchval(
        f"SELECT 1 FROM {t.collectives} WHERE federation = $1"
        " AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[])) LIMIT 1", federation, ids)
    if not known:
        return None
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
