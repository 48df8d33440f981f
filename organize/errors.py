"""Errors the application raises at its boundary, each with a field and a message a person
can act on. The web layer maps ``kind`` to an HTTP status; nothing here knows HTTP.
"""

from __future__ import annotations


class CommandError(Exception):
    kind = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class NotFound(CommandError):
    kind = "not_found"


class Forbidden(CommandError):
    """The account's role may not do this at all (``organize.application.policy``). Out of scope is
    ``NotFound`` instead, so that a refusal never confirms that something exists."""

    kind = "forbidden"


class Conflict(CommandError):
    kind = "conflict"


class Invalid(CommandError):
    kind = "invalid"
