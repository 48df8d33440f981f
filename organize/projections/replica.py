"""Reading views from a streaming replica, only when it is far enough along.

A physical replica replays the primary's WAL, tracking rows included, so its view positions
say exactly which events its views hold. A page needs either the event it was sent after
(``?n=``, read-your-writes) or, without one, no less than the primary's views show now (so a
page never goes back in time when it lands on the replica). The replica is used only once its
positions reach that, within a short bounded wait; otherwise the page reads the primary.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog

from organize.projections.lag import LagWatch, view_positions

log = structlog.get_logger("organize.replica")

REPLICA_WAIT_SECONDS = 0.5  # then the primary: a lagging replica never makes a page slow


@dataclass
class ReadPools:
    """The primary's pool and, when ``DATABASE_READ_URL`` is set, the replica's."""

    primary: asyncpg.Pool
    replica: asyncpg.Pool | None = None
    wait: float = REPLICA_WAIT_SECONDS
    # How far the primary's views are behind the log (organize.projections.lag), per app.
    lag: Any = None

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
                    reached = await view_positions(conn, views)
                if all(reached[v] >= needed[v] for v in views):
                    return self.replica
                if time.monotonic() >= deadline:
                    return self.primary
                await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 0.1)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as e:
            log.warning("replica_unusable", error=type(e).__name__)
            return self.primary
