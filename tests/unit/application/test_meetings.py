"""Meetings' use cases in memory: accepted, refused by the application or the domain, and
refused by the policy (attendees are current members of the meeting's collectives)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from organize import commands as c
from organize.application import meetings
from tests.unit.application.conftest import (
    Case,
    case_tests,
    cid,
)


def _m(w):
    return {"meeting_id": w.meeting, "expected_version": w.version(w.meeting)}


HELD = datetime(2026, 2, 1, 10, tzinfo=UTC)


def _held(w) -> None:
    w.run("app", c.RecordMeetingHeld(command_id=cid(), meeting_id=w.meeting, held_at=HELD,
                                     attendee_ids=(w.w1,), facilitator_ids=(w.w1,),
                                     language="en"))

CASES = {
    c.ScheduleMeeting: Case(
        accept=lambda w: c.ScheduleMeeting(command_id=cid(), kind="committee",
                                           collective_ids=(w.a,), scheduled_for=HELD,
                                           language="en", agenda_grievance_ids=(w.g,),
                                           agenda_campaign_ids=(w.campaign,)),
        by="organiser", event="Scheduled",
        refuse=lambda w: c.ScheduleMeeting(command_id=cid(), kind="no_such_kind",
                                           collective_ids=(w.a,), scheduled_for=HELD,
                                           language="en"),
        code="unknown_code", outsider="leader_b", outsider_error="NotFound"),
    c.RecordMeetingHeld: Case(
        accept=lambda w: c.RecordMeetingHeld(command_id=cid(), held_at=HELD,
                                             attendee_ids=(w.w1, w.w2), facilitator_ids=(w.w1,),
                                             language="en", decisions=("Petition in March",),
                                             **_m(w)),
        by="leader_a", event="Held",
        refuse=lambda w: c.RecordMeetingHeld(command_id=cid(), held_at=HELD,
                                             attendee_ids=(w.w1,), facilitator_ids=(w.w2,),
                                             language="en", **_m(w)),
        code="not_attendee", outsider="researcher", outsider_error="Forbidden"),
    c.CancelMeeting: Case(
        accept=lambda w: c.CancelMeeting(command_id=cid(), reason="Typhoon", **_m(w)),
        by="organiser", event="Cancelled",
        refuse=lambda w: (w.run("app", c.CancelMeeting(command_id=cid(), meeting_id=w.meeting)),
                          c.CancelMeeting(command_id=cid(), **_m(w)))[1],
        code="cancelled", outsider="leader_b", outsider_error="NotFound"),
    c.CorrectMeeting: Case(
        accept=lambda w: c.CorrectMeeting(command_id=cid(), kind="committee",
                                          scheduled_for=HELD, reason="typing_mistake", **_m(w)),
        by="organiser", event="Corrected",
        refuse=lambda w: c.CorrectMeeting(command_id=cid(), kind="assembly", scheduled_for=HELD,
                                          held_at=HELD, reason="typing_mistake", **_m(w)),
        code="meeting_not_held", outsider="leader_b", outsider_error="NotFound"),
    c.CorrectAttendance: Case(
        accept=lambda w: (_held(w), c.CorrectAttendance(
            command_id=cid(), attendee_ids=(w.w1, w.w2), facilitator_ids=(w.w2,),
            reason="wrong_person", **_m(w)))[1],
        by="leader_a", event="AttendanceCorrected",
        refuse=lambda w: c.CorrectAttendance(command_id=cid(), attendee_ids=(w.w1,),
                                             facilitator_ids=(w.w1,), reason="wrong_person",
                                             **_m(w)),
        code="meeting_not_held", outsider="researcher", outsider_error="Forbidden"),
    c.CorrectDecisions: Case(
        accept=lambda w: (_held(w), c.CorrectDecisions(
            command_id=cid(), decisions=("Meet again",), reason="typing_mistake", **_m(w)))[1],
        by="leader_a", event="DecisionsCorrected",
        refuse=lambda w: c.CorrectDecisions(command_id=cid(), decisions=("Meet again",),
                                            reason="typing_mistake", **_m(w)),
        code="meeting_not_held", outsider="leader_b", outsider_error="NotFound"),
}


def test_an_organiser_does_not_correct_decisions_she_cannot_read(world):
    _held(world)
    with pytest.raises(Exception) as refused:
        world.run("organiser", c.CorrectDecisions(
            command_id=cid(), decisions=("Meet again",), reason="typing_mistake", **_m(world)))
    assert type(refused.value).__name__ == "Forbidden"


def test_someone_who_left_cannot_be_recorded_as_attending(world):
    with pytest.raises(Exception) as refused:
        world.run("leader_a", c.RecordMeetingHeld(
            command_id=cid(), held_at=HELD, attendee_ids=(world.former,),
            facilitator_ids=(world.former,), language="en", meeting_id=world.meeting))
    assert type(refused.value).__name__ == "NotFound"


def test_decisions_are_sealed_under_the_meeting_key(world):
    world.run("leader_a", CASES[c.RecordMeetingHeld].accept(world))
    stored = b"".join(bytes(n.state) for n in world.app.recorder.select_notifications(1, 1000))
    assert b"Petition in March" not in stored
    assert world.app.keys.get(world.meeting) is not None


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, meetings.TABLE)
