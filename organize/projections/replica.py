"""Reading views from a streaming replica, only when it is far enough along.

A physical replica replays the primary's WAL, tracking rows included, so its view positions
say exactly which events its views hold. A view the replica has no tracking row for (not
built there yet, or never run) is unknown, never "at 0": the primary serves it.

Two rules, by what the read follows:

- ``choose(views, n)``, for a page that settles (``Page.settle``): it needs either the event
  it was sent after (``?n=``, read-your-writes) or, without one, no less than the primary's
  views show now (so such a page never goes back in time when it lands on the replica). The
  replica is used only once its positions reach that, within a short bounded wait;
  otherwise the page reads the primary.
- ``current()``, for a read that follows no write of this session (a GET without ``?n=``
  or ``wait_for``: the API's reads, pages that do not settle): the replica while every view
  is known there and at most ``max_lag`` events behind the primary's position for it, both
  read at most ``ttl`` seconds before. Such a read may show the views as they were up to
  ``max_lag`` events (plus ``ttl`` seconds of the primary's progress) ago, and nothing
  older; the answer is kept for ``ttl`` seconds, so it costs a request no round trip.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog

from organize.projections.lag import LagWatch, view_positions

log = structlog.get_logger("organize.replica")

REPLICA_WAIT_SECONDS = 0.5  # then the primary: a lagging replica never makes a page slow
REPLICA_LAG_EVENTS = 50  # as ``organize.projections.lag``: the ordinary distance of a runner
FRESH_SECONDS = 1.0  # how long ``current``'s answer is kept
PROBLEMS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


@dataclass
class ReadPools:
    """The primary's pool and, when ``DATABASE_READ_URL`` is set, the replica's."""

    primary: asyncpg.Pool
    replica: asyncpg.Pool | None = None
    wait: float = REPLICA_WAIT_SECONDS
    # How far the primary's views are behind the log (organize.projections.lag), per app.
    lag: Any = None
    max_lag: int = REPLICA_LAG_EVENTS
    ttl: float = FRESH_SECONDS
    _close: bool = field(default=False, init=False, repr=False)
    _checked: float = field(default=float("-inf"), init=False, repr=False)

    def __post_init__(self) -> None:
        if self.lag is None:
            self.lag = LagWatch()

    async def choose(self, views: Iterable[str], notification_id: int | None) -> asyncpg.Pool:
        """The replica once it has applied what the page needs to every view, else the
        primary. Never raises for a replica that is down: the primary serves."""
        if self.replica is None:
            return self.primary
        views = list(views)
        try:
            if notification_id:
                needed = dict.fromkeys(views, notification_id)
            else:
                async with self.primary.acquire() as conn:
                    needed = await view_positions(conn, views)
            deadline = time.monotonic() + self.wait
            delay = 0.01
            while True:
                async with self.replica.acquire() as conn:
                    reached = await view_positions(conn, views, unknown=None)
                if all(reached[v] is not None and reached[v] >= needed[v] for v in views):
                    return self.replica
                if time.monotonic() >= deadline:
                    return self.primary
                await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 0.1)
        except PROBLEMS as e:
            log.warning("replica_unusable", error=type(e).__name__)
            return self.primary

    async def for_read(self, *, after_write: bool) -> asyncpg.Pool:
        """The pool a request reads views with before any ``choose``: the primary after a
        write of this session (its reads wait for that write there), else ``current()``."""
        return self.primary if after_write else await self.current()

    async def current(self) -> asyncpg.Pool:
        """For a read that follows no write of this session: the replica while it is close
        enough (see the module's docstring), else the primary."""
        if self.replica is None:
            return self.primary
        if time.monotonic() - self._checked > self.ttl:
            self._close = await self._is_close()
            self._checked = time.monotonic()
        return self.replica if self._close else self.primary

    async def _is_close(self) -> bool:
        try:
            async with self.primary.acquire() as conn:
                names = [r["name"] for r in await conn.fetch(
                    "SELECT name FROM organize_projections")]
                head = await view_positions(conn, names)
            async with self.replica.acquire() as conn:
                reached = await view_positions(conn, names, unknown=None)
        except PROBLEMS as e:
            log.warning("replica_unusable", error=type(e).__name__)
            return False
        return bool(names) and all(
            reached[v] is not None and reached[v] >= head[v] - self.max_lag for v in names)
