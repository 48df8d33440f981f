"""A mixin for views that scope reads by federation: a small table of each collective's
federation, kept from ``Collective.Created``."""

from __future__ import annotations

import asyncpg

from organize.domain import Collective
from organize.projections.base import Tables, on
from organize.projections.reads import Scope


class KnowsFederations:
    @staticmethod
    def collectives_ddl(t: Tables) -> str:
        return f"CREATE TABLE IF NOT EXISTS {t.collectives} (id uuid PRIMARY KEY, federation text)"

    @on(Collective.Created)
    def collective_created(self, curs, e, _nid) -> None:
        curs.execute(f"INSERT INTO {self.t.collectives} (id, federation) VALUES (%s, %s) "
                     "ON CONFLICT (id) DO NOTHING", (e.originator_id, e.federation))


async def federation_in_scope(conn: asyncpg.Connection, t: Tables, scope: Scope,
                              federation: str) -> bool:
    """Whether ``federation`` has a collective the reader may see, in this view's own
    collectives table. An organiser of another federation, or a name nobody has, gets False
    (the route answers 404 for both)."""
    if scope.federation is not None and scope.federation != federation:
        return False
    if "\x00" in federation:  # PostgreSQL text cannot hold it: nobody's federation
        return False
    ids = None if scope.collective_ids is None else list(scope.collective_ids)
    return bool(await conn.fetchval(
        f"SELECT 1 FROM {t.collectives} WHERE federation = $1"
        " AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[])) LIMIT 1", federation, ids))
