"""Creates the tables that are not event tables, from the numbered files in ``infra/sql``.

Every statement is idempotent (``IF NOT EXISTS``), so this runs at every start; an advisory
lock keeps two processes starting together from racing on DDL.
"""

from __future__ import annotations

from importlib import resources

import psycopg

SCHEMA_LOCK = 0x6F7267  # "org"


def sql_files() -> list[str]:
    folder = resources.files("infra") / "sql"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(folder / name).read_text() for name in names]


def apply_schema(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            for text in sql_files():
                conn.execute(text)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
