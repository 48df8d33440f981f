"""Money on grievances: the amounts owed, claimed, offered and recovered, per grievance, and
what a collective reads and an organiser may not.

- A collective's **leaders** read its totals: per kind and per currency, exact (``numeric``,
  summed in PostgreSQL, never through a float), never one total across currencies.
- An **organiser** reads the federation's money only as counts of grievances per band
  (``organize.domain.money.band``: a currency and a power-of-ten range) and kind, through
  the same disclosure control as every count table (``organize.projections.disclosure``):
  cells below k hidden, with the complementary cells that would give them away. Never an
  amount, never a total: one worker's wages could be worked out from the difference of two.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import asyncpg
import msgspec

from organize.domain import Grievance
from organize.domain.grievance import AMOUNT_KINDS
from organize.domain.money import Money, band
from organize.projections.base import Tables, View, on
from organize.projections.disclosure import DEFAULT_K, SuppressionResult, suppress
from organize.projections.reads import Scope, tables
from organize.projections.views._federations import KnowsFederations


class GrievanceMoneyView(KnowsFederations, View):
    name = "grievance_money"

    def ddl(self, t: Tables) -> list[str]:
        return [
            self.collectives_ddl(t),
            f"CREATE TABLE IF NOT EXISTS {t.grievances} ("
            " id uuid PRIMARY KEY, collective_id uuid NOT NULL, federation text)",
            f"CREATE TABLE IF NOT EXISTS {t.amounts} ("
            " grievance_id uuid NOT NULL, kind text NOT NULL, collective_id uuid NOT NULL,"
            " federation text, amount numeric NOT NULL, currency text NOT NULL,"
            " band text NOT NULL, PRIMARY KEY (grievance_id, kind))",
            f"CREATE INDEX IF NOT EXISTS {t.amounts}_collective_idx ON {t.amounts} (collective_id)",
            f"CREATE INDEX IF NOT EXISTS {t.amounts}_federation_idx ON {t.amounts} (federation)",
        ]

    @on(Grievance.Raised)
    def raised(self, curs, e, _nid) -> None:
        self.insert(curs, self.t.grievances, "id uuid, collective_id uuid",
                    (e.originator_id, e.collective_id), conflict="ON CONFLICT (id) DO NOTHING",
                    into="id, collective_id, federation",
                    select=f"x.id, x.collective_id, (SELECT federation FROM {self.t.collectives}"
                           " WHERE id = x.collective_id)")

    @on(Grievance.AmountStated, Grievance.AmountCorrected)
    def amount_changed(self, curs, e, _nid) -> None:
        if e.amount is None:
            curs.execute(f"DELETE FROM {self.t.amounts} WHERE grievance_id = %s AND kind = %s",
                         (e.originator_id, e.kind))
            return
        self.change(  # reads its own grievance's row only
            curs, self.t.grievances, e.originator_id,
            f"INSERT INTO {self.t.amounts} (grievance_id, kind, collective_id, federation, amount,"
            " currency, band) SELECT id, %s, collective_id, federation, %s, %s, %s"
            f" FROM {self.t.grievances} WHERE id = %s ON CONFLICT (grievance_id, kind) DO UPDATE"
            " SET amount = EXCLUDED.amount, currency = EXCLUDED.currency, band = EXCLUDED.band",
            (e.kind, e.amount.amount, e.amount.currency, band(e.amount), e.originator_id))


# == Reading ===================================================================================


class Total(msgspec.Struct, kw_only=True):
    kind: str
    currency: str
    amount: Decimal  # exact
    grievances: int


async def collective_totals(conn: asyncpg.Connection, scope: Scope,
                            collective_id: UUID) -> list[Total]:
    """A collective's money per kind and currency, exact; for its leaders (and admins) only."""
    if scope.collective_ids is None and scope != Scope.everything():
        return []
    if not scope.allows(collective_id, scope.federation):
        return []
    t = await tables(conn, "grievance_money")
    rows = await conn.fetch(
        f"SELECT kind, currency, sum(amount) AS amount, count(*)::int AS grievances"
        f" FROM {t.amounts} WHERE collective_id = $1 GROUP BY kind, currency", collective_id)
    order = {k: i for i, k in enumerate(AMOUNT_KINDS)}
    found = [Total(**dict(r)) for r in rows]
    return sorted(found, key=lambda x: (order.get(x.kind, 99), x.currency))


async def federation_bands(conn: asyncpg.Connection, scope: Scope, federation: str,
                           k: int = DEFAULT_K) -> SuppressionResult | None:
    """The federation's grievances with money, counted per band (rows) and kind (columns),
    with small counts suppressed; None when the reader's scope does not reach it."""
    if scope.collective_ids is not None or (scope.federation not in (None, federation)):
        return None
    t = await tables(conn, "grievance_money")
    rows = await conn.fetch(f"SELECT band, kind, count(*)::int AS n FROM {t.amounts}"
                            " WHERE federation = $1 GROUP BY band, kind", federation)
    return suppress({(r["band"], r["kind"]): r["n"] for r in rows}, k)


def as_money(total: Total) -> Money:
    return Money(amount=total.amount, currency=total.currency)


__all__ = ["GrievanceMoneyView", "Total", "as_money", "collective_totals", "federation_bands"]
