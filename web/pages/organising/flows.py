"""Trajectories across sectors: how work moves from one sector to the next in the
federation's workers' trajectories, as a transition matrix drawn on the server (with a table
beside it for screen readers and for reading closely), and the shares of workers whose work
runs in several sectors at once or includes unpaid care (DOMAIN.md, lesson 2).

Aggregates only: a cell below k is suppressed (with the cells that would give it away),
and so is a share whose group is below k. As of a date, or two dates side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency

from organize.errors import NotFound
from organize.projections.views.sector_flows import federation_flows
from web.i18n import format_number, taxonomy_label, text_direction
from web.pages.common import Page, today
from web.pages.organising.common import Federation, chosen_federation, read_dates
from web.pages.svg import GridCell, heat_grid

FLOW_VIEWS = ("sector_flows",)
SHADES = 5


@dataclass
class FlowsAt:
    day: date
    found: Any  # FederationFlows
    grid: Any  # Markup
    rows: list[dict[str, Any]]  # the table: from, to, how many (or suppressed)
    shares: list[tuple[str, str | None]]  # (what, the share in words, or None when suppressed)


def _percent(share: float | None, lang: str) -> str | None:
    if share is None:
        return None
    return format_number(round(share * 100), lang) + "%"


def _at(page: Page, day: date, found: Any) -> FlowsAt:
    # One list of sectors on both axes (a square matrix: its diagonal does not apply), in
    # the order of their names.
    names = {s: taxonomy_label("sectors", s, page.lang) for s in {*found.rows, *found.columns}}
    sectors = sorted(names, key=lambda s: names[s])
    index = {s: i for i, s in enumerate(sectors)}
    top = max([c.workers for c in found.cells if c.workers is not None] or [1])
    below = page._("fewer than %(k)s", k=format_number(found.k, page.lang))
    cells, rows = {}, []
    for c in found.cells:
        if c.from_sector not in index or c.to_sector not in index:
            continue
        suppressed = c.workers is None
        how_many = below if suppressed else format_number(c.workers, page.lang)
        title = page._("From %(from)s to %(to)s: %(workers)s", **{
            "from": names[c.from_sector], "to": names[c.to_sector], "workers": how_many})
        shade = 0 if suppressed else max(1, round(SHADES * c.workers / top))
        cells[(index[c.from_sector], index[c.to_sector])] = GridCell(
            text="<" + format_number(found.k, page.lang) if suppressed else how_many,
            shade=shade, title=title, suppressed=suppressed)
        rows.append({"from": names[c.from_sector], "to": names[c.to_sector], "workers": c.workers,
                     "text": how_many, "suppressed": suppressed})
    rows.sort(key=lambda r: (r["workers"] is None, -(r["workers"] or 0), r["from"], r["to"]))
    grid = heat_grid([names[s] for s in sectors], cells, rtl=text_direction(page.lang) == "rtl",
                     label=page._("Moves between sectors, from each row to each column. "
                                  "The table below gives the same numbers."))
    shares = [
        (page._("Work in two or more sectors at the same time"),
         _percent(found.concurrent_multi_sector_share, page.lang)),
        (page._("Some unpaid care work in their trajectory"),
         _percent(found.unpaid_care_worker_share, page.lang)),
        (page._("Of all work periods recorded, unpaid care"),
         _percent(found.unpaid_care_spell_share, page.lang)),
    ]
    return FlowsAt(day=day, found=found, grid=grid, rows=rows, shares=shares)


async def _read(page: Page, fed: Federation, as_of: date | None) -> FlowsAt:
    found = await page.read(federation_flows, page.scope, fed.name, as_of)
    if found is None:
        raise NotFound("No such federation.", code="not_found")
    return _at(page, as_of or today(), found)


@get("/flows", name="organising:flows")
async def flows(page: NamedDependency[Page]) -> Response:
    fed = await chosen_federation(page)
    await page.settle(FLOW_VIEWS)
    dates = read_dates(page)
    shown = [await _read(page, fed, dates.as_of)]
    if dates.compare:
        shown.append(await _read(page, fed, dates.compare))
        shown.sort(key=lambda f: f.day)
    return page.html("organising/flows.html", dates=dates, today=today(), shown=shown,
                     **fed.nav("flows"))


ROUTES = [flows]
