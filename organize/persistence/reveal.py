"""Opening pseudonyms for pages and API answers, on the async side.

Views hold sealed profiles only (never plaintext), so a page that lists workers opens their
pseudonyms here, with one query for the keys of the whole page. A worker whose key was
shredded reads as "[erased]". Collective texts (a campaign's issue and demands, an
agreement's clauses, a narrative) are opened here the same way (``Revealer.open``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec

from organize.application.reading import ERASED
from organize.commands import Profile
from organize.persistence.keyring import KeyringError
from organize.persistence.keys import SELECT_KEYS, KeyStore, Sealer
from organize.projections import sealed as sealed_texts

T = TypeVar("T")


class Revealer:
    def __init__(self, pool: asyncpg.Pool, keys: KeyStore):
        self.pool = pool
        self.store = keys  # unwraps under the KEK of each row's generation

    async def keys(self, subject_ids: Sequence[UUID],
                   conn: asyncpg.Connection | None = None) -> dict[UUID, bytes]:
        """The data keys of these subjects, read on ``conn`` (a page's own connection) or
        on one from the pool."""
        if not subject_ids:
            return {}
        for attempt in (1, 2):
            if conn is not None:
                rows = await conn.fetch(SELECT_KEYS.replace("%s", "$1"), list(set(subject_ids)))
            else:
                async with self.pool.acquire() as pooled:
                    rows = await pooled.fetch(SELECT_KEYS.replace("%s", "$1"),
                                              list(set(subject_ids)))
            try:
                return {r["subject_id"]: self.store.unwrap(r["subject_id"], r["wrapped"],
                                                           r["kek_generation"]) for r in rows}
            except KeyringError:
                if attempt == 2:  # read just before an erasure replaced the KEK: read again
                    raise
        raise AssertionError("unreachable")

    async def pseudonyms(self, items: Sequence[tuple[UUID, bytes | None]],
                         conn: asyncpg.Connection | None = None) -> dict[UUID, str]:
        keys = await self.keys([worker_id for worker_id, blob in items if blob], conn)
        out: dict[UUID, str] = {}
        for worker_id, blob in items:
            plain = Sealer.open_with(keys.get(worker_id), worker_id, blob)
            out[worker_id] = (msgspec.json.decode(plain, type=Profile).pseudonym
                              if plain is not None else ERASED)
        return out

    async def __call__(self, items: Sequence[tuple[UUID, bytes | None]]) -> dict[UUID, str]:
        return await self.pseudonyms(items)

    async def open(self, found: T, conn: asyncpg.Connection | None = None) -> T:
        """``found`` (a read's answer: structs, lists, dicts) with every sealed-text token
        of the views (``organize.projections.sealed``) opened, with one key look-up; a text
        whose key was shredded reads as "[erased]". Nothing opened is stored."""
        if not _may_hold_tokens(found):
            return found
        tokens: dict[str, tuple[bool, UUID, bytes]] = {}
        _collect(found, tokens)
        if not tokens:
            return found
        keys = await self.keys([subject for _, subject, _ in tokens.values()], conn)
        return _opened(found, tokens, keys)


def opened_with(store: KeyStore, found: T) -> T:
    """``Revealer.open`` on the sync side (the CLI, tests): keys from ``store``."""
    tokens: dict[str, tuple[bool, UUID, bytes]] = {}
    _collect(found, tokens)
    if not tokens:
        return found
    return _opened(found, tokens, store.get_many([s for _, s, _ in tokens.values()]))


def _opened(found: T, tokens: dict, keys: dict[UUID, bytes]) -> T:
    opened: dict[str, list[str]] = {}
    for value, (is_list, subject, sealed) in tokens.items():
        plain = Sealer.open_with(keys.get(subject), subject, sealed)
        if plain is None:
            opened[value] = [ERASED]
        elif is_list:
            opened[value] = list(msgspec.json.decode(plain, type=tuple[str, ...]))
        else:
            opened[value] = [plain.decode()]
    return _replace(found, opened)


# Both marks start so; in JSON the control character is written as an escape.
_MARK_IN_JSON = msgspec.json.encode(sealed_texts.MARK[:-1])[1:-1]


def _may_hold_tokens(found: Any) -> bool:
    """False when ``found`` surely holds no token: its JSON (encoded in C, far quicker than
    walking it in Python) has no mark. Anything JSON cannot hold is walked as before."""
    try:
        return _MARK_IN_JSON in msgspec.json.encode(found)
    except (TypeError, ValueError, msgspec.EncodeError):
        return True


def _collect(value: Any, into: dict) -> None:
    if isinstance(value, str):
        if value.startswith(sealed_texts.MARK) or value.startswith(sealed_texts.LIST_MARK):
            parsed = sealed_texts.parse(value)
            if parsed is not None:
                into[value] = parsed
    elif isinstance(value, msgspec.Struct):
        for field in value.__struct_fields__:
            _collect(getattr(value, field), into)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, into)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, into)


def _replace(value: Any, opened: dict[str, list[str]]) -> Any:
    if isinstance(value, str):
        return opened[value][0] if value in opened else value
    if isinstance(value, msgspec.Struct):
        changed = {}
        for field in value.__struct_fields__:
            before = getattr(value, field)
            after = _replace(before, opened)
            if after is not before:
                changed[field] = after
        return msgspec.structs.replace(value, **changed) if changed else value
    if isinstance(value, (list, tuple)):
        items: list[Any] = []
        for item in value:
            if isinstance(item, str) and item in opened:
                items.extend(opened[item])  # a list token opens to its texts
            else:
                items.append(_replace(item, opened))
        return type(value)(items) if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {k: _replace(v, opened) for k, v in value.items()}
    return value
