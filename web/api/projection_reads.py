"""What every read-side route shares (views and indicators alike): the bounded wait for a
notification id (read-your-writes), the ``X-Views-Updating`` answer when it runs out, no
caching (answers can hold pseudonyms or a collective's own words), and a 503 rather than a
500 while a view's tables are still being built."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import asyncpg
from litestar import Response
from litestar.exceptions import NotFoundException, ServiceUnavailableException
from litestar.params import QueryParameter

from organize.projections.reads import wait_for
from web.api.errors import ERROR_RESPONSES

WAIT_SECONDS = 2.0
UPDATING_HEADER = "X-Views-Updating"

WaitFor = Annotated[int | None, QueryParameter(
    ge=1, description="Wait (up to 2 s) until the views have applied this notification id.")]

BAD = {400: ERROR_RESPONSES[400], 503: ERROR_RESPONSES[503]}
NOT_FOUND = {**BAD, 404: ERROR_RESPONSES[404]}


async def still_updating(pool: asyncpg.Pool, views: Sequence[str],
                         notification_id: int | None) -> bool:
    """True when the views have not reached ``notification_id`` within the bound."""
    if not notification_id:
        return False
    return not await wait_for(pool, views, notification_id, timeout=WAIT_SECONDS)


def respond(content: Any, updating: bool) -> Response:
    headers = {"Cache-Control": "no-store"}
    if updating:
        headers[UPDATING_HEADER] = "true"
    return Response(content, headers=headers)


class reading:  # noqa: N801 - used like a function: ``async with reading(pool) as conn``
    """A pooled connection; a view whose tables do not exist yet is a 503, not a 500."""

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


async def read_view(pool: asyncpg.Pool, views: Sequence[str], notification_id: int | None,
                    read: Callable[..., Awaitable[Any]], *args: Any, missing: str | None = None,
                    **kwargs: Any) -> Response:
    """The whole of a read route: wait (bounded) for ``views``, call
    ``read(conn, *args, **kwargs)`` and answer; ``None`` from the read is a 404 saying
    ``missing`` when given (an id out of scope reads as missing)."""
    updating = await still_updating(pool, views, notification_id)
    async with reading(pool) as conn:
        found = await read(conn, *args, **kwargs)
    if found is None and missing is not None:
        raise NotFoundException(missing)
    return respond(found, updating)


def opened(reveal: Any, read: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``read`` with the collective texts its view keeps sealed opened for this reader
    (``organize.persistence.reveal.Revealer.open``): the answer carries them, the view never does."""

    async def call(conn: Any, *args: Any, **kwargs: Any) -> Any:
        return await reveal.open(await read(conn, *args, **kwargs))

    return call
