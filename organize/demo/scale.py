"""A collective at real size, for trying the lists, search and paging: ``organize demo
--scale N`` adds, beside the demo, one collective with years of history (N grievances over
five years, a worker for every forty of them, a meeting for every ten, some resolved and
some withdrawn), with a leader account of its own: ``leader-scale`` / ``demo-leader-scale``.

Deterministic like the demo: every command id derives from the scale and its position, and
dates from a fixed end day, so running it twice adds nothing, and a larger N only adds.
Pseudonyms are made up (two syllables); no real person's data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from organize import commands as c
from organize.application import new_id
from organize.application.batch import run_batched

NAMESPACE = uuid5(NAMESPACE_URL, "organize:demo:scale")
END = date(2026, 10, 31)  # the demo's last day: fixed, never today's
YEARS = 5
SYLLABLES = ("a", "ni", "ra", "sha", "mi", "ta", "ka", "li", "na", "ya", "si", "ma", "da",
             "ri", "ja", "pu", "la", "ti", "ha", "bi")
LEADER = ("leader-scale", "demo-leader-scale")


def _id(key: str) -> UUID:
    return uuid5(NAMESPACE, key)


def commands(n: int, taxonomy) -> Iterator[c.Command]:
    """The commands that build the collective at size ``n`` (a prefix of those at any
    larger size, so growing it only adds)."""
    create = c.CreateCollective(command_id=_id("collective"), name="Years of history",
                                kind="worker_collective", sectors=("domestic_care",),
                                places=("HK", "HK-KLN"), languages=("ne", "bn", "en"),
                                federation="Demo: scale")
    yield create
    coll = new_id(create.command_id, "collective")
    categories = taxonomy.codes("categories")
    workers: list[UUID] = []
    start = END - timedelta(days=365 * YEARS)
    for i in range(n):
        if i % 40 == 0:
            k = len(workers)
            name = "".join(SYLLABLES[(k * m + m) % len(SYLLABLES)] for m in (1, 7, 13)).title()
            name = f"{name} {k + 1}"
            register = c.RegisterWorker(command_id=_id(f"worker:{len(workers)}"),
                                        profile=c.Profile(pseudonym=name), collective_id=coll,
                                        joined_on=start)
            yield register
            workers.append(new_id(register.command_id, "worker"))
        day = start + timedelta(days=(i * 7919) % (365 * YEARS))
        raise_ = c.RaiseGrievance(
            command_id=_id(f"grievance:{i}"), collective_id=coll,
            worker_ids=(workers[(i * 31) % len(workers)],),
            category=categories[i % len(categories)], sector="domestic_care",
            place=("HK", "HK-KLN")[i % 2], stage="destination", occurred_on=day,
            description=f"Case {i + 1}: recorded for the scale demo.")
        yield raise_
        g = new_id(raise_.command_id, "grievance")
        on = min(END, day + timedelta(days=30))
        if i % 3 == 0:
            yield c.RecordOutcome(command_id=_id(f"outcome:{i}"), grievance_id=g,
                                  outcome="documents_returned", on=on)
        elif i % 11 == 5:
            yield c.WithdrawGrievance(command_id=_id(f"withdraw:{i}"), grievance_id=g, on=on)
        if i % 10 == 9:
            when = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10)
            schedule = c.ScheduleMeeting(command_id=_id(f"meeting:{i}"), kind="assembly",
                                         collective_ids=(coll,), scheduled_for=when,
                                         language="ne")
            yield schedule
            present = tuple(dict.fromkeys(workers[(i + k) % len(workers)] for k in range(4)))
            yield c.RecordMeetingHeld(command_id=_id(f"held:{i}"),
                                      meeting_id=new_id(schedule.command_id, "meeting"),
                                      held_at=when, attendee_ids=present,
                                      facilitator_ids=present[:1], language="ne")


def load_scaled(app, n: int, progress: Callable[[int], None] = lambda k: None, *,
                batch: int = 500) -> int:
    """Run the commands for size ``n`` (idempotent), ``batch`` to a transaction
    (``organize.application.batch``; 0: one by one); the number that did something new."""
    applied = 0
    commands_ = commands(n, app.taxonomy)
    results = (run_batched(app, commands_, size=batch) if batch
               else (app.execute(command) for command in commands_))
    for result in results:
        if not result.replayed:
            applied += 1
        progress(1)
    return applied


def collective_id() -> UUID:
    return new_id(_id("collective"), "collective")
