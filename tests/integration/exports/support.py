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
import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.optimize import linprog

from organize.exports.trends import ALL, period_label, place_label

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
    from organize.exports.releases import ReleaseRequest, count_cells, grouping_sets, snap

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
