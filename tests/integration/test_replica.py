"""Read replicas: a real streaming replica of the embedded PostgreSQL (pg_basebackup -R, a
second server on its own port). Pages read their views from it only when it has replayed as
far as the page needs, within a short bounded wait; otherwise from the primary. Replay is
paused on the replica to make it lag on purpose.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import psycopg
import pytest
from litestar.testing import AsyncTestClient
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.database import Database, start_embedded
from organize.accounts import AccountService
from organize.projections.lag import view_positions
from organize.projections.replica import REPLICA_WAIT_SECONDS, ReadPools
from organize.runtime import open_runtime
from tests.integration import support as h
from web.app import create_app

pytestmark = pytest.mark.integration

REPLICA_PORT = int(os.environ.get("ORGANIZE_TEST_REPLICA_PORT", "5471"))
AS_PGSERVER = ["runuser", "-u", "pgserver", "--"] if os.geteuid() == 0 else []
VIEWS = ["worker_directory", "grievance_register"]


def _pg(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([*AS_PGSERVER, *args], capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def primary_and_replica(settings):
    """(runtime on the embedded primary, the replica's URL, the replica's data directory)."""
    home = Path(tempfile.mkdtemp(prefix="organize-replica-"))
    home.chmod(0o777)
    db = start_embedded(home)
    own = dataclasses.replace(settings, database_url=None, home=home, keyring=None)
    runtime = open_runtime(own, db)
    pgdata = home / "replica"
    pgdata.mkdir(mode=0o700)
    if AS_PGSERVER:
        shutil.chown(pgdata, "pgserver", "pgserver")
    params = conninfo_to_dict(db.url)
    source = make_conninfo(**{**params, "dbname": "postgres"})
    done = _pg(h.pg_tool("pg_basebackup"), "-d", source, "-D", str(pgdata), "-X", "stream",
               "-R", "-c", "fast", "--no-sync", check=False)
    assert done.returncode == 0, done.stderr
    started = _pg(h.pg_tool("pg_ctl"), "-D", str(pgdata), "-w", "-l", str(pgdata / "log"),
                  "-o", f"-p {REPLICA_PORT} -h '' -k {pgdata}", "start", check=False)
    assert started.returncode == 0, started.stderr + (pgdata / "log").read_text()
    replica_url = make_conninfo(**{**params, "host": str(pgdata), "port": str(REPLICA_PORT)})
    try:
        with psycopg.connect(replica_url) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        yield runtime, replica_url, db
    finally:
        _pg(h.pg_tool("pg_ctl"), "-D", str(pgdata), "-m", "immediate", "stop", check=False)
        runtime.close()
        shutil.rmtree(home, ignore_errors=True)


def _replay(replica_url: str, running: bool) -> None:
    with psycopg.connect(replica_url, autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_resume()" if running else "SELECT pg_wal_replay_pause()")


def _caught_up(primary_url: str, replica_url: str, timeout: float = 30.0) -> None:
    # The insert position, not the write position: the views commit without waiting for
    # the disk (synchronous_commit off), so their last commits may not be written yet.
    with psycopg.connect(primary_url, autocommit=True) as conn:
        lsn = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(replica_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            if conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


def _dsn(url: str) -> str:
    return Database(url=url, embedded=False).asyncpg_dsn()


async def test_views_come_from_the_replica_only_once_it_holds_what_the_page_needs(
        primary_and_replica):
    runtime, replica_url, db = primary_and_replica
    app = runtime.app
    collective = h.collective(app)
    h.worker(app, collective, pseudonym="Anjali")
    h.catch_up(app)
    _caught_up(db.url, replica_url)
    primary = await asyncpg.create_pool(_dsn(db.url), min_size=1, max_size=2)
    replica = await asyncpg.create_pool(_dsn(replica_url), min_size=1, max_size=2)
    pools = ReadPools(primary, replica)
    try:
        async with primary.acquire() as conn:
            head = await view_positions(conn, VIEWS)
        assert min(head.values()) > 0
        assert await pools.choose(VIEWS, None) is replica
        assert await pools.choose(VIEWS, max(head.values())) is replica

        _replay(replica_url, running=False)
        done = app.execute(h.register_worker(collective, pseudonym="Bina"))
        h.catch_up(app)
        # Primary's views moved on; the paused replica's did not: the primary serves, both
        # for the page after the write (?n=) and for a page without one, within the bound.
        for wanted in (done.notification_id, None):
            started = time.monotonic()
            assert await pools.choose(VIEWS, wanted) is primary
            assert time.monotonic() - started < REPLICA_WAIT_SECONDS + 1.0
        # An event no view on the replica has reached yet, even with the primary's views
        # behind it too, never lands on the replica.
        assert await pools.choose(["worker_directory"], done.notification_id + 10**6) is primary
        # A view the replica has no tracking row for is unknown there, not "at 0": even when
        # the primary's reads 0 too, the primary serves it.
        assert await pools.choose(["no_such_view"], None) is primary

        _replay(replica_url, running=True)
        _caught_up(db.url, replica_url)
        assert await pools.choose(VIEWS, done.notification_id) is replica
        assert await pools.choose(VIEWS, None) is replica
    finally:
        _replay(replica_url, running=True)
        await primary.close()
        await replica.close()


async def test_pages_show_a_write_whether_or_not_the_replica_has_it(primary_and_replica):
    runtime, replica_url, db = primary_and_replica
    app = runtime.app
    collective = h.collective(app)
    h.worker(app, collective, pseudonym="Chandra")
    accounts = AccountService(app)
    leader = accounts.create_account(f"leader-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex,
                                     role="leader", collective_ids=(collective,))
    token = accounts.start_session(leader).token
    h.catch_up(app)
    _caught_up(db.url, replica_url)
    with_replica = dataclasses.replace(runtime, settings=dataclasses.replace(
        runtime.settings, database_read_url=replica_url))
    web = create_app(with_replica, accounts)
    async with AsyncTestClient(app=web) as client:
        client.cookies.set("organize_session", token)
        page = await client.get(f"/c/{collective}/workers")
        assert page.status_code == 200 and "Chandra" in page.text

        _replay(replica_url, running=False)
        try:
            done = app.execute(h.register_worker(collective, pseudonym="Devi"))
            h.catch_up(app)
            for path in (f"/c/{collective}/workers?n={done.notification_id}",
                         f"/c/{collective}/workers"):
                page = await client.get(path)
                assert page.status_code == 200
                assert "Devi" in page.text and "Chandra" in page.text, path
            assert "Saved." in (await client.get(
                f"/c/{collective}/workers?n={done.notification_id}")).text
        finally:
            _replay(replica_url, running=True)
        _caught_up(db.url, replica_url)
        page = await client.get(f"/c/{collective}/workers?n={done.notification_id}")
        assert "Devi" in page.text and "Saved." in page.text


async def test_reads_after_no_write_use_the_replica_within_a_bounded_lag(primary_and_replica):
    runtime, replica_url, db = primary_and_replica
    app = runtime.app
    collective = h.collective(app)
    h.worker(app, collective, pseudonym="Esha")
    h.catch_up(app)
    _caught_up(db.url, replica_url)
    primary = await asyncpg.create_pool(_dsn(db.url), min_size=1, max_size=2)
    replica = await asyncpg.create_pool(_dsn(replica_url), min_size=1, max_size=2)
    pools = ReadPools(primary, replica, max_lag=3, ttl=0)
    try:
        assert await pools.current() is replica
        assert await pools.for_read(after_write=True) is primary
        _replay(replica_url, running=False)
        h.worker(app, collective, pseudonym="Farida")  # one event behind: within the bound
        h.catch_up(app)
        assert await pools.current() is replica
        for k in range(4):  # now more than max_lag behind: the primary serves
            h.worker(app, collective, pseudonym=f"Gita {k}")
        h.catch_up(app)
        assert await pools.current() is primary
        _replay(replica_url, running=True)
        _caught_up(db.url, replica_url)
        assert await pools.current() is replica
    finally:
        _replay(replica_url, running=True)
        await primary.close()
        await replica.close()


async def test_the_api_reads_the_replica_unless_it_waits_for_a_write(primary_and_replica):
    runtime, replica_url, db = primary_and_replica
    app = runtime.app
    collective = h.collective(app)
    h.worker(app, collective, pseudonym="Hema")
    accounts = AccountService(app)
    leader = accounts.create_account(f"leader-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex,
                                     role="leader", collective_ids=(collective,))
    token = accounts.start_session(leader).token
    h.catch_up(app)
    _caught_up(db.url, replica_url)
    with_replica = dataclasses.replace(runtime, settings=dataclasses.replace(
        runtime.settings, database_read_url=replica_url))
    path = f"/api/v1/views/collectives/{collective}/workers"
    async with AsyncTestClient(app=create_app(with_replica, accounts)) as client:
        client.cookies.set("organize_session", token)
        _replay(replica_url, running=False)
        try:
            done = app.execute(h.register_worker(collective, pseudonym="Indu"))
            h.catch_up(app)
            # No write of this session to wait for: the replica, one event behind, answers.
            names = [w["pseudonym"] for w in (await client.get(path)).json()]
            assert "Hema" in names and "Indu" not in names
            # Waiting for the write: the primary answers, with it.
            answer = await client.get(f"{path}?wait_for={done.notification_id}")
            assert "Indu" in [w["pseudonym"] for w in answer.json()]
        finally:
            _replay(replica_url, running=True)


async def test_a_replica_that_is_down_leaves_pages_on_the_primary(primary_and_replica):
    runtime, _replica_url, db = primary_and_replica
    primary = await asyncpg.create_pool(_dsn(db.url), min_size=1, max_size=2)
    gone = await asyncpg.create_pool(_dsn(db.url), min_size=0, max_size=1)
    await gone.close()  # a pool that can no longer hand out connections
    try:
        assert await ReadPools(primary, gone).choose(VIEWS, None) is primary
    finally:
        await primary.close()


def test_the_setting_is_read_from_the_environment():
    from infra.settings import load_settings

    assert load_settings({"DATABASE_READ_URL": "postgresql://r/x"}).database_read_url == \
        "postgresql://r/x"
    assert load_settings({}).database_read_url is None
