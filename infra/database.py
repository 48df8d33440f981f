"""The database bootstrap: one PostgreSQL everywhere.

With ``DATABASE_URL`` set we connect to it. Without it, a real PostgreSQL server from the
``pgserver`` wheel starts in ``$ORGANIZE_HOME/pgdata`` and is reused on the next start.
There is no SQLite fallback: tests, demo and production all run the same engine.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.settings import Settings

EMBEDDED_DBNAME = "organize"


@dataclass
class Database:
    """Where the database is, in the two shapes our clients want it."""

    url: str
    embedded: bool
    _server: Any = None  # keeps the embedded server's handle alive

    @property
    def params(self) -> dict[str, Any]:
        return conninfo_to_dict(self.url)

    def eventsourcing_env(self) -> dict[str, str]:
        """The ``POSTGRES_*`` variables eventsourcing's factory reads."""
        p = self.params
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": str(p.get("dbname") or "postgres"),
            "POSTGRES_HOST": str(p.get("host") or "127.0.0.1"),
            "POSTGRES_PORT": str(p.get("port") or "5432"),
            "POSTGRES_USER": str(p.get("user") or "postgres"),
            "POSTGRES_PASSWORD": str(p.get("password") or ""),
        }
        return env

    def asyncpg_dsn(self) -> str:
        """asyncpg takes a URL; a socket directory goes in the ``host`` query parameter."""
        p = self.params
        user = quote(str(p.get("user") or "postgres"))
        password = p.get("password")
        auth = f"{user}:{quote(str(password))}" if password else user
        host = str(p.get("host") or "127.0.0.1")
        port = str(p.get("port") or "5432")
        dbname = quote(str(p.get("dbname") or "postgres"))
        if host.startswith("/"):
            return f"postgresql://{auth}@/{dbname}?host={quote(host)}&port={port}"
        return f"postgresql://{auth}@{host}:{port}/{dbname}"

    def connect(self, **kwargs: Any) -> psycopg.Connection:
        return psycopg.connect(self.url, **kwargs)

    def close(self) -> None:
        if self._server is not None:
            with contextlib.suppress(Exception):
                self._server.cleanup()
            self._server = None


def start_embedded(home: Path) -> Database:
    """Start (or reuse) the embedded server and make sure our database exists."""
    import pgserver  # imported lazily: only embedded mode needs it

    pgdata = Path(home) / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    admin_url = server.get_uri()
    create_database(admin_url, EMBEDDED_DBNAME)
    params = conninfo_to_dict(admin_url)
    params["dbname"] = EMBEDDED_DBNAME
    return Database(url=make_conninfo(**params), embedded=True, _server=server)


def create_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))


def open_database(settings: Settings) -> Database:
    if settings.database_url:
        url = settings.database_url
        # Accept the SQLAlchemy-style scheme people paste from other tools.
        for prefix in ("postgresql+psycopg://", "postgresql+asyncpg://", "postgres://"):
            if url.startswith(prefix):
                url = "postgresql://" + url[len(prefix):]
        return Database(url=url, embedded=False)
    return start_embedded(settings.home)


def check_reachable(db: Database, timeout: float = 2.0) -> bool:
    try:
        with psycopg.connect(db.url, connect_timeout=max(1, int(timeout))) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False
