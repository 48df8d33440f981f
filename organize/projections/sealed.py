"""Sealed texts in views: a view stores the sealed bytes of a collective text, never the text.

A campaign's issue and demands, an agreement's clauses and a self-assessment's narrative
arrive in events sealed (``organize.texts``). A view keeps them in its text columns as a
*token*: a marker, then the subject whose key opens it and the sealed bytes, in base64. The
read functions hand the tokens on untouched; the web layer opens every token in what it is
about to show, for that reader, in one key look-up (``organize.persistence.reveal.Revealer.open``). So
a view's tables, and any dump of them, hold nothing an erasure does not destroy.
"""

from __future__ import annotations

import base64
from uuid import UUID

MARK = "\x1esealed:"
LIST_MARK = "\x1esealed-list:"  # opens to several texts (an agreement's clauses)


def token(subject_id: UUID, sealed: bytes | None, clear: str | None = None) -> str | None:
    """The token for a sealed text, or ``clear`` for a text stored before texts were
    sealed (an event not yet upgraded)."""
    if sealed is None:
        return clear
    return MARK + base64.b64encode(subject_id.bytes + bytes(sealed)).decode()


def list_token(subject_id: UUID, sealed: bytes | None, clear: list[str]) -> list[str]:
    """The column value for several texts sealed together: one token in a list."""
    if sealed is None:
        return list(clear)
    return [LIST_MARK + base64.b64encode(subject_id.bytes + bytes(sealed)).decode()]


def parse(value: str) -> tuple[bool, UUID, bytes] | None:
    """``(is_list, subject_id, sealed)`` from a token, or None for any other string."""
    mark = LIST_MARK if value.startswith(LIST_MARK) else MARK if value.startswith(MARK) else None
    if mark is None:
        return None
    try:
        raw = base64.b64decode(value[len(mark) :], validate=True)
    except ValueError:
        return None
    return mark == LIST_MARK, UUID(bytes=raw[:16]), raw[16:]
