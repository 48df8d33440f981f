"""Scope: a reader scoped to one collective (or one federation) never gets another
collective's rows from any read function."""

from __future__ import annotations

from datetime import date

import pytest

from organize import commands as c
from organize.projections.reads import Scope
from organize.projections.views.campaign_board.reads import get_campaign, list_campaigns
from organize.projections.views.common_grievances import list_common_grievances
from organize.projections.views.grievance_register import count_grievances, list_grievances
from organize.projections.views.meeting_log import attendance, list_meetings
from organize.projections.views.sector_flows import tally
from organize.projections.views.worker_directory import get_worker, list_workers
from tests.integration import support as h
from tests.integration.support import (  # noqa: F401 - conn_fixture
    at,
    catch_up,
    collective,
    conn_fixture,
    fed,
    grievance,
    organisation,
    spell,
    worker,
)

pytestmark = pytest.mark.integration


def world(app, federation: str, employer, place: str) -> dict:
    """One collective with a bit of everything, sharing an employer and a place with others."""
    coll = collective(app, federation=federation)
    a, b = worker(app, coll), worker(app, coll, "Mala")
    spell(app, a, "garment", date(2020, 1, 1))
    spell(app, a, "domestic_care", date(2021, 1, 1))
    g1 = grievance(app, coll, [a], organisation_ids=(employer,), place=place)
    g2 = grievance(app, coll, [b], organisation_ids=(employer,), place=place)
    campaign = app.execute(c.LaunchCampaign(command_id=h.cid(), issue="Pay on time",
                                            collective_ids=(coll,), launched_on=date(2025, 1, 1))).id
    meeting = app.execute(c.ScheduleMeeting(command_id=h.cid(), kind="assembly", collective_ids=(coll,),
                                            scheduled_for=at(date(2025, 2, 1)), language="en")).id
    app.execute(c.RecordMeetingHeld(command_id=h.cid(), meeting_id=meeting, held_at=at(date(2025, 2, 1)),
                                    attendee_ids=(a, b), facilitator_ids=(a,), language="en"))
    return dict(collective=coll, workers={a, b}, grievances={g1, g2}, campaign=campaign,
                meeting=meeting)


async def test_no_read_function_leaks_another_collectives_rows(app, conn):
    fed_a, fed_b = fed(), fed()
    employer, place = organisation(app), f"P{h.cid().hex[:6]}"
    mine = world(app, fed_a, employer, place)
    sister = world(app, fed_a, employer, place)  # same federation, another collective
    theirs = world(app, fed_b, employer, place)
    catch_up(app)
    others = [sister, theirs]

    leader = Scope(collective_ids=frozenset({mine["collective"]}))
    organiser = Scope(federation=fed_a)
    for scope, allowed in ((leader, [mine]), (organiser, [mine, sister])):
        allowed_collectives = {w["collective"] for w in allowed}
        hidden = [w for w in [mine, *others] if w not in allowed]

        rows = await list_grievances(conn, scope, limit=100_000)
        assert {r.collective_id for r in rows} <= allowed_collectives
        assert {g for w in allowed for g in w["grievances"]} <= {r.id for r in rows}
        assert await count_grievances(conn, scope) == len(rows)
        for w in hidden:
            assert await list_grievances(conn, scope, collective_id=w["collective"]) == []

        clusters = await list_common_grievances(conn, scope, min_grievances=1, limit=100_000)
        assert all(set(x.collective_ids) <= allowed_collectives for x in clusters)
        hidden_grievances = {g for w in hidden for g in w["grievances"]}
        assert not hidden_grievances & {g for x in clusters for g in x.grievance_ids}
        (ours,) = [x for x in clusters if x.organisation_id == employer]
        assert ours.grievances == 2 * len(allowed)

        campaigns = await list_campaigns(conn, scope)
        assert all(set(x.collective_ids) & allowed_collectives for x in campaigns)
        for w in hidden:
            assert await get_campaign(conn, scope, w["campaign"]) is None

        meetings = await list_meetings(conn, scope)
        assert all(set(x.collective_ids) & allowed_collectives for x in meetings)
        assert mine["meeting"] in {x.id for x in meetings}
        for w in hidden:
            assert await attendance(conn, scope, w["meeting"]) is None
            assert await list_meetings(conn, scope, collective_id=w["collective"]) == []

        assert {r.id for r in await list_workers(conn, scope, mine["collective"])} == mine["workers"]
        for w in hidden:
            assert await list_workers(conn, scope, w["collective"]) is None
            for worker_id in w["workers"]:
                assert await get_worker(conn, scope, worker_id) is None

        flows = await tally(conn, scope, fed_a)
        assert flows.workers == len(allowed)
        assert await tally(conn, scope, fed_b) is None
