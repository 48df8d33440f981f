"""The organiser's sector flows on a real PostgreSQL: cells below k are suppressed (and
enough others, with the margins, that they cannot be worked back), shares of small
groups are withheld, and the flows as of a date see the trajectories as they stood."""

from __future__ import annotations

from datetime import date

import pytest

from organize.projections.disclosure import DEFAULT_K, MIN_K
from organize.projections.reads import Scope
from organize.projections.views.sector_flows import federation_flows
from tests.integration.support import (  # noqa: F401 - conn_fixture
    catch_up,
    collective,
    conn_fixture,
    end_spell,
    fed,
    spell,
    worker,
)

pytestmark = pytest.mark.integration


def _world(app):
    """12 workers domestic -> garment; 3 garment -> street vending (a small group); the
    domestic workers also care for family at home at the same time from 2025-06."""
    federation = fed()
    a = collective(app, federation=federation)
    b = collective(app, federation=federation)
    for i in range(12):
        w = worker(app, a if i % 2 else b, joined_on=date(2024, 1, 1))
        first = spell(app, w, "domestic_care", date(2024, 2, 1))
        end_spell(app, w, first, date(2024, 12, 31))
        spell(app, w, "garment", date(2025, 1, 1))
        spell(app, w, "unpaid_care", date(2025, 6, 1), paid=False, relationship="unpaid")
    for _ in range(3):
        w = worker(app, a, joined_on=date(2024, 1, 1))
        spell(app, w, "garment", date(2024, 3, 1))
        spell(app, w, "street_vending", date(2025, 3, 1))
    catch_up(app)
    return federation


async def test_small_cells_are_suppressed_and_cannot_be_worked_back(app, conn):
    federation = _world(app)
    flows = await federation_flows(conn, Scope(federation=federation), federation)
    assert flows.k == DEFAULT_K
    cells = {(c.from_sector, c.to_sector): c.workers for c in flows.cells}
    # 12 domestic->garment, 12 garment->unpaid_care, 3 garment->street_vending (hidden)
    assert cells[("garment", "street_vending")] is None
    assert 3 not in cells.values() and all(v is None or v >= DEFAULT_K for v in cells.values())
    # The row total of "garment" (15) minus the published 12 would give 3: it is hidden too.
    garment = flows.row_totals["garment"]
    published = sum(v for (a, _b), v in cells.items() if a == "garment" and v is not None)
    assert garment is None or cells.get(("garment", "unpaid_care")) is None or garment - published == 0
    assert flows.suppressed_cells >= 1
    assert flows.workers_with_trajectories == 15
    # All 15 work in two sectors at once (garment and care at home; garment and vending).
    assert flows.concurrent_multi_sector_share == 1.0
    # 12 of 15 care at home: "the other 3" is a group below k, so the share is withheld.
    assert flows.unpaid_care_worker_share is None
    assert '"workers":3' not in str(flows)


async def test_k_is_floored_and_small_groups_show_at_lower_k(app, conn):
    federation = _world(app)
    low = await federation_flows(conn, Scope(federation=federation), federation, k=1)
    assert low.k == MIN_K  # never below the floor
    cells = {(c.from_sector, c.to_sector): c.workers for c in low.cells}
    assert cells[("garment", "street_vending")] is None  # 3 < 5 still


async def test_as_of_sees_trajectories_as_they_stood(app, conn):
    federation = _world(app)
    scope = Scope(federation=federation)
    before = await federation_flows(conn, scope, federation, as_of=date(2024, 12, 1), k=5)
    assert before.cells == [] and before.workers_with_trajectories == 15
    assert before.concurrent_multi_sector_share == 0.0  # the domestic spells had not ended
    mid = await federation_flows(conn, scope, federation, as_of=date(2025, 2, 1), k=5)
    assert {(c.from_sector, c.to_sector): c.workers for c in mid.cells} == {
        ("domestic_care", "garment"): 12}
    assert mid.unpaid_care_worker_share == 0.0
    now = await federation_flows(conn, scope, federation, k=5)
    assert {(c.from_sector, c.to_sector) for c in now.cells} == {
        ("domestic_care", "garment"), ("garment", "unpaid_care"), ("garment", "street_vending")}
    # 12 of 15 care at home, but "the other 3" is a group below k: withheld; spells are many.
    assert now.unpaid_care_worker_share is None
    assert now.unpaid_care_spell_share == round(12 / 42, 4)
    assert await federation_flows(conn, Scope(federation=fed()), federation) is None
    assert await federation_flows(conn, scope, fed()) is None
