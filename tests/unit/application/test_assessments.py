"""Assessments' use cases in memory: accepted, refused by the application or the domain,
and refused by the policy."""

from __future__ import annotations

from organize import commands as c
from organize.application import assessments
from tests.unit.application.conftest import (
    DAY,
    LEVELS,
    Case,
    case_tests,
    cid,
)

CASES = {
    c.RecordAssessment: Case(
        accept=lambda w: c.RecordAssessment(command_id=cid(), collective_id=w.a, assessed_on=DAY,
                                            levels=LEVELS, narrative="Stronger."),
        by="leader_a", event="Recorded",
        refuse=lambda w: c.RecordAssessment(command_id=cid(), collective_id=w.a, assessed_on=DAY,
                                            levels=(c.Level(dimension="no_such", level=1),),
                                            narrative="Stronger."),
        code="unknown_code", outsider="leader_b", outsider_error="NotFound"),
    c.ReviseAssessment: Case(
        accept=lambda w: c.ReviseAssessment(command_id=cid(), assessment_id=w.assessment,
                                            levels=LEVELS, narrative="Revised.",
                                            expected_version=w.version(w.assessment)),
        by="organiser", event="Revised",
        refuse=lambda w: c.ReviseAssessment(command_id=cid(), assessment_id=w.assessment,
                                            levels=LEVELS, narrative="Revised.",
                                            expected_version=w.version(w.assessment) + 1),
        code="stale_version", outsider="researcher", outsider_error="Forbidden"),
}


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, assessments.TABLE)
