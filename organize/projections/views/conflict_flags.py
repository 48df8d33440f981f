"""Correction conflicts still open: the leaders' review list (``web/pages/conflicts.py``).

One row per ``CorrectionConflict`` flag until a leader resolves it, with the record it is
about, the collectives that hold that record, and for each field both values (codes, places,
days and times: never free text, see ``organize.domain.conflict``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from organize.domain.conflict import CorrectionConflict
from organize.projections.base import Tables, View, on
from organize.projections.reads import tables


class ConflictFlagsView(View):
    name = "conflict_flags"

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {t.flags} ("
            " id uuid PRIMARY KEY, record_id uuid NOT NULL, record_kind text NOT NULL,"
            " collective_ids uuid[] NOT NULL, fields text[] NOT NULL,"
            " overwritten text[] NOT NULL, applied text[] NOT NULL,"
            " flagged_at timestamptz NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {t.flags}_collectives_idx ON {t.flags} "
            "USING gin (collective_ids)",
        ]

    @on(CorrectionConflict.Flagged)
    def flagged(self, curs, e, _nid) -> None:
        curs.execute(
            f"INSERT INTO {self.t.flags} (id, record_id, record_kind, collective_ids, fields, "
            "overwritten, applied, flagged_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO NOTHING",
            (e.originator_id, e.record_id, e.record_kind, list(e.collective_ids), list(e.fields),
             list(e.overwritten), list(e.applied), e.timestamp))

    @on(CorrectionConflict.Resolved)
    def resolved(self, curs, e, _nid) -> None:
        curs.execute(f"DELETE FROM {self.t.flags} WHERE id = %s", (e.originator_id,))


class FlagRow(msgspec.Struct, kw_only=True):
    id: UUID
    record_id: UUID
    record_kind: str
    fields: list[str]
    overwritten: list[str]
    applied: list[str]
    flagged_at: datetime


async def open_flags(conn: asyncpg.Connection, collective_id: UUID,
                     limit: int = 200) -> list[FlagRow]:
    """The open flags on records of one collective (the caller has checked it is in scope)."""
    t = await tables(conn, "conflict_flags")
    rows = await conn.fetch(
        f"SELECT id, record_id, record_kind, fields, overwritten, applied, flagged_at "
        f"FROM {t.flags} WHERE $1 = ANY(collective_ids) ORDER BY flagged_at, id LIMIT $2",
        collective_id, limit)
    return [FlagRow(**dict(r)) for r in rows]
