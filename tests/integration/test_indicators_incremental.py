"""Property: the indicators kept batch after batch equal the indicators rebuilt from scratch.

Kept live, a batch's facts are recomputed into the series of the subjects they touch, from
the earliest week they change (facts arrive back-dated, in any order), and only the rows that
change are written; far behind the log, the touched subjects wait in the pending table and
are recomputed once. Each example sends a random stream of commands, catching the view up at
random points with a random batch size, either recomputing after every batch or setting the
work aside until the end; then it rebuilds the view (blue/green, ``registry.rebuild``) and
compares every row of every table of the two generations.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organize.projections import registry
from organize.projections.indicators import view as indicators_view
from organize.projections.runner import BatchedRunner
from tests.integration.support import STEPS, World
from tests.support import own_runtime, view_rows

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own_app(database, settings):
    """An application over a database of its own: a rebuild replays the whole log."""
    with own_runtime(database, settings, "organize_indicators_prop") as runtime:
        yield runtime.app


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=STEPS, seed=st.integers(0, 2**32 - 1), batch_size=st.sampled_from([1, 2, 5, 17, 500]),
       rebuild_batch=st.sampled_from([7, 1000]), far_behind=st.booleans())
def test_indicators_kept_batch_after_batch_equal_a_rebuild(own_app, steps, seed, batch_size,
                                                           rebuild_batch, far_behind):
    app = own_app
    datastore = app.recorder.datastore
    (view,) = registry.open_views(datastore, ["indicators"], taxonomy=app.taxonomy)
    runner = BatchedRunner(app.recorder, app.mapper, [view], batch_size=batch_size)
    world = World(app, random.Random(seed))
    world.setup()
    lag = indicators_view.CATCH_UP_LAG
    # Far behind: every batch sets its subjects aside; otherwise every batch recomputes them.
    indicators_view.CATCH_UP_LAG = -1 if far_behind else 10**9
    try:
        world.play(steps, runner)
    finally:
        indicators_view.CATCH_UP_LAG = lag
    with datastore.transaction(commit=True) as curs:
        view.finish(curs)
    assert view.position() == app.recorder.max_notification_id()
    live = view_rows(view)
    assert not live["_pending"]

    generation = registry.rebuild(datastore, app.recorder, app.mapper, "indicators",
                                  batch_size=rebuild_batch, taxonomy=app.taxonomy)
    (rebuilt,) = registry.open_views(datastore, ["indicators"], taxonomy=app.taxonomy)
    assert rebuilt.generation == generation == view.generation + 1
    fresh = view_rows(rebuilt)
    assert fresh.keys() == live.keys()
    for table, rows in live.items():
        assert fresh[table] == rows, f"indicators{table} differs after a rebuild"
