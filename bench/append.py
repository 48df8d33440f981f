"""Append throughput: our write path against a stock eventsourcing application.

    python -m bench.append [--commands 400] [--batch 500] [--rounds 5]

Single-command appends: each command loads one aggregate, changes it and saves it in its
own transaction, as a person submitting a form does. Ours goes through ``execute`` (the
command log row, the msgspec mapper, AES-GCM encryption of the state). The baseline is a
stock ``Application`` on the same server with eventsourcing's default JSON transcoder and
no cipher, doing the same load-change-save.

Batched appends: ``save`` of many new aggregates in one transaction (what an import does).

Rounds alternate between ours and stock so drift on a shared machine hits both; the figure
is the median of the rounds and the ratio is ours / stock.

Demo loading (``--demo-rounds``, 0 to skip): the whole demo (``organize demo``) loaded into
a fresh database through the batched command path (``organize.application.batch``) and one
command at a time (``execute``), alternating, median commands/s of the rounds each; the
ratio is batched / one-by-one.
"""

from __future__ import annotations

import argparse
import statistics
import uuid

from eventsourcing.application import Application

from bench.common import fresh_database, median_rate
from infra.keyfile import new_key
from infra.logging import configure_logging
from infra.schema import apply_schema
from infra.settings import Settings
from organize import commands as c
from organize.application import Organize
from organize.domain import Collective, load_taxonomy
from organize.runtime import application_env


class Stock(Application):
    name = "Stock"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=400, help="commands per round")
    parser.add_argument("--batch", type=int, default=500, help="aggregates per batched save")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--demo-rounds", type=int, default=3,
                        help="demo loads per path (batched, one by one); 0 skips them")
    args = parser.parse_args()
    configure_logging("WARNING")  # a log line per command would be measured too
    taxonomy = load_taxonomy()

    with fresh_database() as db:
        apply_schema(db.url)
        key = new_key()
        settings = Settings(database_url=db.url, home=None, cipher_key=key, pool_size=2)
        ours = Organize(application_env(db, key, settings), taxonomy=taxonomy, master_key=key)
        stock = Stock(env=db.eventsourcing_env())

        def collective(i: int) -> Collective:
            return Collective.create(id=uuid.uuid4(), name=f"Collective {i}", kind="worker_collective",
                                     sectors=("domestic_care", "garment"), places=("HK",),
                                     languages=("en", "ne"), federation="fed", taxonomy=taxonomy)

        # One aggregate per system to rename again and again: same stream lengths on both sides.
        ours_id = ours.execute(c.CreateCollective(command_id=uuid.uuid4(), name="Bench",
                                                  kind="worker_collective")).id
        stock_agg = collective(0)
        stock.save(stock_agg)
        stock_id = stock_agg.id

        def ours_single() -> int:
            for i in range(args.commands):
                ours.execute(c.RenameCollective(command_id=uuid.uuid4(), collective_id=ours_id,
                                                name=f"Name {i}"))
            return args.commands

        def stock_single() -> int:
            for i in range(args.commands):
                agg = stock.repository.get(stock_id)
                agg.rename(f"Name {i}")
                stock.save(agg)
            return args.commands

        def ours_batch() -> int:
            ours.save(*[collective(i) for i in range(args.batch)])
            return args.batch

        def stock_batch() -> int:
            stock.save(*[collective(i) for i in range(args.batch)])
            return args.batch

        # Streams grow as rounds go on; a fresh aggregate per round keeps loads comparable.
        def fresh_single(work, reset):
            def run() -> int:
                reset()
                return work()
            return run

        def reset_ours() -> None:
            nonlocal ours_id
            ours_id = ours.execute(c.CreateCollective(command_id=uuid.uuid4(), name="Bench",
                                                      kind="worker_collective")).id

        def reset_stock() -> None:
            nonlocal stock_id
            agg = collective(0)
            stock.save(agg)
            stock_id = agg.id

        # Warm up both (connections, prepared statements, caches).
        ours_single()
        stock_single()
        results = {}
        for label, a, b in [
            ("single-command appends", fresh_single(ours_single, reset_ours),
             fresh_single(stock_single, reset_stock)),
            ("batched appends (save of many)", ours_batch, stock_batch),
        ]:
            ours_rates, stock_rates = [], []
            for _ in range(args.rounds):
                ours_rates.append(median_rate(a, 1)[0])
                stock_rates.append(median_rate(b, 1)[0])
            results[label] = (statistics.median(ours_rates), statistics.median(stock_rates))

        print(f"append benchmark: {args.rounds} rounds, median events/s "
              f"({args.commands} commands per single round, {args.batch} aggregates per batch)")
        print(f"{'workload':34} {'organize':>10} {'stock':>10} {'ratio':>7}")
        for label, (o, s) in results.items():
            print(f"{label:34} {o:10.0f} {s:10.0f} {o / s:7.2f}x")
        print("organize = execute() with command log, msgspec mapper and AES-GCM; "
              "stock = eventsourcing Application, JSON transcoder, no cipher")
        ours.close()
        stock.close()
    if args.demo_rounds:
        demo_loading(args.demo_rounds, taxonomy)


def demo_loading(rounds: int, taxonomy) -> None:
    from organize.demo import DemoPlan, load_demo

    def load(batch: int) -> float:
        with fresh_database() as db:
            apply_schema(db.url)
            key = new_key()
            settings = Settings(database_url=db.url, home=None, cipher_key=key, pool_size=2)
            app = Organize(application_env(db, key, settings), taxonomy=taxonomy, master_key=key)
            try:
                summary = load_demo(app, DemoPlan(), batch=batch)
            finally:
                app.close()
            assert summary.commands_applied == summary.commands
            return summary.commands / summary.seconds

    batched, single = [], []
    for _ in range(rounds):
        batched.append(load(500))
        single.append(load(0))
    b, s = statistics.median(batched), statistics.median(single)
    print(f"demo loading: {rounds} rounds each, median commands/s "
          f"({DemoPlan().total_commands()} commands per load)")
    print(f"{'path':34} {'cmds/s':>10}")
    print(f"{'batched (500 per transaction)':34} {b:10.0f}")
    print(f"{'one by one (execute)':34} {s:10.0f}")
    print(f"{'ratio batched / one by one':34} {b / s:10.2f}x")
    print("rounds: batched " + ", ".join(f"{r:.0f}" for r in batched)
          + "; one by one " + ", ".join(f"{r:.0f}" for r in single))


if __name__ == "__main__":
    main()
