"""The research API: the same releases as the page, for scripts (a bearer token or a
session), under ``/api/v1/research`` (``RESEARCH`` access by path, ``web.auth.access``).

- ``POST /api/v1/research/releases``: a JSON request (``ReleaseBody``) -> the release zip,
  byte for byte the one the page and the CLI hand out for the same request. Snapping is
  applied and listed in the manifest (``snapped``) and in the ``X-Organize-Snapped`` header.
- ``GET /api/v1/research/budget``: her privacy budget (total, spent, left, as epsilons).

A refusal is the API's one error shape: 409 ``over_budget`` when her budget is short, 422
with the field named for anything else.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import msgspec
from litestar import Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import Meta

from organize.accounts import Principal
from organize.errors import Conflict, Invalid
from organize.exports.releases import ReleaseRequest, snap
from organize.exports.trends import DEFAULT_BY, ExportError
from organize.projections.disclosure import DEFAULT_K
from web.api.errors import ERROR_RESPONSES
from web.research.routes import budget_of, run_release, zip_response

Who = NamedDependency[Principal | None]
Dimension = Annotated[str, Meta(pattern=r"^[a-z]{1,16}$")]
Grain = Annotated[str, Meta(pattern=r"^[a-z]{1,16}$")]


class ReleaseBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A release of grievance counts over whole closed periods."""

    by: Annotated[tuple[Dimension, ...], Meta(min_length=1, max_length=7)] = DEFAULT_BY
    k: Annotated[int, Meta(ge=5, le=1000)] = DEFAULT_K
    period: Grain = "auto"
    place: Grain = "auto"
    category: Grain = "auto"
    epsilon: Annotated[float, Meta(ge=0.01, le=10)] | None = None
    since: date | None = None
    until: date | None = None
    format: Annotated[str, Meta(pattern=r"^[a-z]{1,16}$")] = "datapackage"


class Budget(msgspec.Struct, kw_only=True):
    total: float
    spent: float
    left: float


def _refused(e: ExportError) -> Exception:
    cls = Conflict if e.code == "over_budget" else Invalid
    return cls(str(e), field=e.field, code=e.code)


@post("/api/v1/research/releases", status_code=200, operation_id="researchRelease",
      tags=["research"], responses=ERROR_RESPONSES, media_type="application/zip",
      response_description="The release as a zip: the table, manifest.json and README.md")
async def release(data: JSONBody[ReleaseBody], state: State, principal: Who) -> Response:
    request = ReleaseRequest(
        by=data.by, k=data.k, grains={"period": data.period, "place": data.place,
                                      "category": data.category},
        epsilon=data.epsilon, since=data.since, until=data.until, fmt=data.format)
    try:
        snapped, _window, notes = snap(request, datetime.now(UTC).date())
        made = await run_release(state, principal, snapped)
    except ExportError as e:
        raise _refused(e) from None
    response = zip_response(made)
    response.headers["X-Organize-Snapped"] = ",".join(n.code for n in notes) or "none"
    return response


@get("/api/v1/research/budget", operation_id="researchBudget", tags=["research"],
     responses=ERROR_RESPONSES)
async def budget(state: State, principal: Who) -> Budget:
    return Budget(**await budget_of(state, principal))


API_ROUTES = [release, budget]
