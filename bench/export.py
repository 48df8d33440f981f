"""Research releases over a million grievance events, against a bare SQL GROUP BY.

    python -m bench.export [--grievance-events 1000000] [--rounds 3]

1. Records a small real world through the application (a collective, workers who consent
   to research, one grievance taken through join, escalation and outcome), then clones
   those events (real event classes, encrypted as the app stores them) with fresh ids and
   varied codes until the log holds ``--grievance-events`` grievance events, plus one
   research-consent event per worker (a tenth of workers never consent).
2. Catches the research base (the ``research_grievances`` view) up with our batched
   runner, and reports events/s.
3. In alternating rounds, times
   - ours: ``releases.obtain`` as a researcher gets a *new* release (the stored ones are
     deleted before each round, so nothing is handed back from the store): the default
     dimensions by quarter, country and category group over three closed years, one
     ``GROUPING SETS`` query with the consent rule and the cell keys, the cell-key
     perturbation, k, the checks, the CSV with its manifest and README, zipped and stored;
   - baseline: a bare ``GROUP BY`` of the same view rows by the same labels over the same
     window, fetched to the client (no consent rule, no margins, no perturbation, nothing
     written).
   Prints the medians, the ratio ours / baseline, and where our time goes (the query alone,
   the perturbation, the package).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg

from bench.common import fresh_database, open_runtime_on
from infra.logging import configure_logging
from organize import commands as c
from organize.application import Organize
from organize.exports import cellkey
from organize.exports.releases import (
    MEASUREMENTS,
    RELEASES,
    ReleaseRequest,
    ReleaseTable,
    _zip,
    count_cells,
    ensure_tables,
    obtain,
    snap,
    with_cell_key,
)
from organize.projections import registry
from organize.projections.reads import tables
from organize.projections.runner import BatchedRunner

NS = uuid.UUID("6f726761-6e69-7a65-8000-0000000e4e47")
PLACES = ["HK", "HK-KLN", "HK-NT", "BD-DHA", "BD-CTG", "NP-KTM", "NP-PKR", "MY-KUL", "MY-JHR",
          "LB-BEY", "LB-MOU", "AE-DXB"]


def seed(app: Organize) -> dict[str, Any]:
    """A tiny real world; returns one stored event of each kind we clone."""
    coll = app.execute(c.CreateCollective(
        command_id=uuid.uuid4(), name="Bench collective", kind="union_branch",
        sectors=("domestic_care",), places=("HK",), languages=("en",), federation="fed-bench")).id
    workers = []
    for _ in range(2):
        w = app.execute(c.RegisterWorker(command_id=uuid.uuid4(), profile=c.Profile(pseudonym="B"),
                                         collective_id=coll, joined_on=date(2024, 1, 1))).id
        app.execute(c.GiveConsent(command_id=uuid.uuid4(), worker_id=w, purpose="research"))
        workers.append(w)
    g = app.execute(c.RaiseGrievance(
        command_id=uuid.uuid4(), collective_id=coll, worker_ids=(workers[0],),
        category="wages_unpaid_late", sector="domestic_care", place="HK", stage="destination",
        occurred_on=date(2024, 3, 1), description="Unpaid for three months.")).id
    app.execute(c.JoinGrievance(command_id=uuid.uuid4(), grievance_id=g, worker_ids=(workers[1],)))
    app.execute(c.EscalateGrievance(command_id=uuid.uuid4(), grievance_id=g, target="labour_office",
                                    on=date(2024, 3, 5)))
    app.execute(c.RecordOutcome(command_id=uuid.uuid4(), grievance_id=g, outcome="employer_commitment",
                                on=date(2024, 4, 1)))
    templates = {}
    for n in app.recorder.select_notifications(start=1, limit=1000):
        name = n.topic.rsplit(".", 1)[-1]
        if name in ("ConsentGiven", "Raised", "Joined", "Escalated", "OutcomeRecorded"):
            templates.setdefault(name, app.mapper.to_domain_event(n))
    return templates


def clone(template: Any, **changes: Any) -> Any:
    event = object.__new__(type(template))
    object.__setattr__(event, "__dict__", {**vars(template), **changes})
    return event


def generate(app: Organize, templates: dict[str, Any], grievance_events: int, seed_: int = 7) -> int:
    """Append cloned events until ``grievance_events`` grievance events exist; returns how
    many grievance events were written."""
    rng = random.Random(seed_)
    tax = app.taxonomy
    categories = [x for x in tax.codes("categories")]
    sectors, stages = tax.codes("sectors"), tax.codes("stages")
    outcomes = [o for o in tax.codes("outcomes") if not tax.outcome_needs_amount(o)]
    targets = tax.codes("escalation_targets")
    # Per grievance: raised, then joined / escalated / outcome each half the time: 2.5 events.
    n_grievances = int(grievance_events / 2.5) + 1
    n_workers = max(10, n_grievances // 4)
    workers = [uuid.uuid5(NS, f"w{i}") for i in range(n_workers)]
    batch: list[Any] = []
    written = 0

    def flush() -> None:
        app.recorder.insert_events([app.mapper.to_stored_event(e) for e in batch])
        batch.clear()

    for w in workers:
        if rng.random() < 0.9:
            batch.append(clone(templates["ConsentGiven"], originator_id=w, originator_version=2))
            if len(batch) >= 5000:
                flush()
    start = date(2023, 1, 1)
    i = 0
    while written < grievance_events:
        gid = uuid.uuid5(NS, f"g{i}")
        i += 1
        version = 1
        batch.append(clone(
            templates["Raised"], originator_id=gid, originator_version=version,
            worker_ids=(rng.choice(workers),), category=rng.choice(categories),
            sector=rng.choice(sectors), place=rng.choice(PLACES), stage=rng.choice(stages),
            occurred_on=start + timedelta(days=rng.randrange(3 * 365))))
        written += 1
        for kind in ("Joined", "Escalated", "OutcomeRecorded"):
            if rng.random() < 0.5 and written < grievance_events:
                version += 1
                extra: dict[str, Any] = {"originator_id": gid, "originator_version": version}
                if kind == "Joined":
                    extra["worker_ids"] = (rng.choice(workers),)
                elif kind == "Escalated":
                    extra["target"] = rng.choice(targets)
                else:
                    extra["outcome"] = rng.choice(outcomes)
                batch.append(clone(templates[kind], **extra))
                written += 1
        if len(batch) >= 5000:
            flush()
            if i % 50_000 < 2000:
                print(f"  {written:,} grievance events written", flush=True)
    if batch:
        flush()
    return written


TODAY = date(2026, 1, 15)  # the generated grievances fall in 2023-2025: three closed years
REQUEST = ReleaseRequest(since=date(2023, 1, 1), until=date(2025, 12, 31), fmt="csv")


async def plain_group_by(dsn: str, taxonomy) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        t = await tables(conn, "research_grievances")
        codes = list(taxonomy.codes("categories"))
        groups = [taxonomy.category_group(x) for x in codes]
        started = time.perf_counter()
        await conn.fetch(
            "SELECT to_char(g.occurred_on, 'YYYY-\"Q\"Q'), split_part(g.place, '-', 1), g.sector,"
            " g.stage, coalesce(cg.grp, 'unknown'), count(*)"
            f" FROM {t.grievances} g LEFT JOIN unnest($3::text[], $4::text[]) AS cg(code, grp)"
            " ON cg.code = g.category WHERE g.occurred_on BETWEEN $1 AND $2"
            " GROUP BY 1, 2, 3, 4, 5", date(2023, 1, 1), date(2025, 12, 31), codes, groups)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def ours(dsn: str, taxonomy) -> tuple[float, dict]:
    conn = await asyncpg.connect(dsn)
    try:
        await ensure_tables(conn)
        await conn.execute(f"DELETE FROM {RELEASES}; DELETE FROM {MEASUREMENTS}")
        started = time.perf_counter()
        release = await obtain(conn, REQUEST, taxonomy=taxonomy, researcher="bench", today=TODAY)
        assert not release.repeat
        return time.perf_counter() - started, release.manifest
    finally:
        await conn.close()


async def breakdown(dsn: str, taxonomy) -> dict[str, float]:
    """Where our time goes, stage by stage (one round)."""
    conn = await asyncpg.connect(dsn)
    try:
        request, _window, _ = snap(REQUEST, TODAY)
        t0 = time.perf_counter()
        _, cells = await count_cells(conn, request, taxonomy)
        t1 = time.perf_counter()
        published = with_cell_key(cells)
        t2 = time.perf_counter()
        table = ReleaseTable(request.by, dict(request.grains), published, request.k)
        manifest = {"created": "2026-01-01T00:00:00+00:00", "parameters": {
            "by": list(request.by), "k": request.k, "grains": dict(request.grains),
            "since": "2023-01-01", "until": "2025-12-31"},
            "mechanism": cellkey.description(), "suppression": {"k": request.k,
                                                                "published_cells": 99}}
        _zip(table, manifest, "csv")
        t3 = time.perf_counter()
        return {"query (GROUPING SETS, consent rule, cell keys)": t1 - t0,
                "cell-key perturbation (Python)": t2 - t1, "package, zip": t3 - t2,
                "cells": len(cells)}
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grievance-events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    configure_logging("WARNING")
    with fresh_database() as db:
        app = open_runtime_on(db)[0].app
        templates = seed(app)
        t0 = time.perf_counter()
        written = generate(app, templates, args.grievance_events)
        head = app.recorder.max_notification_id()
        print(f"log: {head:,} events, of which {written:,} grievance events "
              f"(written in {time.perf_counter() - t0:.0f} s)")
        views = registry.open_views(app.recorder.datastore, ["research_grievances"],
                                    taxonomy=app.taxonomy)
        runner = BatchedRunner(app.recorder, app.mapper, views, batch_size=2000)
        t0 = time.perf_counter()
        runner.catch_up()
        took = time.perf_counter() - t0
        print(f"research base caught up: {head:,} events in {took:.0f} s ({head / took:,.0f} events/s)")
        dsn = db.asyncpg_dsn()
        mine, base = [], []
        manifest: dict = {}
        for _ in range(args.rounds):
            base.append(asyncio.run(plain_group_by(dsn, app.taxonomy)))
            seconds, manifest = asyncio.run(ours(dsn, app.taxonomy))
            mine.append(seconds)
        m_ours, m_base = statistics.median(mine), statistics.median(base)
        print(f"release: {manifest['parameters']['by']} by {manifest['parameters']['grains']}, "
              f"{len(manifest['tables']['periods'])} periods; "
              f"{manifest['suppression']['published_cells']:,} counts published (k="
              f"{manifest['suppression']['k']})")
        print(f"{args.rounds} rounds, medians (same process, same rows):")
        print(f"  releases.obtain (ours)   {m_ours:8.3f} s   rounds: "
              + ", ".join(f"{x:.3f}" for x in mine))
        print(f"  bare SQL GROUP BY        {m_base:8.3f} s   rounds: "
              + ", ".join(f"{x:.3f}" for x in base))
        print(f"  ratio ours / GROUP BY    {m_ours / m_base:8.2f}x")
        parts = asyncio.run(breakdown(dsn, app.taxonomy))
        cells = parts.pop("cells")
        print(f"where our time goes (one round, {cells:,} cells and margins):")
        for name, seconds in parts.items():
            print(f"  {name:50s} {seconds:8.3f} s")
        app.close()


if __name__ == "__main__":
    main()
