"""Opening pseudonyms for pages and API answers, on the async side.

Views hold sealed profiles only (never plaintext), so a page that lists workers opens their
pseudonyms here, with one query for the keys of the whole page. A worker whose key was
shredded reads as "[erased]". Collective texts (a campaign's issue and demands, an
agreement's clauses, a narrative) are opened here the same way (``Revealer.open``).
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections import abc
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
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
        tokens = _tokens(found)
        if not tokens:
            return found
        keys = await self.keys([subject for _, subject, _ in tokens.values()], conn)
        return _opened(found, tokens, keys)


def opened_with(store: KeyStore, found: T) -> T:
    """``Revealer.open`` on the sync side (the CLI, tests): keys from ``store``."""
    tokens = _tokens(found)
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
# A token as msgspec writes it: a string value (a key is followed by a colon), whose text
# after the control character is a mark's name and base64, which JSON writes unescaped.
_START = msgspec.json.encode(sealed_texts.MARK[0])[1:-1]
_TOKEN_IN_JSON = re.compile(re.escape(b'"' + _START) + rb'(sealed(?:-list)?:[A-Za-z0-9+/=]*)"(?!:)')


def _tokens(found: Any) -> dict[str, tuple[bool, UUID, bytes]]:
    """Every sealed-text token among the values of ``found``, parsed. Found in its JSON
    (encoded in C, far quicker than walking it in Python); anything JSON cannot hold is
    walked."""
    tokens: dict[str, tuple[bool, UUID, bytes]] = {}
    try:
        encoded = msgspec.json.encode(found)
    except (TypeError, ValueError, msgspec.EncodeError):
        _collect(found, tokens)
        return tokens
    if _MARK_IN_JSON not in encoded:
        return tokens
    for match in _TOKEN_IN_JSON.finditer(encoded):
        value = sealed_texts.MARK[0] + match.group(1).decode()
        parsed = sealed_texts.parse(value)
        if parsed is not None:
            tokens[value] = parsed
    return tokens


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


# Values that hold no string, so no token: ``_replace`` passes them by without a call.
_LEAVES = frozenset({int, float, bool, type(None), UUID, date, datetime, time, timedelta,
                     Decimal, bytes})


def _may_hold_text(kind: Any) -> bool:
    """False when a value of the declared type ``kind`` surely holds no string (numbers,
    dates, ids, and containers of them); anything else (a string, a struct, ``Any``, an
    unknown type) may."""
    if isinstance(kind, type) and kind in _LEAVES:
        return False
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return any(_may_hold_text(arg) for arg in args)
    if origin in (list, tuple, set, frozenset, abc.Sequence, abc.Set) and args:
        return any(_may_hold_text(arg) for arg in args if arg is not Ellipsis)
    if origin in (dict, abc.Mapping) and len(args) == 2:
        return _may_hold_text(args[1])  # keys are never replaced
    return True


@functools.cache
def _text_fields(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    """The fields of a struct class that may hold a token, by their declared types: a
    struct's int, date or id fields are not walked."""
    try:
        fields = msgspec.structs.fields(cls)
    except Exception:  # a type msgspec cannot resolve: walk every field
        return tuple(cls.__struct_fields__)
    return tuple(f.name for f in fields if _may_hold_text(f.type))


def _replace(value: Any, opened: dict[str, list[str]]) -> Any:
    if isinstance(value, str):
        return opened[value][0] if value in opened else value
    if isinstance(value, msgspec.Struct):
        changed = {}
        for field in _text_fields(type(value)):
            before = getattr(value, field)
            if type(before) in _LEAVES:
                continue
            after = _replace(before, opened)
            if after is not before:
                changed[field] = after
        return msgspec.structs.replace(value, **changed) if changed else value
    if isinstance(value, (list, tuple)):
        items: list[Any] = []
        for item in value:
            if type(item) in _LEAVES:
                items.append(item)
            elif isinstance(item, str) and item in opened:
                items.extend(opened[item])  # a list token opens to its texts
            else:
                items.append(_replace(item, opened))
        return type(value)(items) if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {k: _replace(v, opened) for k, v in value.items()}
    return value
