"""The worker directory: for each collective, its workers (members now or before), with
their consents, memberships and trajectory.

The view never holds personal data in the clear. A worker's profile (pseudonym and any
personal fields) is kept only as the sealed bytes from her events; the layer that holds
the keys opens the pseudonym at read time. Erasure destroys her key, so the blob is noise
already; the view drops it anyway, with her consents (consent ends with the record).
Status changes are sensitive and are not in this view at all; nor are the occupations of
her spells (sealed under her key: they can name the household she works in).

A trajectory is a set of work spells that may overlap (DOMAIN.md, lesson 2), plus moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Worker
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.views._federations import (
    KnowsFederations,
    KnowsOrganisations,
    nameable_organisations,
)


def spell_span(started_on: date, ended_on: date | None) -> tuple[date, date | None]:
    """The days a spell covers, half-open: ``ended_on`` is the day it ended, so a spell that
    starts the day another ends follows it rather than overlapping it; a spell that starts
    and ends on one day covers that day. ``None``: still going."""
    if ended_on is None:
        return started_on, None
    return started_on, max(ended_on, started_on + timedelta(days=1))


def spells_overlap(a: tuple[date, date | None], b: tuple[date, date | None]) -> bool:
    """Whether two spells, given as (started_on, ended_on), share at least one day."""
    (a0, a1), (b0, b1) = spell_span(*a), spell_span(*b)
    return (a1 is None or b0 < a1) and (b1 is None or a0 < b1)


def overlapping_pairs(spells: Sequence[tuple[UUID, date, date | None]]) -> list[tuple[UUID, UUID]]:
    """Pairs of spell ids that overlap in time, each pair ordered by (start, id)."""
    ordered = sorted(spells, key=lambda s: (s[1], s[0]))
    return [(a[0], b[0]) for a, b in combinations(ordered, 2)
            if spells_overlap((a[1], a[2]), (b[1], b[2]))]


class WorkerDirectoryView(KnowsOrganisations, KnowsFederations, View):
    name = "worker_directory"

    def ddl(self, t: Tables) -> list[str]:
        return [
            self.collectives_ddl(t),
            self.organisations_ddl(t),
            f"CREATE TABLE IF NOT EXISTS {t.workers} ("
            " id uuid PRIMARY KEY, sealed_profile bytea, erased boolean NOT NULL DEFAULT false,"
            " registered_at timestamptz NOT NULL, registered_nid bigint NOT NULL,"
            " last_nid bigint NOT NULL)",
            # The record she was merged into (a duplicate of the same woman), until undone.
            f"ALTER TABLE {t.workers} ADD COLUMN IF NOT EXISTS merged_into uuid",
            f"CREATE TABLE IF NOT EXISTS {t.consents} ("
            " worker_id uuid NOT NULL, purpose text NOT NULL, given_at timestamptz NOT NULL,"
            " PRIMARY KEY (worker_id, purpose))",
            # Every membership, past and current; she may leave and rejoin.
            f"CREATE TABLE IF NOT EXISTS {t.memberships} ("
            " worker_id uuid NOT NULL, seq integer NOT NULL, collective_id uuid NOT NULL,"
            " joined_on date NOT NULL, left_on date, nid bigint NOT NULL,"
            " PRIMARY KEY (worker_id, seq))",
            f"CREATE INDEX IF NOT EXISTS {t.memberships}_collective_idx "
            f"ON {t.memberships} (collective_id, worker_id)",
            f"CREATE TABLE IF NOT EXISTS {t.spells} ("
            " spell_id uuid PRIMARY KEY, worker_id uuid NOT NULL, sector text NOT NULL,"
            " place text NOT NULL, employer_id uuid,"
            " relationship text NOT NULL, paid boolean NOT NULL, started_on date NOT NULL,"
            " ended_on date)",
            f"CREATE INDEX IF NOT EXISTS {t.spells}_worker_idx ON {t.spells} (worker_id, started_on)",
            f"CREATE TABLE IF NOT EXISTS {t.moves} ("
            " worker_id uuid NOT NULL, seq integer NOT NULL, to_place text NOT NULL,"
            " from_place text, stage text NOT NULL, moved_on date NOT NULL,"
            " PRIMARY KEY (worker_id, seq))",
        ]

    def __init__(self, datastore, *, generation: int = 1, **deps: Any):
        super().__init__(datastore, generation=generation, **deps)
        self._touched: dict[UUID, int] = {}  # worker -> the batch's last event of hers

    def apply_batch(self, curs, batch, last_id: int, after: int | None = None) -> None:
        self._touched = {}  # nothing left from a batch that failed
        self._moves = None
        super().apply_batch(curs, batch, last_id, after)

    # Within a batch: how many moves each worker who moves in it has so far (her next
    # move's seq), read once per batch rather than counted at every move.
    _moves: dict[UUID, int] | None = None

    def prefetch(self, curs, batch) -> None:
        ids = list({e.originator_id for _, e in batch if isinstance(e, Worker.MoveRecorded)})
        self._moves = {}
        if ids:
            curs.execute(f"SELECT worker_id, count(*) AS n FROM {self.t.moves}"
                         " WHERE worker_id = ANY(%s) GROUP BY worker_id", (ids,))
            self._moves = {r["worker_id"]: r["n"] for r in curs.fetchall()}

    def after_batch(self, curs) -> None:
        self._moves = None  # read again by the next batch
        # Her last event's id, once per worker per batch rather than once per event. Ids
        # only grow, so the greatest is the one the per-event updates would have left.
        touched, self._touched = self._touched, {}
        if touched:
            curs.execute(f"UPDATE {self.t.workers} w SET last_nid = greatest(w.last_nid, x.nid)"
                         " FROM unnest(%s::uuid[], %s::bigint[]) AS x(id, nid) WHERE w.id = x.id",
                         (list(touched), list(touched.values())))

    def _touch(self, curs, e, nid, assignments: str = "", params: tuple = ()) -> None:
        if not assignments:
            self._touched[e.originator_id] = nid
            return
        curs.execute(f"UPDATE {self.t.workers} SET {assignments}, last_nid = %s WHERE id = %s",
                     (*params, nid, e.originator_id))

    def _join(self, curs, worker_id: UUID, collective_id: UUID, on: date, nid: int) -> None:
        curs.execute(
            f"INSERT INTO {self.t.memberships} (worker_id, seq, collective_id, joined_on, nid) "
            f"SELECT %s, count(*), %s, %s, %s FROM {self.t.memberships} WHERE worker_id = %s",
            (worker_id, collective_id, on, nid, worker_id))

    @on(Worker.Registered)
    def registered(self, curs, e, nid) -> None:
        # One statement (nothing to wait for): her row and, if she was registered into a
        # collective and not already known, her first membership.
        t = self.t
        curs.execute(
            f"WITH w AS (INSERT INTO {t.workers} (id, sealed_profile, registered_at, registered_nid,"
            " last_nid) VALUES (%(id)s, %(profile)s, %(at)s, %(nid)s, %(nid)s)"
            " ON CONFLICT (id) DO NOTHING RETURNING id) "
            f"INSERT INTO {t.memberships} (worker_id, seq, collective_id, joined_on, nid) "
            f"SELECT w.id, (SELECT count(*) FROM {t.memberships} WHERE worker_id = %(id)s),"
            " %(coll)s::uuid, %(on)s::date, %(nid)s FROM w WHERE %(coll)s::uuid IS NOT NULL",
            {"id": e.originator_id, "profile": e.sealed_profile, "at": e.timestamp, "nid": nid,
             "coll": e.collective_id, "on": e.joined_on})

    @on(Worker.ProfileUpdated)
    def profile_updated(self, curs, e, nid) -> None:
        self._touch(curs, e, nid, "sealed_profile = %s", (e.sealed_profile,))

    @on(Worker.JoinedCollective)
    def joined_collective(self, curs, e, nid) -> None:
        self._join(curs, e.originator_id, e.collective_id, e.on, nid)
        self._touch(curs, e, nid)

    @on(Worker.LeftCollective)
    def left_collective(self, curs, e, nid) -> None:
        curs.execute(
            f"UPDATE {self.t.memberships} SET left_on = %s WHERE worker_id = %s AND seq = ("
            f"SELECT max(seq) FROM {self.t.memberships} WHERE worker_id = %s"
            " AND collective_id = %s AND left_on IS NULL)",
            (e.on, e.originator_id, e.originator_id, e.collective_id))
        self._touch(curs, e, nid)

    @on(Worker.ConsentGiven)
    def consent_given(self, curs, e, nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.consents} (worker_id, purpose, given_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (worker_id, purpose) DO UPDATE SET given_at = EXCLUDED.given_at",
            (e.originator_id, e.purpose, e.on))
        self._touch(curs, e, nid)

    @on(Worker.ConsentWithdrawn)
    def consent_withdrawn(self, curs, e, nid) -> None:
        curs.execute(f"DELETE FROM {self.t.consents} WHERE worker_id = %s AND purpose = %s",
                     (e.originator_id, e.purpose))
        self._touch(curs, e, nid)

    @on(Worker.SpellStarted)
    def spell_started(self, curs, e, nid) -> None:
        self.insert(curs, self.t.spells,
                    "spell_id uuid, worker_id uuid, sector text, place text, employer_id uuid,"
                    " relationship text, paid bool, started_on date",
                    (e.spell_id, e.originator_id, e.sector, e.place, e.employer_id,
                     e.relationship, e.paid, e.started_on), conflict="ON CONFLICT (spell_id) DO NOTHING")
        self._touch(curs, e, nid)

    @on(Worker.SpellEnded)
    def spell_ended(self, curs, e, nid) -> None:
        self.update(curs, self.t.spells, "spell_id uuid, ended_on date", "ended_on = x.ended_on",
                    (e.spell_id, e.ended_on))
        self._touch(curs, e, nid)

    @on(Worker.SpellCorrected)
    def spell_corrected(self, curs, e, nid) -> None:
        self.update(curs, self.t.spells, "spell_id uuid, sector text, place text, started_on date,"
                    " ended_on date", "sector = x.sector, place = x.place,"
                    " started_on = x.started_on, ended_on = x.ended_on",
                    (e.spell_id, e.sector, e.place, e.started_on, e.ended_on))
        self._touch(curs, e, nid)

    @on(Worker.SpellWithdrawn)
    def spell_withdrawn(self, curs, e, nid) -> None:
        self.change(curs, self.t.spells, e.spell_id,
                    f"DELETE FROM {self.t.spells} WHERE spell_id = %s", (e.spell_id,))
        self._touch(curs, e, nid)

    @on(Worker.MoveRecorded)
    def move_recorded(self, curs, e, nid) -> None:
        # Her moves are numbered in order from 0; none is ever taken back.
        if self._moves is None:  # applied one event at a time, without a prefetch
            self.prefetch(curs, [(nid, e)])
        seq = self._moves.get(e.originator_id, 0)
        self._moves[e.originator_id] = seq + 1
        self.insert(curs, self.t.moves,
                    "worker_id uuid, seq int, to_place text, from_place text, stage text, moved_on date",
                    (e.originator_id, seq, e.to_place, e.from_place, e.stage, e.moved_on))
        self._touch(curs, e, nid)

    @on(Worker.MergedInto)
    def merged_into(self, curs, e, nid) -> None:
        self._touch(curs, e, nid, "merged_into = %s", (e.survivor_id,))

    @on(Worker.MergeUndone)
    def merge_undone(self, curs, e, nid) -> None:
        self._touch(curs, e, nid, "merged_into = NULLIF(merged_into, %s)", (e.other_id,))

    @on(Worker.Erased)
    def erased(self, curs, e, nid) -> None:
        self._touch(curs, e, nid, "erased = true, sealed_profile = NULL")
        curs.execute(f"DELETE FROM {self.t.consents} WHERE worker_id = %s", (e.originator_id,))


# == Reading ===================================================================================


class ConsentRow(msgspec.Struct, kw_only=True):
    purpose: str
    given_at: datetime


class MembershipRow(msgspec.Struct, kw_only=True):
    collective_id: UUID
    joined_on: date
    left_on: date | None


class SpellRow(msgspec.Struct, kw_only=True):
    """A spell as the directory keeps it: codes and dates. The occupation is sealed under
    her key in the event and never stored opened; the worker's own record opens it."""

    spell_id: UUID
    sector: str
    place: str
    employer_id: UUID | None
    relationship: str
    paid: bool
    started_on: date
    ended_on: date | None


class MoveRow(msgspec.Struct, kw_only=True):
    to_place: str
    from_place: str | None
    stage: str
    moved_on: date


class WorkerRow(msgspec.Struct, kw_only=True):
    id: UUID
    sealed_profile: bytes | None  # opened by the caller with her key; None once erased
    erased: bool
    consents: list[ConsentRow]
    memberships: list[MembershipRow]  # only those in the reader's scope
    # consents, spells and moves: empty for a reader whose collectives she has left
    spells: list[SpellRow]
    moves: list[MoveRow]
    overlaps: list[tuple[UUID, UUID]]  # pairs of spell ids that overlap in time
    merged_into: UUID | None = None  # a duplicate record: read under this one's line


def _scope_params(scope: Scope) -> tuple[list[UUID] | None, str | None]:
    return (None if scope.collective_ids is None else list(scope.collective_ids)), scope.federation


# A collective ``c`` (alias) the scope ($1 ids, $2 federation) allows.
_ALLOWED = ("($1::uuid[] IS NULL OR c.id = ANY($1::uuid[])) "
            "AND ($2::text IS NULL OR c.federation = $2)")


async def _rows(conn: asyncpg.Connection, t: Tables, scope: Scope,
                worker_ids: list[UUID], order: dict[UUID, Any]) -> list[WorkerRow]:
    """Full rows for these workers, in the order of ``order``'s keys."""
    ids, federation = _scope_params(scope)
    workers = {r["id"]: r for r in await conn.fetch(
        f"SELECT id, sealed_profile, erased, merged_into FROM {t.workers}"
        " WHERE id = ANY($1::uuid[])", worker_ids)}
    parts: dict[UUID, dict[str, list]] = {
        w: {"consents": [], "memberships": [], "spells": [], "moves": []} for w in workers}
    for r in await conn.fetch(
            f"SELECT * FROM {t.consents} WHERE worker_id = ANY($1::uuid[]) "
            "ORDER BY worker_id, purpose", worker_ids):
        parts[r["worker_id"]]["consents"].append(ConsentRow(purpose=r["purpose"], given_at=r["given_at"]))
    for r in await conn.fetch(
            f"SELECT m.* FROM {t.memberships} m JOIN {t.collectives} c ON c.id = m.collective_id "
            f"WHERE m.worker_id = ANY($3::uuid[]) AND {_ALLOWED} ORDER BY m.worker_id, m.seq",
            ids, federation, worker_ids):
        parts[r["worker_id"]]["memberships"].append(MembershipRow(
            collective_id=r["collective_id"], joined_on=r["joined_on"], left_on=r["left_on"]))
    for r in await conn.fetch(
            f"SELECT * FROM {t.spells} WHERE worker_id = ANY($1::uuid[]) "
            "ORDER BY worker_id, started_on, spell_id", worker_ids):
        d = dict(r)
        worker_id = d.pop("worker_id")
        parts[worker_id]["spells"].append(SpellRow(**d))
    for r in await conn.fetch(
            f"SELECT * FROM {t.moves} WHERE worker_id = ANY($1::uuid[]) ORDER BY worker_id, seq",
            worker_ids):
        parts[r["worker_id"]]["moves"].append(MoveRow(
            to_place=r["to_place"], from_place=r["from_place"], stage=r["stage"],
            moved_on=r["moved_on"]))
    everything = ids is None and federation is None
    employers = await nameable_organisations(
        conn, t, scope, [x.employer_id for p in parts.values() for x in p["spells"]])
    for p in parts.values():  # never an employer the reader may not name
        p["spells"] = [x if x.employer_id is None or x.employer_id in employers
                       else msgspec.structs.replace(x, employer_id=None) for x in p["spells"]]
    out = []
    for worker_id in order:
        if worker_id not in workers:
            continue
        w, p = workers[worker_id], parts[worker_id]
        if not everything and all(m.left_on is not None for m in p["memberships"]):
            # A collective she left reads her pseudonym and its own membership rows, nothing
            # recorded about her since (organize.application.policy): no consent, trajectory or moves.
            p = {**p, "consents": [], "spells": [], "moves": []}
        out.append(WorkerRow(
            id=worker_id, sealed_profile=w["sealed_profile"], erased=w["erased"],
            merged_into=w["merged_into"], **p,
            overlaps=overlapping_pairs([(s.spell_id, s.started_on, s.ended_on) for s in p["spells"]])))
    return out


async def list_workers(conn: asyncpg.Connection, scope: Scope,
                       collective_id: UUID) -> list[WorkerRow] | None:
    """Workers who are or were members of the collective, in the order they first joined
    it (then the order it was recorded); None when the collective is unknown or out of
    scope."""
    t = await tables(conn, "worker_directory")
    ids, federation = _scope_params(scope)
    allowed = await conn.fetchval(
        f"SELECT 1 FROM {t.collectives} c WHERE c.id = $3 AND {_ALLOWED}", ids, federation,
        collective_id)
    if not allowed:
        return None
    rows = await conn.fetch(
        f"SELECT worker_id, min(joined_on) AS first, min(nid) AS nid FROM {t.memberships} "
        "WHERE collective_id = $1 GROUP BY worker_id ORDER BY first, nid", collective_id)
    order = {r["worker_id"]: r["first"] for r in rows}
    return await _rows(conn, t, scope, list(order), order)


async def get_worker(conn: asyncpg.Connection, scope: Scope, worker_id: UUID) -> WorkerRow | None:
    """One worker, or None when unknown or never a member of a collective in scope."""
    t = await tables(conn, "worker_directory")
    ids, federation = _scope_params(scope)
    if ids is not None or federation is not None:
        visible = await conn.fetchval(
            f"SELECT 1 FROM {t.memberships} m JOIN {t.collectives} c ON c.id = m.collective_id "
            f"WHERE m.worker_id = $3 AND {_ALLOWED} LIMIT 1", ids, federation, worker_id)
        if not visible:
            return None
    found = await _rows(conn, t, scope, [worker_id], {worker_id: None})
    return found[0] if found else None


async def sealed_profiles(conn: asyncpg.Connection,
                          worker_ids: Iterable[UUID]) -> dict[UUID, bytes | None]:
    """The sealed profile of each worker, for opening pseudonyms (a meeting's attendees).
    The caller has checked the reader may see these workers in that context."""
    t = await tables(conn, "worker_directory")
    rows = await conn.fetch(f"SELECT id, sealed_profile FROM {t.workers} WHERE id = ANY($1::uuid[])",
                            list(dict.fromkeys(worker_ids)))
    return {r["id"]: r["sealed_profile"] for r in rows}
