"""Organisations' use cases in memory: accepted, refused by the application or the domain,
and refused by the policy (a household is a person: only its collective names it)."""

from __future__ import annotations

import pytest

from organize import commands as c
from organize.application import organisations
from tests.unit.application.conftest import (
    DAY,
    Case,
    case_tests,
    cid,
)

CASES = {
    c.CreateOrganisation: Case(
        accept=lambda w: c.CreateOrganisation(command_id=cid(), name="Household 2",
                                              kind="household", collective_id=w.a),
        by="leader_a", event="Recorded",
        refuse=lambda w: c.CreateOrganisation(command_id=cid(), name="Household 2",
                                              kind="no_such_kind", collective_id=w.a),
        code="unknown_code", outsider="leader_b", outsider_error="NotFound"),
    c.RenameOrganisation: Case(
        accept=lambda w: c.RenameOrganisation(command_id=cid(), organisation_id=w.org,
                                              name="Star Agency", expected_version=w.version(w.org)),
        by="organiser", event="Renamed",
        refuse=lambda w: c.RenameOrganisation(command_id=cid(), organisation_id=w.org, name="  ",
                                              expected_version=w.version(w.org)),
        code="empty", outsider="leader_b", outsider_error="NotFound"),
    c.CorrectOrganisationKind: Case(
        accept=lambda w: c.CorrectOrganisationKind(command_id=cid(), organisation_id=w.org,
                                                   kind="employer", reason="typing_mistake"),
        by="organiser", event="KindCorrected",
        refuse=lambda w: c.CorrectOrganisationKind(command_id=cid(), organisation_id=w.org,
                                                   kind="employer", reason="because"),
        code="correction_reason", outsider="leader_b", outsider_error="NotFound"),
    c.WithdrawOrganisation: Case(
        accept=lambda w: c.WithdrawOrganisation(command_id=cid(), organisation_id=w.org,
                                                reason="other"),
        by="leader_a", event="Withdrawn",
        refuse=lambda w: (w.run("app", c.WithdrawOrganisation(
            command_id=cid(), organisation_id=w.org, reason="other")),
            c.WithdrawOrganisation(command_id=cid(), organisation_id=w.org, reason="other"))[1],
        code="nothing_changed", outsider="researcher", outsider_error="Forbidden"),
}


def test_an_organiser_never_records_a_household(world):
    with pytest.raises(Exception) as refused:
        world.run("organiser", c.CreateOrganisation(command_id=cid(), name="Household 3",
                                                    kind="household", collective_id=world.a))
    assert refused.value.code == "role"


def test_another_collective_never_names_a_household(world):
    with pytest.raises(Exception) as refused:
        world.run("leader_b", c.FormAlliance(command_id=cid(), collective_id=world.b,
                                             organisation_id=world.household, since=DAY))
    assert type(refused.value).__name__ == "NotFound"


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, organisations.TABLE)
