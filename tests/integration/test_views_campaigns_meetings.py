"""The campaign board and the meeting log, on a real PostgreSQL."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from organize import commands as c
from organize.application import new_id
from organize.persistence.reveal import opened_with
from organize.projections.reads import Scope
from organize.projections.views.campaign_board.reads import get_campaign, list_campaigns
from organize.projections.views.meeting_log import Attendance, attendance, list_meetings
from tests.integration import support as h
from tests.integration.support import (  # noqa: F401 - conn_fixture
    at,
    catch_up,
    collective,
    conn_fixture,
    fed,
    grievance,
    organisation,
    worker,
)

pytestmark = pytest.mark.integration


async def test_campaign_board_shows_demands_actions_and_agreements(app, conn):
    north, south = collective(app, federation=fed()), collective(app, federation=fed())
    w1, w2 = worker(app, north), worker(app, south)
    g = grievance(app, north, [w1])
    employer = organisation(app)
    launch = c.LaunchCampaign(command_id=h.cid(), issue="A weekly day off",
                              demands=("One day off a week", "Overtime pay"),
                              collective_ids=(north,), sectors=("domestic_care",),
                              launched_on=date(2025, 2, 1))
    campaign = app.execute(launch).id
    d0, d1 = (new_id(launch.command_id, f"demand:{i}") for i in range(2))
    add = c.AddDemand(command_id=h.cid(), campaign_id=campaign, text="Own room")
    app.execute(add)
    d2 = new_id(add.command_id, "demand")
    app.execute(c.JoinCampaign(command_id=h.cid(), campaign_id=campaign, collective_id=south))
    app.execute(c.LinkGrievance(command_id=h.cid(), campaign_id=campaign, grievance_id=g))
    act = c.TakeAction(command_id=h.cid(), campaign_id=campaign, kind="petition",
                       taken_on=date(2025, 3, 1), participant_ids=(w1, w2),
                       collective_ids=(north, south))
    app.execute(act)
    app.execute(c.ResolveDemand(command_id=h.cid(), campaign_id=campaign, demand_id=d0,
                                result="partly_won", on=date(2025, 4, 1)))
    app.execute(c.ResolveDemand(command_id=h.cid(), campaign_id=campaign, demand_id=d0,
                                result="won", on=date(2025, 5, 1)))
    app.execute(c.ResolveDemand(command_id=h.cid(), campaign_id=campaign, demand_id=d1,
                                result="lost", on=date(2025, 5, 1)))
    sign = c.SignAgreement(command_id=h.cid(), campaign_id=campaign, with_organisation_id=employer,
                           signed_on=date(2025, 5, 2), clauses=("Sunday off", "Overtime at 1.5x"))
    app.execute(sign)
    catch_up(app)

    sealed = await get_campaign(conn, Scope.everything(), campaign)
    # The view keeps the texts sealed; the reader's side opens them.
    assert "A weekly day off" not in msgspec.json.encode(sealed).decode()
    assert "Sunday off" not in msgspec.json.encode(sealed).decode()
    board = opened_with(app.keys, sealed)
    assert board.issue == "A weekly day off" and board.status == "active" and board.closed_on is None
    assert board.collective_ids == [north, south] and board.sectors == ["domestic_care"]
    assert board.grievance_ids == [g] and board.linked_grievances == 1
    assert [(d.demand_id, d.text, d.result, d.result_on) for d in board.demands] == [
        (d0, "One day off a week", "won", date(2025, 5, 1)),
        (d1, "Overtime pay", "lost", date(2025, 5, 1)),
        (d2, "Own room", None, None)]
    (action,) = board.actions
    assert (action.action_id, action.kind, action.taken_on, action.participants) == (
        new_id(act.command_id, "action"), "petition", date(2025, 3, 1), 2)
    assert action.collective_ids == [north, south]
    (agreement,) = board.agreements
    assert agreement.agreement_id == new_id(sign.command_id, "agreement")
    assert agreement.with_organisation_id == employer
    assert agreement.clauses == ["Sunday off", "Overtime at 1.5x"]
    assert agreement.clauses == ["Sunday off", "Overtime at 1.5x"]

    app.execute(c.CloseCampaign(command_id=h.cid(), campaign_id=campaign, on=date(2025, 6, 1),
                                summary="Won the day off."))
    catch_up(app)
    closed = await get_campaign(conn, Scope.everything(), campaign)
    assert (closed.status, closed.closed_on) == ("closed", date(2025, 6, 1))
    assert campaign in {x.id for x in await list_campaigns(conn, Scope.everything(), status="closed")}
    assert campaign not in {x.id for x in await list_campaigns(conn, Scope.everything(), status="active")}
    # Visible from any of its collectives, even the one that joined later; north's grievance
    # is north's to see (linked_grievances still counts it).
    assert await get_campaign(conn, Scope(collective_ids=frozenset({south})), campaign) == \
        msgspec.structs.replace(closed, grievance_ids=[])
    assert await get_campaign(conn, Scope(collective_ids=frozenset({h.cid()})), campaign) is None
    assert await get_campaign(conn, Scope.everything(), h.cid()) is None


async def test_meeting_log_keeps_attendance_and_roles(app, conn):
    coll = collective(app, federation=fed())
    a, b, d = worker(app, coll), worker(app, coll, "Mala"), worker(app, coll, "Sita")
    g = grievance(app, coll, [a])
    held = app.execute(c.ScheduleMeeting(command_id=h.cid(), kind="assembly", collective_ids=(coll,),
                                         scheduled_for=at(date(2025, 3, 2)), language="ne",
                                         agenda_grievance_ids=(g,))).id
    app.execute(c.RecordMeetingHeld(command_id=h.cid(), meeting_id=held, held_at=at(date(2025, 3, 3)),
                                    attendee_ids=(a, b, d), facilitator_ids=(b,), speaker_ids=(b, d),
                                    language="en", decisions=("March on Sunday", "Collect fees")))
    planned = app.execute(c.ScheduleMeeting(command_id=h.cid(), kind="training", collective_ids=(coll,),
                                            scheduled_for=at(date(2025, 4, 1)), language="en")).id
    cancelled = app.execute(c.ScheduleMeeting(command_id=h.cid(), kind="committee",
                                              collective_ids=(coll,),
                                              scheduled_for=at(date(2025, 2, 1)), language="en")).id
    app.execute(c.CancelMeeting(command_id=h.cid(), meeting_id=cancelled, reason="Police nearby"))
    catch_up(app)

    rows = await list_meetings(conn, Scope.everything(), collective_id=coll)
    assert [m.id for m in rows] == [planned, held, cancelled]  # latest first
    m = rows[1]
    assert (m.kind, m.status, m.held_at, m.language, m.decisions) == (
        "assembly", "held", at(date(2025, 3, 3)), "en", 2)
    assert m.attendee_ids == [a, b, d] and m.facilitator_ids == [b] and m.speaker_ids == [b, d]
    assert m.agenda_grievance_ids == [g] and m.agenda_campaign_ids == []
    assert rows[0].status == "scheduled" and rows[0].attendee_ids == []
    assert rows[2].status == "cancelled"
    assert [(r.worker_id, r.attended, r.facilitated, r.spoke)
            for r in (await attendance(conn, Scope.everything(), held)).named] == [
        (a, True, False, False), (b, True, True, True), (d, True, False, True)]
    assert await attendance(conn, Scope.everything(), planned) == Attendance(named=[], elsewhere=[])
    assert await attendance(conn, Scope.everything(), h.cid()) is None

    async def ids(**filters):
        return [x.id for x in await list_meetings(conn, Scope.everything(), collective_id=coll, **filters)]

    assert await ids(status="held") == [held]
    assert await ids(period_from=date(2025, 3, 3), period_to=date(2025, 3, 3)) == [held]
    assert await ids(period_from=date(2025, 3, 4)) == [planned]
    assert await ids(period_to=date(2025, 3, 2)) == [cancelled]
