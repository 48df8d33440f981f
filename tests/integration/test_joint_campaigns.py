"""Joint campaigns on a real PostgreSQL: launched from a common-grievance cluster in one
command, the collectives behind it invited; leaders accept or decline; the campaign board
records every invitation, a collective's leaders read theirs, and the federation's
cross-collective board shows stage, demands won, next actions and collectives, as of any
date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from organize import commands as c
from organize.application import new_id
from organize.errors import CommandError
from organize.persistence.reveal import opened_with
from organize.projections.reads import Scope
from organize.projections.views.campaign_board.reads import (
    campaign_invitations,
    collective_invitations,
    federation_board,
    get_campaign,
)
from organize.projections.views.common_grievances import list_common_grievances
from tests.integration import support as h
from tests.integration.support import (  # noqa: F401 - conn_fixture
    catch_up,
    collective,
    conn_fixture,
    fed,
    grievance,
    organisation,
    worker,
)

pytestmark = pytest.mark.integration

LAUNCHED = date(2025, 4, 1)


def _cluster_world(app):
    """Two collectives of one federation (domestic and garment work) and a third elsewhere,
    with the same recruiter charging fees in both sectors."""
    federation = fed()
    hk = collective(app, name="Harbour branch", federation=federation)
    kl = collective(app, name="Klang centre", federation=federation)
    other = collective(app, name="Elsewhere", federation=fed())
    recruiter = organisation(app, kind="recruiter")
    w1, w2 = worker(app, hk), worker(app, kl)
    g1 = grievance(app, hk, [w1], category="recruitment_fees_debt", sector="domestic_care",
                   organisation_ids=(recruiter,), occurred_on=date(2025, 2, 1))
    g2 = grievance(app, kl, [w2], category="recruitment_fees_debt", sector="manufacturing",
                   organisation_ids=(recruiter,), occurred_on=date(2025, 3, 1), place="MY-KUL")
    return federation, hk, kl, other, recruiter, (g1, g2)


def _launch(app, grievances, **kw):
    cmd = c.LaunchJointCampaign(command_id=h.cid(), issue="Refund the recruitment fees",
                                demands=("Refund every fee above the ceiling",),
                                grievance_ids=grievances, launched_on=LAUNCHED, **kw)
    return cmd, app.execute(cmd)


async def test_from_cluster_to_accepted_campaign(app, conn):
    federation, hk, kl, _other, recruiter, grievances = _cluster_world(app)
    catch_up(app)
    scope = Scope(federation=federation)
    (cluster,) = [x for x in await list_common_grievances(conn, scope, min_collectives=2)
                  if x.organisation_id == recruiter]
    assert cluster.sectors == ["domestic_care", "manufacturing"]

    cmd, result = _launch(app, tuple(cluster.grievance_ids))
    campaign = result.id
    assert campaign == new_id(cmd.command_id, "campaign")
    catch_up(app)

    board = await get_campaign(conn, scope, campaign)
    assert board.collective_ids == [] and board.grievance_ids == list(cluster.grievance_ids)
    assert board.sectors == ["domestic_care", "manufacturing"]  # from the grievances
    assert {(i.collective_id, i.state) for i in board.invitations} == {(hk, "pending"), (kl, "pending")}
    assert {i.collective_name for i in board.invitations} == {"Harbour branch", "Klang centre"}

    pending = opened_with(app.keys, await collective_invitations(
        conn, Scope(collective_ids=frozenset({kl})), kl))
    (inv,) = pending
    assert (inv.campaign_id, inv.state, inv.invited_on) == (campaign, "pending", LAUNCHED)
    assert inv.demands == ["Refund every fee above the ceiling"] and inv.joined == []
    # hk is invited too, but has not joined: not named to kl (organize.application.policy).
    assert inv.invited == [] and inv.linked_grievances == 2

    app.execute(c.AcceptCampaignInvitation(command_id=h.cid(), campaign_id=campaign,
                                           collective_id=kl, on=date(2025, 4, 3)))
    app.execute(c.DeclineCampaignInvitation(command_id=h.cid(), campaign_id=campaign,
                                            collective_id=hk, on=date(2025, 4, 5),
                                            reason="no_capacity_now"))
    catch_up(app)
    assert await collective_invitations(conn, Scope(collective_ids=frozenset({kl})), kl) == []
    (accepted,) = await collective_invitations(conn, Scope.everything(), kl, state="accepted")
    assert accepted.decided_on == date(2025, 4, 3) and [r.id for r in accepted.joined] == [kl]
    rows = await campaign_invitations(conn, scope, campaign)
    assert [(r.collective_id, r.state, r.decided_on, r.reason) for r in rows] == [
        (hk, "declined", date(2025, 4, 5), "no_capacity_now"),
        (kl, "accepted", date(2025, 4, 3), None)]
    assert (await get_campaign(conn, scope, campaign)).collective_ids == [kl]

    # The board as of three dates: inviting, then organising with kl in it.
    before = await federation_board(conn, scope, federation, as_of=date(2025, 3, 31))
    assert before.campaigns == []
    launched = await federation_board(conn, scope, federation, as_of=date(2025, 4, 2))
    (b,) = launched.campaigns
    assert b.stage == "inviting" and b.collectives == []
    assert {(i.collective_id, i.state) for i in b.invitations} == {(hk, "pending"), (kl, "pending")}
    assert {n.kind for n in b.next_actions} == {"answer_invitation", "open_demand"}
    now = await federation_board(conn, scope, federation)
    (b,) = now.campaigns
    assert b.stage == "organising" and [x.name for x in b.collectives] == ["Klang centre"]
    assert b.tally.open == 1 and b.linked_grievances == 2
    assert [n.kind for n in b.next_actions] == ["open_demand"]

    # A coordination meeting with the campaign on its agenda is a next step until it is held.
    meeting = app.execute(c.ScheduleMeeting(
        command_id=h.cid(), kind="cross_sector", collective_ids=(hk, kl),
        scheduled_for=datetime(2025, 5, 3, 10, tzinfo=UTC), language="en",
        agenda_campaign_ids=(campaign,))).id
    catch_up(app)
    (b,) = (await federation_board(conn, scope, federation)).campaigns
    assert [(n.kind, n.ref, n.on, n.detail) for n in b.next_actions if n.kind == "meeting"] == [
        ("meeting", meeting, date(2025, 5, 3), "cross_sector")]
    w = worker(app, kl)
    app.execute(c.RecordMeetingHeld(command_id=h.cid(), meeting_id=meeting,
                                    held_at=datetime(2025, 5, 3, 10, tzinfo=UTC), attendee_ids=(w,),
                                    facilitator_ids=(w,), language="en"))
    catch_up(app)
    (b,) = (await federation_board(conn, scope, federation)).campaigns
    assert [n.kind for n in b.next_actions] == ["open_demand"]
    (b,) = (await federation_board(conn, scope, federation, as_of=date(2025, 5, 2))).campaigns
    assert [n.kind for n in b.next_actions] == ["open_demand", "meeting"]


async def test_board_stage_and_demands_as_of(app, conn):
    federation, hk, kl, _other, _recruiter, grievances = _cluster_world(app)
    cmd, result = _launch(app, grievances)
    campaign = result.id
    demand = new_id(cmd.command_id, "demand:0")
    app.execute(c.AcceptCampaignInvitation(command_id=h.cid(), campaign_id=campaign,
                                           collective_id=hk, on=date(2025, 4, 10)))
    app.execute(c.TakeAction(command_id=h.cid(), campaign_id=campaign, kind="petition",
                             taken_on=date(2025, 5, 1), collective_ids=(hk,)))
    app.execute(c.ResolveDemand(command_id=h.cid(), campaign_id=campaign, demand_id=demand,
                                result="partly_won", on=date(2025, 6, 1)))
    app.execute(c.ResolveDemand(command_id=h.cid(), campaign_id=campaign, demand_id=demand,
                                result="won", on=date(2025, 7, 1)))
    app.execute(c.CloseCampaign(command_id=h.cid(), campaign_id=campaign, on=date(2025, 8, 1)))
    catch_up(app)
    scope = Scope(federation=federation)

    async def at(d):
        (b,) = (await federation_board(conn, scope, federation, as_of=d)).campaigns
        return b

    assert (await at(date(2025, 4, 5))).stage == "inviting"
    assert (await at(date(2025, 4, 10))).stage == "organising"
    b = await at(date(2025, 5, 1))
    assert b.stage == "action" and len(b.actions) == 1 and b.tally.open == 1
    b = await at(date(2025, 6, 15))
    assert b.stage == "results" and b.tally.partly_won == 1 and b.demands[0].result == "partly_won"
    b = await at(date(2025, 7, 1))
    assert b.tally.won == 1 and b.tally.partly_won == 0
    b = await at(date(2025, 8, 1))
    assert b.stage == "closed" and b.status == "closed" and b.next_actions == []
    # A pending invitation as of a date is still pending then, though answered later.
    assert {i.state for i in (await at(date(2025, 4, 5))).invitations} == {"pending"}


async def test_scope_of_invitations_and_board(app, conn):
    federation, hk, kl, other, _recruiter, grievances = _cluster_world(app)
    campaign = _launch(app, grievances)[1].id
    catch_up(app)
    leader_other = Scope(collective_ids=frozenset({other}))
    assert await collective_invitations(conn, leader_other, kl) is None
    assert await campaign_invitations(conn, leader_other, campaign) is None
    assert await get_campaign(conn, leader_other, campaign) is None
    assert await federation_board(conn, Scope(federation=fed()), federation) is None
    # A leader of an invited collective sees the campaign she is invited to.
    assert (await get_campaign(conn, Scope(collective_ids=frozenset({kl})), campaign)) is not None
    assert await campaign_invitations(conn, Scope(collective_ids=frozenset({kl})), campaign)


def test_refusals_have_codes_and_append_nothing(app):
    _federation, hk, kl, other, _recruiter, grievances = _cluster_world(app)
    campaign = _launch(app, grievances)[1].id

    def refused(command, code):
        before = app.recorder.max_notification_id()
        with pytest.raises(CommandError) as info:
            app.execute(command)
        assert info.value.code == code, info.value
        assert app.recorder.max_notification_id() == before

    accept = c.AcceptCampaignInvitation(command_id=h.cid(), campaign_id=campaign,
                                        collective_id=hk, on=date(2025, 4, 2))
    app.execute(accept)
    assert app.execute(accept).replayed  # idempotent by command_id
    refused(c.AcceptCampaignInvitation(command_id=h.cid(), campaign_id=campaign, collective_id=hk,
                                       on=date(2025, 4, 3)), "already_accepted")
    refused(c.AcceptCampaignInvitation(command_id=h.cid(), campaign_id=campaign, collective_id=other,
                                       on=date(2025, 4, 3)), "not_invited")
    app.execute(c.DeclineCampaignInvitation(command_id=h.cid(), campaign_id=campaign,
                                            collective_id=kl, on=date(2025, 4, 4)))
    refused(c.AcceptCampaignInvitation(command_id=h.cid(), campaign_id=campaign, collective_id=kl,
                                       on=date(2025, 4, 5)), "already_declined")
    refused(c.DeclineCampaignInvitation(command_id=h.cid(), campaign_id=campaign, collective_id=kl,
                                        on=date(2025, 4, 5), reason="not_a_reason"), "already_declined")

    closed = _launch(app, grievances)[1].id
    app.execute(c.CloseCampaign(command_id=h.cid(), campaign_id=closed, on=date(2025, 5, 1)))
    refused(c.AcceptCampaignInvitation(command_id=h.cid(), campaign_id=closed, collective_id=hk,
                                       on=date(2025, 5, 2)), "closed")
    refused(c.LaunchJointCampaign(command_id=h.cid(), issue="x", grievance_ids=(h.cid(),),
                                  launched_on=LAUNCHED), "not_found")


async def test_the_board_follows_a_corrected_and_a_localised_meeting(app, conn):
    """A coordination meeting corrected (kind, day) or read again in its collective's zone
    reads on the board as if entered right the first time."""
    from zoneinfo import ZoneInfo

    federation, hk, kl, _other, _recruiter, grievances = _cluster_world(app)
    campaign = _launch(app, grievances)[1].id
    scope = Scope(federation=federation)

    def plan(day: int, hour: int):
        return app.execute(c.ScheduleMeeting(
            command_id=h.cid(), kind="cross_sector", collective_ids=(hk, kl),
            scheduled_for=datetime(2025, 5, day, hour, tzinfo=UTC), language="en",
            agenda_campaign_ids=(campaign,))).id

    async def meetings(as_of=None):
        catch_up(app)
        (b,) = (await federation_board(conn, scope, federation, as_of=as_of)).campaigns
        return [(n.ref, n.on, n.detail) for n in b.next_actions if n.kind == "meeting"]

    first, second = plan(3, 10), plan(3, 12)
    assert await meetings() == [(first, date(2025, 5, 3), "cross_sector"),
                                (second, date(2025, 5, 3), "cross_sector")]
    app.execute(c.CorrectMeeting(command_id=h.cid(), meeting_id=second, kind="committee",
                                 scheduled_for=datetime(2025, 5, 1, 9, tzinfo=UTC), reason="typing_mistake"))
    assert await meetings() == [(second, date(2025, 5, 1), "committee"),
                                (first, date(2025, 5, 3), "cross_sector")]

    # Held on the 3rd, then corrected to the 6th: a next step until the 6th, not the 3rd.
    w = worker(app, kl)
    app.execute(c.RecordMeetingHeld(command_id=h.cid(), meeting_id=first,
                                    held_at=datetime(2025, 5, 3, 10, tzinfo=UTC), attendee_ids=(w,),
                                    facilitator_ids=(w,), language="en"))
    assert [m[0] for m in await meetings(as_of=date(2025, 5, 4))] == [second]
    app.execute(c.CorrectMeeting(command_id=h.cid(), meeting_id=first, kind="cross_sector",
                                 scheduled_for=datetime(2025, 5, 6, 10, tzinfo=UTC),
                                 held_at=datetime(2025, 5, 6, 10, tzinfo=UTC), reason="typing_mistake"))
    assert [m[0] for m in await meetings(as_of=date(2025, 5, 4))] == [second, first]
    assert [m[0] for m in await meetings(as_of=date(2025, 5, 6))] == [second]

    # The upgrade to zones: 18:00 typed in Hong Kong is 10:00 UTC, before a meeting at 12:00 UTC.
    late, noon = plan(20, 18), plan(20, 12)
    assert [m[0] for m in await meetings()][-2:] == [noon, late]
    moved = app.repository.get(late)
    moved.localise_times(ZoneInfo("Asia/Hong_Kong"))
    app.save(moved)
    assert [m[:2] for m in await meetings()][-2:] == [(late, date(2025, 5, 20)), (noon, date(2025, 5, 20))]
