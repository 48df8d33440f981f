"""Whether views are behind the event log, for pages to say so while a server catches up.

The server listens at once and the runner catches up in the background; a page whose views
are more than ``LAG_EVENTS`` behind the log says that recent records may be missing. The
answer holds no personal data (positions only) and is refreshed at most once per ``ttl``
seconds per process, so it costs pages nothing measurable.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import asyncpg

from organize.projections.base import APPLICATION_NAME, Tables
from organize.projections.reads import EVENTS_TABLE

LAG_EVENTS = 50  # fewer is the ordinary distance of a runner that keeps up


async def view_positions(conn: asyncpg.Connection, views: Iterable[str], *,
                         unknown: int | None = 0) -> dict[str, Any]:
    """Each view's tracking position in two round trips; ``unknown`` (0 unless asked) for a
    view not built yet or with no tracking row (``organize.projections.replica`` asks for
    None: a position it cannot see is not one it may count as reached)."""
    views = list(dict.fromkeys(views))
    out: dict[str, Any] = dict.fromkeys(views, unknown)
    rows = await conn.fetch(
        "SELECT name, generation, to_regclass(format('v_%s_g%s_tracking', name, "
        "coalesce(generation, 1))) IS NOT NULL AS built "
        "FROM organize_projections WHERE name = ANY($1::text[])", views)
    built = [(r["name"], Tables(r["name"], r["generation"] or 1)) for r in rows if r["built"]]
    if built:
        parts = [f"SELECT {i} AS i, notification_id FROM {t.tracking} WHERE application_name = $1"
                 for i, (_, t) in enumerate(built)]
        for row in await conn.fetch(" UNION ALL ".join(parts), APPLICATION_NAME):
            if row["notification_id"] is not None:
                out[built[row["i"]][0]] = row["notification_id"]
    return out


class LagWatch:
    def __init__(self, ttl: float = 1.0, lag_events: int = LAG_EVENTS):
        self.ttl, self.lag_events = ttl, lag_events
        self._checked = float("-inf")
        self._head = 0
        self._positions: dict[str, int] = {}

    async def behind(self, pool: asyncpg.Pool, views: Iterable[str]) -> bool:
        """True when any of ``views`` is more than ``lag_events`` behind the log's head."""
        views = list(views)
        if time.monotonic() - self._checked > self.ttl or not set(views) <= set(self._positions):
            async with pool.acquire() as conn:
                head = await conn.fetchval(f"SELECT max(notification_id) FROM {EVENTS_TABLE}")
                positions = await view_positions(conn, {*self._positions, *views})
            self._head, self._positions = head or 0, positions
            self._checked = time.monotonic()
        return any(self._head - self._positions.get(v, 0) > self.lag_events for v in views)
