"""What every command is made of: the constrained value types of its fields, and the two
bases (``Command``: a client-chosen ``command_id``; ``Update``: an optional
``expected_version``), and ``check``: the limits of every field applied to a command built
in Python, as decoding applies them to one that arrived as JSON."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from organize.errors import Invalid

Name = Annotated[str, Meta(min_length=1, max_length=120)]
ShortText = Annotated[str, Meta(min_length=1, max_length=300)]
Text = Annotated[str, Meta(min_length=1, max_length=2000)]
Code = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{1,47}$", max_length=48)]
Place = Annotated[str, Meta(min_length=1, max_length=64)]
Language = Annotated[str, Meta(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)]
Currency = Annotated[str, Meta(pattern=r"^[A-Z]{3}$")]
Phone = Annotated[str, Meta(pattern=r"^\+?[0-9 ()\-]{3,32}$")]
Purpose = Annotated[
    str,
    Meta(
        pattern=r"^(contact|research|referral:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
        description="`contact`, `research` or `referral:<organisation id>`",
    ),
]
Version = Annotated[int, Meta(ge=1, le=2**31)]
Amount = Annotated[Decimal, Meta(description="A positive amount, as a string, e.g. \"1200.50\"")]
Ids = Annotated[tuple[UUID, ...], Meta(max_length=50)]
SomeIds = Annotated[tuple[UUID, ...], Meta(min_length=1, max_length=50)]
Codes = Annotated[tuple[Code, ...], Meta(max_length=20)]
Places = Annotated[tuple[Place, ...], Meta(max_length=20)]
Languages = Annotated[tuple[Language, ...], Meta(max_length=20)]
TimeZone = Annotated[str, Meta(min_length=1, max_length=64,
                              description="An IANA time zone, e.g. `Asia/Hong_Kong`")]


class Command(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    command_id: UUID


class Update(Command, kw_only=True):
    expected_version: Version | None = None


# Kept as they are by the round trip of ``check``: msgspec takes them back unconverted.
_NATIVE = (UUID, date, datetime, time, Decimal, bytes)


def check(command: Command) -> None:
    """Refuse a command whose fields break their ``Meta`` limits (lengths, patterns, ranges).

    msgspec applies the limits when it decodes, so a command that came as JSON or a form
    has met them, but one built in Python (the command line, an import, the demo) has not.
    The application checks every command here, before its handler runs, with the words the
    API uses for the same fault (``field: what is wrong``); nothing is written.
    """
    try:
        msgspec.convert(msgspec.to_builtins(command, builtin_types=_NATIVE), type(command))
    except msgspec.ValidationError as e:
        detail, _, at = str(e).partition(" - at `$.")
        field = at.removesuffix("`") or None
        raise Invalid(f"{field}: {detail}" if field else detail, field=field,
                      code="invalid_input") from None
