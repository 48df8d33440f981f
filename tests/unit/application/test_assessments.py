"""Assessments' use cases in memory: accepted, refused by the application or the domain,
and refused by the policy."""

from __future__ import annotations

import pytest

from organize import commands as c
from organize.application import assessments
from tests.unit.application.conftest import (
    DAY,
    LEVELS,
    Case,
    check_accept,
    check_outsider,
    check_refuse,
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


def test_the_cases_cover_the_module():
    assert set(CASES) == set(assessments.TABLE)


@pytest.mark.parametrize("command", CASES, ids=lambda k: k.__name__)
def test_accepted(world, command):
    check_accept(world, CASES[command])


@pytest.mark.parametrize("command", CASES, ids=lambda k: k.__name__)
def test_refused(world, command):
    check_refuse(world, CASES[command])


@pytest.mark.parametrize("command", CASES, ids=lambda k: k.__name__)
def test_refused_by_the_policy(world, command):
    check_outsider(world, CASES[command])
