"""A database of the export tests' own: an export counts every grievance in the log, so
these tests cannot share the session database with tests that add grievances of their own.
Same server as the session database (the system PostgreSQL or the embedded one)."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.database import Database, create_database
from infra.settings import Settings
from organize.runtime import open_runtime


@pytest.fixture(scope="module")
def export_runtime(database, master_key, tmp_path_factory):
    params = conninfo_to_dict(database.url)
    admin = make_conninfo(**{**params, "dbname": "postgres"})
    name = f"organize_export_{uuid.uuid4().hex[:10]}"
    create_database(admin, name)
    own = Database(url=make_conninfo(**{**params, "dbname": name}), embedded=False)
    settings = Settings(database_url=own.url, home=Path(tmp_path_factory.mktemp("home")),
                        cipher_key=master_key, pool_size=2)
    runtime = open_runtime(settings, own)
    yield runtime
    runtime.app.close()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def export_conn(export_runtime):
    conn = await asyncpg.connect(export_runtime.database.asyncpg_dsn())
    yield conn
    await conn.close()
