"""Common grievances: the same category against the same employer or recruiter, or at the
same place, across collectives and sectors (DOMAIN.md, lesson 3).

A cluster is keyed by (category, organisation) or (category, place). The view keeps each
grievance's codes, a row per (key, grievance) (``members``) and a cluster table with the
counts, collective ids and sectors behind each key, maintained as grievances are raised.
A cluster's grievance ids are read from its members rows, for the clusters a read returns
only: kept in the cluster row, they grew with the log and were rewritten at every grievance
raised. An unrestricted reader gets the cluster table as it is; a scoped reader (a leader)
sees a cluster only through the grievances of her own collectives, so clusters are
recomputed from the in-scope grievances and those that become too small are dropped.

Every grievance raised counts, whatever its status later: a grievance withdrawn out of
fear is still evidence that the wrong is common.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Grievance
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.views._federations import (
    KnowsFederations,
    KnowsOrganisations,
    federation_in_scope,
    nameable_organisations,
)

BY_ORGANISATION = "organisation"
BY_PLACE = "place"


class CommonGrievancesView(KnowsOrganisations, KnowsFederations, View):
    name = "common_grievances"
    # 2: a cluster's grievance ids are read from its members rows, not kept in an array
    version = 2

    def ddl(self, t: Tables) -> list[str]:
        return [
            self.collectives_ddl(t),
            self.organisations_ddl(t),
            f"CREATE TABLE IF NOT EXISTS {t.grievances} ("
            " id uuid PRIMARY KEY, collective_id uuid NOT NULL, federation text,"
            " category text NOT NULL, sector text NOT NULL, place text NOT NULL,"
            " organisation_ids uuid[] NOT NULL, occurred_on date NOT NULL, raised_nid bigint NOT NULL)",
            # One row per (cluster key, grievance): what scoped reads regroup.
            f"CREATE TABLE IF NOT EXISTS {t.members} ("
            " category text NOT NULL, key_kind text NOT NULL, key text NOT NULL,"
            " grievance_id uuid NOT NULL, PRIMARY KEY (category, key_kind, key, grievance_id))",
            f"CREATE INDEX IF NOT EXISTS {t.members}_grievance_idx ON {t.members} (grievance_id)",
            f"CREATE TABLE IF NOT EXISTS {t.clusters} ("
            " category text NOT NULL, key_kind text NOT NULL, key text NOT NULL,"
            " collective_ids uuid[] NOT NULL, sectors text[] NOT NULL,"
            " grievances integer NOT NULL, collectives integer NOT NULL,"
            " first_on date NOT NULL, last_on date NOT NULL,"
            " PRIMARY KEY (category, key_kind, key))",
            f"CREATE INDEX IF NOT EXISTS {t.clusters}_size_idx ON {t.clusters} (grievances DESC)",
        ]

    # Within a batch: the grievances raised so far (or already in the view), and what the
    # batch adds to each cluster it touches, by key: [grievances, collective ids and sectors
    # in the order they first appear, first day, last day]. Sent as one upsert per batch.
    _known: set[UUID] | None = None
    _adding: dict[tuple[str, str, str], list[Any]] | None = None

    def apply_batch(self, curs, batch, last_id: int, after: int | None = None) -> None:
        try:
            super().apply_batch(curs, batch, last_id, after)
        finally:
            self._known = self._adding = None  # nothing left from a batch that failed

    def prefetch(self, curs, batch) -> None:
        """Which of the grievances the batch raises the view already holds (one read): those
        are not counted again."""
        ids = list({e.originator_id for _, e in batch if isinstance(e, Grievance.Raised)})
        self._known = set()
        if ids:
            curs.execute(f"SELECT id FROM {self.t.grievances} WHERE id = ANY(%s)", (ids,))
            self._known = {r["id"] for r in curs.fetchall()}

    @on(Grievance.Raised)
    def raised(self, curs, e, nid) -> None:
        # The grievance and its cluster keys go with the batch's others (``View.insert``);
        # each cluster is counted once more in memory and written once per batch
        # (``after_batch``), unless the grievance was already counted.
        t = self.t
        if self._known is None:  # applied one event at a time, without a prefetch
            curs.execute(f"SELECT id FROM {t.grievances} WHERE id = %s", (e.originator_id,))
            self._known = {r["id"] for r in curs.fetchall()}
        if e.originator_id in self._known:
            return
        self._known.add(e.originator_id)
        self.insert(curs, t.grievances,
                    "id uuid, coll uuid, category text, sector text, place text, orgs uuid[],"
                    " occurred_on date, nid bigint", (e.originator_id, e.collective_id, e.category,
                    e.sector, e.place, list(e.organisation_ids), e.occurred_on, nid),
                    into="id, collective_id, federation, category, sector, place, organisation_ids,"
                         " occurred_on, raised_nid",
                    select=f"x.id, x.coll, (SELECT federation FROM {t.collectives} WHERE id = x.coll),"
                           " x.category, x.sector, x.place, x.orgs::uuid[], x.occurred_on, x.nid",
                    conflict="ON CONFLICT (id) DO NOTHING")
        adding = self._adding = {} if self._adding is None else self._adding
        keys = [(BY_ORGANISATION, str(o)) for o in e.organisation_ids] + [(BY_PLACE, e.place)]
        for key_kind, key in keys:
            self.insert(curs, t.members, "grievance_id uuid, category text, key_kind text, key text",
                        (e.originator_id, e.category, key_kind, key))
            cluster = adding.get((e.category, key_kind, key))
            if cluster is None:
                adding[(e.category, key_kind, key)] = [1, [e.collective_id], [e.sector],
                                                       e.occurred_on, e.occurred_on]
                continue
            cluster[0] += 1
            if e.collective_id not in cluster[1]:
                cluster[1].append(e.collective_id)
            if e.sector not in cluster[2]:
                cluster[2].append(e.sector)
            cluster[3], cluster[4] = min(cluster[3], e.occurred_on), max(cluster[4], e.occurred_on)

    def after_batch(self, curs) -> None:
        self._count(curs)
        self._known = None  # read again by the next batch

    def _count(self, curs) -> None:
        """Each cluster the batch touched so far, counted once: its grievances added, the
        collectives and sectors it did not hold yet appended in the order they first came."""
        adding, self._adding = self._adding, None
        if not adding:
            return
        c = self.t.clusters
        new = "ARRAY(SELECT u FROM unnest(EXCLUDED.{0}) WITH ORDINALITY AS y(u, i)" \
              f" WHERE u <> ALL({c}.{{0}}) ORDER BY i)"
        self.insert_many(
            curs, c, "category text, key_kind text, key text, n int, colls uuid[], sectors text[],"
            " first_on date, last_on date",
            [(*key, *cluster) for key, cluster in adding.items()],
            into="category, key_kind, key, collective_ids, sectors, grievances, collectives,"
                 " first_on, last_on",
            select="x.category, x.key_kind, x.key, x.colls::uuid[], x.sectors::text[], x.n,"
                   " cardinality(x.colls::uuid[]), x.first_on, x.last_on",
            conflict=f"ON CONFLICT (category, key_kind, key) DO UPDATE SET"
                     f" grievances = {c}.grievances + EXCLUDED.grievances,"
                     f" collective_ids = {c}.collective_ids || {new.format('collective_ids')},"
                     f" collectives = {c}.collectives + cardinality({new.format('collective_ids')}),"
                     f" sectors = {c}.sectors || {new.format('sectors')},"
                     f" first_on = LEAST({c}.first_on, EXCLUDED.first_on),"
                     f" last_on = GREATEST({c}.last_on, EXCLUDED.last_on)")

    @on(Grievance.Corrected)
    def corrected(self, curs, e, _nid) -> None:
        """Move the grievance to the clusters its corrected category and place put it in,
        and count again every cluster it leaves or joins."""
        t = self.t
        self._count(curs)  # what the batch added to the clusters so far, first
        curs.execute(f"UPDATE {t.grievances} SET category = %s, sector = %s, place = %s,"
                     " occurred_on = %s WHERE id = %s RETURNING organisation_ids",
                     (e.category, e.sector, e.place, e.occurred_on, e.originator_id))
        row = curs.fetchone()
        if row is None:
            return
        curs.execute(f"DELETE FROM {t.members} WHERE grievance_id = %s "
                     "RETURNING category, key_kind, key", (e.originator_id,))
        keys = {(r["category"], r["key_kind"], r["key"]) for r in curs.fetchall()}
        new = [(BY_ORGANISATION, str(o)) for o in row["organisation_ids"]] + [(BY_PLACE, e.place)]
        for key_kind, key in new:
            curs.execute(f"INSERT INTO {t.members} (category, key_kind, key, grievance_id) "
                         "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                         (e.category, key_kind, key, e.originator_id))
            keys.add((e.category, key_kind, key))
        for category, key_kind, key in keys:
            curs.execute(f"DELETE FROM {t.clusters} WHERE category = %s AND key_kind = %s"
                         " AND key = %s", (category, key_kind, key))
            curs.execute(
                f"INSERT INTO {t.clusters} (category, key_kind, key, collective_ids,"
                " sectors, grievances, collectives, first_on, last_on) "
                "SELECT m.category, m.key_kind, m.key, array_agg(DISTINCT g.collective_id),"
                " array_agg(DISTINCT g.sector), count(*), count(DISTINCT g.collective_id),"
                " min(g.occurred_on), max(g.occurred_on) "
                f"FROM {t.members} m JOIN {t.grievances} g ON g.id = m.grievance_id"
                " WHERE m.category = %s AND m.key_kind = %s AND m.key = %s"
                " GROUP BY m.category, m.key_kind, m.key", (category, key_kind, key))


# == Reading ===================================================================================


class Cluster(msgspec.Struct, kw_only=True):
    category: str
    key_kind: str  # "organisation" or "place"
    organisation_id: UUID | None
    place: str | None
    grievance_ids: list[UUID]
    collective_ids: list[UUID]
    sectors: list[str]
    grievances: int
    collectives: int
    first_on: date
    last_on: date


def _cluster(r: Any, grievance_ids: list[UUID] | None = None) -> Cluster:
    by_org = r["key_kind"] == BY_ORGANISATION
    return Cluster(
        category=r["category"], key_kind=r["key_kind"],
        organisation_id=UUID(r["key"]) if by_org else None,
        place=None if by_org else r["key"],
        # Sorted, so the maintained table and the scoped regrouping read the same.
        grievance_ids=list(r["grievance_ids"] if grievance_ids is None else grievance_ids),
        collective_ids=sorted(r["collective_ids"]),
        sectors=sorted(r["sectors"]), grievances=r["grievances"], collectives=r["collectives"],
        first_on=r["first_on"], last_on=r["last_on"])


_ORDER = "ORDER BY grievances DESC, collectives DESC, last_on DESC, category, key_kind, key"


async def list_common_grievances(conn: asyncpg.Connection, scope: Scope, *,
                                 min_grievances: int = 2, min_collectives: int = 1,
                                 category: str | None = None,
                                 limit: int = 100) -> list[Cluster]:
    """Clusters with at least ``min_grievances`` grievances from at least
    ``min_collectives`` collectives, seen through the grievances in ``scope``."""
    t = await tables(conn, "common_grievances")
    if scope.collective_ids is None and scope.federation is None:
        rows = await conn.fetch(
            f"SELECT * FROM {t.clusters} WHERE grievances >= $1 AND collectives >= $2"
            f" AND ($3::text IS NULL OR category = $3) {_ORDER} LIMIT $4",
            min_grievances, min_collectives, category, limit)
        members = await _grievance_ids(conn, t, [(r["category"], r["key_kind"], r["key"]) for r in rows])
        return [_cluster(r, members.get((r["category"], r["key_kind"], r["key"]), [])) for r in rows]
    ids = None if scope.collective_ids is None else list(scope.collective_ids)
    # Arrays keep the order of raising (raised_nid), as the maintained cluster table does.
    rows = await conn.fetch(
        f"SELECT m.category, m.key_kind, m.key,"
        " array_agg(g.id ORDER BY g.raised_nid) AS grievance_ids,"
        " array_agg(DISTINCT g.collective_id) AS collective_ids,"
        " array_agg(DISTINCT g.sector) AS sectors,"
        " count(*)::int AS grievances, count(DISTINCT g.collective_id)::int AS collectives,"
        " min(g.occurred_on) AS first_on, max(g.occurred_on) AS last_on "
        f"FROM {t.members} m JOIN {t.grievances} g ON g.id = m.grievance_id "
        "WHERE ($1::uuid[] IS NULL OR g.collective_id = ANY($1::uuid[]))"
        " AND ($2::text IS NULL OR g.federation = $2)"
        " AND ($5::text IS NULL OR m.category = $5) "
        "GROUP BY m.category, m.key_kind, m.key "
        "HAVING count(*) >= $3 AND count(DISTINCT g.collective_id) >= $4 "
        f"{_ORDER} LIMIT $6",
        ids, scope.federation, min_grievances, min_collectives, category, limit)
    clusters = [_cluster(r) for r in rows]
    # A cluster around an organisation the reader may not name (a household another
    # collective recorded) is not hers to see: its key is that organisation.
    named = await nameable_organisations(conn, t, scope, [x.organisation_id for x in clusters])
    return [x for x in clusters if x.organisation_id is None or x.organisation_id in named]


async def _grievance_ids(conn: asyncpg.Connection, t: Any, keys: list[tuple[str, str, str]]
                         ) -> dict[tuple[str, str, str], list[UUID]]:
    """The grievance ids of these clusters, each in the order of raising (one query)."""
    if not keys:
        return {}
    rows = await conn.fetch(
        "SELECT m.category, m.key_kind, m.key, array_agg(g.id ORDER BY g.raised_nid) AS ids "
        f"FROM unnest($1::text[], $2::text[], $3::text[]) AS k(category, key_kind, key) "
        f"JOIN {t.members} m USING (category, key_kind, key) "
        f"JOIN {t.grievances} g ON g.id = m.grievance_id GROUP BY m.category, m.key_kind, m.key",
        *(list(column) for column in zip(*keys, strict=True)))
    return {(r["category"], r["key_kind"], r["key"]): list(r["ids"]) for r in rows}


async def federation_clusters(conn: asyncpg.Connection, scope: Scope, federation: str, *,
                              min_grievances: int = 2, min_collectives: int = 1,
                              category: str | None = None, limit: int = 100) -> list[Cluster] | None:
    """The common grievances of one federation's collectives (as ``list_common_grievances``
    sees them through ``scope``). None when the federation has no collective in scope."""
    t = await tables(conn, "common_grievances")
    if not await federation_in_scope(conn, t, scope, federation):
        return None
    narrowed = Scope(collective_ids=scope.collective_ids, federation=federation)
    return await list_common_grievances(conn, narrowed, min_grievances=min_grievances,
                                        min_collectives=min_collectives, category=category,
                                        limit=limit)
