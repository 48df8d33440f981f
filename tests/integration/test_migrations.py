"""An existing store upgrades in place: spells recorded with their occupation in the clear
(version 1 events) are rewritten sealed under the worker's key, and erasure then reaches
them like any other sealed field."""

from __future__ import annotations

import uuid
from datetime import date

import msgspec
import pytest
from eventsourcing.utils import get_topic

from organize import commands as c
from organize.application.reading import ERASED, worker_view
from organize.domain import Worker
from organize.migrations import seal_clear_occupations
from tests.integration import support as h

pytestmark = pytest.mark.integration


def _spell_states(app, worker_id) -> list[dict]:
    table = app.recorder.events_table_name
    with app.recorder.datastore.transaction() as curs:
        curs.execute(f"SELECT state FROM {table} WHERE originator_id = %s AND topic = %s",
                     (worker_id, get_topic(Worker.SpellStarted)))
        return [msgspec.json.decode(app.mapper.cipher.decrypt(bytes(r["state"])))
                for r in curs.fetchall()]


def _as_version_1(app, worker_id, occupation: str) -> None:
    """Store her spell event the way releases before sealing did."""
    table = app.recorder.events_table_name
    with app.recorder.datastore.transaction(commit=True) as curs:
        curs.execute(f"SELECT originator_version, state FROM {table} WHERE originator_id = %s "
                     "AND topic = %s", (worker_id, get_topic(Worker.SpellStarted)))
        for row in curs.fetchall():
            state = msgspec.json.decode(app.mapper.cipher.decrypt(bytes(row["state"])))
            del state["sealed_occupation"], state["class_version"]
            state["occupation"] = occupation
            curs.execute(f"UPDATE {table} SET state = %s WHERE originator_id = %s AND "
                         "originator_version = %s",
                         (app.mapper.cipher.encrypt(msgspec.json.encode(state)), worker_id,
                          row["originator_version"]))
        curs.execute("DELETE FROM organize_migrations WHERE name = 'seal_spell_occupations'")


def _spell(app, worker_id) -> None:
    app.execute(c.StartSpell(command_id=h.cid(), worker_id=worker_id, sector="domestic_care",
                             occupation="placeholder", place="HK",
                             relationship="direct_employer", paid=True,
                             started_on=date(2024, 1, 1)))


def test_clear_occupations_are_sealed_in_place_and_erasure_reaches_them(app):
    tag = uuid.uuid4().hex[:8]
    kept, erased = (app.execute(h.register_worker(pseudonym=f"P{i}{tag}")).id for i in (1, 2))
    for worker in (kept, erased):
        _spell(app, worker)
    new_state = _spell_states(app, kept)[0]
    assert new_state["occupation"] is None and new_state["sealed_occupation"]
    assert "placeholder" not in msgspec.json.encode(new_state).decode()

    _as_version_1(app, kept, f"Cook for the Wong family {tag}")
    _as_version_1(app, erased, f"Nanny at the Lee house {tag}")
    # An older release's event still reads (upcast): the text is in the clear.
    assert [s.occupation for s in worker_view(app, app.get(Worker, kept)).spells] == [
        f"Cook for the Wong family {tag}"]
    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=erased))  # erased before upgrading

    assert seal_clear_occupations(app) >= 2
    assert seal_clear_occupations(app) == 0  # once
    for worker in (kept, erased):
        states = _spell_states(app, worker)
        assert all(s["class_version"] == 2 and s["occupation"] is None for s in states)
        assert tag not in msgspec.json.encode(states).decode()
    assert _spell_states(app, erased)[0]["sealed_occupation"] is None
    assert [s.occupation for s in worker_view(app, app.get(Worker, kept)).spells] == [
        f"Cook for the Wong family {tag}"]

    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=kept))
    assert [s.occupation for s in worker_view(app, app.get(Worker, kept, )).spells] == [ERASED]
    sealed = _spell_states(app, kept)[0]["sealed_occupation"]
    assert sealed and app.keys.get(kept) is None


def test_clear_decisions_are_sealed_in_place_under_the_meetings_key(app):
    from datetime import UTC, datetime

    from organize.application.reading import meeting_decisions
    from organize.domain import Meeting
    from organize.migrations import seal_clear_decisions

    tag = uuid.uuid4().hex[:8]
    collective = app.execute(h.create_collective()).id
    worker = app.execute(h.register_worker(collective)).id
    meeting = app.execute(c.ScheduleMeeting(command_id=h.cid(), kind="assembly",
                                            collective_ids=(collective,),
                                            scheduled_for=datetime(2025, 6, 3, tzinfo=UTC),
                                            language="en")).id
    app.execute(c.RecordMeetingHeld(command_id=h.cid(), meeting_id=meeting,
                                    held_at=datetime(2025, 6, 3, tzinfo=UTC),
                                    attendee_ids=(worker,), facilitator_ids=(worker,),
                                    language="en", decisions=("placeholder",)))
    table = app.recorder.events_table_name
    topic = get_topic(Meeting.Held)
    with app.recorder.datastore.transaction(commit=True) as curs:  # as an older release wrote it
        curs.execute(f"SELECT originator_version, state FROM {table} WHERE originator_id = %s "
                     "AND topic = %s", (meeting, topic))
        row = curs.fetchone()
        state = msgspec.json.decode(app.mapper.cipher.decrypt(bytes(row["state"])))
        for k in ("sealed_decisions", "decision_count", "class_version"):
            del state[k]
        state["decisions"] = [f"Ask Mrs Chan {tag}", f"Meet again {tag}"]
        curs.execute(f"UPDATE {table} SET state = %s WHERE originator_id = %s AND "
                     "originator_version = %s", (app.mapper.cipher.encrypt(
                         msgspec.json.encode(state)), meeting, row["originator_version"]))
        curs.execute("DELETE FROM organize_migrations WHERE name = 'seal_meeting_decisions'")
    old = app.get(Meeting, meeting)
    assert old.decision_count == 2 and meeting_decisions(app, old)[0] == f"Ask Mrs Chan {tag}"

    assert seal_clear_decisions(app) >= 1
    with app.recorder.datastore.transaction() as curs:
        curs.execute(f"SELECT state FROM {table} WHERE originator_id = %s AND topic = %s",
                     (meeting, topic))
        plain = app.mapper.cipher.decrypt(bytes(curs.fetchone()["state"]))
    assert tag.encode() not in plain
    new = app.get(Meeting, meeting)
    assert new.decisions == () and new.decision_count == 2
    assert meeting_decisions(app, new) == (f"Ask Mrs Chan {tag}", f"Meet again {tag}")


def test_clear_departures_are_sealed_in_place_and_erasure_reaches_them(app):
    from organize.application.reading import departure_of
    from organize.migrations import seal_clear_departures

    table = app.recorder.events_table_name
    topic = get_topic(Worker.DeparturePlanned)
    kept, erased = (app.execute(h.register_worker(pseudonym=f"D{i}")).id for i in (1, 2))
    days = {kept: date(2031, 3, 14), erased: date(2031, 9, 2)}
    for worker, day in days.items():
        app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=worker, leaves_on=day))

    def states(worker) -> list[dict]:
        with app.recorder.datastore.transaction() as curs:
            curs.execute(f"SELECT state FROM {table} WHERE originator_id = %s AND topic = %s",
                         (worker, topic))
            return [msgspec.json.decode(app.mapper.cipher.decrypt(bytes(r["state"])))
                    for r in curs.fetchall()]

    assert all(s["on"] is None and s["sealed_on"] for w in days for s in states(w))
    # As releases before sealing stored them: the day in the clear, version 1.
    with app.recorder.datastore.transaction(commit=True) as curs:
        for worker, day in days.items():
            state = states(worker)[0]
            del state["sealed_on"], state["class_version"]
            state["on"] = day.isoformat()
            curs.execute(f"UPDATE {table} SET state = %s WHERE originator_id = %s AND topic = %s",
                         (app.mapper.cipher.encrypt(msgspec.json.encode(state)), worker, topic))
        curs.execute("DELETE FROM organize_migrations WHERE name = 'seal_planned_departures'")
    assert departure_of(app, app.get(Worker, kept)) == days[kept]  # an old event still reads
    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=erased))  # erased before upgrading

    assert seal_clear_departures(app) >= 2
    assert seal_clear_departures(app) == 0  # once
    for worker, day in days.items():
        assert all(s["class_version"] == 2 and s["on"] is None for s in states(worker))
        assert day.isoformat() not in msgspec.json.encode(states(worker)).decode()
    assert states(erased)[0]["sealed_on"] is None
    assert departure_of(app, app.get(Worker, kept)) == days[kept]
    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=kept))
    assert departure_of(app, app.get(Worker, kept)) is None and states(kept)[0]["sealed_on"]
