"""The batched runner on a real PostgreSQL: catch-up, tracking, blue/green rebuild."""

from __future__ import annotations

import time

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from organize.projections import registry
from organize.projections.runner import BatchedRunner
from tests.integration import support as h

pytestmark = pytest.mark.integration


def orgs(view) -> dict:
    with view.datastore.transaction() as curs:
        curs.execute(f"SELECT id, name, grievances FROM {view.t.orgs}")
        return {r["id"]: (r["name"], r["grievances"]) for r in curs.fetchall()}


def test_catch_up_follows_the_log_and_tracks_position(app):
    (view,) = registry.open_views(app.recorder.datastore, ["organisations"])
    runner = BatchedRunner(app.recorder, app.mapper, [view], batch_size=7)
    runner.catch_up()
    org = app.execute(h.create_organisation(name="Agency Alpha", kind="recruiter"))
    collective = app.execute(h.create_collective())
    worker = app.execute(h.register_worker(collective.id))
    app.execute(h.raise_grievance(collective.id, [worker.id], organisation_ids=(org.id,)))
    assert runner.catch_up() > 0
    assert view.position() == app.recorder.max_notification_id()
    assert orgs(view)[org.id] == ("Agency Alpha", 1)
    assert runner.catch_up() == 0  # nothing new, nothing applied twice
    assert orgs(view)[org.id] == ("Agency Alpha", 1)


def test_blue_green_rebuild_equals_the_live_view(app):
    datastore = app.recorder.datastore
    (live,) = registry.open_views(datastore, ["organisations"])
    BatchedRunner(app.recorder, app.mapper, [live]).catch_up()
    before = orgs(live)
    steps = []
    generation = registry.rebuild(datastore, app.recorder, app.mapper, "organisations",
                                  progress=steps.append, batch_size=50)
    assert generation == live.generation + 1
    assert sum(steps) >= app.recorder.max_notification_id() - 1
    (new,) = registry.open_views(datastore, ["organisations"])
    assert new.generation == generation
    assert orgs(new) == before
    assert registry.switched(datastore, [live]) is not None


def test_a_killed_rebuild_is_told_apart_from_a_running_one(app, database):
    """`projections status` said "rebuilding" for ever after a rebuild was killed: the
    mark stayed. A running rebuild holds an advisory lock that dies with its process."""
    datastore = app.recorder.datastore
    registry.open_views(datastore, ["organisations"])
    assert not registry.rebuild_running(datastore, "organisations")
    with psycopg.connect(database.url, autocommit=True) as rebuilding:
        rebuilding.execute("SELECT pg_advisory_lock(hashtext('organize_rebuild:organisations'))")
        assert registry.rebuild_running(datastore, "organisations")
    # Its process died (the connection closed): no rebuild runs, whatever the mark says
    # (the server notices a closed connection within moments).
    deadline = time.monotonic() + 10
    while registry.rebuild_running(datastore, "organisations") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not registry.rebuild_running(datastore, "organisations")
    generation = registry.rebuild(datastore, app.recorder, app.mapper, "organisations")
    assert registry.generations(datastore)["organisations"] == (generation, None)
    assert not registry.rebuild_running(datastore, "organisations")


def test_a_handler_that_breaks_a_constraint_stops_the_catch_up_instead_of_looping(app):
    """A unique key broken by the view's own handler (a bug) used to be taken for another
    runner's batch: the runner read the same batch again, for ever. With the view's position
    unmoved, nobody else applied it: the error is raised."""
    (view,) = registry.open_views(app.recorder.datastore, ["organisations"])
    BatchedRunner(app.recorder, app.mapper, [view]).catch_up()
    before = view.position()
    app.execute(h.create_organisation(name="Agency Beta", kind="recruiter"))

    def broken(curs, event, notification_id):
        curs.execute(f"INSERT INTO {view.t.tracking} (application_name, notification_id) "
                     "VALUES ('Organize', 1), ('Organize', 1)")

    for event_class, attr in view._handlers.items():
        setattr(view, attr, broken)
    runner = BatchedRunner(app.recorder, app.mapper, [view], batch_size=7)
    with pytest.raises(IntegrityError):
        runner.catch_up()
    assert view.position() == before
