"""Grievance procedures' use cases in memory: defined and revised by the collective's own
leaders only (organisers never touch a grievance's casework), one per collective and one per
agreement; a grievance follows only its own collective's procedure and takes only that
procedure's steps."""

from __future__ import annotations

import uuid

import pytest

from organize import commands as c
from organize.application import procedures
from organize.application.procedures import procedure_id
from organize.errors import CommandError
from tests.unit.application.conftest import (
    DAY,
    STEPS,
    Case,
    case_tests,
    cid,
    procedure,
)

CASES = {
    c.DefineProcedure: Case(
        accept=lambda w: c.DefineProcedure(command_id=cid(), collective_id=w.a,
                                           name="Our procedure", steps=STEPS),
        by="leader_a", event="Defined",
        refuse=lambda w: (procedure(w), c.DefineProcedure(command_id=cid(), collective_id=w.a,
                                                          name="Again", steps=STEPS))[1],
        code="procedure_exists", outsider="organiser", outsider_error="Forbidden"),
    c.ReviseProcedure: Case(
        accept=lambda w: c.ReviseProcedure(command_id=cid(), procedure_id=procedure(w),
                                           name="Revised", steps=STEPS[:1]),
        by="leader_a", event="Revised",
        refuse=lambda w: c.ReviseProcedure(command_id=cid(), procedure_id=procedure(w),
                                           name="Our procedure", steps=STEPS),
        code="nothing_changed", outsider="leader_b", outsider_error="NotFound"),
}


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, procedures.TABLE)


def _refused(world, who: str, command: c.Command) -> CommandError:
    before = world.head()
    with pytest.raises(CommandError) as e:
        world.run(who, command)
    assert world.head() == before
    return e.value


@pytest.mark.parametrize("who", ["organiser", "researcher"])
def test_no_role_but_her_collective_s_leaders_defines_one(world, who):
    err = _refused(world, who, CASES[c.DefineProcedure].accept(world))
    assert type(err).__name__ == "Forbidden"


def test_a_leader_of_another_federation_learns_nothing_of_a_procedure(world):
    pid = procedure(world)
    missing = uuid.uuid4()
    seen = _refused(world, "leader_b", c.ReviseProcedure(
        command_id=cid(), procedure_id=pid, name="Ours now", steps=STEPS))
    unknown = _refused(world, "leader_b", c.ReviseProcedure(
        command_id=cid(), procedure_id=missing, name="Ours now", steps=STEPS))
    assert seen.code == unknown.code == "not_found"
    assert str(seen).replace(str(pid), "ID") == str(unknown).replace(str(missing), "ID")


def test_one_procedure_per_collective_and_one_per_agreement(world):
    agreement = uuid.uuid4()
    own = world.run("leader_a", c.DefineProcedure(command_id=cid(), collective_id=world.a,
                                                  name="Ours", steps=STEPS)).id
    by_agreement = world.run("leader_a", c.DefineProcedure(
        command_id=cid(), collective_id=world.a, agreement_id=agreement, name="The agreement's",
        steps=STEPS[:1])).id
    assert own == procedure_id(world.a) != by_agreement == procedure_id(world.a, agreement)
    # The grievance follows the agreement's procedure: only its steps can be taken.
    world.run("leader_a", c.FollowProcedure(command_id=cid(), grievance_id=world.g,
                                            procedure_id=by_agreement))
    err = _refused(world, "leader_a", c.TakeStep(command_id=cid(), grievance_id=world.g,
                                                 step="meeting", on=DAY))
    assert err.code == "no_such_step"


def test_even_an_admin_cannot_make_a_grievance_follow_another_collective_s_procedure(world):
    err = _refused(world, "admin", c.FollowProcedure(
        command_id=cid(), grievance_id=world.g, procedure_id=procedure(world, "b")))
    assert err.code == "not_found"


def test_a_revision_that_drops_a_step_refuses_taking_it(world):
    pid = procedure(world)
    world.run("leader_a", c.ReviseProcedure(command_id=cid(), procedure_id=pid, name="Short",
                                            steps=STEPS[:1]))
    err = _refused(world, "leader_a", c.TakeStep(command_id=cid(), grievance_id=world.g,
                                                 step="meeting", on=DAY))
    assert err.code == "no_such_step"


def test_a_bad_step_is_refused_at_the_boundary_with_its_field(world):
    bad = c.ProcedureStep(code="first", name="First", days=3, clock="previous_step")
    err = _refused(world, "leader_a", c.DefineProcedure(command_id=cid(), collective_id=world.a,
                                                        name="P", steps=(bad,)))
    assert (err.code, err.field) == ("no_previous_step", "steps.1")
