"""The grievance register: one row per grievance, filterable (``GrievanceFilter``) by
collective, status, category or category group, sector, stage, organisation, worker and
period, and paged by keyset (``Cursor``: the day, then the raising notification).

Only codes, ids, dates and counts live here (the workers by opaque id, for "her
grievances" and for a search whose pseudonyms were matched in memory by the page).
Descriptions, evidence, negotiation notes and retaliation details are sealed in the events
and never enter a view; the register says *that* something happened (and which
notification recorded it), not what was said.

A grievance's federation is copied from its collective when it is raised, from a small
collectives table this view keeps for itself (a view reads only its own tables).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Collective, Grievance, Taxonomy, load_taxonomy
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.views._federations import KnowsOrganisations, nameable_organisations

OPEN, WITHDRAWN, RESOLVED = "open", "withdrawn", "resolved"
STATUSES = (OPEN, WITHDRAWN, RESOLVED)


class GrievanceRegisterView(KnowsOrganisations, View):
    name = "grievance_register"

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {t.collectives} ("
            " id uuid PRIMARY KEY, federation text, sectors text[] NOT NULL)",
            self.organisations_ddl(t),
            f"CREATE TABLE IF NOT EXISTS {t.grievances} ("
            " id uuid PRIMARY KEY, collective_id uuid NOT NULL, federation text,"
            " category text NOT NULL, category_group text NOT NULL, sector text NOT NULL,"
            " place text NOT NULL, stage text NOT NULL, occurred_on date NOT NULL,"
            " status text NOT NULL, parties integer NOT NULL, organisation_ids uuid[] NOT NULL,"
            " worker_ids uuid[] NOT NULL DEFAULT '{}',"
            " outcome text, outcome_on date, amount numeric, currency text,"
            " escalated boolean NOT NULL DEFAULT false,"
            " escalation_targets text[] NOT NULL DEFAULT '{}',"
            " referred boolean NOT NULL DEFAULT false,"
            " referred_to uuid[] NOT NULL DEFAULT '{}',"
            " negotiations integer NOT NULL DEFAULT 0,"
            " evidence integer NOT NULL DEFAULT 0,"
            " retaliations integer NOT NULL DEFAULT 0,"
            " raised_nid bigint NOT NULL, last_nid bigint NOT NULL)"
            # Room on each page for a changed row beside the old one: most of a grievance's
            # events change it in place without touching its seven indexes (a HOT update).
            " WITH (fillfactor = 70)",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_collective_idx "
            f"ON {t.grievances} (collective_id, occurred_on)",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_category_idx ON {t.grievances} (category)",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_occurred_idx ON {t.grievances} (occurred_on)",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_orgs_idx "
            f"ON {t.grievances} USING gin (organisation_ids)",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_workers_idx "
            f"ON {t.grievances} USING gin (worker_ids)",
            # The order of the lists and of their keyset pages.
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_page_idx "
            f"ON {t.grievances} (collective_id, occurred_on DESC, raised_nid DESC)",
        ]

    @property
    def taxonomy(self) -> Taxonomy:
        taxonomy = self.deps.get("taxonomy")
        if taxonomy is None:
            taxonomy = self.deps["taxonomy"] = load_taxonomy()
        return taxonomy

    # -- collectives -------------------------------------------------------------------------

    @on(Collective.Created)
    def collective_created(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.collectives} (id, federation, sectors) VALUES (%s, %s, %s::text[]) "
            "ON CONFLICT (id) DO NOTHING",
            (e.originator_id, e.federation, list(e.sectors)))

    @on(Collective.ProfileUpdated)
    def collective_updated(self, curs, e, _nid) -> None:
        curs.execute(f"UPDATE {self.t.collectives} SET sectors = %s::text[] WHERE id = %s",
                     (list(e.sectors), e.originator_id))

    # -- grievances --------------------------------------------------------------------------

    @on(Grievance.Raised)
    def raised(self, curs, e, nid) -> None:
        self.insert(
            curs, self.t.grievances,
            "id uuid, collective_id uuid, category text, category_group text, sector text,"
            " place text, stage text, occurred_on date, status text, parties int,"
            " organisation_ids uuid[], worker_ids uuid[], raised_nid bigint, last_nid bigint",
            (e.originator_id, e.collective_id, e.category, self._group(e.category), e.sector,
             e.place, e.stage, e.occurred_on, OPEN, len(e.worker_ids), list(e.organisation_ids),
             list(e.worker_ids), nid, nid),
            into="id, collective_id, federation, category, category_group, sector, place, stage,"
                 " occurred_on, status, parties, organisation_ids, worker_ids, raised_nid, last_nid",
            select=f"x.id, x.collective_id, (SELECT federation FROM {self.t.collectives}"
                   " WHERE id = x.collective_id), x.category, x.category_group, x.sector, x.place,"
                   " x.stage, x.occurred_on, x.status, x.parties, x.organisation_ids::uuid[],"
                   " x.worker_ids::uuid[], x.raised_nid, x.last_nid",
            conflict="ON CONFLICT (id) DO NOTHING")

    def _group(self, category: str) -> str:
        try:
            return self.taxonomy.category_group(category)
        except KeyError:  # a code from an extension this process was not given
            return "unknown"

    def _update(self, curs, e, nid, assignments: str, columns: str = "",
                values: tuple[Any, ...] = ()) -> None:
        # Set aside with the batch's other changes of the same kind (``View.update``): one
        # statement per kind per batch, sent early only when a row changes twice.
        self.update(curs, self.t.grievances, "id uuid, nid bigint" + (", " + columns if columns else ""),
                    f"{assignments}, last_nid = x.nid", (e.originator_id, nid, *values))

    @on(Grievance.Corrected)
    def corrected(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "category = x.category, category_group = x.grp,"
                     " sector = x.sector, place = x.place, stage = x.stage, occurred_on = x.occurred_on",
                     "category text, grp text, sector text, place text, stage text, occurred_on date",
                     (e.category, self._group(e.category), e.sector, e.place, e.stage,
                      e.occurred_on))

    @on(Grievance.Joined)
    def joined(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "parties = t.parties + x.n,"
                     " worker_ids = t.worker_ids || x.workers::uuid[]", "n int, workers uuid[]",
                     (len(e.worker_ids), list(e.worker_ids)))

    @on(Grievance.EvidenceNoted)
    def evidence_noted(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "evidence = t.evidence + 1")

    @on(Grievance.Referred)
    def referred(self, curs, e, nid) -> None:
        self._update(
            curs, e, nid,
            "referred = true, referred_to = CASE WHEN x.org = ANY(t.referred_to) THEN t.referred_to"
            " ELSE t.referred_to || x.org END", "org uuid", (e.organisation_id,))

    @on(Grievance.Escalated)
    def escalated(self, curs, e, nid) -> None:
        self._update(
            curs, e, nid,
            "escalated = true, escalation_targets = CASE WHEN x.target = ANY(t.escalation_targets)"
            " THEN t.escalation_targets ELSE t.escalation_targets || x.target END", "target text",
            (e.target,))

    @on(Grievance.NegotiationRecorded)
    def negotiation_recorded(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "negotiations = t.negotiations + 1")

    @on(Grievance.OutcomeRecorded)
    def outcome_recorded(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "status = x.status, outcome = x.outcome,"
                     " outcome_on = x.outcome_on, amount = x.amount, currency = x.currency",
                     "status text, outcome text, outcome_on date, amount numeric, currency text",
                     (RESOLVED, e.outcome, e.on, e.amount, e.currency))

    @on(Grievance.RetaliationReported)
    def retaliation_reported(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "retaliations = t.retaliations + 1")

    @on(Grievance.Withdrawn)
    def withdrawn(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "status = x.status", "status text", (WITHDRAWN,))

    @on(Grievance.Reopened)
    def reopened(self, curs, e, nid) -> None:
        # A reopening sets the outcome aside, as the aggregate does.
        self._update(curs, e, nid, "status = x.status, outcome = NULL, outcome_on = NULL,"
                     " amount = NULL, currency = NULL", "status text", (OPEN,))


# == Reading ===================================================================================


class GrievanceRow(msgspec.Struct, kw_only=True):
    id: UUID
    collective_id: UUID
    federation: str | None
    category: str
    category_group: str
    sector: str
    place: str
    stage: str
    occurred_on: date
    status: str
    parties: int
    organisation_ids: list[UUID]
    outcome: str | None
    outcome_on: date | None
    amount: Decimal | None
    currency: str | None
    escalated: bool
    escalation_targets: list[str]
    referred: bool
    referred_to: list[UUID]
    negotiations: int
    evidence: int
    retaliations: int
    raised_nid: int
    last_nid: int


_COLUMNS = ", ".join(GrievanceRow.__struct_fields__)


class Match(msgspec.Struct, kw_only=True, frozen=True):
    """A search's result in codes and ids (never the words typed): any one suffices; none
    given matches nothing."""

    worker_ids: tuple[UUID, ...] = ()
    organisation_ids: tuple[UUID, ...] = ()
    categories: tuple[str, ...] = ()
    reference: str | None = None  # the start of a grievance's id, in hex


class GrievanceFilter(msgspec.Struct, kw_only=True, frozen=True):
    """What a list of grievances is narrowed to: every field given must hold. ``worker_id``
    and ``organisation_id`` are one party each; ``match`` is a search's result, any one of
    which is enough (a grievance of one of these workers, against one of these
    organisations, in one of these categories, or whose reference starts so)."""

    collective_id: UUID | None = None
    status: str | None = None
    category: str | None = None
    group: str | None = None
    sector: str | None = None
    stage: str | None = None
    organisation_id: UUID | None = None
    worker_id: UUID | None = None
    period_from: date | None = None
    period_to: date | None = None
    match: Match | None = None


REFERENCE_LENGTH = 8  # a grievance's reference: the first characters of its id


class Cursor(msgspec.Struct, frozen=True):
    """A place in the list's order (the day, then the raising notification): a keyset page
    starts after it (older) or ends before it (newer)."""

    occurred_on: date
    nid: int

    def encode(self) -> str:
        return f"{self.occurred_on.isoformat()}.{self.nid}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        day, _, nid = (raw or "").partition(".")
        try:
            return cls(date.fromisoformat(day), int(nid)) if nid.isdigit() and len(nid) < 19 else None
        except ValueError:
            return None


def _where(scope: Scope, f: GrievanceFilter) -> tuple[list[str], list[Any]]:
    """The WHERE clauses for the scope and the filter, with their parameters."""
    clauses: list[str] = []
    params: list[Any] = []

    def arg(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    if scope.collective_ids is not None:
        clauses.append(f"collective_id = ANY({arg(list(scope.collective_ids))}::uuid[])")
    if scope.federation is not None:
        clauses.append(f"federation = {arg(scope.federation)}")
    for column, value in (("collective_id", f.collective_id), ("status", f.status),
                          ("category", f.category), ("category_group", f.group),
                          ("sector", f.sector), ("stage", f.stage)):
        if value is not None:
            clauses.append(f"{column} = {arg(value)}")
    if f.organisation_id is not None:
        clauses.append(f"organisation_ids @> ARRAY[{arg(f.organisation_id)}::uuid]")
    if f.worker_id is not None:
        clauses.append(f"worker_ids @> ARRAY[{arg(f.worker_id)}::uuid]")
    if f.period_from is not None:
        clauses.append(f"occurred_on >= {arg(f.period_from)}")
    if f.period_to is not None:
        clauses.append(f"occurred_on <= {arg(f.period_to)}")
    if f.match is not None:
        m, any_of = f.match, []
        if m.worker_ids:
            any_of.append(f"worker_ids && {arg(list(m.worker_ids))}::uuid[]")
        if m.organisation_ids:
            any_of.append(f"organisation_ids && {arg(list(m.organisation_ids))}::uuid[]")
        if m.categories:
            any_of.append(f"category = ANY({arg(list(m.categories))}::text[])")
        if m.reference:
            any_of.append(f"left(id::text, {len(m.reference)}) = {arg(m.reference.lower())}")
        clauses.append("(" + " OR ".join(any_of) + ")" if any_of else "false")
    return clauses, params


def _filter(where: GrievanceFilter | None, fields: dict[str, Any]) -> GrievanceFilter:
    """The filter given, or one made of the keyword arguments of the older signature (the
    API's query parameters are these fields)."""
    return msgspec.structs.replace(where, **fields) if where else GrievanceFilter(**fields)


async def list_grievances(
    conn: asyncpg.Connection, scope: Scope, where: GrievanceFilter | None = None, *,
    limit: int = 100, offset: int = 0, after: Cursor | None = None,
    before: Cursor | None = None, **fields: Any,
) -> list[GrievanceRow]:
    """Grievances in scope matching the filter, the most recent first. ``after`` (older
    than) and ``before`` (newer than) page by keyset, at the same cost on any page."""
    t = await tables(conn, "grievance_register")
    clauses, params = _where(scope, _filter(where, fields))
    order = "DESC"
    if after is not None:
        params += [after.occurred_on, after.nid]
        clauses.append(f"(occurred_on, raised_nid) < (${len(params) - 1}, ${len(params)})")
    elif before is not None:
        params += [before.occurred_on, before.nid]
        clauses.append(f"(occurred_on, raised_nid) > (${len(params) - 1}, ${len(params)})")
        order = "ASC"
    sql_where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    n = len(params)
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM {t.grievances}{sql_where} "
        f"ORDER BY occurred_on {order}, raised_nid {order} LIMIT ${n + 1} OFFSET ${n + 2}",
        *params, limit, offset)
    found = [GrievanceRow(**dict(r)) for r in rows]
    found = found[::-1] if order == "ASC" else found
    # Never an organisation the reader may not name (a household another collective recorded).
    named = await nameable_organisations(
        conn, t, scope, [o for g in found for o in (*g.organisation_ids, *g.referred_to)])
    for g in found:
        g.organisation_ids = [o for o in g.organisation_ids if o in named]
        g.referred_to = [o for o in g.referred_to if o in named]
    return found


async def grievance_categories(conn: asyncpg.Connection, scope: Scope,
                               where: GrievanceFilter, ids: Iterable[UUID]) -> dict[UUID, str]:
    """The category of each of these grievances that the filter and the scope let through
    (the home page names its due deadlines so): one query over those ids only, instead of a
    list of every grievance read to pick a few from."""
    ids = list(ids)
    if not ids:
        return {}
    t = await tables(conn, "grievance_register")
    clauses, params = _where(scope, where)
    params.append(ids)
    clauses.append(f"id = ANY(${len(params)}::uuid[])")
    rows = await conn.fetch(f"SELECT id, category FROM {t.grievances} WHERE "
                            + " AND ".join(clauses), *params)
    return {r["id"]: r["category"] for r in rows}


async def count_grievances(conn: asyncpg.Connection, scope: Scope,
                           where: GrievanceFilter | None = None, **fields: Any) -> int:
    t = await tables(conn, "grievance_register")
    clauses, params = _where(scope, _filter(where, fields))
    sql_where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return await conn.fetchval(f"SELECT count(*) FROM {t.grievances}{sql_where}", *params)


async def grievance_workers(conn: asyncpg.Connection, scope: Scope,
                            collective_id: UUID) -> dict[UUID, tuple[UUID, ...]]:
    """Each grievance of one collective (within the reader's scope) with the workers named
    on it, by opaque id: what "shared grievances" among possible duplicates is counted from.
    A grievance another collective recorded is never here, even when it names her."""
    t = await tables(conn, "grievance_register")
    clauses, params = _where(scope, GrievanceFilter(collective_id=collective_id))
    rows = await conn.fetch(
        f"SELECT id, worker_ids FROM {t.grievances} WHERE {' AND '.join(clauses)}"
        " AND cardinality(worker_ids) > 1", *params)
    return {r["id"]: tuple(r["worker_ids"]) for r in rows}
