"""Who ran the command being saved, as a role: set around ``execute`` by the policy
(``organize.application.access.Authorised``), written into the command log by the recorder
(``organize.persistence.recorder``), read back by the history (``organize.application.history``).

A context variable, so the application's ``execute`` signature stays what it is and a
command run by the operator (CLI, demo, erasure) is logged with no role at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ROLE: ContextVar[str | None] = ContextVar("organize_recorded_by_role", default=None)


@contextmanager
def recording_as(role: str | None) -> Iterator[None]:
    token = _ROLE.set(role)
    try:
        yield
    finally:
        _ROLE.reset(token)


def current_role() -> str | None:
    return _ROLE.get()
