"""The seal: the command path with the sealer following, and the sealer's own throughput.

    python -m bench.seal [--commands 400] [--rounds 5] [--events 20000]

1. Single-command appends (each command loads, changes and saves one aggregate in its own
   transaction, as ``bench/append.py`` does) with the sealer idle and with the sealer following
   the log in a thread of the same process (as ``organize serve`` runs it), each against a stock
   eventsourcing application measured in the same rounds. The two ratios should match: the
   seal does no work on the command path.
2. Sealing throughput: a fresh sealer catches up over a log of ``--events`` events (blocks of
   1,024, a signed checkpoint every 16). The baseline is reading the same notifications with
   nothing done to them, so the ratio is the price of hashing and writing the blocks.

Rounds alternate between the variants so drift on a shared machine hits all; each figure is
the median of the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.append import Stock
from bench.common import fresh_database, open_runtime_on, rate
from infra.logging import configure_logging
from organize import commands as c
from organize.domain import Collective
from organize.seal.checkpoint import Signer
from organize.seal.sealer import Sealer, SealRunner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=400, help="commands per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--events", type=int, default=20000, help="log size to seal")
    args = parser.parse_args()
    configure_logging("WARNING")
    signer = Signer("bench.local/seal", Ed25519PrivateKey.generate())

    with fresh_database() as db:
        runtime, env = open_runtime_on(db)
        ours = runtime.app
        stock = Stock(env=db.eventsourcing_env())
        datastore = ours.recorder.datastore
        generation = iter(range(1, 10_000))

        def sealer() -> Sealer:
            s = Sealer(datastore, generation=next(generation))
            s.create_table()
            return s

        def collective(i: int) -> Collective:
            return Collective.create(
                id=uuid.uuid4(),
                name=f"Collective {i}",
                kind="worker_collective",
                sectors=("garment",),
                places=("HK",),
                languages=("en",),
                federation="fed",
                taxonomy=runtime.taxonomy,
            )

        def ours_single() -> int:
            target = ours.execute(
                c.CreateCollective(command_id=uuid.uuid4(), name="Bench", kind="worker_collective")
            ).id
            for i in range(args.commands):
                ours.execute(
                    c.RenameCollective(command_id=uuid.uuid4(), collective_id=target, name=f"Name {i}")
                )
            return args.commands

        def stock_single() -> int:
            agg = collective(0)
            stock.save(agg)
            for i in range(args.commands):
                agg = stock.repository.get(agg.id)
                agg.rename(f"Name {i}")
                stock.save(agg)
            return args.commands

        # A follower that seals as the log grows, started before and stopped after each timed
        # round (stopping waits for its LISTEN timeout, which is not the command path's time).
        # Blocks of 256 so that it seals while the round runs.
        live = sealer()

        def start_follower():
            runner = SealRunner(ours.recorder, live, signer, block_size=256)
            return runner, runner.start()

        ours_single()  # warm up connections, prepared statements, caches
        stock_single()
        rates: dict[str, list[float]] = {"idle": [], "sealing": [], "stock": []}
        for _ in range(args.rounds):
            rates["idle"].append(rate(ours_single))
            runner, thread = start_follower()
            rates["sealing"].append(rate(ours_single))
            runner.stop()
            thread.join()
            rates["stock"].append(rate(stock_single))
        sealed_blocks = len(live.blocks())
        med = {k: statistics.median(v) for k, v in rates.items()}

        # -- sealing throughput ------------------------------------------------------------
        while (ours.recorder.max_notification_id() or 0) < args.events:
            ours.save(*[collective(i) for i in range(1000)])
        head = ours.recorder.max_notification_id()

        def read_only() -> int:
            n, start = 0, 1
            while True:
                page = ours.recorder.select_notifications(start=start, limit=1024, stop=head)
                n += len(page)
                if len(page) < 1024:
                    return n
                start = page[-1].id + 1

        def seal_all() -> int:
            runner = SealRunner(ours.recorder, sealer(), signer)
            runner.catch_up(until=head)
            return runner.sealer.position() and sum(b["leaves"] for b in runner.sealer.blocks())

        read_rates, seal_rates = [], []
        for _ in range(args.rounds):
            read_rates.append(rate(read_only))
            seal_rates.append(rate(seal_all))
        read_med, seal_med = statistics.median(read_rates), statistics.median(seal_rates)

        print(f"seal benchmark: {args.rounds} rounds, medians")
        print(f"1. single-command appends, events/s ({args.commands} commands per round)")
        print(f"{'   variant':34} {'organize':>10} {'stock':>10} {'ratio':>7}")
        for label, key in [("sealer idle", "idle"), ("sealer following (same process)", "sealing")]:
            print(f"   {label:31} {med[key]:10.0f} {med['stock']:10.0f} {med[key] / med['stock']:7.2f}x")
        print(f"   (the follower sealed {sealed_blocks} blocks of 256 during the rounds)")
        print(f"2. sealing a log of {head} events (blocks of 1,024), events/s")
        print(f"   {'read notifications only':31} {read_med:10.0f}")
        print(f"   {'seal (hash, chain, write)':31} {seal_med:10.0f} {seal_med / read_med:7.2f}x of reading")
        stock.close()
        ours.close()


if __name__ == "__main__":
    main()
