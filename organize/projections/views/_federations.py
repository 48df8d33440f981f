"""Mixins for views that scope reads: ``KnowsFederations`` keeps each collective's federation
(from ``Collective.Created``); ``KnowsOrganisations`` keeps who recorded each organisation,
so a read can leave out the organisations a reader may not name (``organize.application.policy``: a
private household only for the collective that recorded it; another organisation a
collective recorded, for its federation; one recorded by no collective, for everyone but
never a household)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from organize.domain import Collective, Organisation
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


HOUSEHOLD = "household"


def visible_organisations_sql(orgs: str, collectives: str, scope: Scope,
                              first: int) -> tuple[str, list]:
    """The SQL condition, on a table ``orgs`` with ``kind``, ``recorded_by`` and
    ``federation``, for the organisations ``scope`` may name, and its parameters, numbered
    from ``$first``."""
    if scope == Scope.everything():
        return "TRUE", []
    mine = [] if scope.collective_ids is None else list(scope.collective_ids)
    a, b = f"${first}::uuid[]", f"${first + 1}::text"
    # A leader: her collectives' federations; an organiser: hers.
    federations = f"(SELECT federation FROM {collectives} WHERE id = ANY({a}) UNION SELECT {b})"
    sql = (f"(CASE WHEN kind = '{HOUSEHOLD}' THEN recorded_by = ANY({a})"
           f" ELSE recorded_by IS NULL OR recorded_by = ANY({a})"
           f" OR federation IN {federations} END)")
    return sql, [mine, scope.federation]


class KnowsOrganisations:
    """Needs ``KnowsFederations`` too (the recorder's federation comes from its table)."""

    @staticmethod
    def organisations_ddl(t: Tables) -> str:
        return (f"CREATE TABLE IF NOT EXISTS {t.org_scope} (id uuid PRIMARY KEY, kind text NOT NULL,"
                " recorded_by uuid, federation text)")

    @on(Organisation.Created)
    def organisation_known(self, curs, e, _nid) -> None:
        self.insert(curs, self.t.org_scope, "id uuid, kind text", (e.originator_id, e.kind),
                    conflict="ON CONFLICT (id) DO NOTHING")

    @on(Organisation.Recorded)
    def organisation_recorder(self, curs, e, _nid) -> None:
        record_recorder(self, curs, self.t.org_scope, self.t.collectives, e)

    @on(Organisation.KindCorrected)
    def organisation_kind_corrected(self, curs, e, _nid) -> None:
        # A household corrected from "employer" is seen by its recorder only, from now on.
        curs.execute(f"UPDATE {self.t.org_scope} SET kind = %s WHERE id = %s",
                     (e.kind, e.originator_id))


def record_recorder(view, curs, orgs: str, collectives: str, e) -> None:
    """Keep who recorded an organisation (``Organisation.Recorded``) and that collective's
    federation, in a table ``orgs`` with ``recorded_by`` and ``federation`` (one statement
    per batch: ``View.update``)."""
    view.update(curs, orgs, "id uuid, coll uuid",
                f"recorded_by = x.coll, federation = (SELECT federation FROM {collectives}"
                " WHERE id = x.coll)", (e.originator_id, e.collective_id))


async def nameable_organisations(conn: asyncpg.Connection, t: Tables, scope: Scope,
                                 ids) -> set[UUID]:
    """Which of ``ids`` the reader may name (a view with ``KnowsOrganisations``)."""
    ids = list({i for i in ids if i is not None})
    if not ids:
        return set()
    if scope == Scope.everything():
        return set(ids)
    visible, params = visible_organisations_sql(t.org_scope, t.collectives, scope, 2)
    rows = await conn.fetch(f"SELECT id FROM {t.org_scope} WHERE id = ANY($1::uuid[]) AND {visible}",
                            ids, *params)
    return {r["id"] for r in rows}
