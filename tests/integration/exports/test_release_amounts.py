"""Money in research releases, attacked as counts are (``test_releases``): amounts leave only
as bands (a currency and a power-of-ten range) in the ``owed`` and ``recovered`` dimensions,
counted under the cell-key method and k. Every combination of those dimensions with place and
category, at every grain, is obtained and solved together by linear programming: no band
count below k (one worker's amount among them) can be pinned. The same attack on exact
tables pins some, so it has teeth. And no amount, in any digit, is in any byte released.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from organize import commands as c
from organize.exports import cellkey
from organize.exports.releases import ReleaseRequest, count_cells, grouping_sets, obtain, snap
from organize.projections.disclosure import MIN_K
from tests.integration import support as h
from tests.integration.exports.support import PINNED, knowledge, read_release, solve

pytestmark = pytest.mark.integration

TODAY = date(2026, 2, 1)
YEAR = {"since": date(2025, 1, 1), "until": date(2025, 12, 31)}
FINE = {"period": "month", "place": "region", "category": "category"}
FINEST = ("period", "place", "category", "owed", "recovered")
# (place, category, currency) -> the amounts owed and, where some came back, recovered.
# Odd amounts so that a leak of any one of them is found in the bytes.
OWED = {
    ("HK", "wages_unpaid_late", "HKD"): [Decimal("4321.17")] * 9 + [Decimal("54321.19")] * 2
                                        + [Decimal("654321.23")],
    ("HK", "illegal_deductions", "HKD"): [Decimal("871.29")] * 6 + [Decimal("7654.31")],
    ("BD-DHA", "wages_unpaid_late", "BDT"): [Decimal("98765.37")] * 8 + [Decimal("187.41")] * 2,
}
RECOVERED_SHARE = 3  # every third grievance recovered half of what she was owed


class World:
    def __init__(self, runtime):
        self.runtime = runtime
        app = self.app = runtime.app
        self.collectives = {
            p: app.execute(h.create_collective(name=f"Amounts {p}", places=(p,),
                                               federation="fed-amounts")).id
            for p in ("HK", "BD-DHA")}
        self.amounts: list[Decimal] = []
        n = 0
        for (place, category, currency), owed in OWED.items():
            for amount in owed:
                w = app.execute(h.register_worker(self.collectives[place])).id
                app.execute(c.GiveConsent(command_id=h.cid(), worker_id=w, purpose="research"))
                g = app.execute(h.raise_grievance(
                    self.collectives[place], [w], place=place, category=category,
                    sector="domestic_care", occurred_on=date(2025, 1 + n % 12, 1 + n % 27))).id
                app.execute(c.StateAmount(command_id=h.cid(), grievance_id=g, kind="owed",
                                          amount=amount, currency=currency, on=date(2025, 12, 1)))
                self.amounts.append(amount)
                if n % RECOVERED_SHARE == 0:
                    back = (amount / 2).quantize(Decimal("0.01"))
                    app.execute(c.StateAmount(command_id=h.cid(), grievance_id=g,
                                              kind="recovered", amount=back, currency=currency,
                                              on=date(2025, 12, 2)))
                    self.amounts.append(back)
                n += 1
        runtime.runner(["research_grievances"]).catch_up()


@pytest.fixture(scope="module")
def world(export_runtime):
    return World(export_runtime)


def every_request() -> list[dict]:
    out = []
    for r in range(1, 3):
        for money in itertools.combinations(("owed", "recovered"), r):
            for extra in ((), ("place",), ("category",), ("place", "category")):
                places = ("region", "country") if "place" in extra else ("country",)
                cats = ("category", "group") if "category" in extra else ("group",)
                for period, place, cat in itertools.product(("month", "quarter", "year"),
                                                            places, cats):
                    out.append({"by": ("period", *extra, *money), "k": MIN_K,
                                "grains": {"period": period, "place": place, "category": cat}})
    return out


async def atoms_and_truth(conn, world):
    request, _, _ = snap(ReleaseRequest(by=FINEST, grains=FINE, **YEAR), TODAY)
    _, cells = await count_cells(conn, request, world.app.taxonomy)
    fine = [(labels, n) for labels, n, _ in cells if "all" not in labels]
    return [dict(zip(FINEST, labels, strict=True)) for labels, _ in fine], [n for _, n in fine]


def targets(known, truth):
    return sorted({kn.members for kn in known if 0 < sum(truth[i] for i in kn.members) < MIN_K})


async def test_no_band_count_below_k_can_be_pinned_across_every_release(export_conn, world):
    atoms, truth = await atoms_and_truth(export_conn, world)
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
    small = targets(known, truth)
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
    atoms, truth = await atoms_and_truth(export_conn, world)
    known = []
    for kw in every_request():
        request, _, _ = snap(ReleaseRequest(**{**YEAR, **kw}), TODAY)
        _, cells = await count_cells(export_conn, request, world.app.taxonomy)
        manifest = {"parameters": {"by": list(request.by), "k": MIN_K,
                                   "grains": dict(request.grains)},
                    "tables": {"per_period": grouping_sets(request.by)}}
        records = [{**dict(zip(request.by, labels, strict=True)), "count": n}
                   for labels, n, _ in cells if n >= MIN_K]
        known += knowledge(manifest, records, atoms, world.app.taxonomy.category_group, 0)
    ranges = solve(known, len(atoms), targets(known, truth))
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
