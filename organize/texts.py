"""Collective texts: sealing them before they enter an event, opening them for a reader.

A campaign's issue, demands, agreement clauses and closing summary, a self-assessment's
narrative and a meeting's decisions and cancellation reason belong to collectives, and can
name or describe a person (a household employer, a worker who spoke up). Each is sealed
before it reaches the domain:

- a campaign's texts under the **campaign's key**, owned by every collective it reaches
  (joined or invited, whatever its answer: the texts were shown to it; a collective that
  joins later becomes an owner too);
- a meeting's decisions and cancellation reason under the **meeting's key**, owned by its
  collectives;
- a narrative under the **collective's own key** (subject: the collective's id).

``erase-collective`` removes the collective from every key's owners and shreds the keys
left with none, and its own key (``KeyStore.shred_for_collective``): what it shared with
another collective stays theirs, everything else becomes unreadable. Views keep the sealed
bytes only (``organize.projections.sealed``) and pages open them at read time
(``organize.persistence.reveal``); an aggregate's read-back opens them in ``organize.application.reading``.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import msgspec


def seal_text(app, subject_id: UUID, text: str, owners: Sequence[UUID]) -> bytes:
    return app.sealer.seal(subject_id, text.encode(), tuple(owners))


def seal_texts(app, subject_id: UUID, texts: Sequence[str], owners: Sequence[UUID]) -> bytes:
    """Several texts under one seal (a JSON list): decisions, clauses."""
    return app.sealer.seal(subject_id, msgspec.json.encode(tuple(texts)), tuple(owners))


def seal_many(app, subject_id: UUID, texts: Sequence[str], owners: Sequence[UUID]) -> list[bytes]:
    """Each text sealed on its own under one key: one key look-up for them all."""
    key = app.keys.get(subject_id) or app.keys.create(subject_id, tuple(owners))
    return [app.sealer.seal_with(key, subject_id, t.encode()) for t in texts]
