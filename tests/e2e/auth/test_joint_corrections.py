"""A joint meeting's attendance is corrected by each side for its own people only: a leader
names her current members, so the whole lists she sends must never drop the attendees,
facilitators and speakers of another collective (whom she cannot name, nor see), and
nobody outside the meeting corrects it at all. Real HTTP over the session's world."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from organize import commands as c
from organize.domain import Meeting
from tests.e2e.auth.conftest import call, max_id
from tests.integration import support as h


def _joint_meeting(app, world) -> uuid.UUID:
    a, b = world.a, world.b
    meeting = app.execute(c.ScheduleMeeting(
        command_id=h.cid(), kind="cross_sector", collective_ids=(a.collective, b.collective),
        scheduled_for=datetime(2025, 5, 2, 10, tzinfo=UTC), language="en")).id
    app.execute(c.RecordMeetingHeld(
        command_id=h.cid(), meeting_id=meeting, held_at=datetime(2025, 5, 2, 10, tzinfo=UTC),
        attendee_ids=(a.worker, b.worker, b.worker2), facilitator_ids=(b.worker,),
        speaker_ids=(b.worker2,), language="en"))
    return meeting


async def test_a_leader_corrects_her_own_attendees_and_keeps_the_other_collectives(
        client, app, world, people):
    a, b = world.a, world.b
    meeting = _joint_meeting(app, world)
    body = {"command_id": str(uuid.uuid4()), "meeting_id": str(meeting),
            "attendee_ids": [str(a.worker), str(a.worker2)], "facilitator_ids": [str(a.worker)],
            "speaker_ids": [], "reason": "wrong_person"}
    r = await call(client, "POST", "/api/v1/meetings/correct-attendance", people["leader_a"],
                   json=body)
    assert r.status_code == 200, r.text
    assert str(b.worker) not in r.text and str(b.worker2) not in r.text
    held = app.repository.get(meeting)
    assert isinstance(held, Meeting)
    assert set(held.attendee_ids) == {a.worker, a.worker2, b.worker, b.worker2}
    assert set(held.facilitator_ids) == {a.worker, b.worker}
    assert set(held.speaker_ids) == {b.worker2}
    # A correction that changes nothing of hers changes nothing at all.
    again = {**body, "command_id": str(uuid.uuid4())}
    n = max_id(app)
    r = await call(client, "POST", "/api/v1/meetings/correct-attendance", people["leader_a"],
                   json=again)
    assert r.status_code == 422 and max_id(app) == n


async def test_nobody_outside_a_meeting_corrects_it(client, app, world, people):
    meeting = app.execute(c.ScheduleMeeting(
        command_id=h.cid(), kind="assembly", collective_ids=(world.a.collective,),
        scheduled_for=datetime(2025, 5, 3, 10, tzinfo=UTC), language="en")).id
    app.execute(c.RecordMeetingHeld(
        command_id=h.cid(), meeting_id=meeting, held_at=datetime(2025, 5, 3, 10, tzinfo=UTC),
        attendee_ids=(world.a.worker,), facilitator_ids=(world.a.worker,), language="en"))
    bodies = {
        "correct-attendance": {"attendee_ids": [str(world.b.worker)],
                               "facilitator_ids": [str(world.b.worker)], "reason": "wrong_person"},
        "correct-decisions": {"decisions": ["Strike"], "reason": "came_to_light"},
        "correct": {"kind": "committee", "scheduled_for": "2025-05-03T10:00:00+00:00",
                    "held_at": "2025-05-03T10:00:00+00:00", "reason": "typing_mistake"},
    }
    n = max_id(app)
    for who, expected in (("leader_b", 404), ("researcher", 403)):
        for action, fields in bodies.items():
            body = {"command_id": str(uuid.uuid4()), "meeting_id": str(meeting), **fields}
            r = await call(client, "POST", f"/api/v1/meetings/{action}", people[who], json=body)
            assert r.status_code == expected, (who, action, r.text)
            assert str(world.a.worker) not in r.text
    assert max_id(app) == n
