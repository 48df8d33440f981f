"""Campaigns' use cases in memory: accepted, refused by the application or the domain, and
refused by the policy (joint campaigns invite, never enrol; organisers never name workers)."""

from __future__ import annotations

from datetime import date

import pytest

from organize import commands as c
from organize.application import campaigns
from tests.unit.application.conftest import (
    DAY,
    Case,
    case_tests,
    cid,
)


def _camp(w, key="campaign"):
    return {"campaign_id": w.ids[key], "expected_version": w.version(w.ids[key])}


CASES = {
    c.LaunchCampaign: Case(
        accept=lambda w: c.LaunchCampaign(command_id=cid(), issue="Rest days",
                                          demands=("One day a week",), collective_ids=(w.a,),
                                          launched_on=DAY),
        by="leader_a", event="Launched",
        refuse=lambda w: c.LaunchCampaign(command_id=cid(), issue="Rest days",
                                          collective_ids=(w.a,), sectors=("no_such_sector",),
                                          launched_on=DAY),
        code="unknown_code", outsider="organiser", outsider_error="Forbidden"),
    c.LaunchJointCampaign: Case(
        accept=lambda w: c.LaunchJointCampaign(command_id=cid(), issue="Wages",
                                               grievance_ids=(w.g,), invite_collective_ids=(w.a2,),
                                               launched_on=DAY),
        by="organiser", event="GrievanceLinked",
        refuse=lambda w: c.LaunchJointCampaign(command_id=cid(), issue="Wages",
                                               grievance_ids=(w.w1,), launched_on=DAY),
        code="not_found", outsider="leader_a", outsider_error="Forbidden"),
    c.AcceptCampaignInvitation: Case(
        accept=lambda w: c.AcceptCampaignInvitation(command_id=cid(), collective_id=w.a,
                                                    on=DAY, **_camp(w, "joint")),
        by="leader_a", event="CollectiveJoined",
        refuse=lambda w: c.AcceptCampaignInvitation(command_id=cid(), collective_id=w.a,
                                                    on=date(2025, 1, 1), **_camp(w, "joint")),
        code="before_invitation", outsider="leader_b", outsider_error="NotFound"),
    c.DeclineCampaignInvitation: Case(
        accept=lambda w: c.DeclineCampaignInvitation(command_id=cid(), collective_id=w.a, on=DAY,
                                                     reason="no_capacity_now",
                                                     **_camp(w, "joint")),
        by="leader_a", event="InvitationDeclined",
        refuse=lambda w: c.DeclineCampaignInvitation(command_id=cid(), collective_id=w.a, on=DAY,
                                                     reason="no_such_reason",
                                                     **_camp(w, "joint")),
        code="unknown_code", outsider="organiser", outsider_error="Forbidden"),
    c.AddDemand: Case(
        accept=lambda w: c.AddDemand(command_id=cid(), text="Written contracts", **_camp(w)),
        by="organiser", event="DemandAdded",
        refuse=lambda w: c.AddDemand(command_id=cid(), text="  ", **_camp(w)),
        code="empty", outsider="leader_b", outsider_error="NotFound"),
    c.JoinCampaign: Case(
        accept=lambda w: c.JoinCampaign(command_id=cid(), collective_id=w.b, **_camp(w)),
        by="admin", event="CollectiveJoined",
        refuse=lambda w: c.JoinCampaign(command_id=cid(), collective_id=w.a, **_camp(w)),
        code="already_joined", outsider="organiser", outsider_error="Forbidden"),
    c.LinkGrievance: Case(
        accept=lambda w: c.LinkGrievance(command_id=cid(), grievance_id=w.g, **_camp(w)),
        by="leader_a", event="GrievanceLinked",
        refuse=lambda w: c.LinkGrievance(command_id=cid(), grievance_id=w.w1, **_camp(w)),
        code="not_found", outsider="leader_b", outsider_error="NotFound"),
    c.TakeAction: Case(
        accept=lambda w: c.TakeAction(command_id=cid(), kind="petition", taken_on=DAY,
                                      participant_ids=(w.w1,), collective_ids=(w.a,), **_camp(w)),
        by="leader_a", event="ActionTaken",
        refuse=lambda w: c.TakeAction(command_id=cid(), kind="no_such_kind", taken_on=DAY,
                                      **_camp(w)),
        code="unknown_code", outsider="organiser", outsider_error="Forbidden"),
    c.ResolveDemand: Case(
        accept=lambda w: c.ResolveDemand(command_id=cid(), demand_id=w.demand, result="won",
                                         on=DAY, **_camp(w)),
        by="organiser", event="DemandResolved",
        refuse=lambda w: c.ResolveDemand(command_id=cid(), demand_id=w.w1, result="won", on=DAY,
                                         **_camp(w)),
        code="unknown_demand", outsider="leader_b", outsider_error="NotFound"),
    c.CorrectDemand: Case(
        accept=lambda w: c.CorrectDemand(command_id=cid(), demand_id=w.demand,
                                         text="Pay every month", reason="typing_mistake",
                                         **_camp(w)),
        by="organiser", event="DemandCorrected",
        refuse=lambda w: c.CorrectDemand(command_id=cid(), demand_id=w.w1, text="Pay",
                                         reason="typing_mistake", **_camp(w)),
        code="unknown_demand", outsider="leader_b", outsider_error="NotFound"),
    c.WithdrawDemand: Case(
        accept=lambda w: c.WithdrawDemand(command_id=cid(), demand_id=w.demand, reason="other",
                                          **_camp(w)),
        by="leader_a", event="DemandWithdrawn",
        refuse=lambda w: c.WithdrawDemand(command_id=cid(), demand_id=w.w1, reason="other",
                                          **_camp(w)),
        code="unknown_demand", outsider="researcher", outsider_error="Forbidden"),
    c.SignAgreement: Case(
        accept=lambda w: c.SignAgreement(command_id=cid(), with_organisation_id=w.org,
                                         signed_on=DAY, clauses=("Pay monthly",), **_camp(w)),
        by="leader_a", event="AgreementSigned",
        refuse=lambda w: c.SignAgreement(command_id=cid(), with_organisation_id=w.w1,
                                         signed_on=DAY, clauses=("Pay monthly",), **_camp(w)),
        code="not_found", outsider="leader_b", outsider_error="NotFound"),
    c.CloseCampaign: Case(
        accept=lambda w: c.CloseCampaign(command_id=cid(), on=DAY, summary="Won.", **_camp(w)),
        by="organiser", event="Closed",
        refuse=lambda w: (w.run("app", c.CloseCampaign(command_id=cid(), on=DAY,
                                                       campaign_id=w.campaign)),
                          c.CloseCampaign(command_id=cid(), on=DAY, **_camp(w)))[1],
        code="closed", outsider="researcher", outsider_error="Forbidden"),
}


def test_organisers_never_name_workers_in_an_action(world):
    with pytest.raises(Exception) as refused:
        world.run("organiser", CASES[c.TakeAction].accept(world))
    assert refused.value.code == "role"


def test_a_joint_campaign_invites_the_collectives_and_enrols_none(world):
    result = world.run("organiser", CASES[c.LaunchJointCampaign].accept(world))
    campaign = world.get(result.id)
    assert campaign.collective_ids == [] or not campaign.collective_ids
    assert world.a in campaign.reach_ids and world.a2 in campaign.reach_ids


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, campaigns.TABLE)
