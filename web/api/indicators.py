"""GET routes over the organising-strength indicators (``/api/v1/indicators/...``).

The app factory provides ``db_pool`` (an ``asyncpg.Pool``), ``reader_scope`` (the reader's
``Scope``; ``scope`` itself is a name Litestar reserves) and ``rubric`` (the ``Rubric`` in
use). Every route but the rubric's takes ``?as_of=YYYY-MM-DD`` (answered from the stored
weekly series) and ``?wait_for=<notification id>`` (read-your-writes: waits, with a bound,
for the indicators view to reach that event, and says ``X-Views-Updating: true`` when it
has not, or when the series asked for still awaits recomputing while the view catches up).
An unknown id, or one outside the reader's scope, is a 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import msgspec
from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, PathParameter, QueryParameter

from organize.application.reading import WITHHELD
from organize.projections.indicators.reads import (
    CampaignIndicators,
    CollectiveIndicators,
    FederationOverview,
    campaign_indicators,
    collective_indicators,
    federation_overview,
)
from organize.projections.indicators.rubric import Rubric
from organize.projections.indicators.view import default_rubric
from organize.projections.reads import Scope
from web.api.projection_reads import (
    NOT_FOUND,
    UPDATING_HEADER,
    WaitFor,
    reading,
    respond,
    still_updating,
)

VIEW = "indicators"
AsOf = Annotated[date | None, QueryParameter(
    description="Answer as of this date, from the weekly series (default: today).")]
Federation = Annotated[str, PathParameter(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]+$",
                                           description="The federation's name (URL-encoded)")]


async def _read(pool: asyncpg.Pool, reveal, read, scope: Scope, *args, **kwargs):
    """``read``'s answer, with the issue and narratives the view keeps sealed opened; an
    organiser's (a federation's scope) with every narrative withheld first, as the record
    read-back withholds it (``organize.application.reading``): she reads the levels, never the words."""
    async with reading(pool) as conn:
        found = await read(conn, scope, *args, **kwargs)
    if scope.collective_ids is None and scope.federation is not None:
        found = _narratives_withheld(found)
    return await reveal.open(found)


def _narratives_withheld(value: Any) -> Any:
    if isinstance(value, msgspec.Struct):
        changed = {f: _narratives_withheld(getattr(value, f)) for f in value.__struct_fields__}
        if isinstance(changed.get("narrative"), str):
            changed["narrative"] = WITHHELD
        return msgspec.structs.replace(value, **changed)
    if isinstance(value, (list, tuple)):
        return type(value)(_narratives_withheld(v) for v in value)
    if isinstance(value, dict):
        return {k: _narratives_withheld(v) for k, v in value.items()}
    return value


@get("/collectives/{collective_id:uuid}", operation_id="getCollectiveIndicators",
     summary="A collective's organising-strength indicators", tags=["indicators"], responses=NOT_FOUND)
async def collective(
    collective_id: FromPath[UUID], db_pool: NamedDependency[asyncpg.Pool],
    reader_scope: NamedDependency[Scope], rubric: NamedDependency[Rubric],
    reveal: NamedDependency[Any], as_of: AsOf = None, wait_for: WaitFor = None,
) -> Response[CollectiveIndicators]:
    updating = await still_updating(db_pool, [VIEW], wait_for)
    found = await _read(db_pool, reveal, collective_indicators, reader_scope, collective_id, as_of,
                        rubric=rubric)
    if found is None:
        raise NotFoundException("No collective with this id that you may see.")
    return respond(found, updating or found.updating)


@get("/campaigns/{campaign_id:uuid}", operation_id="getCampaignIndicators",
     summary="A campaign's organising-strength indicators", tags=["indicators"], responses=NOT_FOUND)
async def campaign(
    campaign_id: FromPath[UUID], db_pool: NamedDependency[asyncpg.Pool],
    reader_scope: NamedDependency[Scope], rubric: NamedDependency[Rubric],
    reveal: NamedDependency[Any], as_of: AsOf = None, wait_for: WaitFor = None,
) -> Response[CampaignIndicators]:
    updating = await still_updating(db_pool, [VIEW], wait_for)
    found = await _read(db_pool, reveal, campaign_indicators, reader_scope, campaign_id, as_of, rubric=rubric)
    if found is None:
        raise NotFoundException("No campaign with this id that you may see.")
    return respond(found, updating or found.updating)


@get("/federations/{federation:str}", operation_id="getFederationIndicators",
     summary="A federation's collectives side by side (by name, never ranked)", tags=["indicators"],
     responses=NOT_FOUND)
async def federation(
    federation: Federation, db_pool: NamedDependency[asyncpg.Pool],
    reader_scope: NamedDependency[Scope], rubric: NamedDependency[Rubric],
    reveal: NamedDependency[Any], as_of: AsOf = None, wait_for: WaitFor = None,
) -> Response[FederationOverview]:
    updating = await still_updating(db_pool, [VIEW], wait_for)
    found = await _read(db_pool, reveal, federation_overview, reader_scope, federation, as_of, rubric=rubric)
    if found is None:
        raise NotFoundException("No federation by this name with collectives you may see.")
    return respond(found, updating or found.updating)


@get("/rubric", operation_id="getIndicatorRubric", tags=["indicators"],
     summary="The rubric in use: window, thresholds and what each level means")
async def rubric_in_use(rubric: NamedDependency[Rubric]) -> Response[dict[str, Any]]:
    return Response((rubric or default_rubric()).to_dict(), headers={"Cache-Control": "no-store"})


def indicators_router() -> Router:
    """Dependencies ``db_pool``, ``reader_scope`` and ``rubric`` come from the app factory."""
    return Router(path="/api/v1/indicators",
                  route_handlers=[collective, campaign, federation, rubric_in_use])


__all__ = ["UPDATING_HEADER", "indicators_router"]
