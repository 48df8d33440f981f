"""Opening the sealed texts of a read's answer: found in its JSON, replaced by a walk that
passes by what cannot hold a text (numbers, dates, ids, and fields declared as such), with
the same answer as opening every string."""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec

from organize.persistence.keys import Sealer
from organize.persistence.reveal import ERASED, opened_with
from organize.projections import sealed


class Keys:
    def __init__(self) -> None:
        self.keys: dict[UUID, bytes] = {}

    def seal(self, subject: UUID, text: str | list[str]) -> str | list[str]:
        key = self.keys.setdefault(subject, os.urandom(32))
        if isinstance(text, list):
            plain = msgspec.json.encode(tuple(text))
            return sealed.list_token(subject, Sealer.seal_with(key, subject, plain), [])
        return sealed.token(subject, Sealer.seal_with(key, subject, text.encode()))

    def get_many(self, subjects: list[UUID]) -> dict[UUID, bytes]:
        return {s: self.keys[s] for s in subjects if s in self.keys}


class Week(msgspec.Struct, frozen=True):
    week: date
    level: int


class Row(msgspec.Struct, frozen=True):
    id: UUID
    count: int
    amount: Decimal | None
    title: str
    issue: str | None
    demands: list[str]
    weeks: list[Week]
    loose: Any
    by_day: dict[date, str]


class Page(msgspec.Struct, frozen=True):
    at: datetime
    rows: list[Row]
    one: Row | None
    texts: tuple[str, ...]


def _row(keys: Keys, subject: UUID, n: int, sealed_texts: bool) -> Row:
    def text(words: str) -> Any:
        return keys.seal(subject, words) if sealed_texts else words

    return Row(id=uuid4(), count=n, amount=Decimal(n), title=f"row {n}", issue=text(f"issue {n}"),
               demands=keys.seal(subject, [f"a{n}", f"b{n}"]) if sealed_texts else [f"a{n}", f"b{n}"],
               weeks=[Week(date(2026, 1, 1 + w), w) for w in range(3)],
               loose={"deep": [text(f"loose {n}"), 7]}, by_day={date(2026, 2, n): text(f"day {n}")})


def test_every_token_is_opened_where_it_sits_and_nothing_else_changes():
    keys, subject, gone = Keys(), uuid4(), uuid4()
    found = Page(at=datetime(2026, 1, 1), rows=[_row(keys, subject, n, True) for n in (1, 2)],
                 one=_row(keys, subject, 3, True), texts=(keys.seal(subject, "first"), "plain"))
    erased = keys.seal(gone, "shredded")
    keys.keys.pop(gone)
    found = msgspec.structs.replace(found, texts=(*found.texts, erased))
    expected = Page(at=found.at, rows=[_row(keys, subject, n, False) for n in (1, 2)],
                    one=_row(keys, subject, 3, False), texts=("first", "plain", ERASED))
    opened = opened_with(keys, found)
    for got, want in zip([*opened.rows, opened.one], [*expected.rows, expected.one], strict=True):
        assert msgspec.structs.replace(got, id=want.id) == want
    assert opened.texts == expected.texts
    assert opened.at == found.at


def test_a_token_as_a_dict_key_is_left_as_it_is():
    keys, subject = Keys(), uuid4()
    token = keys.seal(subject, "key")
    assert opened_with(keys, {token: 1}) == {token: 1}
    assert opened_with(keys, {"k": [token]}) == {"k": ["key"]}


def test_an_answer_json_cannot_hold_is_walked():
    keys, subject = Keys(), uuid4()
    token = keys.seal(subject, "inside")
    assert opened_with(keys, [object, {"x": token}])[1] == {"x": "inside"}
