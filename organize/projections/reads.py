"""Async helpers every view's read functions share: which generation is live, scopes, and
waiting for views to reach a notification id (read-your-writes)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from organize.projections.base import APPLICATION_NAME, Tables

EVENTS_TABLE = "organize_events"  # the application's notification log


@dataclass(frozen=True)
class Scope:
    """What a reader may see. ``None`` means no restriction on that axis (admin).

    A leader is scoped to her collectives; an organiser to her federation. Read functions
    filter by both; the web layer builds the scope from the account.
    """

    collective_ids: frozenset[UUID] | None = None
    federation: str | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    def allows(self, collective_id: UUID, federation: str | None) -> bool:
        if self.collective_ids is not None and collective_id not in self.collective_ids:
            return False
        return self.federation is None or self.federation == federation


# The live generation of every view, as one request read it (``generations_for_request``):
# a page reads several views and asks once, instead of once a view. Never kept longer than
# the request, so a blue/green switch is seen by the next one.
_REQUEST_GENERATIONS: ContextVar[dict[str, int] | None] = ContextVar(
    "organize_request_generations", default=None)


@contextmanager
def generations_for_request(known: dict[str, int]) -> Iterator[None]:
    """Within this block, ``tables`` reads the live generations once into ``known`` (a dict
    the caller keeps for one request) and answers from it after that."""
    token = _REQUEST_GENERATIONS.set(known)
    try:
        yield
    finally:
        _REQUEST_GENERATIONS.reset(token)


async def tables(conn: asyncpg.Connection, view: str) -> Tables:
    known = _REQUEST_GENERATIONS.get()
    if known is None:
        generation = await conn.fetchval(
            "SELECT generation FROM organize_projections WHERE name = $1", view)
        return Tables(view, generation or 1)
    if not known:
        rows = await conn.fetch("SELECT name, generation FROM organize_projections")
        known.update({r["name"]: r["generation"] for r in rows})
        known.setdefault("", 0)  # marks it read, even with no view registered yet
    return Tables(view, known.get(view) or 1)


async def positions(conn: asyncpg.Connection, views: Iterable[str]) -> dict[str, int]:
    out = {}
    for view in views:
        t = await tables(conn, view)
        try:
            out[view] = await conn.fetchval(
                f"SELECT notification_id FROM {t.tracking} WHERE application_name = $1",
                APPLICATION_NAME) or 0
        except asyncpg.UndefinedTableError:
            out[view] = 0
    return out


async def wait_for(pool: asyncpg.Pool, views: Iterable[str], notification_id: int | None,
                   timeout: float = 2.0) -> bool:
    """True once every view has applied ``notification_id``; False if ``timeout`` passed
    first (the answer then says the views are still updating)."""
    if not notification_id:
        return True
    async with pool.acquire() as conn:
        head = await conn.fetchval(f"SELECT max(notification_id) FROM {EVENTS_TABLE}")
    if head is None or notification_id > head:
        # No such event yet: a client only learns an id after its command committed, so
        # there is nothing to wait for. Say "still updating" rather than stall.
        return False
    views = list(views)
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        async with pool.acquire() as conn:
            reached = await positions(conn, views)
        if all(p >= notification_id for p in reached.values()):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.25)
