"""Exactly-once under stress: a runner process killed mid-run with SIGKILL resumes from its
tracking position, and concurrent writers with a following runner lose nothing.

The organisations view counts grievances per organisation with a plain ``+ 1``; an event
applied twice or skipped shows as a count that differs from a build from scratch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from organize.projections.runner import BatchedRunner
from organize.projections.views.organisations import OrganisationsView
from tests.integration import support as h

pytestmark = pytest.mark.integration


def rows(view) -> list:
    with view.datastore.transaction() as curs:
        curs.execute(f"SELECT id, name, kind, place, grievances FROM {view.t.orgs} ORDER BY id")
        return [tuple(r.values()) for r in curs.fetchall()]


def scratch(app, generation: int):
    """A throw-away generation built from the start of the log, never switched to."""
    view = OrganisationsView(app.recorder.datastore, generation=generation)
    view.drop()
    view.create_table()
    return view


def make_grievances(app, n_orgs: int, per_org: int) -> None:
    collective = app.execute(h.create_collective())
    worker = app.execute(h.register_worker(collective.id))
    for _ in range(n_orgs):
        org = app.execute(h.create_organisation())
        for _ in range(per_org):
            app.execute(h.raise_grievance(collective.id, [worker.id], organisation_ids=(org.id,)))


def test_runner_killed_mid_batch_resumes_without_loss_or_duplicates(app, settings, tmp_path):
    make_grievances(app, n_orgs=20, per_org=40)  # ~850 events
    live = scratch(app, generation=901)
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "ORGANIZE_CIPHER_KEY": settings.cipher_key, "ORGANIZE_HOME": str(tmp_path),
           "ORGANIZE_LOG_LEVEL": "WARNING"}
    # A runner process over generation 901, in small batches so a kill lands mid-run.
    script = (
        "import sys, uuid\n"
        "from infra.settings import load_settings\n"
        "from organize.runtime import open_runtime\n"
        "from organize.projections.runner import BatchedRunner\n"
        "from organize.projections.views.organisations import OrganisationsView\n"
        "rt = open_runtime(load_settings())\n"
        "view = OrganisationsView(rt.app.recorder.datastore, generation=901)\n"
        "runner = BatchedRunner(rt.app.recorder, rt.app.mapper, [view], batch_size=int(sys.argv[1]))\n"
        "print('ready', flush=True)\n"
        "runner.catch_up()\n"
        "print('done', flush=True)\n"
    )
    head = app.recorder.max_notification_id()
    kills = 0
    for attempt in range(30):
        proc = subprocess.Popen([sys.executable, "-c", script, "5"], env=env,
                                stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.03 * attempt)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        else:
            proc.wait()
        if live.position() >= head:
            break
    assert kills >= 1, "the runner was never killed mid-run, so nothing was tested"
    # Restart and finish.
    finish = subprocess.run([sys.executable, "-c", script, "50"], env=env, capture_output=True,
                            text=True, cwd=os.getcwd(), timeout=120)
    assert finish.returncode == 0, finish.stderr[-2000:]
    assert live.position() >= head
    rebuilt = scratch(app, generation=902)
    BatchedRunner(app.recorder, app.mapper, [rebuilt], batch_size=1000).catch_up()
    assert rebuilt.position() == live.position()
    assert rows(live) == rows(rebuilt)
    live.drop()
    rebuilt.drop()


def test_four_concurrent_writers_and_a_following_runner_lose_no_event(app):
    follower_view = scratch(app, generation=903)
    runner = BatchedRunner(app.recorder, app.mapper, [follower_view], batch_size=100)
    runner.catch_up()
    thread = threading.Thread(target=runner.run_forever, kwargs={"poll_seconds": 0.05},
                              daemon=True)
    thread.start()
    collective = app.execute(h.create_collective())
    worker = app.execute(h.register_worker(collective.id))
    org_ids: list[uuid.UUID] = []
    errors: list[Exception] = []
    per_writer = 60

    def writer() -> None:
        try:
            org = app.execute(h.create_organisation(name=f"Org {uuid.uuid4().hex[:6]}"))
            org_ids.append(org.id)
            for _ in range(per_writer):
                app.execute(h.raise_grievance(collective.id, [worker.id],
                                              organisation_ids=(org.id,)))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    writers = [threading.Thread(target=writer) for _ in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert not errors
    head = app.recorder.max_notification_id()
    deadline = time.monotonic() + 60
    while follower_view.position() < head and time.monotonic() < deadline:
        time.sleep(0.05)
    runner.stop()
    thread.join(timeout=10)
    assert follower_view.position() >= head
    counts = {r[0]: r[4] for r in rows(follower_view)}
    assert [counts[o] for o in org_ids] == [per_writer] * 4
    rebuilt = scratch(app, generation=904)
    BatchedRunner(app.recorder, app.mapper, [rebuilt], batch_size=1000).catch_up()
    assert rows(follower_view) == rows(rebuilt)
    follower_view.drop()
    rebuilt.drop()


def test_two_runners_on_one_view_never_apply_a_batch_twice(app):
    """Two processes following the same view (say `serve` and `organize project`): the
    tracking row lets one batch in, the other steps aside; counts equal a fresh build."""
    make_grievances(app, n_orgs=3, per_org=30)
    datastore = app.recorder.datastore
    view_a = scratch(app, generation=905)
    view_b = OrganisationsView(datastore, generation=905)  # the same tables
    runners = [BatchedRunner(app.recorder, app.mapper, [v], batch_size=3) for v in (view_a, view_b)]
    errors: list[Exception] = []

    def run(r):
        try:
            r.catch_up()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rebuilt = scratch(app, generation=906)
    BatchedRunner(app.recorder, app.mapper, [rebuilt], batch_size=1000).catch_up()
    assert rows(view_a) == rows(rebuilt)
    view_a.drop()
    rebuilt.drop()
