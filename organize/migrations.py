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

A worker's planned departure followed: version 2 of ``Worker.DeparturePlanned`` seals its
day under her key, and ``seal_clear_departures`` rewrites version 1 events the same way.

Collective texts followed (``organize.texts``): version 2 of ``Campaign.Launched``,
``DemandAdded``, ``AgreementSigned`` and ``Closed`` seal a campaign's issue, demands, clauses
and summary under the campaign's key (owned by the collectives it reaches);
``Assessment.Recorded``/``Revised`` a narrative under the collective's own key; and
``Meeting.Cancelled`` a cancellation's reason under the meeting's key. Each is rewritten the
same way; a text whose owners were all erased is dropped. The views that kept them in the
clear are rebuilt at the same startup (their shape changed).

What a rewrite cannot reach: the old event bytes in the write-ahead log, WAL archives and
backups from before the upgrade, still readable with the master key. Destroy those after
upgrading (README, *Privacy at rest*).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def seal_clear_departures(app) -> int:
    """Rewrite version 1 ``DeparturePlanned`` events with her planned departure's day sealed
    under her key (dropped when she was erased before the upgrade). Returns how many."""

    def seal(state: dict, worker_id) -> None:
        day = state.pop("on", None)
        key = app.keys.get(worker_id)
        state["sealed_on"] = (None if key is None or not day else
                              app.sealer.seal_with(key, worker_id, str(day).encode()))
        state["on"] = None

    return _rewrite(app, "seal_planned_departures", get_topic(Worker.DeparturePlanned), seal)


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


def _erased_collectives(app) -> set[UUID]:
    return {UUID(i) for kind, i in app.keys.keyring.erased() if kind == "collective"}


def _sealer(app, subject_id: UUID, owners: tuple[UUID, ...]):
    """Seal text under ``subject_id``'s key, or None (text dropped) when every owner was
    erased or the key was already shredded."""
    erased = _erased_collectives(app)
    if owners and set(owners) <= erased:
        return lambda plain: None
    key = app.keys.get(subject_id)
    if key is None:
        if subject_id in erased:
            return lambda plain: None
        key = app.keys.create(subject_id, owners)
    return lambda plain: app.sealer.seal_with(key, subject_id, plain)


def _reach(campaign) -> tuple[UUID, ...]:
    return tuple(campaign.reach_ids)


def seal_clear_campaign_texts(app) -> int:
    """Rewrite version 1 campaign events with the issue, demands, clauses and summary sealed
    under the campaign's key."""
    from organize.domain import Campaign

    sealers: dict[UUID, Callable] = {}

    def sealer(campaign_id):  # one key look-up per campaign
        if campaign_id not in sealers:
            sealers[campaign_id] = _sealer(app, campaign_id, _reach(app.repository.get(campaign_id)))
        return sealers[campaign_id]

    def launched(state: dict, campaign_id) -> None:
        seal = sealer(campaign_id)
        issue = state.get("issue") or ""
        state["sealed_issue"] = seal(issue.encode()) if issue else None
        state["issue"] = ""
        for demand in state.get("demands") or []:
            text = demand.pop("text", "") or ""
            demand["text"] = ""
            demand["sealed_text"] = seal(text.encode()) if text else None

    def demand_added(state: dict, campaign_id) -> None:
        seal = sealer(campaign_id)
        demand = state["demand"]
        text = demand.pop("text", "") or ""
        demand["text"] = ""
        demand["sealed_text"] = seal(text.encode()) if text else None

    def agreement(state: dict, campaign_id) -> None:
        seal = sealer(campaign_id)
        clauses = state.get("clauses") or []
        state["clause_count"] = len(clauses)
        state["sealed_clauses"] = seal(msgspec.json.encode(tuple(clauses))) if clauses else None
        state["clauses"] = []

    def closed(state: dict, campaign_id) -> None:
        seal = sealer(campaign_id)
        summary = state.get("summary")
        state["sealed_summary"] = seal(summary.encode()) if summary else None
        state["summary"] = None

    return sum(_rewrite(app, f"seal_campaign_texts:{topic.__name__}", get_topic(topic), change)
               for topic, change in ((Campaign.Launched, launched),
                                     (Campaign.DemandAdded, demand_added),
                                     (Campaign.AgreementSigned, agreement),
                                     (Campaign.Closed, closed)))


def seal_clear_narratives(app) -> int:
    """Rewrite version 1 assessment events with the narrative sealed under the collective's
    own key."""
    from organize.domain import Assessment

    def seal(state: dict, assessment_id) -> None:
        narrative = state.get("narrative") or ""
        state["narrative"] = ""
        state["sealed_narrative"] = None
        if narrative:
            collective_id = state.get("collective_id")
            collective_id = (UUID(collective_id) if collective_id else
                             app.repository.get(assessment_id, version=1).collective_id)
            state["sealed_narrative"] = _sealer(app, collective_id, (collective_id,))(
                narrative.encode())

    return sum(_rewrite(app, f"seal_narratives:{topic.__name__}", get_topic(topic), seal)
               for topic in (Assessment.Recorded, Assessment.Revised))


def seal_clear_cancel_reasons(app) -> int:
    """Rewrite version 1 ``Meeting.Cancelled`` events with the reason sealed under the
    meeting's key."""
    from organize.domain import Meeting

    def seal(state: dict, meeting_id) -> None:
        reason = state.get("reason")
        state["reason"] = None
        state["sealed_reason"] = None
        if reason:
            owners = tuple(app.repository.get(meeting_id, version=1).collective_ids)
            state["sealed_reason"] = _sealer(app, meeting_id, owners)(reason.encode())

    return _rewrite(app, "seal_cancel_reasons", get_topic(Meeting.Cancelled), seal)


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
    name = "zone_collectives"
    datastore = app.recorder.datastore
    with datastore.transaction(commit=False) as curs:
        if _done(curs, name):
            return 0
    # Two processes starting at once: the second waits here, then finds it done. The lock is
    # held across the transactions ``app.save`` opens, so it is a session lock.
    with _migrations_lock(datastore):
        return _zone_collectives(app, name)


@contextmanager
def _migrations_lock(datastore) -> Iterator[None]:
    """``MIGRATIONS_LOCK`` held by a connection of its own until the block ends."""
    with datastore.get_connection() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATIONS_LOCK,))
        conn.commit()  # a session lock outlives the transaction; do not sit idle in one
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATIONS_LOCK,))
            conn.commit()


def _zone_collectives(app, name: str) -> int:
    from zoneinfo import ZoneInfo

    from organize.domain import Collective, Meeting
    from organize.time_zones import zone_for_places

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


MIGRATIONS: tuple[Callable[..., int], ...] = (
    seal_clear_occupations, seal_clear_decisions, seal_clear_campaign_texts,
    seal_clear_narratives, seal_clear_cancel_reasons, zone_collectives, seal_clear_departures)


def migrate(app) -> None:
    for migration in MIGRATIONS:
        migration(app)
