"""The demo holds what the organiser's browser flow needs (issue 6): a cross-sector common
grievance across two collectives of the organiser's federation that no campaign has taken
up, and a demo leader of the second collective who can accept the joint campaign the
organiser launches from it. Run through the demo accounts' own scopes."""

from __future__ import annotations

from datetime import date

import pytest

from organize import commands as c
from organize.accounts import AccountService
from organize.application.access import Authorised
from organize.demo import FED_DOMESTIC, DemoPlan, load_demo
from organize.demo.accounts import ensure_demo_accounts
from organize.projections.reads import Scope
from organize.projections.views.campaign_board.reads import (
    collective_invitations,
    federation_board,
    joined_campaigns,
    list_campaigns,
)
from organize.projections.views.common_grievances import federation_clusters
from tests.integration import support as h
from tests.integration.support import conn_fixture  # noqa: F401
from tests.support import settle_views

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo(runtime):
    load_demo(runtime.app, DemoPlan())
    accounts = AccountService(runtime.app)
    ensure_demo_accounts(accounts)
    settle_views(runtime, timeout=600)

    def principal(username):
        return accounts.principal(accounts.find(username).id, via="token")

    return principal


async def test_organiser_finds_a_fresh_cross_sector_cluster_and_leader_kl_accepts(runtime, demo, conn):
    organiser, leader_kl, leader_hk = demo("organiser"), demo("leader-kl"), demo("leader-hk")
    assert organiser.federation == FED_DOMESTIC
    (kl,), (hk,) = leader_kl.collective_ids, leader_hk.collective_ids
    clusters = await federation_clusters(conn, organiser.scope, FED_DOMESTIC, min_collectives=2)
    linked = {g for camp in await list_campaigns(conn, organiser.scope) for g in camp.grievance_ids}
    fresh = [x for x in clusters if len(x.sectors) >= 2 and set(x.collective_ids) == {hk, kl}
             and not set(x.grievance_ids) & linked]
    assert fresh, "the demo has no cross-sector cluster across Hong Kong and Kuala Lumpur"
    cluster = fresh[0]

    as_organiser = Authorised(runtime.app, organiser)
    launched = as_organiser.execute(c.LaunchJointCampaign(
        command_id=h.cid(), issue="Our passports stay with us, whoever placed us",
        demands=("Bintang Jaya returns every passport it holds",),
        grievance_ids=tuple(cluster.grievance_ids), launched_on=date(2026, 11, 2)))
    settle_views(runtime)
    (invitation,) = [i for i in await collective_invitations(conn, leader_kl.scope, kl)
                     if i.campaign_id == launched.id]
    assert invitation.invited == []  # hk has not joined: not named to kl (organize.application.policy)

    Authorised(runtime.app, leader_kl).execute(c.AcceptCampaignInvitation(
        command_id=h.cid(), campaign_id=launched.id, collective_id=kl, on=date(2026, 11, 3)))
    settle_views(runtime)
    board = await federation_board(conn, organiser.scope, FED_DOMESTIC)
    (item,) = [b for b in board.campaigns if b.id == launched.id]
    assert [x.id for x in item.collectives] == [kl] and item.stage == "organising"
    assert {i.collective_id: i.state for i in item.invitations} == {hk: "pending", kl: "accepted"}


async def test_a_homes_campaigns_are_the_boards_joined_ones_it_names(demo, conn):
    """What a collective's home lists (one query) is what the board's full read gives, kept to
    the campaigns that still name the collective among their joined ones, for every reader."""
    everything = await list_campaigns(conn, Scope.everything())
    collectives = {i for camp in everything for i in camp.collective_ids}
    assert any(len(camp.collective_ids) > 1 for camp in everything if camp.status == "active")
    readers = [Scope.everything(), demo("organiser").scope, demo("leader-hk").scope,
               demo("leader-kl").scope, Scope(federation="nowhere"),
               Scope(collective_ids=frozenset(collectives))]
    shown = 0
    for scope in readers:
        for collective_id in collectives:
            full = [(camp.id, camp.issue, len(camp.demands), len(camp.actions))
                    for camp in await list_campaigns(conn, scope, status="active",
                                                     joined_by=collective_id)
                    if collective_id in camp.collective_ids]
            found = await joined_campaigns(conn, scope, collective_id, status="active", limit=100)
            assert [(x.id, x.issue, x.demands, x.actions) for x in found] == full
            assert [x.id for x in await joined_campaigns(
                conn, scope, collective_id, status="active", limit=2)] == [x[0] for x in full[:2]]
            shown += len(full)
    assert shown
