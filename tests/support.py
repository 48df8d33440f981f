"""Helpers several test packages share."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

# The browser tests drive Debian's chromium (ORGANIZE_CHROMIUM names another binary).
CHROMIUM = os.environ.get("ORGANIZE_CHROMIUM", "/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync"]
BROWSER_SKIPPED = ("browser tests skipped: install chromium "
                   "(apt-get install chromium fonts-noto-core)")


def browser_missing() -> bool:
    """Whether the browser tests cannot run here: no chromium, or no Playwright."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return True
    return shutil.which(CHROMIUM) is None


def settle_views(runtime, timeout: float = 60.0) -> None:
    """Bring every view up to the end of the log (another runner may be following it too)."""
    head = runtime.app.recorder.max_notification_id() or 0
    runner = runtime.runner()
    deadline = time.monotonic() + timeout
    while True:
        try:
            runner.catch_up()
        except Exception:  # another runner got there first: look again
            time.sleep(0.05)
        if min(runner.positions().values()) >= head:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("the views did not catch up")


@contextmanager
def live_server(web_app) -> Iterator[str]:
    """Serve ``web_app`` with uvicorn on a free local port in a thread; yields the base URL.
    Real HTTP for the API and browser tests."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def own_runtime(database, settings, prefix: str) -> Iterator:
    """A runtime over a fresh database of its own on the test server, dropped afterwards: for
    tests that rebuild views from the whole log, which must hold only their own events."""
    import dataclasses
    import uuid

    import psycopg
    from psycopg.conninfo import make_conninfo

    from infra.database import Database, create_database
    from organize.runtime import open_runtime

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    create_database(database.url, name)
    own = Database(url=make_conninfo(database.url, dbname=name), embedded=False)
    runtime = open_runtime(dataclasses.replace(settings, database_url=own.url), own)
    try:
        yield runtime
    finally:
        runtime.app.close()
        with psycopg.connect(database.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def view_rows(view) -> dict[str, list[tuple]]:
    """Every row of every table of one generation of a view, by table name without the
    generation's prefix, in a fixed order: two generations compare equal when they hold the
    same rows."""
    out = {}
    with view.datastore.transaction() as curs:
        for table in view.table_names():
            curs.execute(f"SELECT * FROM {table} AS r ORDER BY r::text")
            out[table.removeprefix(view.t.prefix)] = [tuple(r.values()) for r in curs.fetchall()]
    return out
