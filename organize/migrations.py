"""One-time upgrades of stored events that sealing changed, run at startup.

Work spells used to keep their occupation in the clear ("cook for the Wong family"), inside
events encrypted only with the master key, which an erasure does not destroy. Version 2 of
``Worker.SpellStarted`` seals it under the worker's key. This upgrade rewrites each version 1
event in place: it seals the occupation under her key (or drops it when she was already
erased) and stores the event again as version 2. Events are otherwise immutable; this is the
one rewrite, recorded in ``organize_migrations`` so it runs once. Its cost is one decrypt,
seal and update per spell event.

What a rewrite cannot reach: the old event bytes in the write-ahead log, WAL archives and
backups from before the upgrade, still readable with the master key. Destroy those after
upgrading (README, *Privacy at rest*).
"""

from __future__ import annotations

from collections.abc import Callable

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
    name = "seal_spell_occupations"
    datastore = app.recorder.datastore
    with datastore.transaction(commit=False) as curs:
        if _done(curs, name):
            return 0
    table = app.recorder.events_table_name
    mapper = app.mapper
    rewritten = 0
    with datastore.transaction(commit=True) as curs:
        curs.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATIONS_LOCK,))
        if _done(curs, name):
            return 0
        curs.execute(f"SELECT originator_id, originator_version, state FROM {table} "  # noqa: S608 - our table name
                     "WHERE topic = %s", (get_topic(Worker.SpellStarted),))
        for row in curs.fetchall():
            data = bytes(row["state"])
            plain = _unwrap(mapper, data)
            state = msgspec.json.decode(plain)
            if state.get("class_version", 1) >= 2:
                continue
            worker_id = row["originator_id"]
            occupation = state.pop("occupation", None)
            key = app.keys.get(worker_id)  # None once she is erased: the text just goes
            state["sealed_occupation"] = (None if key is None or not occupation else
                                          app.sealer.seal_with(key, worker_id, occupation.encode()))
            state["occupation"] = None
            state["class_version"] = 2
            curs.execute(f"UPDATE {table} SET state = %s WHERE originator_id = %s "  # noqa: S608
                         "AND originator_version = %s",
                         (_wrap(mapper, _ENCODER.encode(state)), worker_id,
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


MIGRATIONS: tuple[Callable[..., int], ...] = (seal_clear_occupations,)


def migrate(app) -> None:
    for migration in MIGRATIONS:
        migration(app)
