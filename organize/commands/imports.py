"""Imports' commands (``organize.application.imports``)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from msgspec import Meta

from organize.commands.base import (
    Command,
    Ids,
    SomeIds,
    Update,
)

# Imports ---------------------------------------------------------------------------------

Digest = Annotated[bytes, Meta(min_length=32, max_length=32)]

__all__ = ["Digest", "RecordImportedSubmission", "ReviseImportedSubmission"]


class RecordImportedSubmission(Command, kw_only=True):
    """What one imported row became (``organize.imports``). ``submission_id`` derives from a
    keyed digest of its source id; the source id itself is never sent or stored."""

    submission_id: UUID
    collective_id: UUID
    fingerprint: Digest
    worker_ids: Ids = ()
    grievance_id: UUID | None = None
    spell_ids: Ids = ()
    alias_of: UUID | None = None
    version: Digest | None = None  # a keyed digest of this version's instance id


class ReviseImportedSubmission(Update, kw_only=True):
    submission_id: UUID
    fingerprint: Digest
    worker_ids: SomeIds
    spell_ids: Ids = ()
    version: Digest | None = None
