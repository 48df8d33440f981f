"""The deployment at scale, as real processes on one PostgreSQL: `organize serve --workers 3`
and two `organize project` runners (one active, one standing by), under 50 concurrent users
writing and reading for a minute. Half way, the active runner is killed with SIGKILL.

Checked: no answer ≥ 500; every write is on its writer's next read (the read waits for the
views, as a page after a post does); the standby took over; at the end every view equals a
build from scratch of the whole log, so no event was applied twice or skipped.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from organize.accounts import AccountService
from organize.projections import registry
from organize.projections.runner import BatchedRunner
from tests.integration import support as h
from tests.integration.support import (  # noqa: F401 - deployment_fixture
    CLI,
    Process,
    deployment_fixture,
    free_port,
    healthy,
    wait_until,
)
from tests.support import view_rows

pytestmark = pytest.mark.integration

USERS = 50
SECONDS = float(os.environ.get("ORGANIZE_TOPOLOGY_SECONDS", "60"))


def test_three_web_processes_two_runners_and_a_killed_runner(deployment):
    runtime, env = deployment
    app = runtime.app
    collective = app.execute(h.create_collective()).id
    accounts = AccountService(app)
    leader = accounts.create_account(f"leader-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex,
                                     role="leader", collective_ids=(collective,))
    _, token = accounts.create_token(leader, "load")

    port = free_port()
    active = Process([*CLI, "project", "--batch-size", "10"], env)
    wait_until(lambda: active.says('"projection_runner_role"') and active.says('"standby": []'),
               "the first runner to hold every view")
    standby = Process([*CLI, "project", "--batch-size", "100"], env)
    wait_until(lambda: standby.says('"active": []'), "the second runner to stand by")
    web = Process([*CLI, "serve", "--workers", "3", "--port", str(port)], env)
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: healthy(base), "three web processes to answer")

    errors: list[str] = []
    unseen: list[str] = []
    writes = [0]
    stop = threading.Event()
    headers = {"Authorization": f"Bearer {token}"}

    def user(n: int) -> None:
        try:
            session(n)
        except Exception as e:  # a dropped connection or a bad answer: a failure, counted
            errors.append(repr(e))

    def session(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            while not stop.is_set():
                when = datetime.now(UTC) + timedelta(days=rng.randint(1, 300))
                body = {"command_id": str(uuid.uuid4()), "kind": "assembly",
                        "collective_ids": [str(collective)], "language": "en",
                        "scheduled_for": when.isoformat()}
                r = http.post("/api/v1/meetings/schedule", json=body)
                if r.status_code >= 500 or r.status_code not in (200, 201):
                    errors.append(f"POST {r.status_code} {r.text[:200]}")
                    continue
                result = r.json()
                writes[0] += 1
                # Her next page: the meetings around that day (a list of every meeting
                # would stop at its limit long before the minute is over).
                page = http.get("/api/v1/views/meetings", params={
                    "collective_id": str(collective), "wait_for": result["notification_id"],
                    "period_from": (when - timedelta(days=1)).date().isoformat(),
                    "period_to": (when + timedelta(days=1)).date().isoformat(), "limit": 1000})
                if page.status_code >= 500:
                    errors.append(f"GET {page.status_code} {page.text[:200]}")
                elif result["id"] not in page.text:
                    unseen.append(page.headers.get("x-views-updating", "-"))

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(USERS)]
    try:
        for t in threads:
            t.start()
        time.sleep(SECONDS / 2)
        active.proc.kill()  # SIGKILL: no goodbye, its batch in flight rolls back
        active.proc.wait(timeout=10)
        wait_until(lambda: standby.says('"standby": []'), "the standby to take over", timeout=30)
        time.sleep(SECONDS / 2)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
        web.stop()

    assert writes[0] > USERS, f"only {writes[0]} writes went through"
    assert not errors, (errors[:5], [line for line in web.lines if '"level": "error"' in line][:5])
    assert not unseen, f"{len(unseen)} of {writes[0]} writes missing from their writer's next read"

    head = app.recorder.max_notification_id()
    views = registry.open_views(app.recorder.datastore, **runtime.view_deps())
    wait_until(lambda: all(v.position() == head for v in views), "the standby to catch up", 120)
    standby.stop()
    for view in views:
        fresh = registry.load_all()[view.name](app.recorder.datastore,
                                               generation=view.generation + 50,
                                               **runtime.view_deps())
        fresh.drop()
        fresh.create_table()
        BatchedRunner(app.recorder, app.mapper, [fresh], batch_size=1000).catch_up()
        assert view_rows(view) == view_rows(fresh), f"{view.name} differs from a rebuild"
        fresh.drop()

