"""Creates the tables that are not event tables, from the numbered files in ``infra/sql``.

Every statement is idempotent (``IF NOT EXISTS``), so this runs at every start; an advisory
lock keeps two processes starting together from racing on DDL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

import psycopg

SCHEMA_LOCK = 0x6F7267  # "org"


def sql_files() -> list[str]:
    folder = resources.files("infra") / "sql"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(folder / name).read_text() for name in names]


@contextmanager
def schema_lock(url: str) -> Iterator[psycopg.Connection]:
    """The schema's advisory lock, held by a connection of its own until the block ends:
    what else creates tables at start (the event store's) goes inside it too."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            yield conn
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


def apply_schema(url: str, conn: psycopg.Connection | None = None) -> None:
    """Every file's statements; under ``conn`` when the caller holds ``schema_lock``."""
    if conn is None:
        with schema_lock(url) as held:
            apply_schema(url, held)
        return
    for text in sql_files():
        conn.execute(text)
