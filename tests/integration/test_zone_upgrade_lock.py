"""The upgrade that gave collectives a time zone is safe when two processes start at once:
the second waits on the migrations' advisory lock, then finds it done. Every old meeting is
read again in its zone exactly once, and neither start fails."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from eventsourcing.utils import get_topic

from organize.domain import Collective, Meeting
from organize.runtime import open_runtime

pytestmark = pytest.mark.integration

MEETINGS = 60


def old_world(app) -> list[uuid.UUID]:
    """Collectives and meetings as the code before zones wrote them: no zone, a typed 18:30
    stored as 18:30 UTC."""
    meetings = []
    for i in range(3):
        coll = Collective.create(id=uuid.uuid4(), name=f"Old HK {i}", kind="worker_collective",
                                 sectors=(), places=("HK-KLN",), languages=("en",), federation=None,
                                 taxonomy=app.taxonomy)
        planned = [Meeting.schedule(id=uuid.uuid4(), kind="assembly", collective_ids=(coll.id,),
                                    scheduled_for=datetime(2025, 6, 1, 18, 30, tzinfo=UTC)
                                    + timedelta(days=j), language="en", agenda_grievance_ids=(),
                                    agenda_campaign_ids=(), taxonomy=app.taxonomy)
                   for j in range(MEETINGS // 3)]
        app.save(coll, *planned)
        meetings += [m.id for m in planned]
    with app.recorder.datastore.transaction(commit=True) as curs:
        curs.execute("DELETE FROM organize_migrations WHERE name = 'zone_collectives'")
    return meetings


def test_two_processes_starting_at_once_zone_everything_once(app, settings, database):
    meetings = old_world(app)
    started, failed = [], []
    barrier = threading.Barrier(2)

    def start() -> None:
        barrier.wait()
        try:
            started.append(open_runtime(settings, database))
        except Exception as e:  # noqa: BLE001 - what the other start raised is the finding
            failed.append(e)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert failed == [] and len(started) == 2
        table = app.recorder.events_table_name
        with app.recorder.datastore.transaction(commit=False) as curs:
            curs.execute(f"SELECT originator_id, count(*) AS n FROM {table} WHERE topic = %s "
                         "AND originator_id = ANY(%s) GROUP BY originator_id",
                         (get_topic(Meeting.TimesLocalised), meetings))
            localised = {r["originator_id"]: r["n"] for r in curs.fetchall()}
            curs.execute("SELECT count(*) AS n FROM organize_migrations WHERE name = 'zone_collectives'")
            assert curs.fetchone()["n"] == 1
        assert set(localised) == set(meetings) and set(localised.values()) == {1}
        moved = app.repository.get(meetings[0]).scheduled_for
        assert moved.utcoffset() == timedelta(hours=8) and (moved.hour, moved.minute) == (18, 30)
    finally:
        for rt in started:
            rt.app.close()
