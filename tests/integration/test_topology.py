"""The deployment at scale, as real processes on one PostgreSQL: `organize serve --workers 3`
and two `organize project` runners (one active, one standing by), under 50 concurrent users
writing and reading for a minute. Half way, the active runner is killed with SIGKILL.

Checked: no answer ≥ 500; every write is on its writer's next read (the read waits for the
views, as a page after a post does); the standby took over; at the end every view equals a
build from scratch of the whole log, so no event was applied twice or skipped.
"""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from infra.database import Database, create_database
from infra.keyfile import new_key
from organize.accounts import AccountService
from organize.projections import registry
from organize.projections.runner import BatchedRunner
from organize.runtime import open_runtime
from tests.integration import support as h

pytestmark = pytest.mark.integration

USERS = 50
SECONDS = float(os.environ.get("ORGANIZE_TOPOLOGY_SECONDS", "60"))
CLI = [sys.executable, "-c", "from organize.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process whose output is collected line by line as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def says(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _wait(condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def deployment(database, settings):
    """A database of its own, a home shared by every process (its keyring), the key."""
    name = f"organize_topology_{uuid.uuid4().hex[:8]}"
    create_database(database.url, name)
    url = make_conninfo(database.url, dbname=name)
    home = Path(tempfile.mkdtemp(prefix="organize-topology-"))
    home.chmod(0o755)
    key = new_key()
    own = dataclasses.replace(settings, database_url=url, home=home, cipher_key=key, keyring=None)
    runtime = open_runtime(own, Database(url=url, embedded=False))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZE_")}
    env.update(DATABASE_URL=url, ORGANIZE_CIPHER_KEY=key, ORGANIZE_HOME=str(home),
               ORGANIZE_RUN_PROJECTIONS="no", ORGANIZE_LOG_LEVEL="INFO")
    yield runtime, env
    runtime.app.close()
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(home, ignore_errors=True)


def test_three_web_processes_two_runners_and_a_killed_runner(deployment):
    runtime, env = deployment
    app = runtime.app
    collective = app.execute(h.create_collective()).id
    accounts = AccountService(app)
    leader = accounts.create_account(f"leader-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex,
                                     role="leader", collective_ids=(collective,))
    _, token = accounts.create_token(leader, "load")

    port = _free_port()
    active = Process([*CLI, "project", "--batch-size", "10"], env)
    _wait(lambda: active.says('"projection_runner_role"') and active.says('"standby": []'),
          "the first runner to hold every view")
    standby = Process([*CLI, "project", "--batch-size", "100"], env)
    _wait(lambda: standby.says('"active": []'), "the second runner to stand by")
    web = Process([*CLI, "serve", "--workers", "3", "--port", str(port)], env)
    base = f"http://127.0.0.1:{port}"
    _wait(lambda: _healthy(base), "three web processes to answer")

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
        _wait(lambda: standby.says('"standby": []'), "the standby to take over", timeout=30)
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
    _wait(lambda: all(v.position() == head for v in views), "the standby to catch up", 120)
    standby.stop()
    for view in views:
        fresh = registry.load_all()[view.name](app.recorder.datastore,
                                               generation=view.generation + 50,
                                               **runtime.view_deps())
        fresh.drop()
        fresh.create_table()
        BatchedRunner(app.recorder, app.mapper, [fresh], batch_size=1000).catch_up()
        assert _rows(view) == _rows(fresh), f"{view.name} differs from a rebuild"
        fresh.drop()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _rows(view) -> dict[str, list[tuple]]:
    out = {}
    with view.datastore.transaction() as curs:
        for table in view.table_names():
            curs.execute(f"SELECT * FROM {table} AS r ORDER BY r::text")
            out[table.removeprefix(view.t.prefix)] = [tuple(r.values()) for r in curs.fetchall()]
    return out
