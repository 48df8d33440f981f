"""Collectives' use cases in memory: each command accepted, refused by the application or
the domain, and refused by the policy."""

from __future__ import annotations

import pytest

from organize import commands as c
from organize.application import collectives
from tests.unit.application.conftest import (
    DAY,
    Case,
    case_tests,
    cid,
)

CASES = {
    c.CreateCollective: Case(
        accept=lambda w: c.CreateCollective(command_id=cid(), name="New centre",
                                            kind="worker_centre", federation="F1"),
        by="organiser", event="TimeZoneSet",
        refuse=lambda w: c.CreateCollective(command_id=cid(), name="New centre",
                                            kind="no_such_kind", federation="F1"),
        code="unknown_code", outsider="leader_a", outsider_error="Forbidden"),
    c.RenameCollective: Case(
        accept=lambda w: c.RenameCollective(command_id=cid(), collective_id=w.a, name="Sisters",
                                            expected_version=w.version(w.a)),
        by="leader_a", event="Renamed",
        refuse=lambda w: c.RenameCollective(command_id=cid(), collective_id=w.a, name="Sisters",
                                            expected_version=w.version(w.a) - 1),
        code="stale_version", outsider="leader_b", outsider_error="NotFound"),
    c.UpdateCollectiveProfile: Case(
        accept=lambda w: c.UpdateCollectiveProfile(command_id=cid(), collective_id=w.a,
                                                   sectors=("garment",), places=("HK",)),
        by="organiser", event="ProfileUpdated",
        refuse=lambda w: c.UpdateCollectiveProfile(command_id=cid(), collective_id=w.a,
                                                   sectors=("no_such_sector",)),
        code="unknown_code", outsider="leader_b", outsider_error="NotFound"),
    c.SetCollectiveTimeZone: Case(
        accept=lambda w: c.SetCollectiveTimeZone(command_id=cid(), collective_id=w.a,
                                                 time_zone="Asia/Kathmandu"),
        by="leader_a", event="TimeZoneSet",
        refuse=lambda w: c.SetCollectiveTimeZone(command_id=cid(), collective_id=w.a,
                                                 time_zone="Mars/Olympus"),
        code="unknown_time_zone", outsider="leader_b", outsider_error="NotFound"),
    c.FormAlliance: Case(
        accept=lambda w: c.FormAlliance(command_id=cid(), collective_id=w.a,
                                        organisation_id=w.org, since=DAY),
        by="leader_a", event="AllianceFormed",
        refuse=lambda w: c.FormAlliance(command_id=cid(), collective_id=w.a,
                                        organisation_id=w.wb, since=DAY),
        code="not_found", outsider="researcher", outsider_error="Forbidden"),
    c.EndAlliance: Case(
        accept=lambda w: (w.run("app", c.FormAlliance(command_id=cid(), collective_id=w.a,
                                                      organisation_id=w.org, since=DAY)),
                          c.EndAlliance(command_id=cid(), collective_id=w.a,
                                        organisation_id=w.org, until=DAY))[1],
        by="leader_a", event="AllianceEnded",
        refuse=lambda w: c.EndAlliance(command_id=cid(), collective_id=w.a,
                                       organisation_id=w.org, until=DAY),
        code="not_allied", outsider="leader_b", outsider_error="NotFound"),
}


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, collectives.TABLE)


def test_an_organiser_creates_collectives_only_in_her_federation(world):
    case = CASES[c.CreateCollective]
    cmd = c.CreateCollective(command_id=cid(), name="Elsewhere", kind="worker_centre",
                             federation="F2")
    with pytest.raises(Exception) as refused:
        world.run("organiser", cmd)
    assert refused.value.code == "scope" and case.by == "organiser"
