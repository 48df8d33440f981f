"""Optional differential privacy for the trend tables, with OpenDP's discrete Laplace.

Suppression alone cannot stop a differencing attack: two exports taken before and after
one grievance was recorded differ by exactly one in one published cell whenever that cell
is at least k both times. With ``epsilon`` set, every cell of the table is released with
noise instead, so the two exports are nearly as likely either way.

The mechanism, as shipped in every manifest:

- **Unit of privacy: one grievance.** Adding or removing one grievance changes exactly one
  interior cell by one (L1 sensitivity 1). A worker party to m grievances in the export is
  protected at m x epsilon (group privacy).
- **Noise:** ``opendp.measurements.make_laplace`` over a vector of integers, which samples
  the discrete Laplace (two-sided geometric) distribution with scale 1/epsilon, from
  OpenDP's own secure randomness. Its privacy map is checked to give at most epsilon.
- **Every possible cell gets noise**, zeros included: the cells are the cross product of
  taxonomy codes, the periods of the export window and the places collectives work in
  (organisational, not personal; anything else is "other"). So which cells exist says
  nothing about who reported what.
- **Grains are fixed by the request**, never chosen by looking at the data: a choice that
  looked at true counts would leak outside the budget.
- **The noise is drawn once per measurement** and stored (``organize.exports.releases``): the
  same request never draws again, and each researcher pays for a measurement once from her
  budget (``organize.domain.privacy_budget``).
- **After the noise, all is post-processing** and costs no privacy: negative counts are
  set to 0, margins are sums of the noisy cells, and cells below k are still suppressed
  (with complementary suppression), so the rule "no count below k" holds in both modes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from organize.domain import Taxonomy
from organize.domain.money import all_bands
from organize.exports.trends import (
    NO_OUTCOME,
    SENSITIVE_CATEGORIES,
    SENSITIVE_OUTCOMES,
    WITHHELD,
    ExportError,
    period_label,
    place_label,
)

OTHER_PLACE = "other"
MAX_CELLS = 2_000_000


@dataclass(frozen=True)
class NoiseReport:
    mechanism: str
    library: str
    epsilon: float
    unit: str
    sensitivity: int
    scale: float
    cells: int
    ci95: int  # 95% of cells are within this many of the true count

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def months(since: date, until: date) -> list[date]:
    out, y, m = [], since.year, since.month
    while (y, m) <= (until.year, until.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def domain(by: Sequence[str], grains: Mapping[str, str], taxonomy: Taxonomy, *,
           places: Sequence[str], since: date, until: date) -> list[list[str]]:
    """The values each dimension can take, data-independently."""
    def values(d: str) -> list[str]:
        if d == "period":
            return list(dict.fromkeys(period_label(m, grains["period"]) for m in months(since, until)))
        if d == "place":
            return sorted({place_label(p, grains["place"]) for p in places} | {OTHER_PLACE})
        if d == "category":
            codes = [c for c in taxonomy.codes("categories") if c not in SENSITIVE_CATEGORIES]
            if grains["category"] == "group":
                return list(dict.fromkeys(taxonomy.category_group(c) for c in codes))
            return codes
        if d == "outcome":
            return [o for o in taxonomy.codes("outcomes") if o not in SENSITIVE_OUTCOMES] + [
                NO_OUTCOME, WITHHELD]
        if d == "escalation":
            return ["escalated", "not_escalated"]
        if d in ("owed", "recovered"):
            return all_bands()
        return list(taxonomy.codes({"sector": "sectors", "stage": "stages"}[d]))
    return [values(d) for d in by]


def measurement(epsilon: float):
    import opendp.prelude as dp

    dp.enable_features("contrib")
    scale = 1.0 / epsilon
    meas = dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int),
                             scale=scale)
    spent = meas.map(1)
    if spent > epsilon * (1 + 1e-9):
        raise RuntimeError(f"OpenDP reports epsilon {spent} for scale {scale}, above {epsilon}")
    return meas, scale


def add_noise(counts: Mapping[tuple[str, ...], int], by: Sequence[str], grains: Mapping[str, str],
              taxonomy: Taxonomy, *, epsilon: float, places: Sequence[str], since: date,
              until: date) -> tuple[dict[tuple[str, ...], int], NoiseReport]:
    """Noisy counts over every cell of the domain (negatives set to 0)."""
    values = domain(by, grains, taxonomy, places=places, since=since, until=until)
    size = math.prod(len(v) for v in values)
    if size > MAX_CELLS:
        raise ExportError(
            f"With differential privacy this table would have {size:,} cells; choose fewer "
            "dimensions or coarser grains.", field="by", code="too_many_cells")
    known = [set(v) for v in values]
    place_at = by.index("place") if "place" in by else None
    true: dict[tuple[str, ...], int] = {}
    for key, n in counts.items():
        if place_at is not None and key[place_at] not in known[place_at]:
            key = (*key[:place_at], OTHER_PLACE, *key[place_at + 1:])
        if all(v in k for v, k in zip(key, known, strict=True)):
            true[key] = true.get(key, 0) + n
    keys = list(itertools.product(*values))
    meas, scale = measurement(epsilon)
    noisy = meas([true.get(key, 0) for key in keys]) if keys else []
    out = {key: int(v) for key, v in zip(keys, noisy, strict=True) if v > 0}
    # Discrete Laplace: P(|X| >= t) = 2 p^t / (1 + p) with p = exp(-1/scale).
    p = math.exp(-1 / scale)
    ci95 = next(t for t in itertools.count() if 2 * p ** (t + 1) / (1 + p) <= 0.05)
    from importlib.metadata import version

    report = NoiseReport(
        mechanism="discrete Laplace (opendp.measurements.make_laplace on integer vectors)",
        library=f"opendp {version('opendp')}", epsilon=epsilon, unit="one grievance",
        sensitivity=1, scale=scale, cells=size, ci95=ci95)
    return out, report


__all__ = ["NoiseReport", "add_noise", "domain", "measurement"]
