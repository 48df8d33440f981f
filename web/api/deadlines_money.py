"""Grievance deadlines and money, beside their pages: the same reads, as JSON.

- ``GET /api/v1/views/collectives/{id}/deadlines``: what is due within a week or overdue,
  against the collective's today (its time zone);
- ``GET /api/v1/views/grievances/{id}/deadlines``: one grievance's deadlines;
- ``GET /api/v1/views/collectives/{id}/procedures``: its procedures and their steps;
- ``GET /api/v1/views/collectives/{id}/money``: exact totals per kind and currency (amounts
  as strings, never floats);
- ``GET /api/v1/views/federations/{federation}/money-bands``: for an organiser, counts of
  grievances per band and kind, small counts suppressed (``null``).

A collective or grievance out of the reader's scope is loaded through the access policy
first, so it answers 404 word for word as an id nobody has.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import anyio
import asyncpg
import msgspec
from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize.application import Organize
from organize.domain import Collective, Grievance
from organize.errors import NotFound
from organize.projections.reads import Scope
from organize.projections.views.grievance_deadlines import (
    DeadlineRow,
    ProcedureRow,
    collective_procedures,
    due_deadlines,
    grievance_deadlines,
    with_departures,
)
from organize.projections.views.grievance_money import Total, collective_totals, federation_bands
from organize.time_zones import today_in, zone_of
from web.api.projection_reads import NOT_FOUND, WaitFor, opened, read_view

DEADLINE_VIEWS = ["grievance_deadlines"]
MONEY_VIEWS = ["grievance_money"]


def _with_departures(reveal: Any, read):
    """``read`` with the parties' departures opened for this reader and their deadline
    added (``with_departures``): the view holds them sealed, never as days."""
    read = opened(reveal, read)

    async def call(conn: Any, *args: Any, **kwargs: Any) -> list[DeadlineRow]:
        return with_departures(await read(conn, *args, **kwargs))

    return call


class BandCell(msgspec.Struct, kw_only=True):
    band: str
    kind: str
    grievances: int | None  # null: below k, or hidden so that one below k cannot be solved


class MoneyBands(msgspec.Struct, kw_only=True):
    k: int
    cells: list[BandCell]


def _leaders_only(scope: Scope, noun: str, aggregate_id: UUID, field: str) -> None:
    """A collective's deadlines, procedures and exact money are for its leaders (and an
    admin): an organiser, whose scope is a federation, gets the 404 of an unknown id."""
    if scope.collective_ids is None and scope != Scope.everything():
        raise NotFound(f"No {noun} with id {aggregate_id}.", field=field, code="not_found")


async def _today_of(organize, collective_id: UUID) -> date:
    found = await anyio.to_thread.run_sync(
        lambda: organize.load(Collective, collective_id, field="collective_id"))
    return today_in(zone_of(found))


async def _of_collective(organize: Organize, pool: asyncpg.Pool, views: list[str],
                         wait_for: int | None, read, scope: Scope, collective_id: UUID) -> Response:
    """A read about one collective, once the policy has let the reader load it (else 404)."""
    _leaders_only(scope, "collective", collective_id, "collective_id")
    await _today_of(organize, collective_id)
    return await read_view(pool, views, wait_for, read, scope, collective_id)


@get("/collectives/{collective_id:uuid}/deadlines", operation_id="listDueDeadlines",
     summary="A collective's deadlines due within a week or overdue", tags=["views"],
     responses=NOT_FOUND)
async def collective_deadlines(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    organize: NamedDependency[Organize], reveal: NamedDependency[Any], collective_id: FromPath[UUID],
    wait_for: WaitFor = None,
) -> Response[list[DeadlineRow]]:
    _leaders_only(reader_scope, "collective", collective_id, "collective_id")
    today = await _today_of(organize, collective_id)
    return await read_view(db_pool, DEADLINE_VIEWS, wait_for,
                           _with_departures(reveal, due_deadlines), reader_scope,
                           collective_id, today)


@get("/grievances/{grievance_id:uuid}/deadlines", operation_id="listGrievanceDeadlines",
     summary="One grievance's deadlines, recomputed from its facts", tags=["views"],
     responses=NOT_FOUND)
async def one_grievance_deadlines(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    organize: NamedDependency[Organize], reveal: NamedDependency[Any], grievance_id: FromPath[UUID],
    wait_for: WaitFor = None,
) -> Response[list[DeadlineRow]]:
    _leaders_only(reader_scope, "grievance", grievance_id, "grievance_id")
    found = await anyio.to_thread.run_sync(
        lambda: organize.load(Grievance, grievance_id, field="grievance_id"))
    today = await _today_of(organize, found.collective_id)
    return await read_view(db_pool, DEADLINE_VIEWS, wait_for,
                           _with_departures(reveal, grievance_deadlines), reader_scope,
                           grievance_id, today)


@get("/collectives/{collective_id:uuid}/procedures", operation_id="listProcedures",
     summary="A collective's grievance procedures", tags=["views"], responses=NOT_FOUND)
async def procedures(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    organize: NamedDependency[Organize], collective_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[list[ProcedureRow]]:
    return await _of_collective(organize, db_pool, DEADLINE_VIEWS, wait_for,
                                collective_procedures, reader_scope, collective_id)


@get("/collectives/{collective_id:uuid}/money", operation_id="getCollectiveMoney",
     summary="A collective's money per kind and currency, exact", tags=["views"],
     responses=NOT_FOUND)
async def collective_money(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    organize: NamedDependency[Organize], collective_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[list[Total]]:
    return await _of_collective(organize, db_pool, MONEY_VIEWS, wait_for, collective_totals,
                                reader_scope, collective_id)


async def _bands(conn, scope: Scope, federation: str) -> MoneyBands | None:
    found = await federation_bands(conn, scope, federation)
    if found is None:
        return None
    return MoneyBands(k=found.k, cells=[BandCell(band=b, kind=k, grievances=n)
                                        for (b, k), n in sorted(found.cells.items())])


@get("/federations/{federation:str}/money-bands", operation_id="getFederationMoneyBands",
     summary="Grievances with money per band and kind (cells below k suppressed)",
     tags=["views"], responses=NOT_FOUND)
async def money_bands(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    federation: FromPath[str], wait_for: WaitFor = None,
) -> Response[MoneyBands]:
    return await read_view(db_pool, MONEY_VIEWS, wait_for, _bands, reader_scope, federation,
                           missing="No federation with this name.")


ROUTES = [collective_deadlines, one_grievance_deadlines, procedures, collective_money, money_bands]


def deadlines_money_router() -> Router:
    return Router(path="/api/v1/views", route_handlers=ROUTES)
