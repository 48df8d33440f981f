"""What the demo builds (``DemoPlan``: a seed and fixed dates), and running it through the
application (``load_demo``), idempotently."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from organize import commands as c
from organize.application.batch import run_batched
from organize.demo.builder import build_plan
from organize.errors import CommandError


@dataclass(frozen=True)
class DemoPlan:
    """What to build. Fixed dates (never today's), so the data is the same on every run."""

    seed: int = 2026
    start: date = date(2024, 11, 1)
    end: date = date(2026, 10, 31)

    def total_commands(self) -> int:
        """The exact number of commands ``load_demo`` executes for this plan."""
        return len(build_plan(self).commands)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo holds and what this run did. No personal data."""

    start: date
    end: date
    collectives: int
    countries: int
    sectors: int
    organisations: int
    workers: int
    grievances: int
    campaigns: int
    meetings: int
    assessments: int
    commands: int
    commands_applied: int
    commands_replayed: int
    events_appended: int
    seconds: float

    def describe(self) -> str:
        return "\n".join(
            [
                f"Demo data, {self.start.isoformat()} to {self.end.isoformat()}: "
                f"{self.collectives} collectives in {self.countries} countries, "
                f"{self.sectors} sectors.",
                f"{self.workers} workers (pseudonyms), {self.organisations} organisations, "
                f"{self.grievances} grievances, {self.campaigns} campaigns, "
                f"{self.meetings} meetings, {self.assessments} self-assessments.",
                f"{self.commands} commands: {self.commands_applied} applied "
                f"({self.events_appended} events appended), {self.commands_replayed} "
                f"already loaded. {self.seconds:.1f} s.",
            ]
        )


BATCH = 500  # demo commands per transaction (organize.application.batch)


class DemoError(Exception):
    """A demo command was refused: the demo and the domain disagree. A bug, not bad luck."""


def _one_by_one(app, commands: Sequence[c.Command]) -> Iterator[c.CommandResult]:
    # While the commands are already in the command log (a second run, or a run that was
    # interrupted), read their first results straight from the log instead of running the
    # handlers again; from the first new command on, execute (itself idempotent).
    replay = getattr(app, "replay", None)
    for command in commands:
        result = replay(command) if replay is not None else None
        if result is None:
            replay = None
            result = app.execute(command)
        yield result


def demo_commands(plan: DemoPlan | None = None) -> tuple[c.Command, ...]:
    """The commands ``load_demo`` runs, in order (for tests and inspection)."""
    return build_plan(plan or DemoPlan()).commands


def load_demo(
    app,
    plan: DemoPlan | None = None,
    progress: Callable[[int], None] = lambda n: None,
    *,
    batch: int = BATCH,
) -> DemoSummary:
    """Run the demo's commands in order, calling ``progress(1)`` after each: ``batch`` to a
    transaction (``organize.application.batch``: the same handlers, checks and events), or
    with ``batch=0`` one by one through ``app.execute``. Idempotent: commands already in the
    command log come back as replayed, so a second run appends nothing. A refused command
    (a bug in the demo) stops the run with everything before it written."""
    plan = plan or DemoPlan()
    built = build_plan(plan)
    began = time.perf_counter()
    before = app.recorder.max_notification_id() or 0
    applied = replayed = 0
    results = (run_batched(app, built.commands, size=batch) if batch
               else _one_by_one(app, built.commands))
    position = 0
    try:
        for position, result in enumerate(results, start=1):  # noqa: B007 - read below
            if result.replayed:
                replayed += 1
            else:
                applied += 1
            progress(1)
    except CommandError as e:
        command = built.commands[position]
        raise DemoError(
            f"Demo command {position + 1} ({type(command).__name__}) was refused: "
            f"{e.message} (field={e.field}, code={e.code})"
        ) from e
    after = app.recorder.max_notification_id() or 0
    counts = built.counts
    return DemoSummary(
        start=plan.start,
        end=plan.end,
        collectives=counts.get("collectives", 0),
        countries=counts.get("countries", 0),
        sectors=counts.get("sectors", 0),
        organisations=counts.get("organisations", 0),
        workers=counts.get("workers", 0),
        grievances=counts.get("grievances", 0),
        campaigns=counts.get("campaigns", 0),
        meetings=counts.get("meetings", 0),
        assessments=counts.get("assessments", 0),
        commands=len(built.commands),
        commands_applied=applied,
        commands_replayed=replayed,
        # Exact when nobody else writes at the same time (the CLI's case).
        events_appended=max(0, after - before) if applied else 0,
        seconds=time.perf_counter() - began,
    )
