"""How often the differencing attack pins a count below k, under the cell-key table in use
against the first table, on the same record keys.

    python -m bench.cellkey_attack [--draws 200]

1. Records the band attack's world (``tests/integration/exports/support.py``, ``Amounts``:
   31 grievances with amounts owed and recovered in two places) and builds its research
   base.
2. For each draw, gives every grievance a fresh random record key (as a new installation's
   secret would), counts the 81 tables of every combination of the money bands with place
   and category at every grain (the attack tests' requests), and perturbs each table under
   both perturbation tables: the one in use (``cellkey.PTABLE``, -3..+3 with outer slivers
   of 1/1000) and the first one (``cellkey.FIRST_TABLE``, -2..+2 at 0.1 each). Counts below
   k are left out, as a release does.
3. Solves each side's tables together by linear programming, the attacker knowing the
   published bound and which finest cells hold someone (more than she has), and counts the
   draws in which some count below k was pinned (its feasible range under 2 wide) and the
   narrowest range seen.

The baseline is the first table on the same draws: the same keys, the same tables, the same
solver. The attack tests run the same attack once per test run, on the keys of that run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import asyncpg

from bench.common import fresh_database, open_runtime_on
from infra.logging import configure_logging
from organize.exports import cellkey
from organize.exports.releases import ReleaseRequest, count_cells, grouping_sets, snap
from organize.projections.views.research_grievances import research_tables
from tests.integration.exports.support import PINNED, Amounts, knowledge, small_targets, solve

TABLES = {"in use (-3..+3)": cellkey.PTABLE, "first (-2..+2)": cellkey.FIRST_TABLE}


def published(request: ReleaseRequest, cells, table: cellkey.Table, k: int
              ) -> tuple[dict, list[dict]]:
    """(manifest, records) as a release under ``table`` would list them."""
    manifest = {"parameters": {"by": list(request.by), "k": k, "grains": dict(request.grains)},
                "tables": {"per_period": grouping_sets(request.by)}}
    records = []
    for labels, n, key in cells:
        v = table.perturb(n, key)
        if v >= k:
            records.append({**dict(zip(request.by, labels, strict=True)), "count": v})
    return manifest, records


async def attack(conn: asyncpg.Connection, world: Amounts, atoms, truth) -> dict[str, float]:
    """The narrowest range each table leaves a count below k, on the current keys."""
    group = world.app.taxonomy.category_group
    known: dict[str, list] = {name: [] for name in TABLES}
    for kw in Amounts.every_request():
        request, _, _ = snap(ReleaseRequest(**{**Amounts.YEAR, **kw}), Amounts.TODAY)
        _, cells = await count_cells(conn, request, world.app.taxonomy)
        for name, table in TABLES.items():
            manifest, records = published(request, cells, table, kw["k"])
            known[name] += knowledge(manifest, records, atoms, group, table.max_noise)
    out = {}
    for name, kn in known.items():
        ranges = solve(kn, len(atoms), small_targets(kn, truth))
        out[name] = min(hi - lo for lo, hi in ranges.values())
    return out


async def run(url: str, world: Amounts, draws: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        grievances = (await research_tables(conn)).grievances
        atoms, truth = await world.atoms(conn)
        narrowest: dict[str, list[float]] = {name: [] for name in TABLES}
        started = time.perf_counter()
        for i in range(draws):
            await conn.execute(f"UPDATE {grievances} SET ckey = floor(random() * 65536)::int")
            for name, width in (await attack(conn, world, atoms, truth)).items():
                narrowest[name].append(width)
            if (i + 1) % 25 == 0:
                print(f"  {i + 1} draws in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        await conn.close()
    print(f"\n{draws} draws of fresh record keys; {len(atoms)} finest cells, "
          f"{len(Amounts.every_request())} tables each; pinned = a count below k left a range "
          f"under {PINNED:g} wide")
    print(f"{'table':<18} {'draws with a pin':>17} {'share':>7} {'narrowest range: min':>21}"
          f" {'median':>7}  mean abs error")
    for name, widths in narrowest.items():
        pins = sum(w < PINNED for w in widths)
        print(f"{name:<18} {pins:>17} {pins / draws:>7.1%} {min(widths):>21.1f}"
              f" {statistics.median(widths):>7.1f}  {TABLES[name].mean_absolute_error:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=200)
    args = parser.parse_args()
    configure_logging("WARNING")
    with fresh_database() as db:
        runtime, _ = open_runtime_on(db)
        try:
            world = Amounts(runtime)
            asyncio.run(run(db.asyncpg_dsn(), world, args.draws))
        finally:
            runtime.close()


if __name__ == "__main__":
    main()
