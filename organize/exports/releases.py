"""Releases: what a researcher gets, instead of ad-hoc queries (issue 14).

A **release** is a set of trend tables over whole, closed periods (months, quarters or
years, cut at period ends), made once and stored:

1. **Snapping.** Free dates snap outwards to whole periods of the chosen grain, and a
   period still running is never counted: ``until`` ends at the last closed period. So
   moving ``until`` by a day asks for the same release. Each snap is reported (``notes``)
   so the page can say why, in her language.
2. **A measurement** is the perturbed (cell-key) or noisy (differential privacy) counts of
   one request: its dimensions, grains, periods and mechanism. It is computed once, at the
   research base's position of that moment, with one set-based ``GROUP BY ... GROUPING
   SETS`` over the research projection, and stored with that position. Asking again, with
   another k or format, reads the stored numbers: no new noise is ever drawn for the same
   measurement, so averaging repeats gains nothing.
3. **A release** is a measurement as one researcher received it: k applied (every count
   from 1 to k-1 hidden), written as CSV, Parquet or a Data Package with its manifest, and
   zipped. It is stored too, and the same request hands back the same bytes.

Disclosure control across everything a researcher can obtain is the cell-key method
(``organize.exports.cellkey``: why it, and not linked suppression, is said there), and in
the ``epsilon`` mode differential privacy with a budget per researcher
(``organize.domain.privacy_budget``): a measurement is paid for once per researcher, and a
request past her budget is refused before anything is written.

Tables never cross a period: each period has its own cells and its own margins (row totals,
column totals, grand total), so no total over a run of periods exists to be differenced
against a run one period shorter.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import asyncpg

from organize.domain import Taxonomy
from organize.domain.privacy_budget import MAX_RELEASE_MILLI, MIN_RELEASE_MILLI
from organize.exports import cellkey
from organize.exports.noise import add_noise
from organize.exports.package import CAVEAT, FORMATS, write
from organize.exports.trends import (
    ALL,
    AUTO,
    DEFAULT_BY,
    DEFAULT_GRAINS,
    DIMENSIONS,
    GRAINS,
    NO_OUTCOME,
    SENSITIVE_CATEGORIES,
    SENSITIVE_OUTCOMES,
    WITHHELD,
    ExportError,
    period_label,
)
from organize.projections.disclosure import DEFAULT_K, MIN_K
from organize.projections.views.research_grievances import (
    CELL_KEY_MODULUS,
    position,
    public_places,
    research_tables,
)

FORMAT_VERSION = "organize-grievance-release/1"
MAX_K = 1000
MEASUREMENTS = "organize_research_measurements"
RELEASES = "organize_research_releases"
DEFAULT_YEARS = 3  # without dates: the closed periods of the last three years
TEMP_PREFIX = "organize-release-"  # the package is written here, zipped, and the directory removed

POPULATION_RULE = (
    "A grievance is counted when every worker party to it consents to research at the time "
    "the release is computed and none has been erased. Grievances in the excluded categories "
    "are left out whole. No free text, name, pseudonym or id is read.")

_DDL = [
    f"CREATE TABLE IF NOT EXISTS {MEASUREMENTS} ("
    " key text PRIMARY KEY, created timestamptz NOT NULL DEFAULT now(),"
    " position bigint NOT NULL, request jsonb NOT NULL, mechanism jsonb NOT NULL,"
    " cells bytea NOT NULL)",  # JSON, kept as bytes: read back whole, never queried into
    f"CREATE TABLE IF NOT EXISTS {RELEASES} ("
    " key text PRIMARY KEY, measurement text NOT NULL REFERENCES " + MEASUREMENTS + " (key),"
    " created timestamptz NOT NULL DEFAULT now(), manifest jsonb NOT NULL, body bytea NOT NULL)",
]


# -- the request ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReleaseRequest:
    by: tuple[str, ...] = DEFAULT_BY
    k: int = DEFAULT_K
    grains: Mapping[str, str] = field(default_factory=dict)
    epsilon: float | None = None
    since: date | None = None
    until: date | None = None
    fmt: str = "datapackage"

    def grain(self, dimension: str) -> str:
        g = self.grains.get(dimension, AUTO)
        return DEFAULT_GRAINS[dimension] if g == AUTO else g

    @property
    def epsilon_milli(self) -> int | None:
        return None if self.epsilon is None else round(self.epsilon * 1000)

    def check(self) -> ReleaseRequest:
        if not self.by:
            raise ExportError("Choose at least one dimension.", field="by", code="required")
        unknown = [d for d in self.by if d not in DIMENSIONS]
        if unknown:
            raise ExportError(f"Unknown dimension; choose from {', '.join(DIMENSIONS)}.",
                              field="by", code="unknown")
        if len(set(self.by)) != len(self.by):
            raise ExportError("Each dimension may be asked for once.", field="by", code="duplicate")
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < MIN_K:
            raise ExportError(f"The minimum cell size must be a whole number of at least {MIN_K}.",
                              field="k", code="too_small")
        if self.k > MAX_K:
            raise ExportError(f"The minimum cell size can be at most {MAX_K}.", field="k",
                              code="too_large")
        for dimension, grain in self.grains.items():
            if dimension not in GRAINS or grain not in (AUTO, *GRAINS[dimension]):
                raise ExportError("Unknown grain.", field="grains", code="unknown")
        if self.epsilon is not None:
            if not math.isfinite(self.epsilon) or self.epsilon_milli < MIN_RELEASE_MILLI:
                raise ExportError("Epsilon must be at least 0.01.", field="epsilon",
                                  code="out_of_range")
            if self.epsilon_milli > MAX_RELEASE_MILLI:
                raise ExportError(
                    f"Epsilon can be at most {MAX_RELEASE_MILLI / 1000:g} in one release: a "
                    "larger epsilon adds too little noise to protect one grievance.",
                    field="epsilon", code="above_cap")
        if self.since and self.until and self.since > self.until:
            raise ExportError("The start must not be after the end.", field="since", code="order")
        if self.fmt not in FORMATS:
            raise ExportError(f"Unknown format; choose from {', '.join(FORMATS)}.", field="format",
                              code="unknown")
        return self


# -- snapping to whole, closed periods ------------------------------------------------------------

def period_start(day: date, grain: str) -> date:
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def next_start(start: date, grain: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    m = start.month - 1 + months
    return date(start.year + m // 12, m % 12 + 1, 1)


def period_end(day: date, grain: str) -> date:
    return next_start(period_start(day, grain), grain) - timedelta(days=1)


@dataclass(frozen=True)
class Note:
    """Why the release differs from what was asked. ``code``: since | until | open_period
    | period_added."""

    code: str
    asked: str | None
    released: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "asked": self.asked, "released": self.released,
                "why": NOTE_WHY[self.code]}


NOTE_WHY = {
    "since": "The start was moved to the first day of its period: releases hold whole periods.",
    "until": "The end was moved to the last day of its period: releases hold whole periods.",
    "open_period": "The end was moved back to the last period that has closed: a period still "
                   "running is never released.",
    "period_added": "Every release is split by period, so the period was added.",
}


@dataclass(frozen=True)
class Window:
    first: date  # the first day of the first period
    last: date  # the last day of the last period
    grain: str


def snap(request: ReleaseRequest, today: date) -> tuple[ReleaseRequest, Window, list[Note]]:
    """The request as it will be released: whole, closed periods, and ``period`` among the
    dimensions. Raises ``ExportError`` when no closed period is left."""
    request.check()
    grain = request.grain("period")
    notes: list[Note] = []
    by = request.by
    if "period" not in by:
        by = ("period", *by)
        notes.append(Note("period_added", None, None))
    last_closed = period_start(today, grain) - timedelta(days=1)
    until = request.until or last_closed
    if request.until is not None:
        if until > last_closed:  # its period is still open (or the calendar's last)
            end = last_closed
            notes.append(Note("open_period", request.until.isoformat(), end.isoformat()))
        else:
            end = period_end(until, grain)
            if end != request.until:
                notes.append(Note("until", request.until.isoformat(), end.isoformat()))
        until = end
    if request.since is not None:
        since = period_start(request.since, grain)
        if since != request.since:
            notes.append(Note("since", request.since.isoformat(), since.isoformat()))
    else:
        back = date(max(1, until.year - DEFAULT_YEARS), until.month, 1)  # year 1 is the first
        since = period_start(back + timedelta(days=31), grain)
    if since > until:
        raise ExportError("No whole period has closed in these dates yet.", field="until",
                          code="not_closed")
    grains = {d: request.grain(d) for d in GRAINS}
    snapped = replace(request, by=by, grains=grains, since=since, until=until)
    return snapped, Window(since, until, grain), notes


def measurement_key(request: ReleaseRequest) -> str:
    """The stored numbers a snapped request reads: everything but k and the format (those
    are applied afterwards and cost no privacy)."""
    canon = {"v": FORMAT_VERSION, "by": list(request.by), "grains": dict(sorted(request.grains.items())),
             "since": request.since.isoformat(), "until": request.until.isoformat(),
             "epsilon_milli": request.epsilon_milli}
    return hashlib.sha256(json.dumps(canon, sort_keys=True).encode()).hexdigest()[:32]


def release_key(measurement: str, request: ReleaseRequest, researcher: str) -> str:
    canon = {"measurement": measurement, "k": request.k, "format": request.fmt,
             "researcher": researcher}
    return hashlib.sha256(json.dumps(canon, sort_keys=True).encode()).hexdigest()[:32]


# -- the tables --------------------------------------------------------------------------------

def layout(by: Sequence[str]) -> tuple[tuple[str, ...], str | None]:
    """(row dimensions, column dimension) of the dimensions besides the period."""
    inner = [d for d in by if d != "period"]
    if not inner:
        return (), None
    column = "category" if "category" in inner else inner[-1]
    return tuple(d for d in inner if d != column), column


def grouping_sets(by: Sequence[str]) -> list[tuple[str, ...]]:
    """Per period: the cells, the row totals, the column totals and the grand total."""
    rows, column = layout(by)
    if column is None:
        return [("period",)]
    sets = [("period", *[d for d in by if d != "period"])]
    if rows:
        sets += [("period", *rows), ("period", column)]
    sets.append(("period",))
    return sets


def _label_sql(dimension: str, grains: Mapping[str, str]) -> str:
    if dimension == "period":
        return {"month": "to_char(g.occurred_on, 'YYYY-MM')",
                "quarter": "to_char(g.occurred_on, 'YYYY-\"Q\"Q')",
                "year": "to_char(g.occurred_on, 'YYYY')"}[grains["period"]]
    if dimension == "place":
        return "g.place" if grains["place"] == "region" else "split_part(g.place, '-', 1)"
    if dimension == "category":
        return "g.category" if grains["category"] == "category" else "coalesce(cg.grp, 'unknown')"
    if dimension == "outcome":
        return (f"CASE WHEN g.outcome IS NULL THEN '{NO_OUTCOME}' WHEN g.outcome = ANY({{withheld}})"
                f" THEN '{WITHHELD}' ELSE g.outcome END")
    if dimension == "escalation":
        return "CASE WHEN g.escalated THEN 'escalated' ELSE 'not_escalated' END"
    if dimension in ("owed", "recovered"):
        return f"g.{dimension}_band"
    return f"g.{dimension}"


def release_sql(tables: Any, by: Sequence[str], grains: Mapping[str, str]) -> tuple[str, list[str]]:
    """One statement: every cell and margin of every period, with its count and cell key;
    and the names of its parameters, in order (``excluded``, ``first``, ``last``, then
    ``withheld`` outcomes and the category ``codes`` and ``groups`` when it needs them)."""
    names = ["excluded", "first", "last"]
    cols = ", ".join(f"{_label_sql(d, grains)} AS {d}" for d in by)
    if "outcome" in by:
        names.append("withheld")
        cols = cols.replace("{withheld}", f"${len(names)}::text[]")
    join = ""
    if "category" in by and grains["category"] == "group":
        names += ["codes", "groups"]
        join = (f" LEFT JOIN unnest(${len(names) - 1}::text[], ${len(names)}::text[])"
                " AS cg(code, grp) ON cg.code = g.category")
    sets = ", ".join("(" + ", ".join(s) + ")" for s in grouping_sets(by))
    labels = ", ".join(f"coalesce({d}, '{ALL}')" for d in by)
    return (f"SELECT {labels}, count(*)::int, (sum(ckey) % {CELL_KEY_MODULUS})::int"
            f" FROM (SELECT {cols}, g.ckey FROM {tables.grievances} g{join}"
            " WHERE g.eligible AND NOT (g.category = ANY($1::text[]))"
            " AND g.occurred_on BETWEEN $2 AND $3) s"
            f" GROUP BY GROUPING SETS ({sets})"), names


async def count_cells(conn: asyncpg.Connection, request: ReleaseRequest, taxonomy: Taxonomy
                      ) -> tuple[int, list[tuple[tuple[str, ...], int, int]]]:
    """(position, [(labels, true count, cell key)]) read in one snapshot of the research
    base. The true counts never leave this module."""
    codes = list(taxonomy.codes("categories"))
    values = {"excluded": list(SENSITIVE_CATEGORIES), "first": request.since,
              "last": request.until, "withheld": list(SENSITIVE_OUTCOMES), "codes": codes,
              "groups": [taxonomy.category_group(code) for code in codes]}
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        at = await position(conn)
        sql, names = release_sql(await research_tables(conn), request.by, request.grains)
        rows = await conn.fetch(sql, *(values[n] for n in names))
    n = len(request.by)
    return at, [(tuple(r[:n]), r[n], r[n + 1]) for r in rows]


def with_cell_key(cells: list[tuple[tuple[str, ...], int, int]]) -> list[list[Any]]:
    return [[*labels, cellkey.perturb(n, ck)] for labels, n, ck in cells]


async def with_noise(conn: asyncpg.Connection, request: ReleaseRequest, taxonomy: Taxonomy,
                     cells: list[tuple[tuple[str, ...], int, int]]
                     ) -> tuple[list[list[Any]], dict[str, Any]]:
    """Differential privacy: noise on every interior cell of a data-independent grid;
    margins are sums of noisy cells (post-processing, no further privacy cost)."""
    width = len(request.by)
    interior = {labels: n for labels, n, _ in cells if ALL not in labels}
    noisy, report = add_noise(interior, request.by, request.grains, taxonomy,
                              epsilon=request.epsilon_milli / 1000,
                              places=await public_places(conn), since=request.since,
                              until=request.until)
    sums: dict[tuple[str, ...], int] = {}
    for s in grouping_sets(request.by):
        for labels, v in noisy.items():
            key = tuple(lab if d in s else ALL for d, lab in zip(request.by, labels, strict=True))
            sums[key] = sums.get(key, 0) + v
    out = [[*labels, v] for labels, v in sorted(sums.items()) if len(labels) == width]
    p = math.exp(-1 / report.scale)
    mechanism = {"name": "differential_privacy", **report.as_dict(),
                 "epsilon_spent": report.epsilon,
                 "expected_error_per_cell": round(2 * p / (1 - p * p), 3),
                 "margins": "sums of the noisy cells"}
    return out, mechanism


# -- storage -------------------------------------------------------------------------------------

async def ensure_tables(conn: asyncpg.Connection) -> None:
    for ddl in _DDL:
        await conn.execute(ddl)


async def measure(conn: asyncpg.Connection, request: ReleaseRequest, taxonomy: Taxonomy
                  ) -> tuple[str, dict[str, Any]]:
    """The stored measurement of a snapped request, made now if there is none."""
    key = measurement_key(request)
    found = await conn.fetchrow(f"SELECT * FROM {MEASUREMENTS} WHERE key = $1", key)
    if found is None:
        at, cells = await count_cells(conn, request, taxonomy)
        if request.epsilon is None:
            published, mechanism = with_cell_key(cells), cellkey.description()
        else:
            published, mechanism = await with_noise(conn, request, taxonomy, cells)
        del cells  # the true counts go no further
        asked = {"by": list(request.by), "grains": dict(request.grains),
                 "since": request.since.isoformat(), "until": request.until.isoformat(),
                 "epsilon": request.epsilon}
        created = await conn.fetchval(
            f"INSERT INTO {MEASUREMENTS} (key, position, request, mechanism, cells)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING RETURNING created",
            key, at, json.dumps(asked), json.dumps(mechanism), json.dumps(published).encode())
        if created is not None:
            return key, {"position": at, "created": created, "mechanism": mechanism,
                         "cells": published}
        # Two first requests at once: the one stored first is the one everyone gets.
        found = await conn.fetchrow(f"SELECT * FROM {MEASUREMENTS} WHERE key = $1", key)
    return key, {"position": found["position"], "created": found["created"],
                 "mechanism": json.loads(found["mechanism"]),
                 "cells": json.loads(bytes(found["cells"]))}


# -- the published table ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ReleaseTable:
    """What ``package.write`` writes: long-form records with ``all`` on margins."""

    by: tuple[str, ...]
    grains: dict[str, str]
    cells: list[list[Any]]  # [labels..., published value before k]
    k: int

    def records(self) -> list[dict[str, Any]]:
        return self._records

    @cached_property
    def _records(self) -> list[dict[str, Any]]:
        """Only the counts of at least k. A count below k is left out, and so is a zero:
        listing a hidden cell, or publishing a zero, would tell which cells hold someone,
        and counting those gives a lower bound that pinned small totals in the attack
        tests. A combination not listed is below k, perhaps zero."""
        shown = [row for row in self.cells if row[-1] >= self.k]
        out = []
        for row in sorted(shown, key=lambda r: (r[0], sum(v == ALL for v in r[1:-1]),
                                                [str(v) for v in r[1:-1]])):
            rec = dict(zip(self.by, row[:-1], strict=True))
            rec["count"] = row[-1]
            out.append(rec)
        return out


def checks(table: ReleaseTable, k: int) -> list[dict[str, Any]]:
    records = table.records()
    below = [r for r in records if r["count"] < k]
    return [
        {"name": "no_count_below_k", "passed": not below,
         "detail": f"every published count is at least {k}; no zero is published"},
        {"name": "k_at_least_floor", "passed": k >= MIN_K, "detail": f"k >= {MIN_K}"},
        {"name": "whole_closed_periods", "passed": True,
         "detail": "every table is of whole periods that had closed when it was computed"},
    ]


BudgetState = dict[str, float]  # epsilon_spent, total, left
Spend = Callable[[str, int], BudgetState]  # (measurement, epsilon in thousandths) -> after


@dataclass(frozen=True)
class Release:
    key: str
    manifest: dict[str, Any]
    body: bytes  # the zip
    notes: list[Note]
    repeat: bool  # handed back from the store


async def obtain(conn: asyncpg.Connection, request: ReleaseRequest, *, taxonomy: Taxonomy,
                 researcher: str, spend: Spend | None = None,
                 budget: Callable[[], BudgetState | None] | None = None,
                 today: date | None = None) -> Release:
    """The release for ``request`` as ``researcher`` (an account id, or "operator") gets it:
    the stored one when she asked for it before, else made now. In the epsilon mode,
    ``spend`` pays for the measurement first (and raises when her budget is short), so
    nothing leaves unpaid for."""
    today = today or datetime.now(UTC).date()
    snapped, window, notes = snap(request, today)
    await ensure_tables(conn)
    mkey, measurement = await measure(conn, snapped, taxonomy)
    rkey = release_key(mkey, snapped, researcher)
    stored = await conn.fetchrow(f"SELECT manifest, body FROM {RELEASES} WHERE key = $1", rkey)
    if stored is not None:
        return Release(rkey, json.loads(stored["manifest"]), bytes(stored["body"]), notes, True)
    mechanism = dict(measurement["mechanism"])
    budget_after: BudgetState | None = None
    if snapped.epsilon is not None:
        if spend is None:
            raise ExportError("A release with differential privacy is paid for from a "
                              "researcher's budget: name the researcher.", field="epsilon",
                              code="no_budget")
        budget_after = spend(mkey, snapped.epsilon_milli)
        mechanism["epsilon_spent"] = budget_after.get("epsilon_spent", mechanism["epsilon_spent"])
    elif budget is not None:
        budget_after = budget()
    table = ReleaseTable(snapped.by, dict(snapped.grains), measurement["cells"], snapped.k)
    manifest = _manifest(snapped, request, window, notes, mkey, rkey, measurement, mechanism,
                         table, budget_after)
    body = _zip(table, manifest, snapped.fmt)
    inserted = await conn.fetchval(
        f"INSERT INTO {RELEASES} (key, measurement, manifest, body) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (key) DO NOTHING RETURNING true", rkey, mkey, json.dumps(manifest), body)
    if inserted:
        return Release(rkey, manifest, body, notes, False)
    # The same request at the same moment: hand back the one stored first.
    stored = await conn.fetchrow(f"SELECT manifest, body FROM {RELEASES} WHERE key = $1", rkey)
    return Release(rkey, json.loads(stored["manifest"]), bytes(stored["body"]), notes, True)


def _manifest(snapped: ReleaseRequest, asked: ReleaseRequest, window: Window, notes: list[Note],
              mkey: str, rkey: str, measurement: dict[str, Any], mechanism: dict[str, Any],
              table: ReleaseTable, budget: BudgetState | None) -> dict[str, Any]:
    records = table.records()
    passed = checks(table, snapped.k)
    if not all(c["passed"] for c in passed):  # never ship a table that fails its own checks
        raise RuntimeError(f"release failed its checks: {[c['name'] for c in passed if not c['passed']]}")
    periods, start = [], window.first
    while start <= window.last:
        periods.append(period_label(start, window.grain))
        start = next_start(start, window.grain)
    return {
        "format": FORMAT_VERSION,
        "release": rkey,
        "measurement": mkey,
        "created": measurement["created"].astimezone(UTC).replace(microsecond=0).isoformat(),
        "position": {"notification_id": measurement["position"],
                     "source": "research_grievances view of the organize event log"},
        "parameters": {
            "by": list(snapped.by), "k": snapped.k, "grains": dict(snapped.grains),
            "epsilon": snapped.epsilon, "since": window.first.isoformat(),
            "until": window.last.isoformat(), "format": snapped.fmt},
        "asked": {"by": list(asked.by), "since": asked.since.isoformat() if asked.since else None,
                  "until": asked.until.isoformat() if asked.until else None},
        "snapped": [n.as_dict() for n in notes],
        "tables": {"periods": periods, "per_period": [list(s) for s in grouping_sets(snapped.by)],
                   "rule": "one table per whole, closed period, with its own margins; no total "
                           "crosses a period"},
        "population": {"rule": POPULATION_RULE, "excluded_categories": list(SENSITIVE_CATEGORIES),
                       "withheld_outcomes": list(SENSITIVE_OUTCOMES), "free_text": "none"},
        "mechanism": mechanism,
        "privacy_budget": budget,
        "suppression": {"k": snapped.k, "published_cells": len(records),
                        "rule": "only counts of at least k are listed; a combination not "
                                "listed is below k, perhaps zero (publishing zeros or listing "
                                "hidden cells would tell which cells hold someone)"},
        "checks": passed,
        "caveat": CAVEAT,
        "reproducible": "yes: the same request hands back this release, byte for byte; no new "
                        "noise is drawn",
    }


def _zip(table: ReleaseTable, manifest: dict[str, Any], fmt: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        out = Path(tmp) / "release"
        write(table, out, manifest, fmt)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for path in sorted(out.iterdir()):
                z.write(path, arcname=path.name)
        return buffer.getvalue()


__all__ = ["Note", "Release", "ReleaseRequest", "ReleaseTable", "measurement_key", "obtain",
           "snap"]
