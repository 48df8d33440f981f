"""``organize import`` of N submissions (default 10,000): rows per second of the dry run,
of the commit, and of a re-import that finds every row unchanged, against a baseline run
in the same process on the same database: the same commands for the same rows, sent one by
one by hand (RegisterWorker, GiveConsent, StartSpell, RaiseGrievance), with no form,
mapping, digest or ledger.

The submissions are a Kobo JSON export of the Worker intake XLSForm
(``tests/integration/imports/data``), one work spell each.

    .venv/bin/python -m bench.imports [--rows 10000] [--rounds 3]

Each round imports a file of its own (fresh instance ids) into a fresh collective and runs
the baseline into another; the figures are the medians of the rounds, and the ratio is the
median commit rate over the median baseline rate. Each round's figures print as it ends.
"""

from __future__ import annotations

import argparse
import json
import statistics
import uuid
from datetime import date
from pathlib import Path

from bench.common import fresh_database, open_runtime_on
from bench.erasure import timed
from infra.logging import configure_logging
from organize import commands as c
from organize.imports import service

DATA = Path(__file__).resolve().parent.parent / "tests" / "integration" / "imports" / "data"
SECTORS = ("domestic", "garment", "construction")
PROBLEMS = ("unpaid", "passport", "hours")


def submissions(n: int) -> bytes:
    results = []
    for i in range(n):
        results.append({
            "name": f"Worker {i:05d}", "phone": f"+977 98{i:08d}",
            "location": "27.70 85.33 1300 5" if i % 2 else "22.31 114.17 10 8",
            "consent": "contact research" if i % 3 else "contact",
            "problem": PROBLEMS[i % 3], "story": f"What happened to worker {i}",
            "problem_on": "2024-05-20",
            "jobs": [{"jobs/sector": SECTORS[i % 3], "jobs/job_title": f"Job {i}",
                      "jobs/job_place": "hk", "jobs/job_start": "2022-03-01",
                      "jobs/relationship": "agency"}],
            "meta/instanceID": f"uuid:{uuid.uuid4()}", "_submitted_by": "officer"})
    return json.dumps({"results": results}).encode()


def by_hand(app, collective_id: uuid.UUID, n: int) -> None:
    codes = {"domestic": "domestic_care", "garment": "garment", "construction": "construction"}
    cats = {"unpaid": "wages_unpaid_late", "passport": "documents_confiscated",
            "hours": "excessive_hours"}
    for i in range(n):
        w = app.execute(c.RegisterWorker(
            command_id=uuid.uuid4(), collective_id=collective_id, joined_on=date(2024, 6, 1),
            profile=c.Profile(pseudonym=f"Worker {i:05d}", phone=f"+977 98{i:08d}"))).id
        for purpose in (("contact", "research") if i % 3 else ("contact",)):
            app.execute(c.GiveConsent(command_id=uuid.uuid4(), worker_id=w, purpose=purpose))
        app.execute(c.StartSpell(command_id=uuid.uuid4(), worker_id=w, sector=codes[SECTORS[i % 3]],
                                 occupation=f"Job {i}", place="HK", relationship="agency",
                                 paid=True, started_on=date(2022, 3, 1)))
        app.execute(c.RaiseGrievance(
            command_id=uuid.uuid4(), collective_id=collective_id, worker_ids=(w,),
            category=cats[PROBLEMS[i % 3]], sector=codes[SECTORS[i % 3]],
            place="KTM" if i % 2 else "HK", stage="destination", occurred_on=date(2024, 5, 20),
            description=f"What happened to worker {i}"))


def say(line: str) -> None:
    print(line, flush=True)  # each phase as it ends: a long run on a busy machine shows progress


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the one-by-one baseline (its 10,000 rows take minutes): "
                             "compare two builds run side by side instead")
    parser.add_argument("--dry-run-only", action="store_true",
                        help="only the dry run (no baseline, no commit): the planning's rate")
    args = parser.parse_args()
    configure_logging("WARNING")
    n = args.rows
    form = (DATA.joinpath("worker_intake.xlsx").name, DATA.joinpath("worker_intake.xlsx").read_bytes())
    mapping = (DATA.joinpath("worker_intake.toml").name, DATA.joinpath("worker_intake.toml").read_bytes())
    with fresh_database() as db:
        runtime, _ = open_runtime_on(db)
        app = runtime.app

        def collective(name: str) -> uuid.UUID:
            return app.execute(c.CreateCollective(command_id=uuid.uuid4(), name=name,
                                                  kind="worker_collective")).id

        if args.dry_run_only:
            blob, ours = submissions(n), collective("Bench import")
            prepared = service.prepare(app, data=("data.json", blob), form=form, mapping=mapping)
            took = timed(lambda: service.run(app, prepared, ours, dry_run=True))
            say(f"import, dry run only: {n / took:8.1f} rows/s ({took:.1f} s)")
            runtime.close()
            return
        rates: dict[str, list[float]] = {}
        for k in range(1, args.rounds + 1):
            blob = submissions(n)
            ours, theirs = collective(f"Bench import {k}"), collective(f"Bench by hand {k}")
            if not args.no_baseline:
                base = timed(lambda: by_hand(app, theirs, n))  # noqa: B023 - run at once
                rates.setdefault("baseline", []).append(n / base)
                say(f"round {k}: baseline, the same commands one by one: {n / base:8.1f} "
                    f"rows/s ({base:.1f} s)")
            reports = {}
            for name, dry_run in (("dry run", True), ("commit", False),
                                  ("again (all unchanged)", False)):
                def go(name=name, dry_run=dry_run, blob=blob, ours=ours, reports=reports):
                    prepared = service.prepare(app, data=("data.json", blob), form=form,
                                               mapping=mapping)
                    reports[name] = service.run(app, prepared, ours, dry_run=dry_run)
                took = timed(go)
                rates.setdefault(name, []).append(n / took)
                say(f"round {k}: import, {name + ':':31} {n / took:8.1f} rows/s ({took:.1f} s)")
            assert reports["dry run"].counts == reports["commit"].counts, reports
            assert reports["again (all unchanged)"].counts["unchanged"] == n, reports
            say(f"round {k}: {n} rows; counts {reports['commit'].counts}")
        say(f"medians of {args.rounds} rounds, rows/s:")
        for name, values in rates.items():
            say(f"  {name + ':':31} {statistics.median(values):8.1f}  "
                f"(rounds: {', '.join(f'{v:.1f}' for v in values)})")
        if "baseline" in rates:
            ratio = statistics.median(rates["commit"]) / statistics.median(rates["baseline"])
            say(f"ratio commit / baseline: {ratio:.2f}x the baseline's rate")
        runtime.close()


if __name__ == "__main__":
    main()
