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


async def test_a_spell_corrected_after_its_end_in_the_same_batch_keeps_the_corrected_end(app, conn):
    # The batch's spell ends are stored together after its events: a correction later in
    # the batch must not be overwritten by the end recorded before it.
    coll = h.collective(app, name="Harbour branch", federation=h.fed())
    w = h.worker(app, coll)
    spell = h.spell(app, w, "domestic_care", date(2024, 1, 1))
    h.end_spell(app, w, spell, date(2024, 6, 30))
    app.execute(c.CorrectSpell(command_id=h.cid(), worker_id=w, spell_id=spell, sector="domestic_care",
                               place="HK", started_on=date(2024, 1, 1), ended_on=date(2024, 5, 31),
                               reason="typing_mistake"))
    ended = h.spell(app, w, "construction", date(2024, 7, 1))
    h.end_spell(app, w, ended, date(2024, 9, 30))
    catch_up(app, ["indicators"])  # one batch
    t = await tables(conn, "indicators")
    rows = await conn.fetch(f"SELECT spell_id, ended_on FROM {t.spells} WHERE worker_id = $1", w)
    assert {r["spell_id"]: r["ended_on"] for r in rows} == {spell: date(2024, 5, 31),
                                                           ended: date(2024, 9, 30)}
