"""A msgspec mapper for stored events.

The stock mapper walks every value through a Python JSON encoder with a registry of
transcodings. Here each event class gets a msgspec ``Struct`` built once from its type
hints, so encoding is one C call and decoding is typed (UUIDs, dates, Decimals, bytes and
value objects come back as themselves) without per-value hooks.

Upcasting keeps working: events are stored with ``class_version`` when it is above 1, and an
older event is decoded loosely, passed through the class's ``upcast_vX_vY`` methods, then
converted to the current shape.
"""

from __future__ import annotations

import typing
from functools import cache, lru_cache
from typing import Any

import msgspec
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

_SKIP = {"originator_id", "originator_version", "originator_id_type"}
_ENCODER = msgspec.json.Encoder(decimal_format="string", uuid_format="canonical")
_LOOSE = msgspec.json.Decoder()


@cache
def state_type(cls: type) -> type[msgspec.Struct]:
    """The msgspec Struct describing the stored state of one event class."""
    hints = typing.get_type_hints(cls)
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for name, hint in hints.items():
        if name in _SKIP or typing.get_origin(hint) is typing.ClassVar:
            continue
        if isinstance(hint, typing.TypeVar):
            hint = Any
        fields.append((name, hint))
    fields.append(("class_version", int, 1))
    return msgspec.defstruct(f"{cls.__name__}State", fields, kw_only=True)


@cache
def _decoder(cls: type) -> msgspec.json.Decoder:
    return msgspec.json.Decoder(state_type(cls))


@lru_cache(maxsize=4096)
def _resolve(topic: str) -> type:
    return resolve_topic(topic)


@lru_cache(maxsize=4096)
def _topic(cls: type) -> str:
    return get_topic(cls)


def _as_dict(struct: msgspec.Struct) -> dict[str, Any]:
    return {f: getattr(struct, f) for f in struct.__struct_fields__}


class MsgspecMapper(Mapper):
    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        cls = type(domain_event)
        state = dict(domain_event.__dict__)
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        data = _ENCODER.encode(state)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=_topic(cls),
            state=data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        cls = _resolve(stored_event.topic)
        data = stored_event.state
        try:
            if self.cipher:
                data = self.cipher.decrypt(data)
            if self.compressor:
                data = self.compressor.decompress(data)
            state = self._decode(cls, data)
        except Exception as e:
            raise MapperDeserialisationError(
                f"Failed to deserialise stored event with topic {stored_event.topic!r} "
                f"at version {stored_event.originator_version}: {e}"
            ) from e
        originator_id = stored_event.originator_id
        if isinstance(originator_id, str):
            from uuid import UUID

            originator_id = UUID(originator_id)
        state["originator_id"] = originator_id
        state["originator_version"] = stored_event.originator_version
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    @staticmethod
    def _decode(cls: type, data: bytes) -> dict[str, Any]:
        current = getattr(cls, "class_version", 1)
        try:
            typed = _decoder(cls).decode(data)
        except msgspec.ValidationError:
            typed = None  # an older shape: fall through to the upcasting path
        if typed is not None and typed.class_version == current:
            state = _as_dict(typed)
            del state["class_version"]
            return state
        loose: dict[str, Any] = _LOOSE.decode(data)
        version = loose.pop("class_version", 1)
        while version < current:
            getattr(cls, f"upcast_v{version}_v{version + 1}")(loose)
            version += 1
        state = _as_dict(msgspec.convert(loose, state_type(cls), strict=False))
        del state["class_version"]
        return state
