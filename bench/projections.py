"""Projection throughput: our batched runner against eventsourcing's stock ProjectionRunner.

    python -m bench.projections [--events 200000] [--stock-events 6000] [--rounds 3]
        [--sizes 10000,100000,1000000] [--size-rounds 3] [--per-view 20000] [--max-batch 5000]
        [--views all|rows|both]

1. Loads the demo dataset, then multiplies it (each copy with fresh ids) until the log holds
   at least ``--events`` events.
2. Catches up ALL views over the whole log with our batched runner (batches of 500 growing
   up to ``--max-batch`` while behind, as rebuilds do; 500 keeps them fixed), then the
   row views (every view but the indicators). With ``--sizes``, the log grows to each size
   in turn and both catch-ups run over the whole log at each (``--size-rounds`` rounds,
   median): the cost per event should stay flat as the log grows, so each size's rate is
   also printed as a ratio to the smallest size's. Beside each, the process's peak
   resident memory (``ru_maxrss``) after the catch-up: constant memory keeps it flat too.
   ``--views rows`` (or ``all``) runs only that one of the two catch-ups.
   With ``--per-view N``, each view is then caught up alone over the first N events, to
   show which views are slow.
3. On the first ``--stock-events`` events, in alternating rounds, catches up all views
   with our runner and with the stock ``ProjectionRunner`` (one transaction per event,
   one runner per view, run one after another, as its users write a projection), into
   fresh table generations each time. Both sides end with the same views: ours finishes
   the indicator recomputes it set aside while behind (``View.finish``) inside the timed
   window, as the stock side recomputes after every event. The ratio is ours / stock on
   the same events (median of the rounds), with all views and without the indicators.
4. Times the indicator computation over the whole dataset.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import uuid
from typing import Any

import msgspec
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection, ProjectionRunner

from bench.common import fresh_database, open_runtime_on
from infra.logging import configure_logging
from organize.application import Organize
from organize.demo import DemoPlan, load_demo
from organize.projections import registry
from organize.projections.runner import CATCH_UP_BATCH, BatchedRunner
from organize.runtime import Runtime

COPY_NS = uuid.UUID("6f726761-6e69-7a65-8000-00000000beef")


def remap(value: Any, k: int) -> Any:
    """The same value with every UUID replaced by copy k's UUID."""
    if isinstance(value, uuid.UUID):
        return uuid.uuid5(COPY_NS, f"{k}:{value}")
    if isinstance(value, tuple):
        return tuple(remap(v, k) for v in value)
    if isinstance(value, list):
        return [remap(v, k) for v in value]
    if isinstance(value, dict):
        return {remap(key, k): remap(v, k) for key, v in value.items()}
    if isinstance(value, msgspec.Struct):
        return msgspec.structs.replace(
            value, **{f: remap(getattr(value, f), k) for f in value.__struct_fields__})
    if isinstance(value, str) and value.startswith("referral:"):
        return "referral:" + str(remap(uuid.UUID(value.split(":", 1)[1]), k))
    return value


def multiply(app: Organize, target: int, originals: int | None = None) -> int:
    """Copy the first ``originals`` events (the demo; by default the whole log) with fresh ids
    until the log holds ``target`` events. Returns the head. Called again with a larger
    target, it goes on from the copies already made."""
    head = app.recorder.max_notification_id() or 0
    originals = originals or head
    source = app.recorder.select_notifications(start=1, limit=originals)
    events = [app.mapper.to_domain_event(n) for n in source]
    k = head // originals - 1  # copies made so far
    while head < target:
        k += 1
        stored = []
        for e in events:
            clone = object.__new__(type(e))
            object.__setattr__(clone, "__dict__", {key: remap(v, k) for key, v in vars(e).items()})
            stored.append(app.mapper.to_stored_event(clone))
        for i in range(0, len(stored), 5000):
            app.recorder.insert_events(stored[i:i + 5000])
        head = app.recorder.max_notification_id() or 0
        print(f"  copy {k}: log now holds {head} events", flush=True)
    return head


def fresh_views(runtime: Runtime, generation: int, names: list[str] | None = None) -> list:
    classes = registry.load_all()
    views = []
    for cls in (classes[n] for n in names or classes):
        view = cls(runtime.app.recorder.datastore, generation=generation, **runtime.view_deps())
        view.drop()
        view.create_table()
        views.append(view)
    return views


def stock_round(runtime: Runtime, generation: int, until: int, env: dict[str, str],
                names: list[str]) -> float:
    """These views through stock ProjectionRunners (one per view, one after another)."""
    app = runtime.app
    total = 0.0
    for name in names:
        cls = registry.load_all()[name]
        deps = runtime.view_deps()

        class StockView(cls):  # the factory passes datastore + tracking_table_name
            view_deps = deps

            def __init__(self, datastore, **_: Any):
                super().__init__(datastore, generation=generation, **self.view_deps)

        class StockProjection(Projection[StockView]):
            name = f"stock_{cls.name}"
            topics = cls.topics()

            def process_event(self, domain_event: Any, tracking: Tracking) -> None:
                with self.view.datastore.transaction(commit=True) as curs:
                    self.view.apply(curs, domain_event, tracking.notification_id)
                    self.view.after_batch(curs)
                    self.view._insert_tracking(curs, tracking)

        class Reader(Organize):
            name = "Organize"

            def __init__(self, env=None):
                super().__init__(env, taxonomy=app.taxonomy, master_key=env["CIPHER_KEY"])

        probe = StockView(app.recorder.datastore)
        probe.drop()
        probe.create_table()
        last = max((n.id for n in app.recorder.select_notifications(
            start=1, limit=until, stop=until, topics=list(cls.topics()))), default=0)
        started = time.perf_counter()
        with ProjectionRunner(application_class=Reader, projection_class=StockProjection,
                              view_class=StockView, env=env) as runner:
            if last:
                runner.wait(last, timeout=3600)
        total += time.perf_counter() - started
        probe.drop()
    return until / total


MAX_BATCH = CATCH_UP_BATCH  # ``--max-batch``: how large catch-up batches grow


def ours_round(runtime: Runtime, generation: int, until: int | None = None,
               names: list[str] | None = None) -> tuple[float, int]:
    views = fresh_views(runtime, generation, names)
    runner = BatchedRunner(runtime.app.recorder, runtime.app.mapper, views, batch_size=500,
                           max_batch=MAX_BATCH)
    started = time.perf_counter()
    consumed = runner.catch_up(until=until)
    for view in views:  # what was set aside while behind: the same end state as the stock side
        with view.datastore.transaction(commit=True) as curs:
            view.finish(curs)
    elapsed = time.perf_counter() - started
    return consumed / elapsed, consumed


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sized_rounds(runtime: Runtime, names: list[str], generation: int, rounds: int,
                 until: int | None = None) -> tuple[float, int, list[float]]:
    """Catch ``names`` up over the whole log (or its first ``until`` events), ``rounds``
    times: (median events/s, events, rates)."""
    rates, consumed = [], 0
    for _ in range(rounds):
        rate, consumed = ours_round(runtime, generation, until, names=names)
        rates.append(rate)
    return statistics.median(rates), consumed, rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--stock-events", type=int, default=6_000,
                        help="events for the comparison with the stock runner (0: none)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="",
                        help="log sizes to catch up at, comma-separated (default: --events)")
    parser.add_argument("--size-rounds", type=int, default=3)
    parser.add_argument("--per-view", type=int, default=0,
                        help="catch each view up alone over the first N events")
    parser.add_argument("--max-batch", type=int, default=CATCH_UP_BATCH,
                        help="how large our runner's batches grow while behind (500: fixed)")
    parser.add_argument("--views", choices=("both", "all", "rows"), default="both",
                        help="which catch-up to run at each size: all views, the row views"
                             " (all but the indicators) or both")
    args = parser.parse_args()
    global MAX_BATCH  # noqa: PLW0603 - one setting for every round of this run
    MAX_BATCH = args.max_batch
    configure_logging("WARNING")
    sizes = sorted(int(x) for x in args.sizes.split(",") if x) or [args.events]
    with fresh_database() as db:
        runtime, env = open_runtime_on(db)
        app = runtime.app
        started = time.perf_counter()
        load_demo(app, DemoPlan())
        demo_events = app.recorder.max_notification_id()
        print(f"demo loaded: {demo_events} events in {time.perf_counter() - started:.0f} s")
        views = registry.load_all()
        print(f"views: {', '.join(views)}")
        every = list(views)
        rows = [n for n in every if n != "indicators"]
        baseline: dict[str, float] = {}
        for size in sizes:
            head = multiply(app, size, demo_events)
            catch_ups = (("all", "all views", every, 100), ("rows", "row views", rows, 101))
            for which, label, names, generation in catch_ups:
                if args.views not in ("both", which):
                    continue
                # A size below the demo's catches up over the log's first ``size`` events.
                rate, consumed, rates = sized_rounds(runtime, names, generation, args.size_rounds,
                                                     size if size < head else None)
                baseline.setdefault(label, rate)
                print(f"log of {min(size, head)} events, {label}, catch-up over the whole log: "
                      f"{rate:,.0f} events/s (median of {len(rates)}: "
                      + ", ".join(f"{x:,.0f}" for x in rates)
                      + f"), {rate / baseline[label]:.2f}x the smallest log's rate, "
                      f"peak RSS {peak_mb():,.0f} MB", flush=True)
        if args.per_view:
            print(f"each view alone, first {args.per_view} events:")
            for name in every if args.views != "rows" else rows:
                rate, _ = ours_round(runtime, 300, args.per_view, [name])
                print(f"  {name:22s} {rate:10,.0f} events/s", flush=True)

        comparisons = (("all views", every, 200), ("without indicators", rows, 400))
        for label, names, base in comparisons if args.stock_events else ():
            ours_rates, stock_rates = [], []
            for r in range(args.rounds):
                ours_rates.append(ours_round(runtime, base + r, args.stock_events, names)[0])
                stock_rates.append(stock_round(runtime, base + 100 + r, args.stock_events, env,
                                               names))
            ours_m, stock_m = statistics.median(ours_rates), statistics.median(stock_rates)
            print(f"first {args.stock_events} events, {label}, {args.rounds} rounds (median):")
            print(f"  batched runner  {ours_m:10,.0f} events/s   rounds: "
                  + ", ".join(f"{x:,.0f}" for x in ours_rates))
            print(f"  stock runner    {stock_m:10,.0f} events/s   rounds: "
                  + ", ".join(f"{x:,.0f}" for x in stock_rates))
            print(f"  ratio           {ours_m / stock_m:10.1f}x")

        indicator_view = None
        if "indicators" in views and args.views != "rows":  # generation 100: the catch-up above
            indicator_view = views["indicators"](app.recorder.datastore, generation=100,
                                                 **runtime.view_deps())
        if indicator_view is not None and hasattr(indicator_view, "recompute_all"):
            timings = []
            for _ in range(args.rounds):
                with indicator_view.datastore.transaction(commit=True) as curs:
                    t0 = time.perf_counter()
                    indicator_view.recompute_all(curs)
                    timings.append(time.perf_counter() - t0)
            print(f"indicators, whole dataset ({head} events): median "
                  f"{statistics.median(timings):.2f} s over {args.rounds} rounds")
        app.close()


if __name__ == "__main__":
    main()
