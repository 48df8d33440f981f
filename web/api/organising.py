"""GET routes for organisers (issue 6): a federation's overview, common grievances,
cross-collective campaign board and sector flows, and the invitations to joint campaigns.

Every route answers within the reader's scope: an organiser reaches her own federation
only, a leader sees a federation only through her own collectives, and a federation or id
outside the scope is a 404 exactly like one that does not exist. The answers are aggregates
and codes (no worker's personal field is held by these views). ``?as_of=YYYY-MM-DD``
answers from the event history as it stood on that date (domain time); ``?k=`` sets the
suppression threshold of the flows (default 10, never below 5); ``?wait_for=`` waits for
the views to reach a notification id (read-your-writes).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

import asyncpg
from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, PathParameter, QueryParameter

from organize.projections.indicators.reads import FederationOverview, federation_overview
from organize.projections.indicators.rubric import Rubric
from organize.projections.reads import Scope
from organize.projections.views.campaign_board.reads import (
    CollectiveInvitation,
    FederationBoard,
    InvitationRow,
    campaign_invitations,
    collective_invitations,
    federation_board,
)
from organize.projections.views.common_grievances import Cluster, federation_clusters
from organize.projections.views.sector_flows import FederationFlows, federation_flows
from web.api.projection_reads import (
    NOT_FOUND,
    WaitFor,
    opened,
    read_view,
    reading,
    respond,
    still_updating,
)

Federation = Annotated[str, PathParameter(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]+$",
                                           description="The federation's name (URL-encoded)")]
AsOf = Annotated[date | None, QueryParameter(
    description="Answer as things stood on this date, from the event history (default: now).")]
Code = Annotated[str | None, QueryParameter(pattern=r"^[a-z][a-z0-9_]{1,47}$")]
K = Annotated[int | None, QueryParameter(
    ge=1, le=1000, description="Cells below k are suppressed (default 10; never below 5).")]
InvitationState = Literal["pending", "accepted", "declined", "all"]
NO_FEDERATION = "No federation by this name with collectives you may see."


@get("/federations/{federation:str}/overview", operation_id="getFederationOverview",
     summary="The federation's collectives side by side on the eight dimensions (never ranked)",
     tags=["organising"], responses=NOT_FOUND)
async def overview(
    federation: Federation, db_pool: NamedDependency[asyncpg.Pool],
    reader_scope: NamedDependency[Scope], rubric: NamedDependency[Rubric],
    as_of: AsOf = None, wait_for: WaitFor = None,
) -> Response[FederationOverview]:
    updating = await still_updating(db_pool, ["indicators"], wait_for)
    async with reading(db_pool) as conn:
        found = await federation_overview(conn, reader_scope, federation, as_of, rubric=rubric)
    if found is None:
        raise NotFoundException(NO_FEDERATION)
    return respond(found, updating or found.updating)


@get("/federations/{federation:str}/clusters", operation_id="listFederationClusters",
     summary="Common grievances across the federation's collectives and sectors",
     tags=["organising"], responses=NOT_FOUND)
async def clusters(
    federation: Federation, db_pool: NamedDependency[asyncpg.Pool],
    reader_scope: NamedDependency[Scope],
    min_grievances: Annotated[int, QueryParameter(ge=1, le=10_000)] = 2,
    min_collectives: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    category: Code = None, limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    wait_for: WaitFor = None,
) -> Response[list[Cluster]]:
    return await read_view(db_pool, ["common_grievances"], wait_for, federation_clusters,
                           reader_scope, federation, min_grievances=min_grievances,
                           min_collectives=min_collectives, category=category, limit=limit,
                           missing=NO_FEDERATION)


@get("/federations/{federation:str}/board", operation_id="getFederationBoard",
     summary="The cross-collective campaign board: stage, demands won, next actions, sectors",
     tags=["organising"], responses=NOT_FOUND)
async def board(
    federation: Federation, db_pool: NamedDependency[asyncpg.Pool],
    reader_scope: NamedDependency[Scope], reveal: NamedDependency[Any], as_of: AsOf = None,
    wait_for: WaitFor = None,
) -> Response[FederationBoard]:
    return await read_view(db_pool, ["campaign_board"], wait_for, opened(reveal, federation_board),
                           reader_scope, federation, as_of, missing=NO_FEDERATION)


@get("/federations/{federation:str}/flows", operation_id="getFederationFlows",
     summary="Sector-to-sector flows, concurrent multi-sector work and unpaid care; small cells "
             "suppressed", tags=["organising"], responses=NOT_FOUND)
async def flows(
    federation: Federation, db_pool: NamedDependency[asyncpg.Pool],
    reader_scope: NamedDependency[Scope], as_of: AsOf = None, k: K = None,
    wait_for: WaitFor = None,
) -> Response[FederationFlows]:
    return await read_view(db_pool, ["sector_flows"], wait_for, federation_flows,
                           reader_scope, federation, as_of, k=k, missing=NO_FEDERATION)


@get("/collectives/{collective_id:uuid}/invitations", operation_id="listCollectiveInvitations",
     summary="The joint campaigns a collective is invited to", tags=["organising"],
     responses=NOT_FOUND)
async def collective_invites(
    collective_id: FromPath[UUID], db_pool: NamedDependency[asyncpg.Pool],
    reader_scope: NamedDependency[Scope], reveal: NamedDependency[Any],
    # ``state`` is a name Litestar reserves: the query parameter is still ``?state=``.
    invitation_state: Annotated[InvitationState, QueryParameter(name="state")] = "pending",
    wait_for: WaitFor = None,
) -> Response[list[CollectiveInvitation]]:
    return await read_view(db_pool, ["campaign_board"], wait_for,
                           opened(reveal, collective_invitations),
                           reader_scope, collective_id,
                           state=None if invitation_state == "all" else invitation_state,
                           missing="No collective with this id.")


@get("/campaigns/{campaign_id:uuid}/invitations", operation_id="listCampaignInvitations",
     summary="A campaign's invitations and their answers", tags=["organising"],
     responses=NOT_FOUND)
async def campaign_invites(
    campaign_id: FromPath[UUID], db_pool: NamedDependency[asyncpg.Pool],
    reader_scope: NamedDependency[Scope], reveal: NamedDependency[Any], wait_for: WaitFor = None,
) -> Response[list[InvitationRow]]:
    return await read_view(db_pool, ["campaign_board"], wait_for, opened(reveal, campaign_invitations),
                           reader_scope, campaign_id, missing="No campaign with this id.")


ROUTES = [overview, clusters, board, flows, collective_invites, campaign_invites]


def organising_router() -> Router:
    """Dependencies ``db_pool``, ``reader_scope`` and ``rubric`` come from the app factory."""
    return Router(path="/api/v1", route_handlers=ROUTES)


__all__ = ["organising_router"]
