"""Property: whatever the interleaving of commands, and however the runner happens to batch
them, an incrementally maintained view equals the same view rebuilt from scratch.

Each example sends a random stream of commands (workers, grievances, spells, meetings,
campaigns...), catching the live views up at random points with a random batch size, then
rebuilds every view (blue/green, ``registry.rebuild``) and compares every row of every
table of the old generation with the new one.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organize.projections import registry
from organize.projections.runner import BatchedRunner
from tests.integration.support import STEPS, World
from tests.support import own_runtime, view_rows

pytestmark = pytest.mark.integration

VIEWS = ["grievance_register", "common_grievances", "campaign_board", "meeting_log",
         "worker_directory", "sector_flows", "organisations", "grievance_deadlines"]

@pytest.fixture(scope="module")
def own_app(database, settings):
    """An application over a database of its own on the same server: a rebuild replays the
    whole log, so this test's log holds only its own events (not the demo's)."""
    with own_runtime(database, settings, "organize_views_prop") as runtime:
        yield runtime.app


@settings(max_examples=18, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=STEPS, seed=st.integers(0, 2**32 - 1),
       batch_size=st.sampled_from([1, 2, 3, 5, 17, 500]),
       rebuild_batch=st.sampled_from([7, 1000]))
def test_incremental_views_equal_a_rebuild(own_app, steps, seed, batch_size, rebuild_batch):
    app = own_app
    datastore = app.recorder.datastore
    views = registry.open_views(datastore, VIEWS, taxonomy=app.taxonomy)
    runner = BatchedRunner(app.recorder, app.mapper, views, batch_size=batch_size)
    world = World(app, random.Random(seed))
    world.setup()
    world.play(steps, runner)
    assert {v.position() for v in views} == {app.recorder.max_notification_id()}

    for view in views:
        live = view_rows(view)
        generation = registry.rebuild(datastore, app.recorder, app.mapper, view.name,
                                      batch_size=rebuild_batch, taxonomy=app.taxonomy)
        (rebuilt,) = registry.open_views(datastore, [view.name], taxonomy=app.taxonomy)
        assert rebuilt.generation == generation == view.generation + 1
        fresh = view_rows(rebuilt)
        assert fresh.keys() == live.keys()
        for table, rows in live.items():
            assert fresh[table] == rows, f"{view.name}{table} differs after a rebuild"
