"""GET routes over the read-side views (``/api/v1/views/...``).

Handlers are async and read with asyncpg. The app factory provides three dependencies:
``db_pool`` (an ``asyncpg.Pool``), ``reader_scope`` (the reader's ``Scope``; ``scope`` is a
name Litestar reserves) and ``reveal`` (opens pseudonyms from sealed profiles with the
workers' keys; ``"[erased]"`` when a key is gone). Sealed bytes never leave the server.

Every route takes ``?wait_for=<notification id>`` (read-your-writes): it waits, with a
bound, for the views it reads to reach that event, and says ``X-Views-Updating: true``
when they have not. Answers can hold pseudonyms, so nothing is cached (``no-store``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

import asyncpg
import msgspec
from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, ServiceUnavailableException
from litestar.params import FromPath, FromQuery, QueryParameter

from organize.projections.reads import Scope
from organize.projections.reads import wait_for as wait_for_views
from organize.projections.views.campaign_board import CampaignRow, get_campaign, list_campaigns
from organize.projections.views.common_grievances import Cluster, list_common_grievances
from organize.projections.views.grievance_register import (
    GrievanceRow,
    count_grievances,
    list_grievances,
)
from organize.projections.views.meeting_log import MeetingRow, attendance, list_meetings
from organize.projections.views.organisations import OrganisationRow, list_organisations
from organize.projections.views.sector_flows import SectorFlows, sector_flows
from organize.projections.views.worker_directory import (
    ConsentRow,
    MembershipRow,
    MoveRow,
    SpellRow,
    WorkerRow,
    get_worker,
    list_workers,
    sealed_profiles,
)
from web.api.errors import ERROR_RESPONSES

Reveal = Callable[[list[tuple[UUID, bytes | None]]], Awaitable[dict[UUID, str]]]
ERASED = "[erased]"
WAIT_SECONDS = 2.0
UPDATING_HEADER = "X-Views-Updating"

WaitFor = Annotated[int | None, QueryParameter(
    ge=1, description="Wait (up to 2 s) until the views have applied this notification id.")]
Limit = Annotated[int, QueryParameter(ge=1, le=1000)]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
Code = Annotated[str | None, QueryParameter(pattern=r"^[a-z][a-z0-9_]{1,47}$")]
GrievanceStatus = Literal["open", "withdrawn", "resolved"]
MeetingStatus = Literal["scheduled", "held", "cancelled"]
CampaignStatus = Literal["active", "closed"]

_BAD = {400: ERROR_RESPONSES[400], 503: ERROR_RESPONSES[503]}
_NOT_FOUND = {400: ERROR_RESPONSES[400], 404: ERROR_RESPONSES[404], 503: ERROR_RESPONSES[503]}


class Count(msgspec.Struct, kw_only=True):
    count: int


class WorkerOut(msgspec.Struct, kw_only=True):
    """A worker as the API shows her: the pseudonym opened, the sealed bytes kept back."""

    id: UUID
    pseudonym: str
    erased: bool
    consents: list[ConsentRow]
    memberships: list[MembershipRow]
    spells: list[SpellRow]
    moves: list[MoveRow]
    overlaps: list[tuple[UUID, UUID]]


class AttendeeOut(msgspec.Struct, kw_only=True):
    worker_id: UUID
    pseudonym: str
    attended: bool
    facilitated: bool
    spoke: bool


async def _wait(pool: asyncpg.Pool, views: Sequence[str], notification_id: int | None) -> bool:
    """True when the views are still updating (the wait timed out)."""
    if not notification_id:
        return False
    return not await wait_for_views(pool, views, notification_id, timeout=WAIT_SECONDS)


def _respond(content: Any, updating: bool) -> Response:
    headers = {"Cache-Control": "no-store"}
    if updating:
        headers[UPDATING_HEADER] = "true"
    return Response(content, headers=headers)


class _Reading:
    """Acquire a connection; a view whose tables do not exist yet is a 503, not a 500."""

    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    async def __aenter__(self) -> asyncpg.Connection:
        self._ctx = self.pool.acquire()
        return await self._ctx.__aenter__()

    async def __aexit__(self, kind, exc, tb) -> bool:
        await self._ctx.__aexit__(kind, exc, tb)
        if isinstance(exc, asyncpg.UndefinedTableError):
            raise ServiceUnavailableException("The views are still being built; try again shortly.")
        return False


async def _workers_out(reveal: Reveal, rows: list[WorkerRow]) -> list[WorkerOut]:
    names = await reveal([(r.id, r.sealed_profile) for r in rows])
    return [
        WorkerOut(id=r.id, pseudonym=names.get(r.id, ERASED), erased=r.erased, consents=r.consents,
                  memberships=r.memberships, spells=r.spells, moves=r.moves, overlaps=r.overlaps)
        for r in rows
    ]


# -- grievances ---------------------------------------------------------------------------------


@get("/grievances", operation_id="listGrievances", summary="The grievance register",
     tags=["views"], responses=_BAD)
async def grievances(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    collective_id: FromQuery[UUID | None] = None, status: FromQuery[GrievanceStatus | None] = None,
    category: Code = None, group: Code = None, sector: Code = None, stage: Code = None,
    organisation_id: FromQuery[UUID | None] = None, period_from: FromQuery[date | None] = None,
    period_to: FromQuery[date | None] = None, limit: Limit = 100, offset: Offset = 0,
    wait_for: WaitFor = None,
) -> Response[list[GrievanceRow]]:
    updating = await _wait(db_pool, ["grievance_register"], wait_for)
    async with _Reading(db_pool) as conn:
        rows = await list_grievances(
            conn, reader_scope, collective_id=collective_id, status=status, category=category,
            group=group, sector=sector, stage=stage, organisation_id=organisation_id,
            period_from=period_from, period_to=period_to, limit=limit, offset=offset)
    return _respond(rows, updating)


@get("/grievances/count", operation_id="countGrievances",
     summary="How many grievances match the filters", tags=["views"], responses=_BAD)
async def grievances_count(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    collective_id: FromQuery[UUID | None] = None, status: FromQuery[GrievanceStatus | None] = None,
    category: Code = None, group: Code = None, sector: Code = None, stage: Code = None,
    organisation_id: FromQuery[UUID | None] = None, period_from: FromQuery[date | None] = None,
    period_to: FromQuery[date | None] = None, wait_for: WaitFor = None,
) -> Response[Count]:
    updating = await _wait(db_pool, ["grievance_register"], wait_for)
    async with _Reading(db_pool) as conn:
        n = await count_grievances(
            conn, reader_scope, collective_id=collective_id, status=status, category=category,
            group=group, sector=sector, stage=stage, organisation_id=organisation_id,
            period_from=period_from, period_to=period_to)
    return _respond(Count(count=n), updating)


@get("/common-grievances", operation_id="listCommonGrievances",
     summary="The same category against the same organisation or at the same place",
     tags=["views"], responses=_BAD)
async def common_grievances(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    min_grievances: Annotated[int, QueryParameter(ge=1, le=10_000)] = 2,
    min_collectives: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    category: Code = None, limit: Limit = 100, wait_for: WaitFor = None,
) -> Response[list[Cluster]]:
    updating = await _wait(db_pool, ["common_grievances"], wait_for)
    async with _Reading(db_pool) as conn:
        rows = await list_common_grievances(conn, reader_scope, min_grievances=min_grievances,
                                            min_collectives=min_collectives, category=category,
                                            limit=limit)
    return _respond(rows, updating)


# -- campaigns ----------------------------------------------------------------------------------


@get("/campaigns", operation_id="listCampaigns", summary="The campaign board", tags=["views"],
     responses=_BAD)
async def campaigns(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    status: FromQuery[CampaignStatus | None] = None, wait_for: WaitFor = None,
) -> Response[list[CampaignRow]]:
    updating = await _wait(db_pool, ["campaign_board"], wait_for)
    async with _Reading(db_pool) as conn:
        rows = await list_campaigns(conn, reader_scope, status=status)
    return _respond(rows, updating)


@get("/campaigns/{campaign_id:uuid}", operation_id="getCampaignBoard",
     summary="One campaign on the board", tags=["views"], responses=_NOT_FOUND)
async def campaign(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    campaign_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[CampaignRow]:
    updating = await _wait(db_pool, ["campaign_board"], wait_for)
    async with _Reading(db_pool) as conn:
        row = await get_campaign(conn, reader_scope, campaign_id)
    if row is None:
        raise NotFoundException("No campaign with this id.")
    return _respond(row, updating)


# -- meetings -----------------------------------------------------------------------------------


@get("/meetings", operation_id="listMeetings", summary="The meeting log", tags=["views"],
     responses=_BAD)
async def meetings(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    collective_id: FromQuery[UUID | None] = None, status: FromQuery[MeetingStatus | None] = None,
    period_from: FromQuery[date | None] = None, period_to: FromQuery[date | None] = None,
    limit: Limit = 200, offset: Offset = 0, wait_for: WaitFor = None,
) -> Response[list[MeetingRow]]:
    updating = await _wait(db_pool, ["meeting_log"], wait_for)
    async with _Reading(db_pool) as conn:
        rows = await list_meetings(conn, reader_scope, collective_id=collective_id, status=status,
                                   period_from=period_from, period_to=period_to, limit=limit,
                                   offset=offset)
    return _respond(rows, updating)


@get("/meetings/{meeting_id:uuid}/attendance", operation_id="getMeetingAttendance",
     summary="Attendance and facilitation by pseudonym", tags=["views"], responses=_NOT_FOUND)
async def meeting_attendance(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    reveal: NamedDependency[Reveal], meeting_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[list[AttendeeOut]]:
    updating = await _wait(db_pool, ["meeting_log", "worker_directory"], wait_for)
    async with _Reading(db_pool) as conn:
        rows = await attendance(conn, reader_scope, meeting_id)
        if rows is None:
            raise NotFoundException("No meeting with this id.")
        blobs = await sealed_profiles(conn, [r.worker_id for r in rows])
    names = await reveal([(r.worker_id, blobs.get(r.worker_id)) for r in rows])
    return _respond([
        AttendeeOut(worker_id=r.worker_id, pseudonym=names.get(r.worker_id, ERASED),
                    attended=r.attended, facilitated=r.facilitated, spoke=r.spoke)
        for r in rows], updating)


# -- workers ------------------------------------------------------------------------------------


@get("/collectives/{collective_id:uuid}/workers", operation_id="listCollectiveWorkers",
     summary="A collective's workers: pseudonym, consent and trajectory", tags=["views"],
     responses=_NOT_FOUND)
async def collective_workers(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    reveal: NamedDependency[Reveal], collective_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[list[WorkerOut]]:
    updating = await _wait(db_pool, ["worker_directory"], wait_for)
    async with _Reading(db_pool) as conn:
        rows = await list_workers(conn, reader_scope, collective_id)
    if rows is None:
        raise NotFoundException("No collective with this id.")
    return _respond(await _workers_out(reveal, rows), updating)


@get("/workers/{worker_id:uuid}/trajectory", operation_id="getWorkerTrajectory",
     summary="One worker's pseudonym, consent and trajectory", tags=["views"],
     responses=_NOT_FOUND)
async def worker_trajectory(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    reveal: NamedDependency[Reveal], worker_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[WorkerOut]:
    updating = await _wait(db_pool, ["worker_directory"], wait_for)
    async with _Reading(db_pool) as conn:
        row = await get_worker(conn, reader_scope, worker_id)
    if row is None:
        raise NotFoundException("No worker with this id.")
    (out,) = await _workers_out(reveal, [row])
    return _respond(out, updating)


# -- sector flows and organisations -------------------------------------------------------------


@get("/sector-flows/{federation:str}", operation_id="getSectorFlows",
     summary="Transitions between sectors and concurrent multi-sector work", tags=["views"],
     responses=_NOT_FOUND)
async def federation_sector_flows(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    federation: FromPath[str], wait_for: WaitFor = None,
) -> Response[SectorFlows]:
    updating = await _wait(db_pool, ["sector_flows"], wait_for)
    async with _Reading(db_pool) as conn:
        flows = await sector_flows(conn, reader_scope, federation)
    if flows is None:
        raise NotFoundException("No federation with this name.")
    return _respond(flows, updating)


@get("/organisations", operation_id="listOrganisations", summary="Organisations",
     tags=["views"], responses=_BAD)
async def organisations(
    db_pool: NamedDependency[asyncpg.Pool], kind: Code = None, limit: Limit = 200,
    offset: Offset = 0, wait_for: WaitFor = None,
) -> Response[list[OrganisationRow]]:
    updating = await _wait(db_pool, ["organisations"], wait_for)
    async with _Reading(db_pool) as conn:
        rows = await list_organisations(conn, kind=kind, limit=limit, offset=offset)
    return _respond(rows, updating)


ROUTES = [grievances, grievances_count, common_grievances, campaigns, campaign, meetings,
          meeting_attendance, collective_workers, worker_trajectory, federation_sector_flows,
          organisations]


def views_router() -> Router:
    """The dependencies ``db_pool``, ``reader_scope`` and ``reveal`` come from the app factory."""
    return Router(path="/api/v1/views", route_handlers=ROUTES)


__all__ = ["ERASED", "UPDATING_HEADER", "Reveal", "views_router"]
