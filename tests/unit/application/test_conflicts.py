"""Correction conflicts in memory: two corrections made from one version are merged when they
changed different fields; when they changed the same field, the later one is applied and a
flag keeps both values, which a leader of the record's collective resolves. Neither value is
lost: the flag holds both, and the record's history holds every version."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from organize import commands as c
from organize.application import conflicts, new_id
from organize.domain.conflict import CorrectionConflict
from tests.unit.application.conftest import (
    Case,
    case_tests,
    cid,
)

DAY = date(2026, 1, 5)
LATER = datetime(2026, 2, 3, 10, tzinfo=UTC)


def correct_g(w, base: int, **changed):
    fields = dict(category="wages_unpaid_late", sector="domestic_care", place="HK",
                  stage="destination", occurred_on=DAY, reason="typing_mistake")
    return c.CorrectGrievance(command_id=cid(), grievance_id=w.g, expected_version=base,
                              **{**fields, **changed})


def correct_m(w, base: int, **changed):
    fields = dict(kind="assembly", scheduled_for=datetime(2026, 2, 1, 10, tzinfo=UTC),
                  reason="typing_mistake")
    return c.CorrectMeeting(command_id=cid(), meeting_id=w.meeting, expected_version=base,
                            **{**fields, **changed})


def clash_g(w) -> tuple:
    """Two leaders correct the grievance's category from the same version."""
    base = w.version(w.g)
    w.run("leader_a", correct_g(w, base, category="pay_below_rate"))
    second = correct_g(w, base, category="illegal_deductions")
    return second, new_id(second.command_id, "conflict")


def flagged_g(w):
    second, flag_id = clash_g(w)
    w.run("leader_a", second)
    return flag_id


def flagged_m(w):
    base = w.version(w.meeting)
    w.run("leader_a", correct_m(w, base, kind="committee"))
    second = correct_m(w, base, kind="training")
    w.run("organiser", second)
    return new_id(second.command_id, "conflict")


def test_the_same_field_corrected_twice_from_one_version_is_applied_and_flagged(world):
    second, flag_id = clash_g(world)
    result = world.run("leader_a", second)
    assert set(result.ids) == {world.g, flag_id}
    assert world.get(world.g).category == "illegal_deductions"
    flag = world.get(flag_id)
    assert isinstance(flag, CorrectionConflict) and not flag.resolved
    assert flag.fields == ("category",)
    assert flag.overwritten == ("pay_below_rate",) and flag.applied == ("illegal_deductions",)
    assert flag.collective_ids == (world.a,) and flag.record_id == world.g
    assert world.run("leader_a", second).replayed  # a replay records nothing twice


def test_different_fields_from_one_version_are_merged_without_a_flag(world):
    base = world.version(world.g)
    world.run("leader_a", correct_g(world, base, category="pay_below_rate"))
    second = correct_g(world, base, place="SG")
    result = world.run("leader_a", second)
    grievance = world.get(world.g)
    assert (grievance.category, grievance.place) == ("pay_below_rate", "SG")  # both kept
    assert result.ids == (world.g,)


def test_a_meeting_correction_from_an_old_version_is_flagged_too(world):
    flag_id = flagged_m(world)
    assert world.get(world.meeting).kind == "training"
    flag = world.get(flag_id)
    assert flag.fields == ("kind",) and (flag.overwritten, flag.applied) == (
        ("committee",), ("training",))


def test_a_version_the_record_never_had_is_still_stale(world):
    head = world.head()
    with pytest.raises(Exception) as refused:
        world.run("leader_a", correct_g(world, world.version(world.g) + 5, category="pay_below_rate"))
    assert refused.value.code == "stale_version" and world.head() == head


def test_a_flag_is_resolved_only_through_its_own_record(world):
    flag_id = flagged_g(world)
    head = world.head()
    with pytest.raises(Exception) as refused:  # named through another grievance of hers
        world.run("admin", c.ResolveGrievanceConflict(command_id=cid(), grievance_id=world.gb,
                                                      conflict_id=flag_id))
    assert refused.value.code == "no_such_conflict" and world.head() == head


def test_the_use_cases_are_merged_into_the_application():
    from organize.application import USES
    assert set(conflicts.TABLE) <= set(USES)


CASES = {
    c.ResolveGrievanceConflict: Case(
        accept=lambda w: c.ResolveGrievanceConflict(command_id=cid(), grievance_id=w.g,
                                                    conflict_id=flagged_g(w)),
        by="leader_a", event="Resolved",
        refuse=lambda w: (lambda f: (w.run("leader_a", c.ResolveGrievanceConflict(
            command_id=cid(), grievance_id=w.g, conflict_id=f)), c.ResolveGrievanceConflict(
            command_id=cid(), grievance_id=w.g, conflict_id=f))[1])(flagged_g(w)),
        code="already_resolved", outsider="leader_b", outsider_error="NotFound"),
    c.ResolveMeetingConflict: Case(
        accept=lambda w: c.ResolveMeetingConflict(command_id=cid(), meeting_id=w.meeting,
                                                  conflict_id=flagged_m(w)),
        by="leader_a", event="Resolved",
        refuse=lambda w: c.ResolveMeetingConflict(command_id=cid(), meeting_id=w.meeting,
                                                  conflict_id=w.g),
        code="no_such_conflict", outsider="organiser", outsider_error="Forbidden"),
}


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, conflicts.TABLE)


# -- attendance and decisions: merged the same way ----------------------------------------------


def held(w) -> int:
    """The meeting held (w1 and w2 came, w1 led, two decisions); its version then."""
    w.run("leader_a", c.RecordMeetingHeld(
        command_id=cid(), meeting_id=w.meeting, held_at=LATER, attendee_ids=(w.w1, w.w2),
        facilitator_ids=(w.w1,), language="en", decisions=("Meet monthly", "Ask for pay slips")))
    return w.version(w.meeting)


def attendance(w, base: int, attendees, facilitators, speakers=()):
    return c.CorrectAttendance(command_id=cid(), meeting_id=w.meeting, expected_version=base,
                               attendee_ids=attendees, facilitator_ids=facilitators,
                               speaker_ids=speakers, reason="typing_mistake")


def decisions(w, base: int, *texts: str):
    return c.CorrectDecisions(command_id=cid(), meeting_id=w.meeting, expected_version=base,
                              decisions=texts, reason="typing_mistake")


def test_attendance_corrections_of_different_lists_from_one_version_are_merged(world):
    base = held(world)
    world.run("leader_a", attendance(world, base, (world.w1, world.w2), (world.w1,), (world.w2,)))
    result = world.run("leader_a", attendance(world, base, (world.w1, world.w2),
                                              (world.w1, world.w2)))
    meeting = world.get(world.meeting)
    assert meeting.speaker_ids == (world.w2,)  # the first one's change, kept
    assert meeting.facilitator_ids == (world.w1, world.w2)  # the second one's
    assert result.ids == (world.meeting,)


def test_one_attendance_list_corrected_twice_from_one_version_is_applied_and_flagged(world):
    base = held(world)
    world.run("leader_a", attendance(world, base, (world.w1,), (world.w1,)))
    second = attendance(world, base, (world.w2, world.w1), (world.w1,))
    result = world.run("organiser", second)
    flag_id = new_id(second.command_id, "conflict")
    assert set(result.ids) == {world.meeting, flag_id}
    assert world.get(world.meeting).attendee_ids == (world.w2, world.w1)
    flag = world.get(flag_id)
    assert flag.fields == ("attendee_ids",)
    assert flag.overwritten == (str(world.w1),)
    assert flag.applied == (f"{world.w2},{world.w1}",)


def test_decisions_corrected_twice_from_one_version_keep_both_in_history_and_no_words_in_the_flag(
        world):
    base = held(world)
    world.run("leader_a", decisions(world, base, "Meet weekly"))
    second = decisions(world, base, "Meet monthly", "Ask for pay slips", "Elect a treasurer")
    world.run("leader_a", second)
    flag = world.get(new_id(second.command_id, "conflict"))
    assert flag.fields == ("decisions",)
    assert (flag.overwritten, flag.applied) == (("1",), ("3",))  # how many, never the words
    meeting = world.get(world.meeting)
    assert meeting.decision_count == 3
    first = world.app.repository.get(world.meeting, version=base + 1)
    assert first.decision_count == 1  # the overwritten version stays in the history


def test_decisions_from_an_old_version_merge_with_an_attendance_correction_without_a_flag(world):
    base = held(world)
    world.run("leader_a", attendance(world, base, (world.w1, world.w2), (world.w2,)))
    result = world.run("leader_a", decisions(world, base, "Meet weekly"))
    meeting = world.get(world.meeting)
    assert meeting.facilitator_ids == (world.w2,) and meeting.decision_count == 1
    assert result.ids == (world.meeting,)


def test_a_decisions_correction_that_changed_nothing_of_its_own_keeps_the_newer_words(world):
    base = held(world)
    world.run("leader_a", decisions(world, base, "Meet weekly"))
    # The phone's correction re-sent the decisions as they were at its base: nothing of hers
    # changed there, so the newer words stay.
    world.run("leader_a", decisions(world, base, "Meet monthly", "Ask for pay slips"))
    assert world.get(world.meeting).decision_count == 1
