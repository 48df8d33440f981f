"""One trend export, end to end: read the research base at a position of the event log,
coarsen, (optionally) add noise, suppress, check, write the package and its manifest.

Used by ``organize export trends`` and by the researchers' web page alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg

from organize.domain import Taxonomy
from organize.exports.disclosure import MIN_K, solvable
from organize.exports.noise import DP_GRAINS, NoiseReport, add_noise
from organize.exports.package import CAVEAT, FORMATS, write
from organize.exports.trends import (
    ALL,
    AUTO,
    NO_OUTCOME,
    SENSITIVE_CATEGORIES,
    SENSITIVE_OUTCOMES,
    WITHHELD,
    ExportError,
    FineRow,
    TrendSpec,
    TrendTable,
    aggregate,
    choose,
    full_grains,
)
from organize.projections.views.research_grievances import fine_counts, position, public_places

Progress = Callable[[str, int, int], None]  # (stage, done, total)

POPULATION_RULE = (
    "A grievance is counted when every worker party to it (as of the export position) "
    "consents to research at the time of the export and none has been erased. Grievances in "
    "the excluded categories are left out whole. No free text, name, pseudonym or id is read.")


def dp_window(spec: TrendSpec, today: date) -> tuple[date, date]:
    """The export window in DP mode: as asked, else the 36 months up to today."""
    until = spec.until or today
    since = spec.since or date(until.year - 3, until.month, 1)
    return since, until


def reproduce_command(spec: TrendSpec, at: int, fmt: str, grains: dict[str, str]) -> str:
    parts = ["organize export trends", f"--at {at}", f"--by {','.join(spec.by)}", f"--k {spec.k}"]
    parts += [f"--{d} {g}" for d, g in sorted(grains.items())]
    if spec.epsilon is not None:
        parts.append(f"--epsilon {spec.epsilon}")
    if spec.since:
        parts.append(f"--since {spec.since.isoformat()}")
    if spec.until:
        parts.append(f"--until {spec.until.isoformat()}")
    parts += [f"--format {fmt}", "--out DIR"]
    return " ".join(parts)


_PERIOD = re.compile(r"^\d{4}(-(\d{2}|Q[1-4]))?$")
_PLACE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$|^other$")


def codes_only(table: TrendTable, taxonomy: Taxonomy) -> list[str]:
    """Every value in the table must be a code we know the shape of: a last guard against
    any free text reaching an export. Returns the offending (dimension, value) pairs."""
    allowed: dict[str, set[str]] = {
        "sector": set(taxonomy.codes("sectors")), "stage": set(taxonomy.codes("stages")),
        "outcome": set(taxonomy.codes("outcomes")) | {NO_OUTCOME, WITHHELD},
        "escalation": {"escalated", "not_escalated"},
        "category": set(taxonomy.codes("categories")) | set(taxonomy.codes("category_groups"))
        | {"unknown"},
    }
    bad = []
    for rec in table.records():
        for d in table.by:
            v = rec[d]
            ok = (v == ALL or (d == "period" and _PERIOD.match(v)) or (d == "place" and _PLACE.match(v))
                  or v in allowed.get(d, ()))
            if not ok:
                bad.append(f"{d}")
    return sorted(set(bad))


def checks(table: TrendTable, taxonomy: Taxonomy, k: int) -> list[dict[str, Any]]:
    records = table.records()
    below = [r for r in records if r["count"] is not None and 0 < r["count"] < k]
    pinned = solvable(table.result)
    bad_values = codes_only(table, taxonomy)
    return [
        {"name": "no_count_below_k", "passed": not below,
         "detail": f"every published count is 0 or at least {k}"},
        {"name": "suppressed_not_solvable", "passed": not pinned,
         "detail": "re-checked on the published table: every hidden count lies on a cycle of "
                   "hidden counts, so the margins cannot pin it down"},
        {"name": "codes_only", "passed": not bad_values,
         "detail": "every value is a taxonomy code, a period, a place code or 'all'"},
        {"name": "k_at_least_floor", "passed": k >= MIN_K, "detail": f"k >= {MIN_K}"},
    ]


async def export_trends(conn: asyncpg.Connection, spec: TrendSpec, out: Path, fmt: str, *,
                        taxonomy: Taxonomy, progress: Progress | None = None,
                        today: date | None = None) -> dict[str, Any]:
    """Write one export into ``out``; return its manifest. Raises ``ExportError`` for a
    request that cannot be met, before anything is written."""
    spec.check()
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; choose from {', '.join(FORMATS)}.",
                          field="format", code="unknown")
    note = progress or (lambda *_: None)
    today = today or datetime.now(UTC).date()
    head = await position(conn)
    at = head if spec.at is None else spec.at
    if at > head:
        raise ExportError(f"The research base has reached position {head}, not {at} yet.",
                          field="at", code="ahead")
    report: NoiseReport | None = None
    since, until = spec.since, spec.until
    if spec.epsilon is not None:
        since, until = dp_window(spec, today)
        spec = replace(spec, grains={d: (spec.grain(d) if spec.grain(d) != AUTO else g)
                                     for d, g in DP_GRAINS.items()})
    note("reading", 0, 1)
    rows = [FineRow(**dict(r)) for r in await fine_counts(
        conn, at=at, exclude_categories=SENSITIVE_CATEGORIES, since=since, until=until)]
    note("reading", 1, 1)

    counts_for = None
    if spec.epsilon is not None:
        places = await public_places(conn)
        reports: list[NoiseReport] = []

        def counts_for(grains: dict[str, str]) -> dict[tuple[str, ...], int]:
            noisy, rep = add_noise(aggregate(rows, spec.by, full_grains(grains), taxonomy), spec.by,
                                   full_grains(grains), taxonomy, epsilon=spec.epsilon, places=places,
                                   since=since, until=until)
            reports.append(rep)
            return noisy

    table, candidates = choose(rows, spec, taxonomy, counts_for=counts_for,
                               progress=lambda i, n: note("coarsening", i, n))
    if spec.epsilon is not None:
        report = reports[-1]
    res = table.result
    hidden = [{"kind": s.kind, "key": list(s.key)} for s in sorted(
        res.suppressions, key=lambda s: (s.kind, s.key))]
    passed = checks(table, taxonomy, spec.k)
    if not all(c["passed"] for c in passed):  # never ship a table that fails its own checks
        raise RuntimeError(f"export failed its checks: {[c['name'] for c in passed if not c['passed']]}")
    manifest: dict[str, Any] = {
        "format": "organize-grievance-trends/1",
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "position": {"notification_id": at, "head_at_export": head,
                     "source": "research_grievances view of the organize event log"},
        "parameters": {
            "by": list(spec.by), "k": spec.k, "grains": {d: spec.grain(d) for d in
                                                          ("period", "place", "category") if d in spec.by},
            "max_suppressed": spec.max_suppressed, "epsilon": spec.epsilon,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None, "format": fmt},
        "population": {"rule": POPULATION_RULE,
                       "excluded_categories": list(SENSITIVE_CATEGORIES),
                       "withheld_outcomes": list(SENSITIVE_OUTCOMES),
                       "free_text": "none"},
        "coarsening": {
            "chosen": table.grains,
            "rule": "least coarse combination whose share of grievances in hidden cells is at "
                    "most max_suppressed; if none, the one hiding least"
                    + ("; fixed in advance under differential privacy" if report else ""),
            "candidates": [c.as_dict() for c in candidates]},
        "suppression": {
            "k": spec.k, "cells": len(res.cells),
            "hidden_cells": sum(1 for v in res.cells.values() if v is None),
            "primary": len(res.primary), "complementary": len(res.complementary),
            "reason": "each hidden entry is a nonzero count below k, or a count hidden so that "
                      "no hidden count can be solved back from the published totals",
            "hidden": hidden},
        "differential_privacy": report.as_dict() if report else None,
        "checks": passed,
        "caveat": CAVEAT,
        "reproduce": reproduce_command(spec, at, fmt, table.grains),
        "reproducible": ("no: the noise is drawn afresh on every run" if report else
                         "yes: the same position and parameters give the same table, except "
                         "that workers who have since withdrawn consent or been erased are left "
                         "out"),
    }
    note("writing", 0, 1)
    manifest["files"] = write(table, out, manifest, fmt)
    note("writing", 1, 1)
    return manifest
