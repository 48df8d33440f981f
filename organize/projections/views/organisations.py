"""Organisations: employers, private households, recruiters, unions, NGOs, shelters, labour
offices, courts and embassies, with how many grievances name each of them.

Scoped as ``organize.application.policy.Visibility.organisation`` decides for one: an organisation a
collective recorded is seen in that collective's federation; a private household only by the
collective that recorded it; one recorded by no collective is shared reference data, unless
it is a household (then only an admin sees it)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Grievance, Organisation
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.views._federations import (
    KnowsFederations,
    record_recorder,
    visible_organisations_sql,
)


class OrganisationsView(KnowsFederations, View):
    name = "organisations"

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {t.orgs} ("
            " id uuid PRIMARY KEY, name text NOT NULL, kind text NOT NULL, place text,"
            " created_at timestamptz NOT NULL, grievances integer NOT NULL DEFAULT 0,"
            " recorded_by uuid, federation text)",
            f"CREATE INDEX IF NOT EXISTS {t.orgs}_kind_idx ON {t.orgs} (kind)",
            self.collectives_ddl(t),
        ]

    @on(Organisation.Recorded)
    def recorded(self, curs, e, _nid) -> None:
        record_recorder(self, curs, self.t.orgs, self.t.collectives, e)

    # The grievances raised against each organisation within a batch, written once per batch
    # (``after_batch``): a count commutes with every other change of the row but its insert.
    _counts: dict[UUID, int] | None = None

    def apply_batch(self, curs, batch, last_id: int, after: int | None = None) -> None:
        try:
            super().apply_batch(curs, batch, last_id, after)
        finally:
            self._counts = None  # nothing left from a batch that failed

    def after_batch(self, curs) -> None:
        counts, self._counts = self._counts, None
        if counts:
            curs.execute(f"UPDATE {self.t.orgs} AS t SET grievances = t.grievances + x.n"
                         " FROM unnest(%s::uuid[], %s::int[]) AS x(id, n) WHERE t.id = x.id",
                         (list(counts), list(counts.values())))

    @on(Organisation.Created)
    def created(self, curs, e, _nid) -> None:
        if self._counts and e.originator_id in self._counts:
            # Counted before it was created (as its own events say it was not): those
            # counts went nowhere then, and must go nowhere now.
            self.after_batch(curs)
        self.insert(curs, self.t.orgs, "id uuid, name text, kind text, place text, created_at timestamptz",
                    (e.originator_id, e.name, e.kind, e.place, e.timestamp),
                    conflict="ON CONFLICT (id) DO NOTHING")

    @on(Organisation.Renamed)
    def renamed(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.orgs} SET name = %s WHERE id = %s", (e.name, e.originator_id))

    @on(Organisation.KindCorrected)
    def kind_corrected(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.orgs} SET kind = %s WHERE id = %s", (e.kind, e.originator_id))

    @on(Organisation.Withdrawn)
    def withdrawn(self, curs, e, _nid) -> None:
        curs.execute(f"DELETE FROM {self.t.orgs} WHERE id = %s", (e.originator_id,))

    @on(Grievance.Raised)
    def grievance_raised(self, curs, e, _nid) -> None:
        counts = self._counts = {} if self._counts is None else self._counts
        for organisation_id in set(e.organisation_ids):
            counts[organisation_id] = counts.get(organisation_id, 0) + 1


class OrganisationRow(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    kind: str
    place: str | None
    created_at: datetime
    grievances: int


async def list_organisations(conn: asyncpg.Connection, scope: Scope, *, kind: str | None = None,
                             kinds: tuple[str, ...] | None = None,
                             limit: int = 200, offset: int = 0) -> list[OrganisationRow]:
    """The organisations this reader may name (see the module's docstring), of one ``kind``
    or of any of ``kinds`` when given."""
    t = await tables(conn, "organisations")
    visible, params = visible_organisations_sql(t.orgs, t.collectives, scope, 5)
    rows = await conn.fetch(
        f"SELECT id, name, kind, place, created_at, grievances FROM {t.orgs} "
        f"WHERE ($1::text IS NULL OR kind = $1) AND ($4::text[] IS NULL OR kind = ANY($4))"
        f" AND {visible} ORDER BY name, id LIMIT $2 OFFSET $3",
        kind, limit, offset, list(kinds) if kinds is not None else None, *params)
    return [OrganisationRow(**dict(r)) for r in rows]
