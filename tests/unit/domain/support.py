"""Helpers shared by the domain unit tests (this module holds no tests itself).

They state the two promises every aggregate makes: a refused command raises
``DomainError`` with a stable code and field and records nothing, and the events an
aggregate records rebuild it exactly, also after a trip through msgspec JSON the way the
stored-event transcoder encodes them.
"""

import copy
import typing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.domain import Aggregate

from organize.domain import DomainError, load_taxonomy

TAXONOMY = load_taxonomy()
DAY = date(2024, 3, 8)
NOW = datetime(2024, 3, 8, 9, 30, tzinfo=UTC)

_SKIP = {"originator_id", "originator_version", "originator_id_type"}
_ENCODER = msgspec.json.Encoder(decimal_format="string", uuid_format="canonical")


def new_id() -> UUID:
    return uuid4()


@contextmanager
def refused(
    aggregate: Aggregate, code: str, field: str | None = None
) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """The block must raise DomainError(code, field), leaving ``aggregate`` untouched.
    Yields pytest's ExceptionInfo, so a test can read the message afterwards."""
    before = copy.deepcopy(aggregate.__dict__)
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, info.value
    assert info.value.field == field, info.value
    assert info.value.message and info.value.message[-1] in ".?", info.value.message
    assert aggregate.__dict__ == before, "a refused command changed the aggregate"
    assert aggregate.pending_events == before["_pending_events"], "an event was recorded"


@contextmanager
def refused_creation(code: str, field: str | None = None) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """Creation is a classmethod: there is no aggregate to inspect, only the error."""
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, info.value
    assert info.value.field == field, info.value


def replay(events: Sequence[object]) -> Aggregate:
    aggregate = None
    for ev in events:
        aggregate = ev.mutate(aggregate)  # type: ignore[attr-defined]
    assert aggregate is not None
    return aggregate


def assert_replays(aggregate: Aggregate) -> list[object]:
    """Collect the aggregate's pending events (which must be its whole history) and
    check they rebuild it, directly and after a msgspec JSON round trip."""
    events = list(aggregate.collect_events())
    assert events and events[0].originator_version == 1
    assert replay(events) == aggregate
    assert replay([transcode(ev) for ev in events]) == aggregate
    return events


def event_names(events: Sequence[object]) -> list[str]:
    return [type(ev).__name__ for ev in events]


def transcode(ev: object) -> object:
    """Encode an event's state as JSON from its type hints and decode it back, as the
    application's msgspec transcoder does, returning an equal event object."""
    cls = type(ev)
    fields = [
        (name, hint)
        for name, hint in typing.get_type_hints(cls).items()
        if name not in _SKIP and typing.get_origin(hint) is not typing.ClassVar
    ]
    state_type = msgspec.defstruct(f"{cls.__name__}State", fields, kw_only=True)
    state = {k: v for k, v in vars(ev).items() if k not in _SKIP}
    decoded = msgspec.json.Decoder(state_type).decode(_ENCODER.encode(state))
    rebuilt = {f: getattr(decoded, f) for f in decoded.__struct_fields__}
    assert rebuilt == state
    rebuilt["originator_id"] = ev.originator_id  # type: ignore[attr-defined]
    rebuilt["originator_version"] = ev.originator_version  # type: ignore[attr-defined]
    out = object.__new__(cls)
    object.__setattr__(out, "__dict__", rebuilt)
    return out
