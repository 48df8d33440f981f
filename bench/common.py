"""What every benchmark needs: a fresh database on the same server, and honest statistics.

Machines here are shared and noisy, so each figure is the median of several rounds, and
every result is printed beside a baseline measured in the same process.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.database import Database, create_database, start_embedded

ADMIN_URL = os.environ.get("ORGANIZE_BENCH_DATABASE_URL",
                           os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))


@contextmanager
def fresh_database():
    """A new, empty database for the run; dropped afterwards."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=2):
            pass
    except psycopg.Error:
        with tempfile.TemporaryDirectory() as home:
            db = start_embedded(Path(home))
            try:
                yield db
            finally:
                db.close()
        return
    name = f"organize_bench_{uuid.uuid4().hex[:8]}"
    create_database(ADMIN_URL, name)
    params = conninfo_to_dict(ADMIN_URL)
    params["dbname"] = name
    try:
        yield Database(url=make_conninfo(**params), embedded=False)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rate(work: Callable[[], int]) -> float:
    """Events per second for one round of ``work`` (which returns how many events it made)."""
    started = time.perf_counter()
    n = work()
    return n / (time.perf_counter() - started)


def median_rate(work: Callable[[], int], rounds: int) -> tuple[float, list[float]]:
    rates = [rate(work) for _ in range(rounds)]
    return statistics.median(rates), rates


def open_runtime_on(db: Database):
    """A schema, a fresh master key and a runtime on ``db``: (runtime, env), where ``env``
    is the eventsourcing environment, for baselines that build their own application."""
    from infra.keyfile import new_key
    from infra.schema import apply_schema
    from infra.settings import Settings
    from organize.application import Organize
    from organize.domain import load_taxonomy
    from organize.runtime import Runtime, application_env, load_rubric_setting

    apply_schema(db.url)
    key = new_key()
    # The web app keeps the outbox's key in the keyring directory: a throwaway one per run.
    keyring = Path(tempfile.mkdtemp(prefix="organize-bench-keyring-"))
    settings = Settings(database_url=db.url, home=None, cipher_key=key, pool_size=2,
                        keyring=keyring)
    env = application_env(db, key, settings)
    app = Organize(env, taxonomy=load_taxonomy(), master_key=key)
    return Runtime(settings=settings, database=db, app=app, taxonomy=app.taxonomy,
                   rubric=load_rubric_setting(settings)), env
