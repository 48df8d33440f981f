"""``organize import`` of N submissions (default 10,000): rows per second of the dry run,
of the commit, and of a re-import that finds every row unchanged, against a baseline run
in the same process on the same database: the same commands for the same rows, sent one by
one by hand (RegisterWorker, GiveConsent, StartSpell, RaiseGrievance), with no form,
mapping, digest or ledger.

The submissions are a Kobo JSON export of the Worker intake XLSForm
(``tests/integration/imports/data``), one work spell each.

    .venv/bin/python -m bench.imports [--rows 10000]
"""

from __future__ import annotations

import argparse
import json
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
    parser.add_argument("--dry-run-only", action="store_true",
                        help="only the dry run (no baseline, no commit): the planning's rate")
    args = parser.parse_args()
    configure_logging("WARNING")
    n = args.rows
    blob = submissions(n)
    form = (DATA.joinpath("worker_intake.xlsx").name, DATA.joinpath("worker_intake.xlsx").read_bytes())
    mapping = (DATA.joinpath("worker_intake.toml").name, DATA.joinpath("worker_intake.toml").read_bytes())
    with fresh_database() as db:
        runtime, _ = open_runtime_on(db)
        app = runtime.app
        ours, theirs = (app.execute(c.CreateCollective(command_id=uuid.uuid4(), name=f"Bench {k}",
                                                       kind="worker_collective")).id
                        for k in ("import", "by hand"))
        if args.dry_run_only:
            prepared = service.prepare(app, data=("data.json", blob), form=form, mapping=mapping)
            took = timed(lambda: service.run(app, prepared, ours, dry_run=True))
            say(f"import, dry run only: {n / took:8.1f} rows/s ({took:.1f} s)")
            runtime.close()
            return
        base = timed(lambda: by_hand(app, theirs, n))
        say(f"baseline, the same commands one by one: {n / base:8.1f} rows/s ({base:.1f} s)")
        reports = {}

        def step(name: str, dry_run: bool) -> float:
            def go():
                prepared = service.prepare(app, data=("data.json", blob), form=form, mapping=mapping)
                reports[name] = service.run(app, prepared, ours, dry_run=dry_run)
            took = timed(go)
            say(f"import, {name + ':':31} {n / took:8.1f} rows/s ({took:.1f} s)")
            return took

        step("dry run", True)
        commit = step("commit", False)
        step("again (all unchanged)", False)
        assert reports["dry run"].counts == reports["commit"].counts, reports
        assert reports["again (all unchanged)"].counts["unchanged"] == n, reports
        say(f"{n} rows; counts {reports['commit'].counts}")
        say(f"ratio commit / baseline: {base / commit:.2f}x the baseline's rate")
        runtime.close()


if __name__ == "__main__":
    main()
