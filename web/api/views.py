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

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import asyncpg
import msgspec
from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter

from organize.application.reading import WITHHELD
from organize.projections.reads import Scope
from organize.projections.views.bargaining import RoundDetail, RoundRow, list_rounds, one_round
from organize.projections.views.campaign_board.reads import CampaignRow, get_campaign, list_campaigns
from organize.projections.views.common_grievances import Cluster, list_common_grievances
from organize.projections.views.grievance_register import (
    GrievanceRow,
    count_grievances,
    list_grievances,
)
from organize.projections.views.meeting_log import (
    ElsewhereCount,
    MeetingRow,
    attendance,
    list_meetings,
)
from organize.projections.views.organisations import OrganisationRow, list_organisations
from organize.projections.views.sector_flows import FederationFlows, federation_flows
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
from web.api.projection_reads import (
    BAD,
    NOT_FOUND,
    UPDATING_HEADER,
    WaitFor,
    opened,
    read_view,
    reading,
    respond,
    still_updating,
)

Reveal = Callable[[list[tuple[UUID, bytes | None]]], Awaitable[dict[UUID, str]]]
ERASED = "[erased]"
Limit = Annotated[int, QueryParameter(ge=1, le=1000)]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
Code = Annotated[str | None, QueryParameter(pattern=r"^[a-z][a-z0-9_]{1,47}$")]
GrievanceStatus = Literal["open", "withdrawn", "resolved"]
MeetingStatus = Literal["scheduled", "held", "cancelled"]
CampaignStatus = Literal["active", "closed"]



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


class MeetingAttendance(msgspec.Struct, kw_only=True):
    """The attendees the reader may name, and the others counted per collective of the
    meeting (``collective_id`` null: collectives outside her scope)."""

    attendees: list[AttendeeOut]
    elsewhere: list[ElsewhereCount]


async def _workers_out(reveal: Reveal, rows: list[WorkerRow]) -> list[WorkerOut]:
    names = await reveal([(r.id, r.sealed_profile) for r in rows])
    return [
        WorkerOut(id=r.id, pseudonym=names.get(r.id, ERASED), erased=r.erased, consents=r.consents,
                  memberships=r.memberships, spells=r.spells, moves=r.moves, overlaps=r.overlaps)
        for r in rows
    ]


# -- grievances ---------------------------------------------------------------------------------


@get("/grievances", operation_id="listGrievances", summary="The grievance register",
     tags=["views"], responses=BAD)
async def grievances(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    collective_id: FromQuery[UUID | None] = None, status: FromQuery[GrievanceStatus | None] = None,
    category: Code = None, group: Code = None, sector: Code = None, stage: Code = None,
    organisation_id: FromQuery[UUID | None] = None, period_from: FromQuery[date | None] = None,
    period_to: FromQuery[date | None] = None, limit: Limit = 100, offset: Offset = 0,
    wait_for: WaitFor = None,
) -> Response[list[GrievanceRow]]:
    updating = await still_updating(db_pool, ["grievance_register"], wait_for)
    async with reading(db_pool) as conn:
        rows = await list_grievances(
            conn, reader_scope, collective_id=collective_id, status=status, category=category,
            group=group, sector=sector, stage=stage, organisation_id=organisation_id,
            period_from=period_from, period_to=period_to, limit=limit, offset=offset)
    return respond(rows, updating)


@get("/grievances/count", operation_id="countGrievances",
     summary="How many grievances match the filters", tags=["views"], responses=BAD)
async def grievances_count(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    collective_id: FromQuery[UUID | None] = None, status: FromQuery[GrievanceStatus | None] = None,
    category: Code = None, group: Code = None, sector: Code = None, stage: Code = None,
    organisation_id: FromQuery[UUID | None] = None, period_from: FromQuery[date | None] = None,
    period_to: FromQuery[date | None] = None, wait_for: WaitFor = None,
) -> Response[Count]:
    updating = await still_updating(db_pool, ["grievance_register"], wait_for)
    async with reading(db_pool) as conn:
        n = await count_grievances(
            conn, reader_scope, collective_id=collective_id, status=status, category=category,
            group=group, sector=sector, stage=stage, organisation_id=organisation_id,
            period_from=period_from, period_to=period_to)
    return respond(Count(count=n), updating)


@get("/common-grievances", operation_id="listCommonGrievances",
     summary="The same category against the same organisation or at the same place",
     tags=["views"], responses=BAD)
async def common_grievances(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    min_grievances: Annotated[int, QueryParameter(ge=1, le=10_000)] = 2,
    min_collectives: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    category: Code = None, limit: Limit = 100, wait_for: WaitFor = None,
) -> Response[list[Cluster]]:
    return await read_view(db_pool, ["common_grievances"], wait_for, list_common_grievances,
                           reader_scope, min_grievances=min_grievances,
                           min_collectives=min_collectives, category=category, limit=limit)


# -- campaigns ----------------------------------------------------------------------------------


def _board_read(scope: Scope, reveal: Reveal, read: Callable[..., Awaitable[object]]):
    """``read`` opened for this reader. Organisers (a federation's scope) coordinate on a
    campaign's issue and demands, and never read an agreement's clauses, whichever route
    asks: the record read-back withholds them too (``organize.application.reading``), so they are
    withheld here before anything is opened. Leaders and admins read them."""
    if scope.collective_ids is not None or scope.federation is None:
        return opened(reveal, read)

    async def withheld(conn, *args, **kwargs):
        found = await read(conn, *args, **kwargs)
        rows = found if isinstance(found, list) else [] if found is None else [found]
        for row in rows:
            row.agreements = [msgspec.structs.replace(a, clauses=[WITHHELD])
                              for a in row.agreements]
        return await reveal.open(found)

    return withheld


@get("/campaigns", operation_id="listCampaigns", summary="The campaign board", tags=["views"],
     responses=BAD)
async def campaigns(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    reveal: NamedDependency[Reveal], status: FromQuery[CampaignStatus | None] = None,
    wait_for: WaitFor = None,
) -> Response[list[CampaignRow]]:
    return await read_view(db_pool, ["campaign_board"], wait_for,
                           _board_read(reader_scope, reveal, list_campaigns), reader_scope,
                           status=status)


@get("/campaigns/{campaign_id:uuid}", operation_id="getCampaignBoard",
     summary="One campaign on the board", tags=["views"], responses=NOT_FOUND)
async def campaign(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    reveal: NamedDependency[Reveal], campaign_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[CampaignRow]:
    return await read_view(db_pool, ["campaign_board"], wait_for,
                           _board_read(reader_scope, reveal, get_campaign), reader_scope,
                           campaign_id, missing="No campaign with this id.")


# -- meetings -----------------------------------------------------------------------------------


@get("/meetings", operation_id="listMeetings", summary="The meeting log", tags=["views"],
     responses=BAD)
async def meetings(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    collective_id: FromQuery[UUID | None] = None, status: FromQuery[MeetingStatus | None] = None,
    period_from: FromQuery[date | None] = None, period_to: FromQuery[date | None] = None,
    limit: Limit = 200, offset: Offset = 0, wait_for: WaitFor = None,
) -> Response[list[MeetingRow]]:
    return await read_view(db_pool, ["meeting_log"], wait_for, list_meetings,
                           reader_scope, collective_id=collective_id, status=status,
                           period_from=period_from, period_to=period_to, limit=limit,
                           offset=offset)


@get("/meetings/{meeting_id:uuid}/attendance", operation_id="getMeetingAttendance",
     summary="Attendance and facilitation: by pseudonym within the reader's collectives, "
             "counted elsewhere", tags=["views"], responses=NOT_FOUND)
async def meeting_attendance(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    reveal: NamedDependency[Reveal], meeting_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[MeetingAttendance]:
    updating = await still_updating(db_pool, ["meeting_log", "worker_directory"], wait_for)
    async with reading(db_pool) as conn:
        found = await attendance(conn, reader_scope, meeting_id)
        if found is None:
            raise NotFoundException("No meeting with this id.")
        rows = found.named
        blobs = await sealed_profiles(conn, [r.worker_id for r in rows])
    names = await reveal([(r.worker_id, blobs.get(r.worker_id)) for r in rows])
    return respond(MeetingAttendance(attendees=[
        AttendeeOut(worker_id=r.worker_id, pseudonym=names.get(r.worker_id, ERASED),
                    attended=r.attended, facilitated=r.facilitated, spoke=r.spoke)
        for r in rows], elsewhere=found.elsewhere), updating)


# -- workers ------------------------------------------------------------------------------------


@get("/collectives/{collective_id:uuid}/workers", operation_id="listCollectiveWorkers",
     summary="A collective's workers: pseudonym, consent and trajectory", tags=["views"],
     responses=NOT_FOUND)
async def collective_workers(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    reveal: NamedDependency[Reveal], collective_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[list[WorkerOut]]:
    updating = await still_updating(db_pool, ["worker_directory"], wait_for)
    async with reading(db_pool) as conn:
        rows = await list_workers(conn, reader_scope, collective_id)
    if rows is None:
        raise NotFoundException("No collective with this id.")
    return respond(await _workers_out(reveal, rows), updating)


@get("/workers/{worker_id:uuid}/trajectory", operation_id="getWorkerTrajectory",
     summary="One worker's pseudonym, consent and trajectory", tags=["views"],
     responses=NOT_FOUND)
async def worker_trajectory(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    reveal: NamedDependency[Reveal], worker_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[WorkerOut]:
    updating = await still_updating(db_pool, ["worker_directory"], wait_for)
    async with reading(db_pool) as conn:
        row = await get_worker(conn, reader_scope, worker_id)
    if row is None:
        raise NotFoundException("No worker with this id.")
    (out,) = await _workers_out(reveal, [row])
    return respond(out, updating)


# -- sector flows and organisations -------------------------------------------------------------


@get("/sector-flows/{federation:str}", operation_id="getSectorFlows",
     summary="Transitions between sectors and concurrent multi-sector work (cells below k "
             "suppressed)", tags=["views"], responses=NOT_FOUND)
async def federation_sector_flows(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    federation: FromPath[str], wait_for: WaitFor = None,
) -> Response[FederationFlows]:
    # The same aggregates as /api/v1/federations/{federation}/flows: never a count below k.
    return await read_view(db_pool, ["sector_flows"], wait_for, federation_flows,
                           reader_scope, federation, missing="No federation with this name.")


@get("/organisations", operation_id="listOrganisations", summary="Organisations",
     tags=["views"], responses=BAD)
async def organisations(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    kind: Code = None, limit: Limit = 200, offset: Offset = 0, wait_for: WaitFor = None,
) -> Response[list[OrganisationRow]]:
    return await read_view(db_pool, ["organisations"], wait_for, list_organisations,
                           reader_scope, kind=kind, limit=limit, offset=offset)


# -- bargaining ---------------------------------------------------------------------------------

RoundStatus = Literal["open", "tentative", "ratified", "in_force", "ended"]


@get("/bargaining", operation_id="listBargainingRounds",
     summary="Bargaining rounds: stages and dates, no texts", tags=["views"], responses=BAD)
async def bargaining_rounds(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    collective_id: FromQuery[UUID | None] = None, status: FromQuery[RoundStatus | None] = None,
    limit: Limit = 200, offset: Offset = 0, wait_for: WaitFor = None,
) -> Response[list[RoundRow]]:
    return await read_view(db_pool, ["bargaining"], wait_for, list_rounds, reader_scope,
                           collective_id=collective_id, status=status, limit=limit,
                           offset=offset)


@get("/bargaining/{bargaining_id:uuid}", operation_id="getBargainingRound",
     summary="One bargaining round: its clauses (proposals, amounts, breaches) and sessions",
     tags=["views"], responses=NOT_FOUND)
async def bargaining_round(
    db_pool: NamedDependency[asyncpg.Pool], reader_scope: NamedDependency[Scope],
    reveal: NamedDependency[Reveal], bargaining_id: FromPath[UUID], wait_for: WaitFor = None,
) -> Response[RoundDetail]:
    # Its words (demands, clauses, notes, the other side's people) for leaders and admins;
    # an organiser's scope (a federation) reads stages and counts, as on the pages.
    words = reader_scope.collective_ids is not None or reader_scope.federation is None
    return await read_view(db_pool, ["bargaining"], wait_for, opened(reveal, one_round),
                           reader_scope, bargaining_id, words=words,
                           missing="No bargaining round with this id.")


ROUTES = [grievances, grievances_count, common_grievances, campaigns, campaign, meetings,
          meeting_attendance, collective_workers, worker_trajectory, federation_sector_flows,
          organisations, bargaining_rounds, bargaining_round]


def views_router() -> Router:
    """The dependencies ``db_pool``, ``reader_scope`` and ``reveal`` come from the app factory."""
    return Router(path="/api/v1/views", route_handlers=ROUTES)


__all__ = ["ERASED", "UPDATING_HEADER", "Reveal", "views_router"]
