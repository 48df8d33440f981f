"""The price of checking a command's field limits at the application's entry
(``organize.commands.base.check``, a round trip through ``msgspec.to_builtins`` and
``msgspec.convert``), per command.

    python -m bench.command_limits [--commands 2000] [--rounds 5]

Three commands of different shapes (a collective created, a worker registered with her
profile, a grievance of three workers) are checked ``--commands`` times a round. Each is set
beside two baselines run in the same rounds: decoding the same command from JSON (what the
API pays anyway, limits included) and running it through ``Organize.execute`` on the real
PostgreSQL (a fresh database), check included. The second ratio is the check's share of a
command. Each figure is the median of the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date
from functools import partial

import msgspec

from bench.common import fresh_database, open_runtime_on
from infra.logging import configure_logging
from organize import commands as c
from organize.commands.base import check

DAY = date(2026, 3, 2)


def seconds_each(work: Callable[[], None], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        work()
    return (time.perf_counter() - started) / n


def _execute(app, build: Callable[[], c.Command]) -> None:
    app.execute(build())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000, help="checks per round")
    parser.add_argument("--executes", type=int, default=200, help="executes per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    configure_logging("WARNING")
    with fresh_database() as db:
        runtime, _ = open_runtime_on(db)
        app = runtime.app
        made = c.CreateCollective(command_id=uuid.uuid4(), name="Bench", kind="worker_collective",
                                  sectors=("domestic_care",), places=("HK",))
        collective_id = app.execute(made).id
        workers = [app.execute(c.RegisterWorker(
            command_id=uuid.uuid4(), collective_id=collective_id, joined_on=DAY,
            profile=c.Profile(pseudonym=f"Worker {i}", phone="+852 6123 4567"))).id
            for i in range(3)]
        shapes: dict[str, Callable[[], c.Command]] = {
            "CreateCollective": lambda: c.CreateCollective(
                command_id=uuid.uuid4(), name="Bench two", kind="worker_collective",
                sectors=("domestic_care", "garment"), places=("HK",), languages=("ne", "bn")),
            "RegisterWorker": lambda: c.RegisterWorker(
                command_id=uuid.uuid4(), collective_id=collective_id, joined_on=DAY,
                profile=c.Profile(pseudonym="Asha Gurung", phone="+852 6123 4567",
                                  note="Works six days a week.")),
            "RaiseGrievance": lambda: c.RaiseGrievance(
                command_id=uuid.uuid4(), collective_id=collective_id, worker_ids=tuple(workers),
                category="excessive_hours", sector="domestic_care", place="HK",
                stage="destination", occurred_on=DAY, description="Long days, no rest day."),
        }
        print(f"{'command':<18}{'check µs':>10}{'decode µs':>11}{'execute µs':>12}"
              f"{'check/decode':>14}{'check/execute':>15}")
        for name, build in shapes.items():
            command = build()
            raw = msgspec.json.encode(command)
            kind = type(command)
            checks, decodes, executes = [], [], []
            for _ in range(args.rounds):  # alternating, so drift hits all three
                checks.append(seconds_each(partial(check, command), args.commands))
                decodes.append(seconds_each(partial(msgspec.json.decode, raw, type=kind),
                                            args.commands))
                executes.append(seconds_each(partial(_execute, app, build), args.executes))
            ch, de, ex = (statistics.median(x) for x in (checks, decodes, executes))
            print(f"{name:<18}{ch * 1e6:>10.1f}{de * 1e6:>11.1f}{ex * 1e6:>12.0f}"
                  f"{ch / de:>14.2f}{ch / ex:>15.4f}")
        app.close()


if __name__ == "__main__":
    main()
