"""The researcher's attack, as code: gather every table she can obtain, write each number
as a bound on a sum of the finest cells, and ask a linear-programming solver
(``scipy.optimize.linprog``) how far each small count can move.

The attacker is given more than she has: the true set of finest cells that hold someone
(``atoms``). A cell a table does not list is then known to be below k (perhaps zero); a
listed count is within the published perturbation of the truth. A small count is *pinned*
when the least and the most the published numbers allow are less than ``PINNED`` apart:
she would know it to within one grievance.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
from scipy.optimize import linprog

from organize import commands as c
from organize.exports.releases import ReleaseRequest, count_cells, grouping_sets, snap
from organize.exports.trends import ALL, period_label, place_label
from organize.projections.disclosure import MIN_K
from tests.integration import support as h

FINEST = ("period", "place", "sector", "stage", "category", "outcome", "escalation")
PINNED = 2.0  # a range narrower than this tells her the count to within one


def read_release(body: bytes) -> tuple[dict, list[dict]]:
    """(manifest, records with ``count`` as int) from a release zip."""
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        manifest = json.loads(z.read("manifest.json"))
        text = z.read("grievance_trends.csv").decode()
    rows = list(csv.reader(io.StringIO(text)))
    header, body_rows = rows[0], rows[2:]
    records = []
    for r in body_rows:
        rec = dict(zip(header, r, strict=True))
        rec["count"] = int(rec["count"])
        records.append(rec)
    return manifest, records


@dataclass(frozen=True)
class Known:
    """What one table tells of one cell (a set of finest cells): its sum lies in [low, high]."""

    members: tuple[int, ...]
    low: float
    high: float
    listed: bool
    where: tuple  # (by, labels), to report


def label(atom: Mapping[str, str], dimension: str, grains: Mapping[str, str],
          group: Callable[[str], str]) -> str:
    v = atom[dimension]
    if dimension == "period":
        y, m = v.split("-")
        return period_label(date(int(y), int(m), 1), grains["period"])
    if dimension == "place":
        return place_label(v, grains["place"])
    if dimension == "category" and grains["category"] == "group":
        return group(v)
    return v


def knowledge(manifest: dict, records: Sequence[dict], atoms: Sequence[Mapping[str, str]],
              group: Callable[[str], str], noise: int) -> list[Known]:
    """Every cell of the table that holds an atom: listed (within ``noise`` of its count)
    or not listed (below k plus the noise, perhaps zero)."""
    p = manifest["parameters"]
    by, k, grains = tuple(p["by"]), p["k"], p["grains"]
    listed = {tuple(r[d] for d in by): r["count"] for r in records}
    out = []
    for kept in manifest["tables"]["per_period"]:
        cells: dict[tuple[str, ...], list[int]] = {}
        for i, a in enumerate(atoms):
            key = tuple(label(a, d, grains, group) if d in kept else ALL for d in by)
            cells.setdefault(key, []).append(i)
        for key, members in cells.items():
            if key in listed:
                y = listed[key]
                out.append(Known(tuple(members), max(0, y - noise), y + noise, True, (by, key)))
            else:
                out.append(Known(tuple(members), 0, k - 1 + noise, False, (by, key)))
    return out


async def exact_knowledge(conn, requests: Sequence[dict], atoms: Sequence[Mapping[str, str]],
                          taxonomy, window: Mapping[str, date], today: date, k: int
                          ) -> list[Known]:
    """What the exact tables (no perturbation, counts below k left out) of ``requests`` tell:
    the attack's control, to show it pins small counts when nothing is perturbed."""
    known: list[Known] = []
    for kw in requests:
        request, _, _ = snap(ReleaseRequest(**{**window, **kw}), today)
        _, cells = await count_cells(conn, request, taxonomy)
        manifest = {"parameters": {"by": list(request.by), "k": k, "grains": dict(request.grains)},
                    "tables": {"per_period": grouping_sets(request.by)}}
        records = [{**dict(zip(request.by, labels, strict=True)), "count": n}
                   for labels, n, _ in cells if n >= k]
        known += knowledge(manifest, records, atoms, taxonomy.category_group, 0)
    return known


def solve(known: Sequence[Known], n_atoms: int, targets: Sequence[tuple[int, ...]]
          ) -> dict[tuple[int, ...], tuple[float, float]]:
    """For each target (a set of finest cells): the least and most its sum can be."""
    bounds: dict[tuple[int, ...], tuple[float, float]] = {}
    for kn in known:
        lo, hi = bounds.get(kn.members, (0.0, float("inf")))
        bounds[kn.members] = (max(lo, kn.low), min(hi, kn.high))
    rows, ub = [], []
    for members, (lo, hi) in bounds.items():
        row = np.zeros(n_atoms)
        row[list(members)] = 1
        rows += [row, -row]
        ub += [hi, -lo]
    a_ub, b_ub = np.array(rows), np.array(ub)
    out = {}
    for members in targets:
        c = np.zeros(n_atoms)
        c[list(members)] = 1
        lo = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        hi = linprog(-c, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status == 0, (lo.message, hi.message)
        out[members] = (lo.fun, -hi.fun)
    return out


async def finest_atoms(conn, taxonomy, finest: Sequence[str], grains: Mapping[str, str],
                       window: Mapping[str, date], today: date
                       ) -> tuple[list[dict], list[int]]:
    """The finest cells that hold someone, and how many: given to the attacker, who does
    not have them, so that what she cannot pin with them she cannot pin at all."""
    request, _, _ = snap(ReleaseRequest(by=tuple(finest), grains=dict(grains), **window), today)
    _, cells = await count_cells(conn, request, taxonomy)
    fine = [(labels, n) for labels, n, _ in cells if ALL not in labels]
    return [dict(zip(finest, labels, strict=True)) for labels, _ in fine], [n for _, n in fine]


def small_targets(known: Sequence[Known], truth: Sequence[int]) -> list[tuple[int, ...]]:
    """The cells a table speaks of whose true count is below k but not zero."""
    return sorted({kn.members for kn in known if 0 < sum(truth[i] for i in kn.members) < MIN_K})


# -- money: grievances with amounts owed and recovered, released only as bands --------------

class Amounts:
    """The world the band attack is made on: three (place, category, currency) groups of
    grievances, each with an amount owed and every third with half of it recovered. Odd
    amounts, so that a leak of any one of them is found in the bytes."""

    TODAY = date(2026, 2, 1)
    YEAR = {"since": date(2025, 1, 1), "until": date(2025, 12, 31)}
    FINE = {"period": "month", "place": "region", "category": "category"}
    FINEST = ("period", "place", "category", "owed", "recovered")
    OWED = {
        ("HK", "wages_unpaid_late", "HKD"): [Decimal("4321.17")] * 9
                                            + [Decimal("54321.19")] * 2 + [Decimal("654321.23")],
        ("HK", "illegal_deductions", "HKD"): [Decimal("871.29")] * 6 + [Decimal("7654.31")],
        ("BD-DHA", "wages_unpaid_late", "BDT"): [Decimal("98765.37")] * 8
                                                + [Decimal("187.41")] * 2,
    }
    RECOVERED_SHARE = 3

    def __init__(self, runtime):
        self.runtime = runtime
        app = self.app = runtime.app
        self.collectives = {
            p: app.execute(h.create_collective(name=f"Amounts {p}", places=(p,),
                                               federation="fed-amounts")).id
            for p in ("HK", "BD-DHA")}
        self.amounts: list[Decimal] = []
        n = 0
        for (place, category, currency), owed in self.OWED.items():
            for amount in owed:
                w = app.execute(h.register_worker(self.collectives[place])).id
                app.execute(c.GiveConsent(command_id=h.cid(), worker_id=w, purpose="research"))
                g = app.execute(h.raise_grievance(
                    self.collectives[place], [w], place=place, category=category,
                    sector="domestic_care", occurred_on=date(2025, 1 + n % 12, 1 + n % 27))).id
                app.execute(c.StateAmount(command_id=h.cid(), grievance_id=g, kind="owed",
                                          amount=amount, currency=currency, on=date(2025, 12, 1)))
                self.amounts.append(amount)
                if n % self.RECOVERED_SHARE == 0:
                    back = (amount / 2).quantize(Decimal("0.01"))
                    app.execute(c.StateAmount(command_id=h.cid(), grievance_id=g,
                                              kind="recovered", amount=back, currency=currency,
                                              on=date(2025, 12, 2)))
                    self.amounts.append(back)
                n += 1
        runtime.runner(["research_grievances"]).catch_up()

    @staticmethod
    def every_request() -> list[dict]:
        """Every combination of one or both money dimensions with place and category, at
        every grain: 81 requests."""
        out = []
        for r in range(1, 3):
            for money in itertools.combinations(("owed", "recovered"), r):
                for extra in ((), ("place",), ("category",), ("place", "category")):
                    places = ("region", "country") if "place" in extra else ("country",)
                    cats = ("category", "group") if "category" in extra else ("group",)
                    for period, place, cat in itertools.product(("month", "quarter", "year"),
                                                                places, cats):
                        out.append({"by": ("period", *extra, *money), "k": MIN_K,
                                    "grains": {"period": period, "place": place,
                                               "category": cat}})
        return out

    async def atoms(self, conn) -> tuple[list[dict], list[int]]:
        return await finest_atoms(conn, self.app.taxonomy, self.FINEST, self.FINE, self.YEAR,
                                  self.TODAY)
