"""Grievance deadlines: every open grievance's deadlines, recomputed from events.

The view keeps what deadlines depend on and nothing more: each collective's procedures
(steps with their limits and clocks), each grievance's facts (``organize.domain.deadlines.
Facts``, folded event by event with ``fold``), and each worker's planned departure. Whenever
one of them changes (a step taken, the incident's day corrected, a procedure revised, a
departure recorded or erased), the deadlines of every grievance it touches are computed
again by the domain's pure function and their rows replaced. So the list is always the one
the facts imply, whatever order they arrived in. Within a batch the facts are folded in
memory and the deadlines computed once per touched grievance, after the batch's events.

Rows hold ids, step codes and names (the collective's own words, not personal data) and
dates; never a description. A worker's planned departure is sealed under her key: the view
keeps it as a token (``organize.projections.sealed``) and never a day, so it holds no
deadline derived from it either. The read path opens the tokens for a reader the policy
allows (the web layer's ``Revealer.open``) and adds the departure deadline then
(``with_departures``); once she is erased her token is gone and her key with it. A
departure counts only on a grievance of a collective she is still a member of: one she has
left does not learn what she plans afterwards (the former-member cut of every record).
Reads are scoped like every view's: a leader her collectives, an organiser none of this
(deadlines are the collective's casework), an admin everything.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Grievance, Procedure, Worker
from organize.domain.deadlines import (
    DEPARTURE,
    DUE_SOON_DAYS,
    Facts,
    Step,
    deadlines,
    departure_deadline,
    fold,
    fold_departure,
)
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.sealed import token
from organize.projections.views._federations import KnowsFederations

_FACTS = msgspec.json.Decoder(Facts)
_STEPS = msgspec.json.Decoder(tuple[Step, ...])


class GrievanceDeadlinesView(KnowsFederations, View):
    name = "grievance_deadlines"

    def ddl(self, t: Tables) -> list[str]:
        return [
            self.collectives_ddl(t),
            f"CREATE TABLE IF NOT EXISTS {t.procedures} ("
            " id uuid PRIMARY KEY, collective_id uuid NOT NULL, agreement_id uuid,"
            " name text NOT NULL, steps jsonb NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t.facts} ("
            " grievance_id uuid PRIMARY KEY, collective_id uuid NOT NULL,"
            " parties uuid[] NOT NULL, facts jsonb NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {t.facts}_parties_idx ON {t.facts} USING gin (parties)",
            f"CREATE INDEX IF NOT EXISTS {t.facts}_collective_idx ON {t.facts} (collective_id)",
            f"CREATE TABLE IF NOT EXISTS {t.sealed_departures} ("
            " worker_id uuid PRIMARY KEY, token text NOT NULL)",
            # Her current collectives: a departure is read only on a grievance of one of them
            # (a collective she has left never learns what she plans after leaving).
            f"CREATE TABLE IF NOT EXISTS {t.members} ("
            " worker_id uuid NOT NULL, collective_id uuid NOT NULL,"
            " PRIMARY KEY (worker_id, collective_id))",
            f"CREATE TABLE IF NOT EXISTS {t.deadlines} ("
            " grievance_id uuid NOT NULL, collective_id uuid NOT NULL, position integer NOT NULL,"
            " step text NOT NULL, step_name text, due_on date NOT NULL, met_on date,"
            " PRIMARY KEY (grievance_id, step))",
            f"CREATE INDEX IF NOT EXISTS {t.deadlines}_due_idx "
            f"ON {t.deadlines} (collective_id, due_on) WHERE met_on IS NULL",
        ]

    # -- procedures ----------------------------------------------------------------------

    @on(Procedure.Defined)
    def procedure_defined(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.procedures} (id, collective_id, agreement_id, name, steps)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
            (e.originator_id, e.collective_id, e.agreement_id, e.name,
             msgspec.json.encode(e.steps).decode()))
        self._revised.add(e.collective_id)

    @on(Procedure.Revised)
    def procedure_revised(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.procedures} SET name = %s, steps = %s WHERE id = %s"
                     " RETURNING collective_id",
                     (e.name, msgspec.json.encode(e.steps).decode(), e.originator_id))
        row = curs.fetchone()
        if row is not None:
            self._revised.add(row["collective_id"])

    # -- grievances: fold the facts, then compute again ----------------------------------

    @on(Grievance.Raised, Grievance.Corrected, Grievance.Joined, Grievance.KnowledgeRecorded,
        Grievance.StepTaken, Grievance.ProcedureFollowed, Grievance.OutcomeRecorded,
        Grievance.Withdrawn, Grievance.Reopened)
    def grievance_changed(self, curs, e, _nid) -> None:
        # Folded in memory; written, and its deadlines computed, once per batch.
        name = type(e).__name__
        gid = e.originator_id
        if name == "Raised":
            before = None
            collective_id = e.collective_id
        else:
            known = self._folded.get(gid)
            if known is None:
                known = self._stored_facts(curs, gid)
            if known is None:  # a grievance this view never saw raised
                return
            collective_id, before = known
        after = fold(before, name, vars(e))
        if after is None:
            return
        self._folded[gid] = (collective_id, after)

    # -- workers: a planned departure is a deadline of each grievance she is party to ----

    @on(Worker.Registered)
    def registered(self, curs, e, _nid) -> None:
        if e.collective_id is not None:
            self._member(curs, e.originator_id, e.collective_id)

    @on(Worker.JoinedCollective)
    def joined(self, curs, e, _nid) -> None:
        self._member(curs, e.originator_id, e.collective_id)

    @on(Worker.LeftCollective)
    def left(self, curs, e, _nid) -> None:
        curs.execute(f"DELETE FROM {self.t.members} WHERE worker_id = %s AND collective_id = %s",
                     (e.originator_id, e.collective_id))

    def _member(self, curs, worker_id: UUID, collective_id: UUID) -> None:
        self.insert(curs, self.t.members, "worker_id uuid, collective_id uuid",
                    (worker_id, collective_id), conflict="ON CONFLICT DO NOTHING")

    @on(Worker.DeparturePlanned, Worker.Erased)
    def departure_changed(self, curs, e, _nid) -> None:
        wid = e.originator_id
        after = fold_departure({}, wid, type(e).__name__, vars(e))
        if wid in after:  # sealed bytes, or a version 1 event's day in the clear
            stored = after[wid]
            value = (token(wid, stored) if isinstance(stored, bytes)
                     else token(wid, None, stored.isoformat()))
            curs.execute(f"INSERT INTO {self.t.sealed_departures} (worker_id, token)"
                         " VALUES (%s, %s) ON CONFLICT (worker_id) DO UPDATE"
                         " SET token = EXCLUDED.token", (wid, value))
        else:
            curs.execute(f"DELETE FROM {self.t.sealed_departures} WHERE worker_id = %s", (wid,))

    # -- computing ------------------------------------------------------------------------

    def __init__(self, datastore, *, generation: int = 1, **deps: Any):
        super().__init__(datastore, generation=generation, **deps)
        # What the batch in flight folded, and the collectives whose procedures it changed:
        # their grievances' deadlines are computed once, after its events (``after_batch``).
        self._folded: dict[UUID, tuple[UUID, Facts]] = {}
        self._revised: set[UUID] = set()
        self._stored: dict[UUID, tuple[UUID, Facts]] | None = None  # as the batch found them

    def apply_batch(self, curs, batch, last_id: int, after: int | None = None) -> None:
        self._folded, self._revised = {}, set()  # nothing left from a batch that failed
        try:
            super().apply_batch(curs, batch, last_id, after)
        finally:
            self._stored = None

    def prefetch(self, curs, batch) -> None:
        """The stored facts of every grievance the batch's events go on with, in one read
        (rather than one round trip per grievance). The facts table is written only after
        the batch's events, so what is read here is what each handler would have read."""
        changed = self._handlers
        ids = list({e.originator_id for _, e in batch
                    if changed.get(type(e)) == "grievance_changed" and type(e) is not Grievance.Raised})
        self._stored = {}
        if ids:
            curs.execute(f"SELECT grievance_id, collective_id, facts FROM {self.t.facts}"
                         " WHERE grievance_id = ANY(%s)", (ids,))
            self._stored = {r["grievance_id"]: (r["collective_id"], _FACTS.decode(_json(r["facts"])))
                            for r in curs.fetchall()}

    def _stored_facts(self, curs, gid: UUID) -> tuple[UUID, Facts] | None:
        if self._stored is not None:  # read for the whole batch by ``prefetch``
            return self._stored.get(gid)
        curs.execute(f"SELECT collective_id, facts FROM {self.t.facts} WHERE grievance_id = %s",
                     (gid,))
        row = curs.fetchone()
        return None if row is None else (row["collective_id"], _FACTS.decode(_json(row["facts"])))

    def after_batch(self, curs) -> None:
        """Store the facts the batch folded, then compute again the deadlines of every
        grievance whose facts or procedures it changed. A grievance's deadlines are a pure
        function of its final facts and its collective's final procedures, so computing
        them once per batch leaves the rows computing them after each event would."""
        folded, revised = self._folded, self._revised
        self._folded, self._revised = {}, set()
        self.insert_many(  # one row per grievance (the keys of a dict)
            curs, self.t.facts, "grievance_id uuid, collective_id uuid, parties uuid[], facts jsonb",
            [(gid, cid, list(f.parties), msgspec.json.encode(f).decode())
             for gid, (cid, f) in folded.items()],
            conflict="ON CONFLICT (grievance_id) DO UPDATE"
                     " SET parties = EXCLUDED.parties, facts = EXCLUDED.facts")
        todo = dict(folded)
        if revised:
            curs.execute(f"SELECT grievance_id, collective_id, facts FROM {self.t.facts}"
                         " WHERE collective_id = ANY(%s)", (list(revised),))
            for r in curs.fetchall():
                todo.setdefault(r["grievance_id"],
                                (r["collective_id"], _FACTS.decode(_json(r["facts"]))))
        if todo:
            self._recompute(curs, todo)

    def _recompute(self, curs, grievances: dict[UUID, tuple[UUID, Facts]]) -> None:
        steps_of: dict[tuple[UUID, UUID | None], tuple[Step, ...]] = {}
        rows = []
        for grievance_id, (collective_id, facts) in grievances.items():
            key = (collective_id, facts.procedure_id)
            if key not in steps_of:
                steps_of[key] = self._steps(curs, collective_id, facts.procedure_id)
            steps = steps_of[key]
            names = {s.code: s.name for s in steps}
            rows += [(grievance_id, collective_id, position, d.step, names.get(d.step), d.due_on,
                      d.met_on) for position, d in enumerate(deadlines(facts, steps))]
        curs.execute(f"DELETE FROM {self.t.deadlines} WHERE grievance_id = ANY(%s)",
                     (list(grievances),))
        self.insert_many(curs, self.t.deadlines,
                         "grievance_id uuid, collective_id uuid, position int, step text,"
                         " step_name text, due_on date, met_on date", rows)

    def _steps(self, curs, collective_id: UUID, procedure_id: UUID | None) -> tuple[Step, ...]:
        # The procedure the grievance follows, else its collective's own (no agreement).
        if procedure_id is not None:
            curs.execute(f"SELECT steps FROM {self.t.procedures} WHERE id = %s"
                         " AND collective_id = %s", (procedure_id, collective_id))
        else:
            curs.execute(f"SELECT steps FROM {self.t.procedures} WHERE collective_id = %s"
                         " AND agreement_id IS NULL", (collective_id,))
        row = curs.fetchone()
        return () if row is None else _STEPS.decode(_json(row["steps"]))


def _json(value: Any) -> bytes:
    # psycopg hands jsonb back already parsed; re-encode it for the typed decoder.
    return value.encode() if isinstance(value, str) else msgspec.json.encode(value)


# == Reading ===================================================================================


class DeadlineRow(msgspec.Struct, kw_only=True):
    grievance_id: UUID
    collective_id: UUID
    step: str  # a step's code, or "departure"
    step_name: str | None
    due_on: date
    met_on: date | None
    urgency: str | None = None  # "overdue", "due_soon" or None, against the reader's today


class ProcedureRow(msgspec.Struct, kw_only=True):
    id: UUID
    collective_id: UUID
    agreement_id: UUID | None
    name: str
    steps: list[Step]


def _urgency(row: DeadlineRow, today: date) -> str | None:
    if row.met_on is not None:
        return None
    if row.due_on < today:
        return "overdue"
    return "due_soon" if row.due_on <= today + timedelta(days=DUE_SOON_DAYS) else None


def _scoped(scope: Scope) -> bool:
    """Deadlines are a collective's casework: a leader's own, or an admin's; an organiser's
    federation scope reaches none of it."""
    return scope.collective_ids is not None or scope == Scope.everything()


class Departure(msgspec.Struct, kw_only=True):
    """A party's planned departure, as the view keeps it: a sealed token, opened by the web
    layer (``Revealer.open``) into the ISO day, or "[erased]" once her key is gone."""

    grievance_id: UUID
    collective_id: UUID
    worker_id: UUID
    day: str


class Deadlines(msgspec.Struct, kw_only=True):
    """A read's deadlines before the departures are opened: pass it through
    ``Revealer.open``, then ``with_departures``."""

    rows: list[DeadlineRow]
    departures: list[Departure]
    today: date
    due_only: bool  # the home page's list: only what is overdue or due within a week
    limit: int | None = None


def with_departures(found: Deadlines) -> list[DeadlineRow]:
    """The deadlines with each grievance's departure deadline added, from its parties'
    departures as opened for this reader (an erased one, or one that did not open, sets
    none); the most pressing first for the home page's list."""
    leaving: dict[UUID, dict[UUID, date]] = {}
    collective_of: dict[UUID, UUID] = {}
    for d in found.departures:
        try:
            day = date.fromisoformat(d.day)
        except ValueError:  # "[erased]", or still a token: no deadline
            continue
        leaving.setdefault(d.grievance_id, {})[d.worker_id] = day
        collective_of[d.grievance_id] = d.collective_id
    rows = list(found.rows)
    for grievance_id, days in leaving.items():
        deadline = departure_deadline(days, days)
        if deadline is None:
            continue
        row = DeadlineRow(grievance_id=grievance_id, collective_id=collective_of[grievance_id],
                          step=DEPARTURE, step_name=None, due_on=deadline.due_on, met_on=None,
                          urgency=None)
        row.urgency = _urgency(row, found.today)
        if not found.due_only or row.due_on <= found.today + timedelta(days=DUE_SOON_DAYS):
            rows.append(row)
    if found.due_only:  # stable: a grievance's departure after its steps of the same day
        rows.sort(key=lambda r: (r.due_on, r.grievance_id, r.step == DEPARTURE))
    return rows[: found.limit] if found.limit is not None else rows


async def _departures(conn: asyncpg.Connection, t: Tables, where: str, *args: Any) -> list[Departure]:
    rows = await conn.fetch(
        f"SELECT f.grievance_id, f.collective_id, d.worker_id, d.token AS day FROM {t.facts} f"
        f" JOIN {t.sealed_departures} d ON d.worker_id = ANY(f.parties)"
        f" JOIN {t.members} m ON m.worker_id = d.worker_id AND m.collective_id = f.collective_id"
        f" WHERE coalesce((f.facts->>'is_open')::boolean, true) AND {where}"
        " ORDER BY f.grievance_id, d.worker_id", *args)
    return [Departure(**dict(r)) for r in rows]


async def due_deadlines(conn: asyncpg.Connection, scope: Scope, collective_id: UUID,
                        today: date, *, limit: int = 50) -> Deadlines:
    """The collective's open deadlines that are overdue or due within a week of ``today``
    (the collective's today), the most pressing first, once ``with_departures`` has added
    the departures opened for the reader."""
    found = Deadlines(rows=[], departures=[], today=today, due_only=True, limit=limit)
    if not _scoped(scope) or not scope.allows(collective_id, scope.federation):
        return found
    t = await tables(conn, "grievance_deadlines")
    rows = await conn.fetch(
        f"SELECT grievance_id, collective_id, step, step_name, due_on, met_on FROM {t.deadlines}"
        " WHERE collective_id = $1 AND met_on IS NULL AND due_on <= $2"
        " ORDER BY due_on, grievance_id, position LIMIT $3",
        collective_id, today + timedelta(days=DUE_SOON_DAYS), limit)
    found.rows = [DeadlineRow(**dict(r)) for r in rows]
    for r in found.rows:
        r.urgency = _urgency(r, today)
    found.departures = await _departures(conn, t, "f.collective_id = $1", collective_id)
    return found


async def grievance_deadlines(conn: asyncpg.Connection, scope: Scope, grievance_id: UUID,
                              today: date) -> Deadlines:
    """One grievance's deadlines, in its procedure's order, then (``with_departures``) the
    departure."""
    found = Deadlines(rows=[], departures=[], today=today, due_only=False)
    if not _scoped(scope):
        return found
    t = await tables(conn, "grievance_deadlines")
    ids = None if scope.collective_ids is None else list(scope.collective_ids)
    rows = await conn.fetch(
        f"SELECT grievance_id, collective_id, step, step_name, due_on, met_on FROM {t.deadlines}"
        " WHERE grievance_id = $1 AND ($2::uuid[] IS NULL OR collective_id = ANY($2::uuid[]))"
        " ORDER BY position", grievance_id, ids)
    found.rows = [DeadlineRow(**dict(r)) for r in rows]
    for r in found.rows:
        r.urgency = _urgency(r, today)
    found.departures = await _departures(
        conn, t, "f.grievance_id = $1 AND ($2::uuid[] IS NULL OR f.collective_id = ANY($2::uuid[]))",
        grievance_id, ids)
    return found


async def collective_procedures(conn: asyncpg.Connection, scope: Scope,
                                collective_id: UUID) -> list[ProcedureRow]:
    if not _scoped(scope) or not scope.allows(collective_id, scope.federation):
        return []
    t = await tables(conn, "grievance_deadlines")
    rows = await conn.fetch(
        f"SELECT id, collective_id, agreement_id, name, steps FROM {t.procedures}"
        " WHERE collective_id = $1 ORDER BY agreement_id NULLS FIRST, name", collective_id)
    return [ProcedureRow(id=r["id"], collective_id=r["collective_id"],
                         agreement_id=r["agreement_id"], name=r["name"],
                         steps=list(_STEPS.decode(_json(r["steps"])))) for r in rows]


__all__ = ["DEPARTURE", "DeadlineRow", "Deadlines", "Departure", "GrievanceDeadlinesView",
           "ProcedureRow", "collective_procedures", "due_deadlines", "grievance_deadlines",
           "with_departures"]
