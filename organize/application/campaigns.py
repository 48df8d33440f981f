"""Campaigns: a collective launches its own and joins others; an organiser launches joint
ones (the collectives behind the grievances are invited, never enrolled) and helps run what
reaches her federation.

- ``LaunchCampaign``, ``JoinCampaign``, ``LinkGrievance``: leaders of the collectives named.
- ``LaunchJointCampaign``: organisers, from grievances in scope.
- ``AcceptCampaignInvitation``, ``DeclineCampaignInvitation``: leaders of an invited collective.
- ``AddDemand``, ``TakeAction`` (organisers name collectives, never workers),
  ``ResolveDemand``, ``SignAgreement``, ``CloseCampaign``: leaders and organisers of a
  collective that joined.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from organize import commands as c
from organize.application.base import Done, Use, check_all, new_id
from organize.application.policy import (
    BOTH,
    CAMPAIGN,
    COLLECTIVE,
    GRIEVANCE,
    LEADERS,
    ORGANISERS,
    Relation,
    Rule,
    touching,
)
from organize.domain import (
    Campaign,
    Collective,
    Grievance,
    Organisation,
    Worker,
)
from organize.domain.account import ORGANISER
from organize.domain.campaign import check_clauses, check_demand_text, check_issue, check_summary
from organize.domain.values import Demand
from organize.errors import Forbidden
from organize.texts import seal_many, seal_text, seal_texts

if TYPE_CHECKING:
    from organize.application import Organize


def _sealed_launch(app: Organize, cmd, campaign_id: UUID,
                   owners: tuple[UUID, ...]) -> tuple[bytes, tuple[Demand, ...]]:
    """The issue and each demand sealed under the campaign's key, owned by the collectives
    it reaches (``organize.texts``)."""
    texts = [check_issue(cmd.issue), *(check_demand_text(t, field="demands") for t in cmd.demands)]
    sealed = seal_many(app, campaign_id, texts, owners)
    return sealed[0], tuple(Demand(demand_id=new_id(cmd.command_id, f"demand:{i}"), sealed_text=s)
                            for i, s in enumerate(sealed[1:]))


def _campaign_owners(app: Organize, agg: Campaign, collective_id: UUID) -> Callable[[], None]:
    """A collective the campaign reaches later owns its key too."""
    return lambda: app.keys.add_owners(agg.id, (collective_id,))


def _launch_campaign(app: Organize, cmd: c.LaunchCampaign) -> Done:
    check_all(app, Collective, cmd.collective_ids, "collective_ids")
    campaign_id = new_id(cmd.command_id, "campaign")
    sealed_issue, demands = _sealed_launch(app, cmd, campaign_id, cmd.collective_ids)
    agg = Campaign.launch(
        id=campaign_id, sealed_issue=sealed_issue, demands=demands,
        collective_ids=cmd.collective_ids, sectors=cmd.sectors, launched_on=cmd.launched_on,
        taxonomy=app.taxonomy,
    )
    return Done(agg.id, [agg])


def _launch_joint_campaign(app: Organize, cmd: c.LaunchJointCampaign) -> Done:
    grievances = [app.load(Grievance, i, field="grievance_ids") for i in cmd.grievance_ids]
    check_all(app, Collective, cmd.invite_collective_ids, "invite_collective_ids")
    # The collectives behind the grievances are always invited, in the grievances' order.
    invited = tuple(dict.fromkeys([*(g.collective_id for g in grievances),
                                   *cmd.invite_collective_ids]))
    sectors = tuple(dict.fromkeys([*(g.sector for g in grievances), *cmd.sectors]))
    campaign_id = new_id(cmd.command_id, "campaign")
    sealed_issue, demands = _sealed_launch(app, cmd, campaign_id, invited)
    agg = Campaign.launch_joint(
        id=campaign_id, sealed_issue=sealed_issue, demands=demands,
        invite_collective_ids=invited, grievance_ids=cmd.grievance_ids, sectors=sectors,
        launched_on=cmd.launched_on, taxonomy=app.taxonomy,
    )
    return Done(agg.id, [agg])


def _accept_invitation(app: Organize, cmd: c.AcceptCampaignInvitation) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    agg.accept_invitation(cmd.collective_id, cmd.on)
    return Done(agg.id, [agg])


def _decline_invitation(app: Organize, cmd: c.DeclineCampaignInvitation) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    agg.decline_invitation(cmd.collective_id, cmd.on, cmd.reason, app.taxonomy)
    return Done(agg.id, [agg])


def _add_demand(app: Organize, cmd: c.AddDemand) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    sealed = seal_text(app, agg.id, check_demand_text(cmd.text, field="text"), agg.reach_ids)
    agg.add_demand(Demand(demand_id=new_id(cmd.command_id, "demand"), sealed_text=sealed))
    return Done(agg.id, [agg])


def _join_campaign(app: Organize, cmd: c.JoinCampaign) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    app.exists(Collective, cmd.collective_id, field="collective_id")
    agg.join_collective(cmd.collective_id)
    return Done(agg.id, [agg], before_save=_campaign_owners(app, agg, cmd.collective_id))


def _link_grievance(app: Organize, cmd: c.LinkGrievance) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    app.exists(Grievance, cmd.grievance_id, field="grievance_id")
    agg.link_grievance(cmd.grievance_id)
    return Done(agg.id, [agg])


def _take_action(app: Organize, cmd: c.TakeAction) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    check_all(app, Worker, cmd.participant_ids, "participant_ids")
    check_all(app, Collective, cmd.collective_ids, "collective_ids")
    agg.take_action(action_id=new_id(cmd.command_id, "action"), kind=cmd.kind,
                    taken_on=cmd.taken_on, participant_ids=cmd.participant_ids,
                    collective_ids=cmd.collective_ids, taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


def _correct_demand(app: Organize, cmd: c.CorrectDemand) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    sealed = seal_text(app, agg.id, check_demand_text(cmd.text, field="text"), agg.reach_ids)
    agg.correct_demand(Demand(demand_id=cmd.demand_id, sealed_text=sealed), cmd.reason)
    return Done(agg.id, [agg])


def _withdraw_demand(app: Organize, cmd: c.WithdrawDemand) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    agg.withdraw_demand(cmd.demand_id, cmd.reason)
    return Done(agg.id, [agg])


def _resolve_demand(app: Organize, cmd: c.ResolveDemand) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    agg.resolve_demand(cmd.demand_id, cmd.result, cmd.on, app.taxonomy)
    return Done(agg.id, [agg])


def _sign_agreement(app: Organize, cmd: c.SignAgreement) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    app.exists(Organisation, cmd.with_organisation_id, field="with_organisation_id")
    clauses = check_clauses(cmd.clauses)
    sealed = seal_texts(app, agg.id, clauses, agg.reach_ids)
    agg.sign_agreement(agreement_id=new_id(cmd.command_id, "agreement"),
                       with_organisation_id=cmd.with_organisation_id,
                       signed_on=cmd.signed_on, sealed_clauses=sealed, clause_count=len(clauses))
    return Done(agg.id, [agg])


def _close_campaign(app: Organize, cmd: c.CloseCampaign) -> Done:
    agg = app.target(Campaign, cmd, "campaign_id")
    summary = check_summary(cmd.summary)
    agg.close(cmd.on, None if not summary else seal_text(app, agg.id, summary, agg.reach_ids))
    return Done(agg.id, [agg])


def _no_names_for_organisers(principal, cmd: c.TakeAction) -> None:
    if principal.role == ORGANISER and cmd.participant_ids:
        raise Forbidden("Organisers record an action by collective; the collectives name their "
                        "own members.", code="role")


REACHED = touching(Relation.REACHED, "campaign_id")

TABLE: dict[type[c.Command], Use] = {
    c.LaunchCampaign: Use(_launch_campaign,
                          Rule(LEADERS, touching(Relation.COLLECTIVE, "collective_ids"))),
    c.LaunchJointCampaign: Use(_launch_joint_campaign, Rule(
        ORGANISERS, touching(Relation.GRIEVANCE, "grievance_ids")
        + touching(Relation.COLLECTIVE, "invite_collective_ids"))),
    c.AcceptCampaignInvitation: Use(_accept_invitation, Rule(LEADERS, REACHED + COLLECTIVE)),
    c.DeclineCampaignInvitation: Use(_decline_invitation, Rule(LEADERS, REACHED + COLLECTIVE)),
    c.AddDemand: Use(_add_demand, Rule(BOTH, CAMPAIGN)),
    c.JoinCampaign: Use(_join_campaign, Rule(LEADERS, CAMPAIGN + COLLECTIVE)),
    c.LinkGrievance: Use(_link_grievance, Rule(LEADERS, CAMPAIGN + GRIEVANCE)),
    c.TakeAction: Use(_take_action, Rule(
        BOTH, CAMPAIGN + touching(Relation.MEMBER, "participant_ids")
        + touching(Relation.COLLECTIVE, "collective_ids"), check=_no_names_for_organisers)),
    c.ResolveDemand: Use(_resolve_demand, Rule(BOTH, CAMPAIGN)),
    c.CorrectDemand: Use(_correct_demand, Rule(BOTH, CAMPAIGN)),
    c.WithdrawDemand: Use(_withdraw_demand, Rule(BOTH, CAMPAIGN)),
    c.SignAgreement: Use(_sign_agreement, Rule(
        BOTH, CAMPAIGN + touching(Relation.ORGANISATION, "with_organisation_id"))),
    c.CloseCampaign: Use(_close_campaign, Rule(BOTH, CAMPAIGN)),
}
