"""What every use-case module shares: ids derived from the command id, the ``Done`` a
handler hands back, and ``Use``, one row of a module's table (command → handler, access
rule, and whether the command has an API route).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

import msgspec
from eventsourcing.domain import Aggregate

from organize.application.policy import Rule

if TYPE_CHECKING:
    from organize.application import Organize

# Ids of new aggregates derive from the command id, so even the event store's primary key
# refuses a second creation from the same command.
ID_NAMESPACE = UUID("6f726761-6e69-7a65-8000-000000000001")

Handler = Callable[["Organize", Any], "Done"]


def new_id(command_id: UUID, kind: str) -> UUID:
    return uuid5(ID_NAMESPACE, f"{kind}:{command_id}")


def now() -> datetime:
    return datetime.now(UTC)


class Done(msgspec.Struct):
    """What a handler hands back: the aggregates to save and the primary id."""

    primary: UUID
    aggregates: list[Any]
    before_save: Callable[[], None] | None = None


@dataclass(frozen=True)
class Use:
    """One command of a use-case module: its handler, its access rule, and ``api``: False
    for a command that has no ``/api/v1`` route on purpose (accounts are managed after
    logging in, budgets are spent by the research page)."""

    handler: Handler
    rule: Rule
    api: bool = True


def check_all(app: Organize, cls: type[Aggregate], ids: tuple[UUID, ...], field: str) -> None:
    for i in ids:
        app.exists(cls, i, field=field)
