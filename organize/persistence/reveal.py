"""Opening pseudonyms for pages and API answers, on the async side.

Views hold sealed profiles only (never plaintext), so a page that lists workers opens their
pseudonyms here, with one query for the keys of the whole page. A worker whose key was
shredded reads as "[erased]".
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
import msgspec

from organize.application.reading import ERASED
from organize.commands import Profile
from organize.persistence.keyring import KeyringError
from organize.persistence.keys import SELECT_KEYS, KeyStore, Sealer


class Revealer:
    def __init__(self, pool: asyncpg.Pool, keys: KeyStore):
        self.pool = pool
        self.store = keys  # unwraps under the KEK of each row's generation

    async def keys(self, subject_ids: Sequence[UUID]) -> dict[UUID, bytes]:
        if not subject_ids:
            return {}
        for attempt in (1, 2):
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(SELECT_KEYS.replace("%s", "$1"), list(set(subject_ids)))
            try:
                return {r["subject_id"]: self.store.unwrap(r["subject_id"], r["wrapped"],
                                                           r["kek_generation"]) for r in rows}
            except KeyringError:
                if attempt == 2:  # read just before an erasure replaced the KEK: read again
                    raise
        raise AssertionError("unreachable")

    async def pseudonyms(self, items: Sequence[tuple[UUID, bytes | None]]) -> dict[UUID, str]:
        keys = await self.keys([worker_id for worker_id, blob in items if blob])
        out: dict[UUID, str] = {}
        for worker_id, blob in items:
            plain = Sealer.open_with(keys.get(worker_id), worker_id, blob)
            out[worker_id] = (msgspec.json.decode(plain, type=Profile).pseudonym
                              if plain is not None else ERASED)
        return out

    async def __call__(self, items: Sequence[tuple[UUID, bytes | None]]) -> dict[UUID, str]:
        return await self.pseudonyms(items)
