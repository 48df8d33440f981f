"""Several runners on the same views: never an event applied twice, exactly one active.

Two runners with different batch sizes follow every view while writers append a random
history; afterwards every table of every view equals a build from scratch. Before the
position check, ``worker_directory`` counted overlapping batches twice (643 moves for 558).
Then the lease: of two following runners one is active per view, the other stands by, and
takes over when the active one stops.
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from organize.projections import registry
from organize.projections.runner import BatchedRunner
from tests.integration.support import OPS, World
from tests.support import own_runtime, view_rows

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def rt(database, settings):
    with own_runtime(database, settings, "organize_topology") as runtime:
        yield runtime


def scratch(rt, name: str, generation: int):
    view = registry.load_all()[name](rt.app.recorder.datastore, generation=generation,
                                     **rt.view_deps())
    view.drop()
    view.create_table()
    return view


def write_history(app, seed: int, steps: int) -> None:
    world = World(app, random.Random(seed))
    world.setup()
    rng = random.Random(seed + 1)
    for _ in range(steps):
        world.op(rng.choice(OPS))


def test_two_runners_with_different_batch_sizes_equal_a_rebuild(rt):
    app = rt.app
    names = list(registry.load_all())
    generation = 700
    shared = {name: scratch(rt, name, generation) for name in names}
    # Two runners on the same tables (two processes following the same views), both active:
    # the lease is off here, so only the position check stands between them and double work.
    runners = [
        BatchedRunner(app.recorder, app.mapper,
                      [registry.load_all()[n](app.recorder.datastore, generation=generation,
                                              **rt.view_deps()) for n in names],
                      batch_size=size)
        for size in (10, 100)
    ]
    done = threading.Event()
    errors: list[BaseException] = []

    def follow(runner: BatchedRunner) -> None:
        try:
            while not done.is_set():
                runner.catch_up()
                time.sleep(0.005)
            runner.catch_up()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=follow, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    write_history(app, seed=20261205, steps=500)
    done.set()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    head = app.recorder.max_notification_id()
    assert {v.position() for v in shared.values()} == {head}

    for name, live in shared.items():
        rebuilt = scratch(rt, name, generation + 1)
        BatchedRunner(app.recorder, app.mapper, [rebuilt], batch_size=1000).catch_up()
        ours, fresh = view_rows(live), view_rows(rebuilt)
        assert ours.keys() == fresh.keys()
        for table, rows in fresh.items():
            assert ours[table] == rows, f"{name}{table}: two runners differ from a rebuild"
        rebuilt.drop()
        live.drop()


def test_one_active_runner_per_view_and_a_standby_takes_over(rt):
    app = rt.app
    datastore = app.recorder.datastore
    generation = 720
    names = ["organisations", "worker_directory"]

    def runner() -> BatchedRunner:
        views = [registry.load_all()[n](datastore, generation=generation, **rt.view_deps())
                 for n in names]
        return BatchedRunner(app.recorder, app.mapper, views, batch_size=50,
                             listen_url=rt.database.url)

    views = [scratch(rt, n, generation) for n in names]
    first, second = runner(), runner()
    threads = [threading.Thread(target=r.run_forever, kwargs={"poll_seconds": 0.2}, daemon=True)
               for r in (first, second)]
    threads[0].start()
    _wait(lambda: first.active == set(names))
    threads[1].start()
    _wait(lambda: second.active is not None)
    assert second.active == set(), "a second runner must stand by while the first is active"

    write_history(app, seed=7, steps=60)
    head = app.recorder.max_notification_id()
    _wait(lambda: {v.position() for v in views} == {head})

    first.stop()  # the active runner goes: its lease connection closes with it
    threads[0].join(timeout=10)
    _wait(lambda: second.active == set(names))
    write_history(app, seed=8, steps=60)
    head = app.recorder.max_notification_id()
    _wait(lambda: {v.position() for v in views} == {head})
    second.stop()
    threads[1].join(timeout=10)

    for name, live in zip(names, views, strict=True):
        rebuilt = scratch(rt, name, generation + 1)
        BatchedRunner(app.recorder, app.mapper, [rebuilt], batch_size=1000).catch_up()
        assert view_rows(live) == view_rows(rebuilt), name
        rebuilt.drop()
        live.drop()


def _wait(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
