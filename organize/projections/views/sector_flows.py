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
(``organize.projections.disclosure.suppress``: primary and complementary suppression), so a
hidden cell cannot be worked back from the totals. k defaults to the research default (10)
and is never below its floor (5). Shares are withheld when the group they describe, or
the rest of the workers, is smaller than k.

**As of a date**: memberships carry the day they began, spells their start and end, so
``federation_flows(..., as_of=D)`` recomputes the trajectories as they stood on D (spells
started by D; an end after D is not yet known) from the same pure functions the view uses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Worker
from organize.projections.base import Tables, View, on
from organize.projections.disclosure import DEFAULT_K, MIN_K, suppress
from organize.projections.reads import Scope, tables
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


class SectorFlowsView(KnowsFederations, View):
    name = "sector_flows"

    def ddl(self, t: Tables) -> list[str]:
        return [
            self.collectives_ddl(t),
            f"CREATE INDEX IF NOT EXISTS {t.collectives}_federation_idx ON {t.collectives} (federation)",
            f"CREATE TABLE IF NOT EXISTS {t.spells} ("
            " spell_id uuid PRIMARY KEY, worker_id uuid NOT NULL, sector text NOT NULL,"
            " started_on date NOT NULL, ended_on date)",
            f"CREATE INDEX IF NOT EXISTS {t.spells}_worker_idx ON {t.spells} (worker_id)",
            # Since when each worker is a member of each collective (the earliest date).
            f"CREATE TABLE IF NOT EXISTS {t.memberships} ("
            " worker_id uuid NOT NULL, collective_id uuid NOT NULL, since date NOT NULL,"
            " PRIMARY KEY (collective_id, worker_id))",
        ]

    def _member(self, curs, worker_id: UUID, collective_id: UUID, since: date) -> None:
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
        self.insert(curs, self.t.spells, "spell_id uuid, worker_id uuid, sector text, started_on date",
                    (e.spell_id, e.originator_id, e.sector, e.started_on),
                    conflict="ON CONFLICT (spell_id) DO NOTHING")

    @on(Worker.SpellEnded)
    def spell_ended(self, curs, e, _nid) -> None:
        self.update(curs, self.t.spells, "spell_id uuid, ended_on date", "ended_on = x.ended_on",
                    (e.spell_id, e.ended_on))

    @on(Worker.SpellCorrected)
    def spell_corrected(self, curs, e, _nid) -> None:
        self.update(curs, self.t.spells, "spell_id uuid, sector text, started_on date, ended_on date",
                    "sector = x.sector, started_on = x.started_on, ended_on = x.ended_on",
                    (e.spell_id, e.sector, e.started_on, e.ended_on))

    @on(Worker.SpellWithdrawn)
    def spell_withdrawn(self, curs, e, _nid) -> None:
        self.change(curs, self.t.spells, e.spell_id,
                    f"DELETE FROM {self.t.spells} WHERE spell_id = %s", (e.spell_id,))

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


@dataclass
class Tally:
    """Exact counts behind the flows: never served as they are (they go through
    ``federation_flows``' suppression); tests check the projection against them."""

    workers: int = 0  # workers with at least one spell
    concurrent: int = 0  # of them, with spells in two sectors at once
    with_unpaid_care: int = 0
    spells: int = 0
    unpaid_care_spells: int = 0
    moves: dict[tuple[str, str], int] = field(default_factory=dict)  # (from, to) -> workers


async def tally(conn: asyncpg.Connection, scope: Scope, federation: str,
                as_of: date | None = None) -> Tally | None:
    """The federation's exact counts through the collectives in ``scope``, from the spells
    started (and ended) by ``as_of``; None when the federation has no collective in scope."""
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
    out = Tally(workers=len(spells))
    for mine in spells.values():
        for move in transitions([s[:2] for s in mine]):
            out.moves[move] = out.moves.get(move, 0) + 1
        out.concurrent += concurrent_multi_sector(mine)
        care = sum(s[0] == UNPAID_CARE for s in mine)
        out.with_unpaid_care += care > 0
        out.unpaid_care_spells += care
        out.spells += len(mine)
    return out


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
    found = await tally(conn, scope, federation, as_of)
    if found is None:
        return None
    table, workers = found.moves, found.workers
    concurrent, with_care, n_spells, care_spells = (
        found.concurrent, found.with_unpaid_care, found.spells, found.unpaid_care_spells)
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
