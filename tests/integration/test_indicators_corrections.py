"""Corrections reach the indicators: a grievance's corrected day and an organisation's
corrected kind change the weekly series exactly as if they had been entered right the first
time. Two collectives are built side by side, one entered right, one entered wrong then
corrected, and their stored series must be the same (the evidence ids aside, which are
different events)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from organize import commands as c
from organize.projections.reads import tables
from tests.integration import support as h
from tests.integration.support import catch_up, conn_fixture  # noqa: F401 - conn_fixture

pytestmark = pytest.mark.integration

RIGHT_DAY, WRONG_DAY = date(2025, 3, 1), date(2024, 10, 5)


def build(app, *, raised_on: date, ally_kind: str):
    federation = h.fed()
    coll = h.collective(app, name="Harbour branch", federation=federation)
    ally = h.organisation(app, kind=ally_kind, name="Mission for Migrant Workers")
    app.execute(c.FormAlliance(command_id=h.cid(), collective_id=coll, organisation_id=ally,
                               since=date(2025, 1, 10)))
    w1, w2 = h.worker(app, coll), h.worker(app, coll, pseudonym="Mina")
    g = h.grievance(app, coll, [w1], occurred_on=raised_on)
    app.execute(c.JoinGrievance(command_id=h.cid(), grievance_id=g, worker_ids=(w2,)))
    app.execute(c.ReportRetaliation(command_id=h.cid(), grievance_id=g, details="Threatened.",
                                    on=date(2025, 3, 20)))
    return coll, ally, g


def correct_kind(app, ally) -> None:
    app.execute(c.CorrectOrganisationKind(command_id=h.cid(), organisation_id=ally, kind="ngo",
                                          reason="typing_mistake"))


def correct_day(app, g) -> None:
    was = app.repository.get(g)
    app.execute(c.CorrectGrievance(command_id=h.cid(), grievance_id=g, category=was.category,
                                   sector=was.sector, place=was.place, stage=was.stage,
                                   occurred_on=RIGHT_DAY, reason="wrong_day_or_time"))


async def series(conn, collective_id, dimension: str | None = None) -> list:
    t = await tables(conn, "indicators")
    rows = await conn.fetch(f"SELECT dimension, week, level, reasons, measures FROM {t.levels} "
                            "WHERE subject = 'collective' AND id = $1 "
                            "AND ($2::text IS NULL OR dimension = $2) ORDER BY dimension, week",
                            collective_id, dimension)
    return [(r["dimension"], r["week"], r["level"], json.loads(r["measures"]),
             [(x["code"], x["params"]) for x in json.loads(r["reasons"])]) for r in rows]


async def test_corrections_in_one_catch_up_score_as_if_entered_right(app, conn):
    right, _, _ = build(app, raised_on=RIGHT_DAY, ally_kind="ngo")
    wrong, _, _ = build(app, raised_on=WRONG_DAY, ally_kind="employer")
    fixed, ally, g = build(app, raised_on=WRONG_DAY, ally_kind="employer")
    correct_kind(app, ally)
    correct_day(app, g)
    catch_up(app, ["indicators"])
    expected = await series(conn, right)
    assert expected and await series(conn, wrong) != expected  # the mistake shows
    assert await series(conn, fixed) == expected


async def test_each_correction_after_the_mistake_was_scored(app, conn):
    right, _, _ = build(app, raised_on=RIGHT_DAY, ally_kind="ngo")
    coll, ally, g = build(app, raised_on=WRONG_DAY, ally_kind="employer")
    catch_up(app, ["indicators"])
    assert await series(conn, coll, "alliances") != await series(conn, right, "alliances")
    assert all(level == 0 for _, _, level, _, _ in await series(conn, coll, "alliances"))
    correct_kind(app, ally)  # an employer entered by mistake: the ally is an NGO
    catch_up(app, ["indicators"])
    # From the alliance on, as if entered right (before it, the wrong day still opens the series).
    allied = [r for r in await series(conn, coll, "alliances") if r[1] >= date(2025, 1, 6)]
    assert allied == await series(conn, right, "alliances")
    assert await series(conn, coll) != await series(conn, right)  # the day is still wrong
    correct_day(app, g)
    catch_up(app, ["indicators"])
    assert await series(conn, coll) == await series(conn, right)


async def test_a_join_after_a_corrected_day_in_the_same_batch_is_dated_by_the_corrected_clock(app, conn):
    """The handlers keep a batch's grievances in memory: a correction must refresh it."""
    coll = h.collective(app, name="Harbour branch", federation=h.fed())
    w1, w2 = h.worker(app, coll), h.worker(app, coll, pseudonym="Mina")
    g = h.grievance(app, coll, [w1], occurred_on=date(2025, 6, 1))
    correct_day(app, g)  # to RIGHT_DAY: its clock goes back with it
    app.execute(c.JoinGrievance(command_id=h.cid(), grievance_id=g, worker_ids=(w2,)))
    catch_up(app, ["indicators"])  # one batch
    t = await tables(conn, "indicators")
    rows = await conn.fetch(f"SELECT kind, on_date FROM {t.gevents} WHERE grievance_id = $1", g)
    assert {r["kind"]: r["on_date"] for r in rows} == {"raised": RIGHT_DAY, "joined": RIGHT_DAY}


async def test_a_corrected_day_moves_the_clock_past_what_the_batch_moved_it_to(app, conn):
    # In one batch: the clock moves to a retaliation's day, then the raised day is corrected
    # to a later one. The clock stored is the corrected one, as event by event.
    coll = h.collective(app, name="Harbour branch", federation=h.fed())
    g = h.grievance(app, coll, [h.worker(app, coll)], occurred_on=WRONG_DAY)
    app.execute(c.ReportRetaliation(command_id=h.cid(), grievance_id=g, details="Threatened.",
                                    on=date(2024, 11, 1)))
    correct_day(app, g)
    app.execute(c.JoinGrievance(command_id=h.cid(), grievance_id=g,
                                worker_ids=(h.worker(app, coll, pseudonym="Mina"),)))
    catch_up(app, ["indicators"])  # one batch
    t = await tables(conn, "indicators")
    assert await conn.fetchval(f"SELECT clock FROM {t.grievances} WHERE id = $1", g) == RIGHT_DAY
    assert await conn.fetchval(f"SELECT on_date FROM {t.gevents} WHERE grievance_id = $1 "
                               "AND kind = 'joined'", g) == RIGHT_DAY
