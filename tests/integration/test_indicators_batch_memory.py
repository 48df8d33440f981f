"""The indicators' handlers keep what they need of a batch's grievances in memory
(``organize.projections.indicators.memory``): what a handler changes must reach the events
after it in the same batch, as it would through the tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from organize import commands as c
from organize.projections.indicators.scoring import week_of
from organize.projections.reads import tables
from tests.integration import support as h
from tests.integration.support import catch_up, conn_fixture  # noqa: F401 - conn_fixture

pytestmark = pytest.mark.integration


async def test_an_event_after_its_grievance_is_linked_in_the_same_batch_reaches_the_campaign(app, conn):
    coll = h.collective(app, name="Harbour branch", federation=h.fed())
    g = h.grievance(app, coll, [h.worker(app, coll)], occurred_on=date(2025, 2, 5))
    campaign = app.execute(c.LaunchCampaign(
        command_id=h.cid(), issue="Back pay", demands=("Pay what is owed",), collective_ids=(coll,),
        sectors=("domestic_care",), launched_on=date(2025, 2, 7))).id
    app.execute(c.LinkGrievance(command_id=h.cid(), campaign_id=campaign, grievance_id=g))
    won = date(2025, 9, 1)
    app.execute(c.RecordOutcome(command_id=h.cid(), grievance_id=g, outcome="wages_recovered",
                                amount=Decimal("1200"), currency="HKD", on=won))
    catch_up(app, ["indicators"])  # one batch
    t = await tables(conn, "indicators")
    last = await conn.fetchval(f"SELECT last_fact_week FROM {t.series} WHERE subject = 'campaign' "
                               "AND id = $1", campaign)
    assert last == week_of(won)
