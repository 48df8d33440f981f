"""A record's history: what changed, when, by which kind of account; an application read.

Every record page (grievance, worker, meeting, campaign) and ``GET /api/v1/<area>/<id>/history``
read it through here, with the same ``organize.application.access.Authorised`` application they use for
the record itself: ``load`` answers "not found" for a record out of scope, and the account's
``Visibility`` decides which events it may see. Pages never read the event store themselves.

What an entry says, and what it never says:

- *What*: the event's name, the names of the fields it set, and the codes among them (a
  category, a sector, an outcome: taxonomy codes, never free text). Values of personal fields
  and free text are never in the history; the record page shows what the reader may open.
- *Erased*: fields sealed under a key that has been destroyed (crypto-shredding) are named as
  erased, so a reader sees that something was there and is gone, not what it was.
- *When*: the moment it was recorded, in the collective's time zone (``local_time``).
- *By*: the role of the account that ran the command (``leader``, ``organiser``, ``admin``),
  joined from the command log (``organize.provenance``); ``None`` for the operator's CLI, the
  demo and records older than roles in the log. The account itself is never logged, so no
  page can name which person did it: a seized server must not tell which leader recorded what.
- *Kind*: ``correction`` (details changed afterwards: a profile update, a rename, a revision,
  or any ``Correct…`` command), ``withdrawal``, ``erasure``, or ``change``.

A worker is shown as far as the reader may see her: a collective she left sees what was
recorded up to her leaving it, and nobody sees events about a collective outside scope.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from organize.domain import Campaign, Grievance, Meeting, Worker

ERASED = "erased"
CHANGE, CORRECTION, WITHDRAWAL, ERASURE = "change", "correction", "withdrawal", "erasure"
_CORRECTING_EVENTS = frozenset({"ProfileUpdated", "Renamed", "Revised"})
_NOT_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
# Fields whose values are taxonomy codes, safe to show to anyone who may read the record.
CODED = {
    "category": "categories",
    "sector": "sectors",
    "stage": "stages",
    "outcome": "outcomes",
    "target": "escalation_targets",
}
# Aggregates whose sealed fields are opened with the aggregate's own key (organize.application.reading).
_OWN_KEY = (Worker, Grievance, Meeting)
_LOOK_UP = object()  # no key given: look it up


class Entry(msgspec.Struct, kw_only=True):
    version: int
    event: str
    kind: str
    recorded_at: datetime
    zone: str
    role: str | None
    fields: tuple[str, ...]
    codes: tuple[tuple[str, str, str], ...]  # (field, vocabulary, code)
    erased: tuple[str, ...]


def local_time(at: datetime, collective: Any | None = None) -> tuple[datetime, str]:
    """The one rule for "when", in the collective's time zone, with the zone's name.

    A collective without a (known) zone is shown in UTC, labelled as such."""
    name = getattr(collective, "time_zone", None) or getattr(collective, "timezone", None)
    try:
        zone = ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None:
        return at.astimezone(UTC), "UTC"
    return at.astimezone(zone), str(name)


def kind_of(event_name: str, command_type: str | None) -> str:
    command = command_type or ""
    if event_name == "Erased":
        return ERASURE
    if "Withdrawn" in event_name or command.startswith("Withdraw"):
        return WITHDRAWAL
    if (
        event_name in _CORRECTING_EVENTS
        or event_name.startswith("Correct")
        or "Corrected" in event_name
        or command.startswith("Correct")
    ):
        return CORRECTION
    return CHANGE


def _commands(app: Any, aggregate_id: UUID) -> dict[int, tuple[str | None, str | None]]:
    """For each version of the aggregate: (role, command type) from the command log."""
    recorder = app.recorder
    sql = (
        "SELECT e.originator_version AS version, c.recorded_by_role AS role,"
        " c.command_type AS command"
        f" FROM {recorder.events_table_name} e LEFT JOIN LATERAL ("
        "  SELECT recorded_by_role, command_type, first_notification_id FROM organize_commands"
        "  WHERE last_notification_id >= e.notification_id"
        "  ORDER BY last_notification_id LIMIT 1) c"
        # Commands' id ranges never overlap (the insert lock serialises them), so the first
        # command ending at or after the event is the only candidate: one index probe.
        " ON c.first_notification_id <= e.notification_id"
        " WHERE e.originator_id = %s"
    )
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(sql, (aggregate_id,))
        return {r["version"]: (r["role"], r["command"]) for r in curs.fetchall()}


def _seen(app: Any) -> Any:
    seen = getattr(app, "visibility", None)
    return None if seen is None or seen.everything else seen


def _visible(seen: Any, agg: Any, event: Any, until: int | None) -> bool:
    """Whether this account may see that this event happened."""
    if seen is None:
        return True
    if until is not None and event.originator_version > until:
        return False
    collective_id = getattr(event, "collective_id", None)
    if isinstance(collective_id, UUID):
        if isinstance(agg, Campaign):
            return seen.nameable_collective(collective_id, agg)
        return seen.collective(collective_id)
    return True


def _until(seen: Any, agg: Any, events: list[Any]) -> int | None:
    """For a worker who left the account's collectives: the version at which the last of
    them recorded her leaving. What came after is not theirs to see."""
    if seen is None or not isinstance(agg, Worker) or seen.member(agg):
        return None
    left = [
        e.originator_version
        for e in events
        if type(e).__name__ == "LeftCollective" and seen.collective(e.collective_id)
    ]
    return max(left, default=0)


def record_history(
    app: Any, cls: type, aggregate_id: UUID, *, field: str = "id", collective: Any | None = None,
    loaded: Any | None = None, events: list | None = None, key: Any = _LOOK_UP,
) -> list[Entry]:
    """The history of one record as this account may see it, oldest first. ``loaded``: the
    record as the page already loaded it through this same ``app`` (its scope checked), so
    its events are not replayed twice; ``events``: the stored events it was loaded from
    (``load(..., events=...)``), so they are not read twice; ``key``: its data key, if the
    page already fetched it (``None`` when it is gone)."""
    # NotFound when out of scope
    agg = loaded if loaded is not None else app.load(cls, aggregate_id, field=field)
    seen = _seen(app)
    if not (events and events[0].originator_version == 1
            and events[-1].originator_version == agg.version):  # not given, or not all
        events = list(app.repository.event_store.get(agg.id))
    until = _until(seen, agg, events)
    if isinstance(agg, _OWN_KEY):
        key_gone = (app.keys.get(agg.id) if key is _LOOK_UP else key) is None
    else:
        key_gone = False
    commands = _commands(app, agg.id)
    entries = []
    for event in events:
        if not _visible(seen, agg, event, until):
            continue
        name = type(event).__name__
        fields, codes, erased = [], [], []
        for attr, value in vars(event).items():
            if attr in _NOT_FIELDS or value is None:
                continue
            plain = attr.removeprefix("sealed_")
            fields.append(plain)
            if attr in CODED and isinstance(value, str):
                codes.append((attr, CODED[attr], value))
            if key_gone and isinstance(value, bytes):
                erased.append(plain)
        role, command = commands.get(event.originator_version, (None, None))
        at, zone = local_time(event.timestamp, collective)
        entries.append(
            Entry(
                version=event.originator_version,
                event=name,
                kind=kind_of(name, command),
                recorded_at=at,
                zone=zone,
                role=role,
                fields=tuple(fields),
                codes=tuple(codes),
                erased=tuple(erased),
            )
        )
    return entries


__all__ = ["ERASED", "Entry", "kind_of", "local_time", "record_history"]
