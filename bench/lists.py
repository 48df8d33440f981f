"""The leaders' lists at size: server time of the grievance list stays flat from 100 to
10,000 grievances.

    python -m bench.lists [--sizes 100,1000,10000] [--rounds 15]

One collective grows through the application (real commands: workers, grievances, some
resolved) to each size in turn; after the views catch up, the pages are fetched in process
through the app as ``organize serve`` builds it (Litestar's test client: routing, session,
scope, reads, rendering; no network), as a leader of the collective:

- the first page of the grievance list;
- the last page, reached by its keyset cursor (the oldest grievances);
- the list filtered by status and by one worker (her grievances);
- the meeting list.

Each figure is the median of ``--rounds`` fetches, interleaved; every size is printed beside
the smallest, measured in the same process doing the same work: flat means ratios near 1.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from argon2 import PasswordHasher

from bench.common import fresh_database, open_runtime_on
from infra.logging import configure_logging
from organize import commands as c
from organize.accounts import AccountService


def grow(app, coll, workers, have: int, want: int, rng: random.Random) -> None:
    categories = app.taxonomy.codes("categories")
    today = datetime.now(UTC).date()
    for i in range(have, want):
        g = app.execute(c.RaiseGrievance(
            command_id=uuid.uuid4(), collective_id=coll, worker_ids=(rng.choice(workers),),
            category=categories[i % len(categories)], sector="domestic_care", place="HK",
            stage="destination", occurred_on=today - timedelta(days=rng.randint(0, 3650)),
            description=f"Case {i}.")).id
        if i % 4 == 0:
            app.execute(c.RecordOutcome(command_id=uuid.uuid4(), grievance_id=g,
                                        outcome="documents_returned", on=today))


async def timings(runtime, accounts, session: str, paths: dict[str, str],
                  rounds: int) -> dict[str, float]:
    from litestar.testing import AsyncTestClient

    from web.app import create_app

    out: dict[str, list[float]] = {name: [] for name in paths}
    async with AsyncTestClient(app=create_app(runtime, accounts)) as client:
        headers = {"Cookie": f"organize_session={session}"}
        for path in paths.values():  # warm: templates compiled, pool filled
            assert (await client.get(path, headers=headers)).status_code == 200, path
        for _ in range(rounds):
            for name, path in paths.items():
                started = time.perf_counter()
                r = await client.get(path, headers=headers)
                out[name].append(time.perf_counter() - started)
                assert r.status_code == 200, (path, r.status_code)
    return {name: statistics.median(v) * 1000 for name, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    configure_logging("WARNING")
    rng = random.Random(16)
    with fresh_database() as db:
        runtime = open_runtime_on(db)[0]
        app = runtime.app
        coll = app.execute(c.CreateCollective(
            command_id=uuid.uuid4(), name="Bench sisters", kind="worker_collective",
            sectors=("domestic_care",), places=("HK",), languages=("en",))).id
        workers = [app.execute(c.RegisterWorker(
            command_id=uuid.uuid4(), profile=c.Profile(pseudonym=f"Worker {i}"),
            collective_id=coll, joined_on=date(2015, 1, 1))).id for i in range(60)]
        for i in range(20):
            app.execute(c.ScheduleMeeting(
                command_id=uuid.uuid4(), kind="assembly", collective_ids=(coll,),
                scheduled_for=datetime.now(UTC) + timedelta(days=i + 1), language="en"))
        accounts = AccountService(app, hasher=PasswordHasher(time_cost=1, memory_cost=1024,
                                                             parallelism=1))
        account = accounts.create_account("bench-leader", "bench-password-long", role="leader",
                                          collective_ids=(coll,))
        session = accounts.start_session(account).token
        runner = runtime.runner()
        results: dict[int, dict[str, float]] = {}
        have = 0
        for size in sizes:
            started = time.perf_counter()
            grow(app, coll, workers, have, size, rng)
            have = size
            runner.catch_up()
            print(f"{size:,} grievances written and projected in {time.perf_counter() - started:.0f} s")
            oldest = asyncio.run(_oldest_cursor(runtime, coll))
            base = f"/c/{coll}/grievances"
            paths = {"first page": base, "last page (keyset)": f"{base}?before={oldest}",
                     "status filter": f"{base}?status=resolved",
                     "one worker": f"{base}?worker={workers[7]}",
                     "meetings": f"/c/{coll}/meetings"}
            results[size] = asyncio.run(timings(runtime, accounts, session, paths, args.rounds))
        first = sizes[0]
        print(f"\nserver time per page, median of {args.rounds} (ms), and the ratio to {first:,}:")
        for name in results[first]:
            cells = "  ".join(
                f"{size:>6,}: {results[size][name]:6.1f} ms x{results[size][name] / results[first][name]:.2f}"
                for size in sizes)
            print(f"  {name:<20} {cells}")


async def _oldest_cursor(runtime, coll) -> str:
    """The keyset cursor just past the oldest grievance: its page is the list's last."""
    import asyncpg

    from organize.projections.reads import tables

    conn = await asyncpg.connect(runtime.database.asyncpg_dsn())
    try:
        t = await tables(conn, "grievance_register")
        row = await conn.fetchrow(f"SELECT occurred_on, raised_nid FROM {t.grievances} "  # noqa: S608
                                  "WHERE collective_id = $1 ORDER BY occurred_on, raised_nid "
                                  "LIMIT 1", coll)
        return f"{(row['occurred_on'] - timedelta(days=1)).isoformat()}.0"
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
