"""Money in research releases, attacked as counts are (``test_releases``): amounts leave only
as bands (a currency and a power-of-ten range) in the ``owed`` and ``recovered`` dimensions,
counted under the cell-key method and k. Every combination of those dimensions with place and
category, at every grain, is obtained and solved together by linear programming: no band
count below k (one worker's amount among them) can be pinned. The same attack on exact
tables pins some, so it has teeth. And no amount, in any digit, is in any byte released.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from organize import commands as c
from organize.exports import cellkey
from organize.exports.releases import ReleaseRequest, count_cells, obtain, snap
from organize.projections.disclosure import MIN_K
from tests.integration import support as h
from tests.integration.exports.support import (
    PINNED,
    Amounts,
    exact_knowledge,
    knowledge,
    read_release,
    small_targets,
    solve,
)

pytestmark = pytest.mark.integration

TODAY, YEAR = Amounts.TODAY, Amounts.YEAR


@pytest.fixture(scope="module")
def world(export_runtime):
    return Amounts(export_runtime)


every_request = Amounts.every_request


async def test_no_band_count_below_k_can_be_pinned_across_every_release(export_conn, world):
    atoms, truth = await world.atoms(export_conn)
    group = world.app.taxonomy.category_group
    known, bodies = [], []
    for kw in every_request():
        release = await obtain(export_conn, ReleaseRequest(**{**YEAR, **kw, "fmt": "csv"}),
                               taxonomy=world.app.taxonomy, researcher="amount-attacker",
                               today=TODAY)
        bodies.append(release.body)
        manifest, records = read_release(release.body)
        assert all(r["count"] >= MIN_K for r in records)
        known += knowledge(manifest, records, atoms, group, cellkey.MAX_NOISE)
    small = small_targets(known, truth)
    # The lone 654321.23 HKD owed, the two BDT 100-1000 and others are among the targets.
    assert len(every_request()) == 81 and len(small) > 20, len(small)
    ranges = solve(known, len(atoms), small)
    pinned = [(sum(truth[i] for i in m), lo, hi) for m, (lo, hi) in ranges.items()
              if hi - lo < PINNED]
    assert not pinned, pinned[:5]
    # Bands, never amounts: no amount in any digit, in any byte of any release.
    for body in bodies:
        with_zip = body
        for a in world.amounts:
            assert str(a).encode() not in with_zip
        _, records = read_release(body)
        for r in records:
            for d in ("owed", "recovered"):
                if d in r:
                    assert r[d] in ("all", "none") or r[d][:3] in ("HKD", "BDT"), r[d]


async def test_the_same_attack_pins_band_counts_in_exact_tables(export_conn, world):
    """Without the perturbation, the same solver pins small band counts: the attack has teeth."""
    atoms, truth = await world.atoms(export_conn)
    known = await exact_knowledge(export_conn, every_request(), atoms, world.app.taxonomy, YEAR,
                                  TODAY, MIN_K)
    ranges = solve(known, len(atoms), small_targets(known, truth))
    assert any(hi - lo < PINNED for lo, hi in ranges.values())


async def test_a_corrected_amount_moves_its_grievance_to_the_new_band(export_conn, world):
    app = world.app
    coll = world.collectives["HK"]
    w = app.execute(h.register_worker(coll)).id
    app.execute(c.GiveConsent(command_id=h.cid(), worker_id=w, purpose="research"))
    g = app.execute(h.raise_grievance(coll, [w], place="HK", occurred_on=date(2024, 3, 3))).id
    app.execute(c.StateAmount(command_id=h.cid(), grievance_id=g, kind="owed",
                              amount=Decimal("50"), currency="HKD", on=date(2024, 3, 4)))
    app.execute(c.CorrectAmount(command_id=h.cid(), grievance_id=g, kind="owed",
                                amount=Decimal("5000"), currency="HKD", reason="typing_mistake"))
    world.runtime.runner(["research_grievances"]).catch_up()
    request, _, _ = snap(ReleaseRequest(by=("period", "owed"), grains={"period": "year"},
                                        since=date(2024, 1, 1), until=date(2024, 12, 31)), TODAY)
    _, cells = await count_cells(export_conn, request, app.taxonomy)
    assert [(labels, n) for labels, n, _ in cells if labels[1] != "all"] == [
        (("2024", "HKD 1000-10000"), 1)]
