"""Grievance-trend tables for researchers: which dimensions, at which grain, and which of
them the disclosure rules let out.

Pure: it takes the research base's finest-grain counts (``fine_counts``) and returns the
published table. Everything here works on codes; there is no free text to leak.

The published table is two-dimensional for disclosure control: its columns are the
category (or the last dimension asked for, when category is not), its rows every
combination of the other dimensions. Row totals, column totals and the grand total are
published too, and ``organize.exports.disclosure.suppress`` hides small counts and enough
others that none can be solved back from those margins.

The coarsening ladder: place goes region -> country, time month -> quarter -> year,
category -> group. Every combination of the grains still "auto" is tried, from the least
coarse, and the first whose suppressed share (grievances in hidden cells over all
grievances) is at most ``max_suppressed`` wins; if none does, the one hiding least (the
coarser on a tie). All
the candidates are reported in the manifest.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from organize.domain import Taxonomy
from organize.exports.disclosure import DEFAULT_K, MIN_K, SuppressionResult, suppress

# The dimensions a trend table may have, in the order they are laid out.
DIMENSIONS = ("period", "place", "sector", "stage", "category", "outcome", "escalation")
DEFAULT_BY = ("period", "place", "sector", "stage", "category")
GRAINS: dict[str, tuple[str, ...]] = {
    "period": ("month", "quarter", "year"),
    "place": ("region", "country"),
    "category": ("category", "group"),
}
AUTO = "auto"
DEFAULT_MAX_SUPPRESSED = 0.25
ALL = "all"  # the label of a margin in the published table

# Sensitive facts never leave in an export (issue 5): document status, age and health.
# Age and document status are not recorded on grievances at all; these categories would
# tell them, so their grievances are left out whole.
SENSITIVE_CATEGORIES = ("made_undocumented", "health_care_denied", "pregnancy_maternity")
# Outcomes that reveal legal status are published as "withheld" in the outcome split.
SENSITIVE_OUTCOMES = ("counter_charged", "deported")
WITHHELD = "withheld"
NO_OUTCOME = "none"


class ExportError(ValueError):
    """A request for an export that cannot be made as asked. ``code`` is stable (the web
    layer translates it), ``field`` names the parameter."""

    def __init__(self, message: str, *, field: str, code: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True)
class TrendSpec:
    by: tuple[str, ...] = DEFAULT_BY
    k: int = DEFAULT_K
    grains: Mapping[str, str] = field(default_factory=dict)  # dimension -> grain or "auto"
    max_suppressed: float = DEFAULT_MAX_SUPPRESSED
    epsilon: float | None = None
    since: date | None = None
    until: date | None = None
    at: int | None = None  # a notification id, to reproduce an earlier export

    def grain(self, dimension: str) -> str:
        return self.grains.get(dimension, AUTO)

    def check(self) -> TrendSpec:
        if not self.by:
            raise ExportError("Choose at least one dimension.", field="by", code="required")
        unknown = [d for d in self.by if d not in DIMENSIONS]
        if unknown:
            raise ExportError(f"Unknown dimension {unknown[0]!r}; choose from {', '.join(DIMENSIONS)}.",
                              field="by", code="unknown")
        if len(set(self.by)) != len(self.by):
            raise ExportError("Each dimension may be asked for once.", field="by", code="duplicate")
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < MIN_K:
            raise ExportError(f"The minimum cell size must be a whole number of at least {MIN_K}.",
                              field="k", code="too_small")
        if self.k > 1000:
            raise ExportError("The minimum cell size can be at most 1000.", field="k", code="too_large")
        for dimension, grain in self.grains.items():
            if dimension not in GRAINS or grain not in (AUTO, *GRAINS[dimension]):
                raise ExportError(f"Unknown grain {grain!r} for {dimension!r}.", field="grains",
                                  code="unknown")
        if not 0 <= self.max_suppressed <= 1:
            raise ExportError("The suppressed share must be between 0 and 1.",
                              field="max_suppressed", code="out_of_range")
        if self.epsilon is not None and not 0.01 <= self.epsilon <= 10:
            raise ExportError("Epsilon must be between 0.01 and 10.", field="epsilon",
                              code="out_of_range")
        if self.since and self.until and self.since > self.until:
            raise ExportError("The start must not be after the end.", field="since", code="order")
        if self.at is not None and self.at < 0:
            raise ExportError("The position must not be negative.", field="at", code="out_of_range")
        return self


# -- labels ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FineRow:
    """One row of the research base at the finest grain."""

    month: date
    place: str
    category: str
    sector: str
    stage: str
    outcome: str | None
    escalated: bool
    n: int


def period_label(month: date, grain: str) -> str:
    if grain == "month":
        return f"{month.year:04d}-{month.month:02d}"
    if grain == "quarter":
        return f"{month.year:04d}-Q{(month.month - 1) // 3 + 1}"
    return f"{month.year:04d}"


def place_label(place: str, grain: str) -> str:
    return place if grain == "region" else place.split("-", 1)[0]


def labeller(by: Sequence[str], grains: Mapping[str, str], taxonomy: Taxonomy
             ) -> Callable[[FineRow], tuple[str, ...]]:
    """A function from a fine row to its labels. Each distinct value is labelled once."""
    def group(code: str) -> str:
        try:
            return taxonomy.category_group(code)
        except KeyError:
            return "unknown"

    def outcome(code: str | None) -> str:
        if code is None:
            return NO_OUTCOME
        return WITHHELD if code in SENSITIVE_OUTCOMES else code

    label_of: dict[str, Callable[[Any], str]] = {
        "period": lambda m: period_label(m, grains["period"]),
        "place": lambda p: place_label(p, grains["place"]),
        "category": (lambda x: x) if grains["category"] == "category" else group,
        "outcome": outcome,
        "escalation": lambda e: "escalated" if e else "not_escalated",
        "sector": lambda x: x, "stage": lambda x: x,
    }
    source = {"period": "month", "escalation": "escalated"}
    getters = []
    for d in by:
        memo: dict[Any, str] = {}
        fn = label_of[d]
        attr = source.get(d, d)

        def get(r: FineRow, memo=memo, fn=fn, attr=attr) -> str:
            v = getattr(r, attr)
            try:
                return memo[v]
            except KeyError:
                memo[v] = out = fn(v)
                return out
        getters.append(get)
    return lambda r: tuple(g(r) for g in getters)


def aggregate(rows: Iterable[FineRow], by: Sequence[str], grains: Mapping[str, str],
              taxonomy: Taxonomy) -> dict[tuple[str, ...], int]:
    label = labeller(by, grains, taxonomy)
    out: dict[tuple[str, ...], int] = {}
    for r in rows:
        key = label(r)
        out[key] = out.get(key, 0) + r.n
    return out


def collapse(rows: Iterable[FineRow], by: Sequence[str]) -> list[FineRow]:
    """The rows summed over the dimensions not asked for (fewer rows for the ladder)."""
    keep = {"period": "month", "escalation": "escalated"}
    fields = {keep.get(d, d) for d in by}
    sums: dict[tuple, int] = {}
    for r in rows:
        key = tuple(getattr(r, f) if f in fields else None for f in _FIELDS)
        sums[key] = sums.get(key, 0) + r.n
    blank = {"month": date(1, 1, 1), "place": "", "category": "", "sector": "", "stage": "",
             "outcome": None, "escalated": False}
    return [FineRow(**{f: (v if f in fields else blank[f]) for f, v in zip(_FIELDS, key, strict=True)},
                    n=n) for key, n in sums.items()]


_FIELDS = ("month", "place", "category", "sector", "stage", "outcome", "escalated")


# -- the published table -----------------------------------------------------------------------

SEP = "\x1f"  # joins the row dimensions into one row label for ``suppress``


def layout(by: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """(row dimensions, column dimension)."""
    column = "category" if "category" in by else by[-1]
    return tuple(d for d in by if d != column), column


@dataclass(frozen=True)
class TrendTable:
    by: tuple[str, ...]
    grains: dict[str, str]
    row_dims: tuple[str, ...]
    column_dim: str
    result: SuppressionResult
    total: int  # the true number of grievances; internal, never written out

    def records(self) -> list[dict[str, Any]]:
        """The table in long form: one record per cell, then the row totals, the column
        totals and the grand total (margins carry ``all``). ``count`` is None where
        suppressed."""
        res = self.result
        out: list[dict[str, Any]] = []

        def record(row: str | None, column: str | None, value: int | None) -> dict[str, Any]:
            values = row.split(SEP) if row is not None and self.row_dims else [ALL] * len(self.row_dims)
            rec = dict(zip(self.row_dims, values, strict=True))
            rec[self.column_dim] = ALL if column is None else column
            rec = {d: rec[d] for d in self.by}
            rec["count"] = value
            rec["suppressed"] = value is None
            return rec

        for (row, column), value in sorted(res.cells.items()):
            out.append(record(row, column, value))
        if self.row_dims:  # with no row dimension the one row total is the grand total
            for row, value in sorted(res.row_totals.items()):
                out.append(record(row, None, value))
            for column, value in sorted(res.column_totals.items()):
                out.append(record(None, column, value))
        out.append(record(None, None, res.grand_total))
        return out


def tabulate(counts: Mapping[tuple[str, ...], int], by: Sequence[str], grains: Mapping[str, str],
             k: int) -> TrendTable:
    row_dims, column = layout(by)
    at = by.index(column)
    table: dict[tuple[str, str], int] = {}
    for key, n in counts.items():
        row = SEP.join(v for i, v in enumerate(key) if i != at) if row_dims else ALL
        table[(row, key[at])] = table.get((row, key[at]), 0) + n
    return TrendTable(tuple(by), dict(grains), row_dims, column, suppress(table, k, dense=False),
                      sum(table.values()))


def suppressed_share(table: TrendTable) -> float:
    """Share of the grievances that sit in hidden interior cells (0 when there are none)."""
    res = table.result
    hidden = sum(1 for v in res.cells.values() if v is None)
    if not hidden:
        return 0.0
    # The grand total may be hidden itself; the published interior tells the rest.
    shown = sum(v for v in res.cells.values() if v is not None)
    return (table.total - shown) / table.total if table.total else 0.0


# -- the ladder --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    grains: dict[str, str]
    cells: int
    hidden_cells: int
    suppressed_share: float
    exact: bool = True  # False: only primary suppression was counted, a lower bound
    chosen: bool = False

    def as_dict(self) -> dict[str, Any]:
        share = "suppressed_share" if self.exact else "suppressed_share_at_least"
        return {"grains": self.grains, "cells": self.cells, "hidden_cells": self.hidden_cells,
                share: round(self.suppressed_share, 2), "chosen": self.chosen}


def candidate_grains(spec: TrendSpec) -> list[dict[str, str]]:
    """Every combination of grains to try, least coarse first. Among equally coarse ones,
    time is coarsened before place, and place before category (category detail is what
    researchers most often ask for)."""
    dims = [d for d in ("period", "place", "category") if d in spec.by]
    options = [GRAINS[d] if spec.grain(d) == AUTO else (spec.grain(d),) for d in dims]
    combos = []
    for choice in itertools.product(*options):
        steps = [GRAINS[d].index(g) for d, g in zip(dims, choice, strict=True)]
        combos.append((sum(steps), [-s for s in steps], dict(zip(dims, choice, strict=True))))
    combos.sort(key=lambda c: (c[0], c[1]))
    return [c[2] for c in combos]


def choose(rows: Sequence[FineRow], spec: TrendSpec, taxonomy: Taxonomy,
           counts_for: Callable[[dict[str, str]], Mapping[tuple[str, ...], int]] | None = None,
           progress: Callable[[int, int], None] | None = None,
           ) -> tuple[TrendTable, list[Candidate]]:
    """Walk the ladder; return the chosen table and every candidate tried.

    ``counts_for`` maps a grain choice to the counts to publish (the DP mode passes noisy
    ones); by default the rows are aggregated as they are."""
    if counts_for is None:
        rows = collapse(rows, spec.by)
        counts_for = lambda g: aggregate(rows, spec.by, full_grains(g), taxonomy)  # noqa: E731
    options = candidate_grains(spec)
    tried: list[tuple[Mapping[tuple[str, ...], int], TrendTable | None, Candidate]] = []
    for i, grains in enumerate(options, 1):
        counts = counts_for(grains)
        # Cells below k are hidden whatever else happens: when they alone hide too much, the
        # candidate fails without running complementary suppression (the costly part).
        total = sum(counts.values())
        small = [n for n in counts.values() if 0 < n < spec.k]
        at_least = sum(small) / total if total else 0.0
        if at_least > spec.max_suppressed:
            tried.append((counts, None, Candidate(grains, len(counts), len(small), at_least,
                                                  exact=False)))
        else:
            table = tabulate(counts, spec.by, grains, spec.k)
            tried.append((counts, table, _measured(table, grains)))
        if progress:
            progress(i, len(options))
        if tried[-1][2].exact and tried[-1][2].suppressed_share <= spec.max_suppressed:
            break
    last = tried[-1][2]
    if last.exact and last.suppressed_share <= spec.max_suppressed:
        chosen = len(tried) - 1
    else:  # none is good enough: the one hiding least; on a tie, the coarser
        def key(i: int) -> tuple[float, int]:
            return (round(tried[i][2].suppressed_share, 2), -i)

        chosen = None
        for i in sorted(range(len(tried)), key=key):  # lower bounds first: branch and bound
            if chosen is not None and key(i) > key(chosen):
                break  # even its lower bound is worse than a measured candidate
            counts, table, cand = tried[i]
            if table is None:
                table = tabulate(counts, spec.by, options[i], spec.k)
                tried[i] = (counts, table, _measured(table, options[i]))
            if chosen is None or key(i) < key(chosen):
                chosen = i
    table = tried[chosen][1]
    candidates = [replace(c, chosen=i == chosen) for i, (_, _, c) in enumerate(tried)]
    return table, candidates


def _measured(table: TrendTable, grains: dict[str, str]) -> Candidate:
    hidden = sum(1 for v in table.result.cells.values() if v is None)
    return Candidate(grains, len(table.result.cells), hidden, suppressed_share(table))


def full_grains(grains: Mapping[str, str]) -> dict[str, str]:
    return {"period": "month", "place": "region", "category": "category", **grains}
