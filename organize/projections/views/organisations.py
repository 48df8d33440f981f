"""Organisations: employers (households count), recruiters, unions, NGOs, shelters, labour
offices, courts and embassies, with how many grievances name each of them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Grievance, Organisation
from organize.projections.base import Tables, View, on
from organize.projections.reads import tables
from organize.projections.registry import register


@register
class OrganisationsView(View):
    name = "organisations"

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {t.orgs} ("
            " id uuid PRIMARY KEY, name text NOT NULL, kind text NOT NULL, place text,"
            " created_at timestamptz NOT NULL, grievances integer NOT NULL DEFAULT 0)",
            f"CREATE INDEX IF NOT EXISTS {t.orgs}_kind_idx ON {t.orgs} (kind)",
        ]

    @on(Organisation.Created)
    def created(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.orgs} (id, name, kind, place, created_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
            (e.originator_id, e.name, e.kind, e.place, e.timestamp))

    @on(Organisation.Renamed)
    def renamed(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.orgs} SET name = %s WHERE id = %s", (e.name, e.originator_id))

    @on(Grievance.Raised)
    def grievance_raised(self, curs, e, _nid) -> None:
        if e.organisation_ids:
            curs.execute(f"UPDATE {self.t.orgs} SET grievances = grievances + 1 WHERE id = ANY(%s)",
                         (list(e.organisation_ids),))


class OrganisationRow(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    kind: str
    place: str | None
    created_at: datetime
    grievances: int


async def list_organisations(conn: asyncpg.Connection, *, kind: str | None = None,
                             limit: int = 200, offset: int = 0) -> list[OrganisationRow]:
    """Organisations are shared reference data: every role may list them."""
    t = await tables(conn, "organisations")
    rows = await conn.fetch(
        f"SELECT id, name, kind, place, created_at, grievances FROM {t.orgs} "
        "WHERE ($1::text IS NULL OR kind = $1) ORDER BY name, id LIMIT $2 OFFSET $3",
        kind, limit, offset)
    return [OrganisationRow(**dict(r)) for r in rows]
