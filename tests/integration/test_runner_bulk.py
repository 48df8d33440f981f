"""Rows a view sets aside (``View.insert``) go as one statement per table per batch, and every
statement of the batch still sees what it would have seen had each row gone at once."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest

from organize.projections.base import Tables, View, on

pytestmark = pytest.mark.integration


class Put(msgspec.Struct):
    id: uuid.UUID
    names: list[str]
    at: datetime | None


class Count(msgspec.Struct):
    pass


class Bump(msgspec.Struct):
    id: uuid.UUID


class ProbeView(View):
    name = "bulk_probe"

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {t.items} (id uuid PRIMARY KEY, names text[] NOT NULL,"
            " at timestamptz, n integer NOT NULL DEFAULT 0)",
            f"CREATE TABLE IF NOT EXISTS {t.seen} (nid bigint PRIMARY KEY, items integer NOT NULL)",
        ]

    @on(Put)
    def put(self, curs, e, _nid) -> None:
        self.insert(curs, self.t.items, "id uuid, names text[], at timestamptz", (e.id, e.names, e.at),
                    conflict="ON CONFLICT (id) DO NOTHING")

    @on(Count)
    def count(self, curs, _e, nid) -> None:  # reads the table the rows set aside go to
        curs.execute(f"INSERT INTO {self.t.seen} (nid, items) SELECT %s, count(*) FROM {self.t.items}",
                     (nid,))

    @on(Bump)
    def bump(self, curs, e, _nid) -> None:  # a keyed change: waits only for its own row
        self.change(curs, self.t.items, e.id, f"UPDATE {self.t.items} SET n = n + 1 WHERE id = %s",
                    (e.id,))


def tables(view: View) -> tuple[list, list]:
    with view.datastore.transaction() as curs:
        curs.execute(f"SELECT id, names, at, n FROM {view.t.items} ORDER BY id")
        items = [tuple(r.values()) for r in curs.fetchall()]
        curs.execute(f"SELECT nid, items FROM {view.t.seen} ORDER BY nid")
        return items, [tuple(r.values()) for r in curs.fetchall()]


def test_rows_set_aside_are_seen_by_every_later_statement(app):
    a, b, c = (uuid.uuid4() for _ in range(3))
    kolkata = timezone(timedelta(hours=5, minutes=30))
    odd = ['a"b', "c,d", "e\\f", "", "NULL", "{x}", "ञ"]
    events = [Put(a, odd, datetime(2026, 3, 1, 9, 30, tzinfo=kolkata)), Count(), Bump(a),
              Put(b, [], None), Bump(c), Put(c, ["x"], datetime(2026, 3, 2, tzinfo=UTC)),
              Put(a, ["again"], None), Count(), Bump(b), Bump(c)]
    batch = list(enumerate(events, start=1))
    generation = random.randint(10_000, 1_000_000)
    batched = ProbeView(app.recorder.datastore, generation=generation)
    one_by_one = ProbeView(app.recorder.datastore, generation=generation + 1)
    for view in (batched, one_by_one):
        view.drop()
        view.create_table()
    try:
        with batched.datastore.transaction(commit=True) as curs:
            batched.apply_batch(curs, batch, len(batch))
        for nid, event in batch:  # each statement at once, outside any pipeline
            with one_by_one.datastore.transaction(commit=True) as curs:
                one_by_one.apply(curs, event, nid)
        items, seen = tables(batched)
        assert seen == [(2, 1), (8, 3)]  # each count saw every row put before it
        assert (items, seen) == tables(one_by_one)
        by_id = {i[0]: i for i in items}
        assert by_id[a][1:] == (odd, datetime(2026, 3, 1, 4, 0, tzinfo=UTC), 1)  # first put stands
        assert by_id[b][3] == 1 and by_id[c][3] == 1  # Bump(c) before Put(c) found no row
    finally:
        batched.drop()
        one_by_one.drop()
