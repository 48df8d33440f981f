"""Correction conflicts: corrections made from an older version are merged, never refused.

A leader on a phone that was offline corrects a record from the version she saw; by the time
it arrives, someone else may have corrected it too. ``rebase`` compares both corrections with
the version they were made from: fields only she changed take her value, fields only the
other changed keep theirs, and a field both changed to different values takes hers (the
later one) **and** raises a ``CorrectionConflict`` flag holding both values, saved with the
correction in one transaction. Nothing is lost: the record's history holds every version.

Commands (the flag's record decides its scope):

- ``ResolveGrievanceConflict``: a leader of the grievance's collective has looked at both
  values and settled it (a further correction if the other value should stay);
- ``ResolveMeetingConflict``: the same for a meeting, by a leader of one of its collectives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from organize import commands as c
from organize.application.base import Done, Use, new_id
from organize.application.policy import GRIEVANCE, LEADERS, MEETING, Rule
from organize.domain import Grievance, Meeting
from organize.domain.conflict import CorrectionConflict
from organize.errors import Invalid, NotFound

if TYPE_CHECKING:
    from eventsourcing.domain import Aggregate

    from organize.application import Organize


def _text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):  # ids (who attended, led, spoke): comma-separated
        return ",".join(_text(v) for v in value)
    return "" if value is None else str(value)


def rebase(app: Organize, cls: type[Aggregate], cmd: c.Update, id_field: str,
           proposed: dict[str, Any], read: Callable[[Any], dict[str, Any]]
           ) -> tuple[Any, dict[str, Any], list[str], dict[str, Any]]:
    """The record, the values to apply, the fields in conflict and the values they replace.

    Without ``expected_version``, or at the current version, the proposal stands as it is.
    A version the record never had is refused as stale, as everywhere else."""
    agg = app.load(cls, getattr(cmd, id_field), field=id_field)
    base_version = cmd.expected_version
    if base_version is None or base_version == agg.version:
        return agg, proposed, [], {}
    if not 1 <= base_version < agg.version:
        app.load(cls, agg.id, field=id_field, expected_version=base_version)  # raises: stale
    before, now = read(app.repository.get(agg.id, version=base_version)), read(agg)
    mine = {f for f in proposed if proposed[f] != before[f]}
    merged = {f: proposed[f] if f in mine else now[f] for f in proposed}
    clash = [f for f in proposed if f in mine and now[f] != before[f] and now[f] != proposed[f]]
    return agg, merged, clash, now


def flag(cmd: c.Update, agg: Any, kind: str, collective_ids: tuple[UUID, ...], clash: list[str],
         now: dict[str, Any], merged: dict[str, Any],
         shown: Callable[[Any], str] = _text) -> CorrectionConflict:
    """The flag a conflicting correction raises, its id derived from the command's.
    ``shown`` turns a value into what the flag keeps (never free text)."""
    return CorrectionConflict(
        id=new_id(cmd.command_id, "conflict"), record_id=agg.id, record_kind=kind,
        collective_ids=tuple(collective_ids), fields=tuple(clash),
        overwritten=tuple(shown(now[f]) for f in clash),
        applied=tuple(shown(merged[f]) for f in clash),
        base_version=cmd.expected_version or 0, overwritten_version=agg.version)


def merged_correction(app: Organize, cls: type[Aggregate], cmd: c.Update, id_field: str,
                      fields: tuple[str, ...], kind: str,
                      collectives: Callable[[Any], tuple[UUID, ...]],
                      apply: Callable[[Any, dict[str, Any]], None], *,
                      proposed: dict[str, Any] | None = None,
                      read: Callable[[Any], dict[str, Any]] | None = None,
                      shown: Callable[[Any], str] = _text) -> Done:
    """A correction of ``fields``, rebased onto the record as it is now, with its flag.
    ``proposed`` and ``read`` stand for the command's and a version's values where they are
    not plain attributes (decisions are sealed on the record)."""
    agg, values, clash, now = rebase(
        app, cls, cmd, id_field,
        proposed if proposed is not None else {f: getattr(cmd, f) for f in fields},
        read or (lambda a: {f: getattr(a, f) for f in fields}))
    apply(agg, values)
    if not clash:
        return Done(agg.id, [agg])
    return Done(agg.id, [agg, flag(cmd, agg, kind, collectives(agg), clash, now, values, shown)])


def _resolve(app: Organize, record_id: UUID, conflict_id: UUID) -> Done:
    """The record is in her scope (the policy checked it); a flag that is not one of its own
    is answered as one that does not exist, so its id tells her nothing."""
    try:
        found = app.load(CorrectionConflict, conflict_id, field="conflict_id")
    except NotFound:
        found = None
    if found is None or found.record_id != record_id:
        raise Invalid("This record has no such conflict to resolve.", field="conflict_id",
                      code="no_such_conflict")
    found.resolve()
    return Done(found.id, [found])


def _resolve_grievance_conflict(app: Organize, cmd: c.ResolveGrievanceConflict) -> Done:
    app.exists(Grievance, cmd.grievance_id, field="grievance_id")
    return _resolve(app, cmd.grievance_id, cmd.conflict_id)


def _resolve_meeting_conflict(app: Organize, cmd: c.ResolveMeetingConflict) -> Done:
    app.exists(Meeting, cmd.meeting_id, field="meeting_id")
    return _resolve(app, cmd.meeting_id, cmd.conflict_id)


TABLE: dict[type[c.Command], Use] = {
    c.ResolveGrievanceConflict: Use(_resolve_grievance_conflict, Rule(LEADERS, GRIEVANCE)),
    c.ResolveMeetingConflict: Use(_resolve_meeting_conflict, Rule(LEADERS, MEETING)),
}
