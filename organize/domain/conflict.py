"""A correction conflict: two corrections of one record, made from the same version, that
changed the same field. The later one is applied (nothing waits on a phone that was offline),
and this flag keeps both values in view until a leader has looked at them.

Corrections of *different* fields made from one version are merged and raise no flag; facts
that only add (a new grievance, an attendance, a note, a consent) never conflict. The values
kept here are codes, places, days and times, never free text: a description or a decision
lives sealed on its record, and the record's history shows every version of it.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.errors import DomainError

RECORD_KINDS = ("grievance", "meeting")


class CorrectionConflict(Aggregate):
    """Flagged when a correction overwrote a field someone else had corrected since the
    version it was made from; resolved when a leader has chosen what stays."""

    @event("Flagged")
    def __init__(self, id: UUID, record_id: UUID, record_kind: str, collective_ids: tuple[UUID, ...],
                 fields: tuple[str, ...], overwritten: tuple[str, ...], applied: tuple[str, ...],
                 base_version: int, overwritten_version: int) -> None:
        if record_kind not in RECORD_KINDS:
            raise DomainError("Unknown kind of record.", code="unknown_code")
        if not fields or not (len(fields) == len(overwritten) == len(applied)):
            raise DomainError("A conflict names each field with both values.", code="invalid")
        del id  # the aggregate's id, derived from the command's (eventsourcing keeps it)
        self.record_id = record_id
        self.record_kind = record_kind
        self.collective_ids = tuple(collective_ids)
        self.fields = tuple(fields)
        self.overwritten = tuple(overwritten)
        self.applied = tuple(applied)
        self.base_version = base_version
        self.overwritten_version = overwritten_version
        self.resolved = False

    def resolve(self) -> None:
        if self.resolved:
            raise DomainError("This conflict was already resolved.", code="already_resolved")
        self._resolved()

    @event("Resolved")
    def _resolved(self) -> None:
        self.resolved = True
