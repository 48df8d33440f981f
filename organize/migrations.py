"""One-time upgrades of stored events, run at startup: what sealing changed, and the time
zones collectives gained (``zone_collectives``).

Work spells used to keep their occupation in the clear ("cook for the Wong family"), and
meetings their decisions, inside events encrypted only with the master key, which an
erasure does not destroy. Version 2 of ``Worker.SpellStarted`` seals the occupation under
the worker's key, and version 2 of ``Meeting.Held`` the decisions under the meeting's key
(owned by its collectives). These upgrades rewrite each version 1 event in place, sealed
(or with the text dropped when its key is already gone), as version 2. Events are otherwise
immutable; each rewrite is recorded in ``organize_migrations`` so it runs once. The cost is
one decrypt, seal and update per such event.

What a rewrite cannot reach: the old event bytes in the write-ahead log, WAL archives and
backups from before the upgrade, still readable with the master key. Destroy those after
upgrading (README, *Privacy at rest*).
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import msgspec
import structlog
from eventsourcing.utils import get_topic

from organize.domain import Worker

MIGRATIONS_LOCK = 0x6D6967  # "mig"
_ENCODER = msgspec.json.Encoder(decimal_format="string", uuid_format="canonical")


def _done(curs, name: str) -> bool:
    curs.execute("SELECT 1 FROM organize_migrations WHERE name = %s", (name,))
    return curs.fetchone() is not None


def seal_clear_occupations(app) -> int:
    """Rewrite version 1 ``SpellStarted`` events with the occupation sealed. Returns how many."""

    def seal(state: dict, worker_id) -> None:
        occupation = state.pop("occupation", None)
        key = app.keys.get(worker_id)  # None once she is erased: the text just goes
        state["sealed_occupation"] = (None if key is None or not occupation else
                                      app.sealer.seal_with(key, worker_id, occupation.encode()))
        state["occupation"] = None

    return _rewrite(app, "seal_spell_occupations", get_topic(Worker.SpellStarted), seal)


def seal_clear_decisions(app) -> int:
    """Rewrite version 1 ``Meeting.Held`` events with the decisions sealed."""
    from organize.domain import Meeting

    erased = {UUID(i) for kind, i in app.keys.keyring.erased() if kind == "collective"}

    def seal(state: dict, meeting_id) -> None:
        decisions = state.get("decisions") or []
        state["decision_count"] = len(decisions)
        state["sealed_decisions"] = None
        state["decisions"] = []
        owners = tuple(app.repository.get(meeting_id, version=1).collective_ids)
        if decisions and not set(owners) <= erased:  # all its collectives erased: dropped
            state["sealed_decisions"] = app.sealer.seal(
                meeting_id, msgspec.json.encode(tuple(decisions)), owners)

    return _rewrite(app, "seal_meeting_decisions", get_topic(Meeting.Held), seal)


def _rewrite(app, name: str, topic: str, change) -> int:
    """Rewrite every version 1 event of ``topic`` with ``change(state, originator_id)``."""
    datastore = app.recorder.datastore
    with datastore.transaction(commit=False) as curs:
        if _done(curs, name):
            return 0
    table = app.recorder.events_table_name
    rewritten = 0
    with datastore.transaction(commit=True) as curs:
        curs.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATIONS_LOCK,))
        if _done(curs, name):
            return 0
        curs.execute(f"SELECT originator_id, originator_version, state FROM {table} "  # noqa: S608 - our table name
                     "WHERE topic = %s", (topic,))
        for row in curs.fetchall():
            state = msgspec.json.decode(_unwrap(app.mapper, bytes(row["state"])))
            if state.get("class_version", 1) >= 2:
                continue
            change(state, row["originator_id"])
            state["class_version"] = 2
            curs.execute(f"UPDATE {table} SET state = %s WHERE originator_id = %s "  # noqa: S608
                         "AND originator_version = %s",
                         (_wrap(app.mapper, _ENCODER.encode(state)), row["originator_id"],
                          row["originator_version"]))
            rewritten += 1
        curs.execute("INSERT INTO organize_migrations (name, detail) VALUES (%s, %s)",
                     (name, f"{rewritten} events rewritten"))
    if rewritten:
        structlog.get_logger(__name__).info("migration", name=name, rewritten=rewritten)
    return rewritten


def _unwrap(mapper, data: bytes) -> bytes:
    if mapper.cipher:
        data = mapper.cipher.decrypt(data)
    if mapper.compressor:
        data = mapper.compressor.decompress(data)
    return data


def _wrap(mapper, data: bytes) -> bytes:
    if mapper.compressor:
        data = mapper.compressor.compress(data)
    if mapper.cipher:
        data = mapper.cipher.encrypt(data)
    return data


def zone_collectives(app) -> int:
    """Give every collective created before time zones existed its zone (from the country of
    its places, else UTC marked ``default``), and read its meetings' typed times again in
    that zone: they were stored as if typed in UTC. New events, nothing rewritten; run once.
    A meeting follows its first collective (the one that planned it). Returns how many
    aggregates changed."""
    from zoneinfo import ZoneInfo

    from organize.domain import Collective, Meeting
    from organize.time_zones import zone_for_places

    name = "zone_collectives"
    datastore = app.recorder.datastore
    table = app.recorder.events_table_name
    with datastore.transaction(commit=False) as curs:
        if _done(curs, name):
            return 0
        found: dict[str, list] = {}
        for topic in (get_topic(Collective.Created), get_topic(Meeting.Scheduled)):
            curs.execute(f"SELECT originator_id FROM {table} WHERE topic = %s "  # noqa: S608
                         "ORDER BY originator_id", (topic,))
            found[topic] = [row["originator_id"] for row in curs.fetchall()]
    zones: dict = {}
    changed = []
    for collective_id in found[get_topic(Collective.Created)]:
        collective = app.repository.get(collective_id)
        if collective.time_zone is None:
            collective.set_time_zone(*zone_for_places(tuple(collective.places)))
            zones[collective.id] = ZoneInfo(collective.time_zone)
            changed.append(collective)
    for meeting_id in found[get_topic(Meeting.Scheduled)]:
        meeting = app.repository.get(meeting_id)
        zone = zones.get(meeting.collective_ids[0])
        if zone is not None:
            meeting.localise_times(zone)
            if meeting.pending_events:
                changed.append(meeting)
    for start in range(0, len(changed), 200):
        app.save(*changed[start:start + 200])
    with datastore.transaction(commit=True) as curs:
        curs.execute("INSERT INTO organize_migrations (name, detail) VALUES (%s, %s) "
                     "ON CONFLICT DO NOTHING", (name, f"{len(changed)} aggregates zoned"))
    if changed:
        structlog.get_logger(__name__).info("migration", name=name, changed=len(changed))
    return len(changed)


MIGRATIONS: tuple[Callable[..., int], ...] = (seal_clear_occupations, seal_clear_decisions,
                                              zone_collectives)


def migrate(app) -> None:
    for migration in MIGRATIONS:
        migration(app)
