"""The federation overview: the collectives side by side on the eight indicator dimensions
(level, trend and the reasons behind each), in order of name. Never ranked, never a league
table and never a membership count (DOMAIN.md, lesson 1). Where a dimension is growing or
stalling (or, for safety, where the risk is rising) the page says so first, with its
reasons. With a second date the two are shown side by side, and what changed between them
is listed.

``/o`` is also where an admin picks a federation, and where an organiser lands after
logging in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from litestar import Response, get
from litestar.di import NamedDependency

from organize.errors import NotFound
from organize.projections.indicators.reads import collective_indicators, federation_overview
from organize.projections.indicators.scoring import DIMENSIONS
from web.i18n import dimension_label, level_label, trend_label
from web.i18n.reasons import reason_texts
from web.pages.common import Page, today
from web.pages.organising.common import Dates, Federation, federation, federations_in_scope, read_dates

OVERVIEW_VIEWS = ("indicators",)
REASONS = 3
HIGHLIGHT = ("growing", "stalling", "rising")  # "rising": the safety risk


@dataclass
class Cell:
    level: int
    word: str
    trend_word: str
    trend: str
    risk: bool
    reasons: list[str]


@dataclass
class Column:
    """One collective on one date."""

    collective_id: UUID
    name: str
    cells: dict[str, Cell]


@dataclass
class Snapshot:
    """The federation as of one date."""

    day: date
    week: date
    window_weeks: int
    updating: bool
    columns: list[Column]
    highlights: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


async def snapshot(page: Page, fed: Federation, as_of: date | None) -> Snapshot:
    overview = await page.read(federation_overview, page.scope, fed.name, as_of, rubric=page.rubric)
    if overview is None:
        raise NotFound("No such federation.", code="not_found")
    columns = []
    highlights: dict[str, list[dict[str, Any]]] = {word: [] for word in HIGHLIGHT}
    updating = overview.updating
    for c in overview.collectives:  # by name: side by side, never ranked
        found = await page.read(collective_indicators, page.scope, c.collective_id, as_of,
                                rubric=page.rubric)
        if found is None:
            continue
        updating = updating or found.updating
        cells = {}
        for d in found.dimensions:
            cell = Cell(level=d.level, word=level_label(d.dimension, d.level, page.lang),
                        trend_word=d.trend.word, trend=trend_label(d.trend.word, page.lang),
                        risk=d.risk, reasons=reason_texts(d.reasons, page.lang, REASONS))
            cells[d.dimension] = cell
            if d.trend.word in highlights:
                highlights[d.trend.word].append({
                    "collective": c.name, "dimension": dimension_label(d.dimension, page.lang, d.title),
                    "cell": cell})
        columns.append(Column(collective_id=c.collective_id, name=c.name, cells=cells))
    return Snapshot(day=overview.as_of, week=overview.week, window_weeks=overview.window_weeks,
                    updating=updating, columns=columns, highlights=highlights)


def changes(before: Snapshot, after: Snapshot, lang: str) -> list[dict[str, Any]]:
    """Each level that differs between the two dates, collective by collective (by name)."""
    then = {c.collective_id: c for c in before.columns}
    out = []
    for col in after.columns:
        old = then.get(col.collective_id)
        for dimension in DIMENSIONS:
            new_cell = col.cells.get(dimension)
            old_cell = old.cells.get(dimension) if old else None
            if new_cell is None or (old_cell is not None and old_cell.level == new_cell.level):
                continue
            up = old_cell is None or new_cell.level > old_cell.level
            out.append({"collective": col.name, "dimension": dimension_label(dimension, lang),
                        "before": old_cell, "after": new_cell, "up": up,
                        "better": up != new_cell.risk})  # more safety risk is worse
    return out


@get("/", name="organising:overview")
async def overview(page: NamedDependency[Page]) -> Response:
    fed = await federation(page)
    if fed is None:  # an admin: which federation
        names = await page.read(federations_in_scope)
        return page.html("organising/federations.html", federations=[
            (name, Federation(name=name, admin=True)) for name in names], fed=None, show_nav=False)
    await page.settle(OVERVIEW_VIEWS)
    dates: Dates = read_dates(page)
    first = await snapshot(page, fed, dates.as_of)
    second = await snapshot(page, fed, dates.compare) if dates.compare else None
    if second is not None and second.day < first.day:  # earlier date on the left
        first, second = second, first
    return page.html(
        "organising/overview.html", dates=dates, today=today(), snapshots=[s for s in (first, second) if s],
        changed=changes(first, second, page.lang) if second else None,
        dimensions=[(d, dimension_label(d, page.lang)) for d in DIMENSIONS], **fed.nav("overview"))


ROUTES = [overview]
