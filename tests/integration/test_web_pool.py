"""The web's asyncpg pools give a connection back without asyncpg's reset query (one round
trip fewer on every page, web.app.keep_session): a transaction left open is still rolled
back, and what a transaction set (``SET LOCAL``, an advisory xact lock) ends with it."""

from __future__ import annotations

import asyncpg
import pytest

from web.app import keep_session

pytestmark = pytest.mark.integration


async def test_a_connection_given_back_keeps_nothing_of_its_transaction(database):
    pool = await asyncpg.create_pool(database.asyncpg_dsn(), min_size=1, max_size=1,
                                     reset=keep_session)
    try:
        default = None
        async with pool.acquire() as conn:
            default = await conn.fetchval("SHOW lock_timeout")
            left_open = conn.transaction()
            await left_open.start()  # given back with its transaction open
            await conn.execute("SET LOCAL lock_timeout = '61s'")
            await conn.execute("SELECT pg_advisory_xact_lock(424242)")
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SHOW lock_timeout") == default
            assert await conn.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                       " AND pid = pg_backend_pid()") == 0
    finally:
        await pool.close()
