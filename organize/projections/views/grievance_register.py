"""The grievance register: one row per grievance, filterable by collective, status,
category or category group, sector, stage, organisation and period.

Only codes, ids, dates and counts live here. Descriptions, evidence, negotiation notes and
retaliation details are sealed in the events and never enter a view; the register says
*that* something happened (and which notification recorded it), not what was said.

A grievance's federation is copied from its collective when it is raised, from a small
collectives table this view keeps for itself (a view reads only its own tables).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Collective, Grievance, Taxonomy, load_taxonomy
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.registry import register
from organize.projections.views._federations import KnowsOrganisations, nameable_organisations

OPEN, WITHDRAWN, RESOLVED = "open", "withdrawn", "resolved"
STATUSES = (OPEN, WITHDRAWN, RESOLVED)


@register
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
            " outcome text, outcome_on date, amount numeric, currency text,"
            " escalated boolean NOT NULL DEFAULT false,"
            " escalation_targets text[] NOT NULL DEFAULT '{}',"
            " referred boolean NOT NULL DEFAULT false,"
            " referred_to uuid[] NOT NULL DEFAULT '{}',"
            " negotiations integer NOT NULL DEFAULT 0,"
            " evidence integer NOT NULL DEFAULT 0,"
            " retaliations integer NOT NULL DEFAULT 0,"
            " raised_nid bigint NOT NULL, last_nid bigint NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_collective_idx "
            f"ON {t.grievances} (collective_id, occurred_on)",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_category_idx ON {t.grievances} (category)",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_occurred_idx ON {t.grievances} (occurred_on)",
            f"CREATE INDEX IF NOT EXISTS {t.grievances}_orgs_idx "
            f"ON {t.grievances} USING gin (organisation_ids)",
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
        group = self._group(e.category)
        curs.execute(
            f"INSERT INTO {self.t.grievances} (id, collective_id, federation, category,"
            " category_group, sector, place, stage, occurred_on, status, parties,"
            " organisation_ids, raised_nid, last_nid) "
            f"VALUES (%s, %s, (SELECT federation FROM {self.t.collectives} WHERE id = %s),"
            " %s, %s, %s, %s, %s, %s, %s, %s, %s::uuid[], %s, %s) ON CONFLICT (id) DO NOTHING",
            (e.originator_id, e.collective_id, e.collective_id, e.category, group, e.sector,
             e.place, e.stage, e.occurred_on, OPEN, len(e.worker_ids), list(e.organisation_ids),
             nid, nid))

    def _group(self, category: str) -> str:
        try:
            return self.taxonomy.category_group(category)
        except KeyError:  # a code from an extension this process was not given
            return "unknown"

    def _update(self, curs, e, nid, assignments: str, params: tuple[Any, ...] = ()) -> None:
        curs.execute(
            f"UPDATE {self.t.grievances} SET {assignments}, last_nid = %s WHERE id = %s",
            (*params, nid, e.originator_id))

    @on(Grievance.Joined)
    def joined(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "parties = parties + %s", (len(e.worker_ids),))

    @on(Grievance.EvidenceNoted)
    def evidence_noted(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "evidence = evidence + 1")

    @on(Grievance.Referred)
    def referred(self, curs, e, nid) -> None:
        self._update(
            curs, e, nid,
            "referred = true, referred_to = CASE WHEN %s = ANY(referred_to) THEN referred_to"
            " ELSE referred_to || %s::uuid END",
            (e.organisation_id, e.organisation_id))

    @on(Grievance.Escalated)
    def escalated(self, curs, e, nid) -> None:
        self._update(
            curs, e, nid,
            "escalated = true, escalation_targets = CASE WHEN %s = ANY(escalation_targets)"
            " THEN escalation_targets ELSE escalation_targets || %s::text END",
            (e.target, e.target))

    @on(Grievance.NegotiationRecorded)
    def negotiation_recorded(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "negotiations = negotiations + 1")

    @on(Grievance.OutcomeRecorded)
    def outcome_recorded(self, curs, e, nid) -> None:
        self._update(curs, e, nid,
                     "status = %s, outcome = %s, outcome_on = %s, amount = %s, currency = %s",
                     (RESOLVED, e.outcome, e.on, e.amount, e.currency))

    @on(Grievance.RetaliationReported)
    def retaliation_reported(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "retaliations = retaliations + 1")

    @on(Grievance.Withdrawn)
    def withdrawn(self, curs, e, nid) -> None:
        self._update(curs, e, nid, "status = %s", (WITHDRAWN,))

    @on(Grievance.Reopened)
    def reopened(self, curs, e, nid) -> None:
        # A reopening sets the outcome aside, as the aggregate does.
        self._update(curs, e, nid,
                     "status = %s, outcome = NULL, outcome_on = NULL, amount = NULL, currency = NULL",
                     (OPEN,))


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


def _where(scope: Scope, *, collective_id: UUID | None, status: str | None, category: str | None,
           group: str | None, sector: str | None, stage: str | None,
           organisation_id: UUID | None, period_from: date | None,
           period_to: date | None) -> tuple[str, list[Any]]:
    """The WHERE clause for the scope and the filters, with its parameters."""
    clauses: list[str] = []
    params: list[Any] = []

    def add(sql: str, value: Any) -> None:
        params.append(value)
        clauses.append(sql.replace("?", f"${len(params)}"))

    if scope.collective_ids is not None:
        add("collective_id = ANY(?::uuid[])", list(scope.collective_ids))
    if scope.federation is not None:
        add("federation = ?", scope.federation)
    for column, value in (("collective_id", collective_id), ("status", status),
                          ("category", category), ("category_group", group),
                          ("sector", sector), ("stage", stage)):
        if value is not None:
            add(f"{column} = ?", value)
    if organisation_id is not None:
        add("organisation_ids @> ARRAY[?::uuid]", organisation_id)
    if period_from is not None:
        add("occurred_on >= ?", period_from)
    if period_to is not None:
        add("occurred_on <= ?", period_to)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


async def list_grievances(
    conn: asyncpg.Connection, scope: Scope, *, collective_id: UUID | None = None,
    status: str | None = None, category: str | None = None, group: str | None = None,
    sector: str | None = None, stage: str | None = None, organisation_id: UUID | None = None,
    period_from: date | None = None, period_to: date | None = None, limit: int = 100,
    offset: int = 0,
) -> list[GrievanceRow]:
    """Grievances in scope matching every filter given, the most recent first."""
    t = await tables(conn, "grievance_register")
    where, params = _where(scope, collective_id=collective_id, status=status, category=category,
                           group=group, sector=sector, stage=stage,
                           organisation_id=organisation_id, period_from=period_from,
                           period_to=period_to)
    n = len(params)
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM {t.grievances}{where} "
        f"ORDER BY occurred_on DESC, raised_nid DESC LIMIT ${n + 1} OFFSET ${n + 2}",
        *params, limit, offset)
    found = [GrievanceRow(**dict(r)) for r in rows]
    # Never an organisation the reader may not name (a household another collective recorded).
    named = await nameable_organisations(
        conn, t, scope, [o for g in found for o in (*g.organisation_ids, *g.referred_to)])
    for g in found:
        g.organisation_ids = [o for o in g.organisation_ids if o in named]
        g.referred_to = [o for o in g.referred_to if o in named]
    return found


async def count_grievances(
    conn: asyncpg.Connection, scope: Scope, *, collective_id: UUID | None = None,
    status: str | None = None, category: str | None = None, group: str | None = None,
    sector: str | None = None, stage: str | None = None, organisation_id: UUID | None = None,
    period_from: date | None = None, period_to: date | None = None,
) -> int:
    t = await tables(conn, "grievance_register")
    where, params = _where(scope, collective_id=collective_id, status=status, category=category,
                           group=group, sector=sector, stage=stage,
                           organisation_id=organisation_id, period_from=period_from,
                           period_to=period_to)
    return await conn.fetchval(f"SELECT count(*) FROM {t.grievances}{where}", *params)
