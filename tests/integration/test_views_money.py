"""Money on grievances on a real PostgreSQL: a collective's totals are exact (decimal, summed
per kind and currency, never across currencies) and its leaders' alone; an organiser reads
only counts per band, with every count below k hidden and nothing solvable from the rest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from organize import commands as c
from organize.projections.disclosure import MIN_K, solvable
from organize.projections.reads import Scope
from organize.projections.views.grievance_money import collective_totals, federation_bands
from tests.integration import support as h
from tests.integration.support import (  # noqa: F401 - conn_fixture
    catch_up,
    collective,
    conn_fixture,
    fed,
    grievance,
    worker,
)

pytestmark = pytest.mark.integration
VIEW = ["grievance_money"]


def _state(app, g, kind, amount, currency):
    app.execute(c.StateAmount(command_id=h.cid(), grievance_id=g, kind=kind,
                              amount=Decimal(amount), currency=currency, on=date(2026, 1, 9)))


async def test_totals_are_exact_per_kind_and_currency(app, conn):
    coll = collective(app, federation=fed())
    w = worker(app, coll)
    gs = [grievance(app, coll, [w]) for _ in range(3)]
    _state(app, gs[0], "owed", "0.10", "HKD")
    _state(app, gs[1], "owed", "0.20", "HKD")
    _state(app, gs[2], "owed", "1000000000.01", "HKD")
    _state(app, gs[0], "owed", "0.10", "HKD")  # the same amount stated again: counted once
    _state(app, gs[1], "recovered", "0.05", "HKD")
    _state(app, gs[2], "owed", "7", "PHP")  # replaces its HKD amount: latest statement wins
    app.execute(c.CorrectAmount(command_id=h.cid(), grievance_id=gs[1], kind="recovered",
                                amount=Decimal("0.07"), currency="HKD", reason="typing_mistake"))
    catch_up(app, VIEW)
    own = Scope(collective_ids=frozenset({coll}))
    got = [(t.kind, t.currency, t.amount, t.grievances) for t in await collective_totals(conn, own, coll)]
    assert got == [("owed", "HKD", Decimal("0.30"), 2), ("owed", "PHP", Decimal("7"), 1),
                   ("recovered", "HKD", Decimal("0.07"), 1)]
    assert all(type(t.amount) is Decimal for t in await collective_totals(conn, own, coll))
    # Cleared by a correction: it leaves the totals.
    app.execute(c.CorrectAmount(command_id=h.cid(), grievance_id=gs[1], kind="recovered",
                                reason="typing_mistake"))
    catch_up(app, VIEW)
    assert [t.kind for t in await collective_totals(conn, own, coll)] == ["owed", "owed"]


async def test_no_one_else_reads_a_collective_s_totals(app, conn):
    federation = fed()
    coll, sister = collective(app, federation=federation), collective(app, federation=federation)
    _state(app, grievance(app, coll, [worker(app, coll)]), "owed", "1200.50", "HKD")
    catch_up(app, VIEW)
    assert await collective_totals(conn, Scope.everything(), coll)  # an admin
    for outsider in (Scope(collective_ids=frozenset({sister})), Scope(federation=federation),
                     Scope(federation="elsewhere"), Scope(collective_ids=frozenset())):
        assert await collective_totals(conn, outsider, coll) == []


async def test_an_organiser_reads_bands_only_with_small_counts_hidden(app, conn):
    federation = fed()
    colls = [collective(app, federation=federation) for _ in range(2)]
    amounts = ["2500.33"] * 12 + ["25000.77"] * 11 + ["250000.99"]  # one lone large claim
    for i, a in enumerate(amounts):
        coll = colls[i % 2]
        g = grievance(app, coll, [worker(app, coll)])
        _state(app, g, "owed", a, "HKD")
        if i < 11:
            _state(app, g, "recovered", "2000", "HKD")
    catch_up(app, VIEW)
    found = await federation_bands(conn, Scope(federation=federation), federation, k=MIN_K)
    assert found is not None
    assert found.cells[("HKD 1000-10000", "owed")] == 12
    assert found.cells[("HKD 100000+", "owed")] is None  # her claim is hidden
    assert solvable(found) == []  # and cannot be worked back out from the rest
    shown = [v for v in (*found.cells.values(), *found.row_totals.values(),
                         *found.column_totals.values(), found.grand_total) if v]
    assert all(v >= MIN_K for v in shown)
    text = repr(found)
    for a in set(amounts):
        assert a not in text and a.split(".")[0] not in text.replace("100000", "")
    # Leaders and organisers of another federation get nothing of it.
    assert await federation_bands(conn, Scope(collective_ids=frozenset(colls)), federation) is None
    assert await federation_bands(conn, Scope(federation="elsewhere"), federation) is None
