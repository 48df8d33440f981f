"""Grievance deadlines on a real PostgreSQL: computed when the facts arrive, and again when
any of them changes (a step taken, the incident's day corrected, the procedure revised, a
departure planned, cleared or erased), equal to a rebuild from scratch, and read only within
the reader's own collectives."""

from __future__ import annotations

from datetime import date

import pytest

from organize import commands as c
from organize.application.procedures import procedure_id
from organize.application.reading import departure_of
from organize.domain import Grievance, Worker
from organize.domain.deadlines import deadlines, facts_of
from organize.persistence.reveal import opened_with
from organize.projections.reads import Scope, tables
from organize.projections.views.grievance_deadlines import (
    collective_procedures,
    due_deadlines,
    grievance_deadlines,
    with_departures,
)
from tests.integration import support as h
from tests.integration.support import (  # noqa: F401 - conn_fixture
    catch_up,
    collective,
    conn_fixture,
    fed,
    grievance,
    worker,
)

pytestmark = pytest.mark.integration
VIEW = ["grievance_deadlines"]
STEPS = (c.ProcedureStep(code="complaint", name="Written complaint", days=30, clock="knowledge"),
         c.ProcedureStep(code="meeting", name="Meeting", days=14, clock="previous_step"),
         c.ProcedureStep(code="claim", name="Labour claim", days=365))


def _define(app, coll, steps=STEPS, agreement_id=None):
    return app.execute(c.DefineProcedure(command_id=h.cid(), collective_id=coll, name="Ours",
                                         steps=steps, agreement_id=agreement_id)).id


async def _read(app, read, conn, *args):
    """A read as a leader's page gets it: the departures opened with her key, then added."""
    return with_departures(opened_with(app.keys, await read(conn, *args)))


def _due(rows):
    return [(r.step, r.due_on, r.met_on) for r in rows]


async def test_deadlines_follow_every_fact(app, conn):
    coll = collective(app, federation=fed())
    rina, mala = worker(app, coll), worker(app, coll, "Mala")
    g = grievance(app, coll, [rina], occurred_on=date(2026, 1, 5))
    _define(app, coll)
    catch_up(app, VIEW)
    mine = Scope(collective_ids=frozenset({coll}))
    today = date(2026, 2, 1)
    assert _due(await _read(app, grievance_deadlines, conn, mine, g, today)) == [
        ("complaint", date(2026, 2, 4), None), ("claim", date(2027, 1, 5), None)]

    # The incident's day corrected: every clock moves with it.
    app.execute(c.CorrectGrievance(command_id=h.cid(), grievance_id=g, category="wages_unpaid_late",
                                   sector="domestic_care", place="HK", stage="destination",
                                   occurred_on=date(2026, 1, 20), reason="wrong_day_or_time"))
    # She learned of it later; the complaint is taken; her departure is planned.
    app.execute(c.RecordKnowledge(command_id=h.cid(), grievance_id=g, on=date(2026, 1, 25)))
    app.execute(c.TakeStep(command_id=h.cid(), grievance_id=g, step="complaint",
                           on=date(2026, 2, 10)))
    app.execute(c.JoinGrievance(command_id=h.cid(), grievance_id=g, worker_ids=(mala,)))
    app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=rina, leaves_on=date(2026, 6, 30)))
    app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=mala, leaves_on=date(2026, 3, 1)))
    catch_up(app, VIEW)
    got = _due(await _read(app, grievance_deadlines, conn, mine, g, today))
    assert got == [("complaint", date(2026, 2, 24), date(2026, 2, 10)),
                   ("meeting", date(2026, 2, 24), None),
                   ("claim", date(2027, 1, 20), None),
                   ("departure", date(2026, 3, 1), None)]
    # The view equals the pure function on the final state.
    agg = app.repository.get(g)
    assert isinstance(agg, Grievance)
    steps = app.repository.get(procedure_id(coll)).steps
    departures = {w: departure_of(app, app.repository.get(w)) for w in (rina, mala)}
    assert got == [(d.step, d.due_on, d.met_on) for d in deadlines(facts_of(agg), steps, departures)]

    # Mala's record erased: her departure goes with it, Rina's binds.
    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=mala))
    # The procedure revised: the meeting now within 7 days.
    app.execute(c.ReviseProcedure(command_id=h.cid(), procedure_id=procedure_id(coll), name="Ours",
                                  steps=(STEPS[0], c.ProcedureStep(code="meeting", name="Meeting",
                                                                   days=7, clock="previous_step"),
                                         STEPS[2])))
    catch_up(app, VIEW)
    got = _due(await _read(app, grievance_deadlines, conn, mine, g, today))
    assert got[1] == ("meeting", date(2026, 2, 17), None)
    assert got[-1] == ("departure", date(2026, 6, 30), None)

    # Due soon and overdue, against the collective's today.
    due = await _read(app, due_deadlines, conn, mine, coll, date(2026, 2, 20))
    assert [(r.step, r.urgency) for r in due] == [("meeting", "overdue")]
    due = await _read(app, due_deadlines, conn, mine, coll, date(2026, 2, 12))
    assert [(r.step, r.urgency) for r in due] == [("meeting", "due_soon")]

    # An outcome closes it: nothing is due any more; reopened, it all comes back.
    app.execute(c.RecordOutcome(command_id=h.cid(), grievance_id=g, outcome="no_result",
                                on=date(2026, 2, 11)))
    catch_up(app, VIEW)
    assert await _read(app, grievance_deadlines, conn, mine, g, today) == []
    app.execute(c.ReopenGrievance(command_id=h.cid(), grievance_id=g, on=date(2026, 2, 12)))
    catch_up(app, VIEW)
    assert len(await _read(app, grievance_deadlines, conn, mine, g, today)) == 4


async def test_a_procedure_defined_after_the_grievance_applies_to_it(app, conn):
    coll = collective(app, federation=fed())
    g = grievance(app, coll, [worker(app, coll)], occurred_on=date(2026, 1, 5))
    catch_up(app, VIEW)
    scope = Scope(collective_ids=frozenset({coll}))
    assert await _read(app, grievance_deadlines, conn, scope, g, date(2026, 1, 6)) == []
    _define(app, coll)
    catch_up(app, VIEW)
    assert len(await _read(app, grievance_deadlines, conn, scope, g, date(2026, 1, 6))) == 2


async def test_an_agreement_s_procedure_applies_only_to_grievances_that_follow_it(app, conn):
    coll = collective(app, federation=fed())
    w = worker(app, coll)
    g, plain = (grievance(app, coll, [w], occurred_on=date(2026, 1, 5)) for _ in range(2))
    _define(app, coll)
    agreement = h.cid()
    special = _define(app, coll, steps=(c.ProcedureStep(code="notice", name="Notice", days=3),),
                      agreement_id=agreement)
    app.execute(c.FollowProcedure(command_id=h.cid(), grievance_id=g, procedure_id=special))
    catch_up(app, VIEW)
    scope = Scope(collective_ids=frozenset({coll}))
    assert _due(await _read(app, grievance_deadlines, conn, scope, g, date(2026, 1, 6))) == [
        ("notice", date(2026, 1, 8), None)]
    assert [r.step for r in await _read(app, grievance_deadlines, conn, scope, plain, date(2026, 1, 6))] == [
        "complaint", "claim"]
    names = [p.agreement_id for p in await collective_procedures(conn, scope, coll)]
    assert names == [None, agreement]


async def test_no_one_outside_the_collective_reads_its_deadlines(app, conn):
    federation = fed()
    coll, sister = collective(app, federation=federation), collective(app, federation=federation)
    her = worker(app, coll)
    g = grievance(app, coll, [her], occurred_on=date(2026, 1, 5))
    _define(app, coll)
    app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=her, leaves_on=date(2026, 2, 6)))
    catch_up(app, VIEW)
    day = date(2026, 2, 3)
    own = Scope(collective_ids=frozenset({coll}))
    assert "departure" in [r.step for r in await _read(app, due_deadlines, conn, own, coll, day)]
    for outsider in (Scope(collective_ids=frozenset({sister})),  # a sister collective's leader
                     Scope(collective_ids=frozenset({h.cid()})),  # another federation's
                     Scope(federation=federation)):  # the organiser of its own federation
        assert await _read(app, due_deadlines, conn, outsider, coll, day) == []
        assert await _read(app, grievance_deadlines, conn, outsider, g, day) == []
        assert (await grievance_deadlines(conn, outsider, g, day)).departures == []
        assert (await due_deadlines(conn, outsider, coll, day)).departures == []
        assert await collective_procedures(conn, outsider, coll) == []


async def test_applied_one_event_per_batch_the_view_equals_the_pure_function(app, conn):
    coll = collective(app, federation=fed())
    w = worker(app, coll)
    gs = [grievance(app, coll, [w], occurred_on=date(2026, 1, d)) for d in (3, 9)]
    _define(app, coll)
    app.execute(c.TakeStep(command_id=h.cid(), grievance_id=gs[0], step="complaint",
                           on=date(2026, 1, 10)))
    app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=w, leaves_on=date(2026, 4, 1)))
    catch_up(app, VIEW, batch_size=1)
    scope = Scope(collective_ids=frozenset({coll}))
    one_by_one = [await _read(app, grievance_deadlines, conn, scope, g, date(2026, 1, 12)) for g in gs]
    assert isinstance(app.repository.get(w), Worker)
    for g, rows in zip(gs, one_by_one, strict=True):
        agg = app.repository.get(g)
        expected = deadlines(facts_of(agg), app.repository.get(procedure_id(coll)).steps,
                             {w: date(2026, 4, 1)})
        assert [(r.step, r.due_on, r.met_on) for r in rows] == [
            (d.step, d.due_on, d.met_on) for d in expected]


async def _view_rows(conn) -> list[str]:
    """Every row of every table of the view's live generation, as JSON text."""
    names = await conn.fetch("SELECT tablename FROM pg_tables WHERE tablename LIKE"
                             " 'v\\_grievance\\_deadlines\\_g%'")
    rows = []
    for n in names:
        rows += [r[0] for r in await conn.fetch(f"SELECT row_to_json(t)::text FROM {n[0]} t")]
    return rows


async def test_the_view_never_holds_her_departure_and_erasure_takes_its_deadline(app, conn):
    coll = collective(app, federation=fed())
    rina, mala = worker(app, coll), worker(app, coll, "Mala")
    g = grievance(app, coll, [rina, mala], occurred_on=date(2026, 1, 5))
    _define(app, coll)
    app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=rina, leaves_on=date(2026, 6, 29)))
    app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=mala, leaves_on=date(2026, 3, 3)))
    catch_up(app, VIEW)
    mine = Scope(collective_ids=frozenset({coll}))
    today = date(2026, 2, 26)
    # The view holds tokens, never the days nor a deadline set by them.
    # (Only rows of this test's records: the database is shared with other tests' dates.)
    ours = (str(coll), str(g), str(rina), str(mala))
    rows = [r for r in await _view_rows(conn) if any(i in r for i in ours)]
    assert rows and not [r for r in rows if "2026-06-29" in r or "2026-03-03" in r]
    assert not [r for r in rows if '"departure"' in r]
    raw = await grievance_deadlines(conn, mine, g, today)
    assert {d.worker_id for d in raw.departures} == {rina, mala}
    assert all(d.day.startswith("\x1esealed:") for d in raw.departures)
    # Opened for her collective's leader, the earliest binds, and is due soon on the home page.
    assert _due(await _read(app, grievance_deadlines, conn, mine, g, today))[-1] == (
        "departure", date(2026, 3, 3), None)
    due = await _read(app, due_deadlines, conn, mine, coll, today)
    assert ("departure", date(2026, 3, 3), "due_soon") in [(r.step, r.due_on, r.urgency) for r in due]
    # Not the same day again: nothing is recorded; cleared, it is gone.
    with pytest.raises(Exception, match="Nothing was changed"):
        app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=mala, leaves_on=date(2026, 3, 3)))

    # Mala's key shredded but her token still read (a view not caught up): no deadline from it.
    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=mala))
    stale = opened_with(app.keys, raw)
    assert [d.day for d in stale.departures if d.worker_id == mala] == ["[erased]"]
    assert _due(with_departures(stale))[-1] == ("departure", date(2026, 6, 29), None)
    catch_up(app, VIEW)
    assert _due(await _read(app, grievance_deadlines, conn, mine, g, today))[-1] == (
        "departure", date(2026, 6, 29), None)
    assert "departure" not in [r.step for r in await _read(app, due_deadlines, conn, mine, coll, today)]
    assert [d.worker_id for d in (await grievance_deadlines(conn, mine, g, today)).departures] == [rina]
    # Her record reads as erased: no day of leaving for anyone.
    assert departure_of(app, app.repository.get(mala)) is None
    app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=rina, leaves_on=None))
    catch_up(app, VIEW)
    assert "departure" not in [r.step for r in await _read(app, grievance_deadlines, conn, mine, g, today)]
    t = await tables(conn, "grievance_deadlines")
    left = await conn.fetch(f"SELECT worker_id FROM {t.sealed_departures}"
                            " WHERE worker_id = ANY($1::uuid[])", [rina, mala])
    assert left == []


async def test_a_collective_she_has_left_never_reads_her_departure(app, conn):
    """She was party to a grievance of the collective she left; the departure her new
    collective records is theirs: the old one's deadlines never show it, nor its token."""
    old, new = collective(app, federation=fed()), collective(app, federation=fed())
    rina = worker(app, old)
    g = grievance(app, old, [rina], occurred_on=date(2026, 1, 5))
    _define(app, old)
    app.execute(c.LeaveCollective(command_id=h.cid(), worker_id=rina, collective_id=old,
                                  on=date(2026, 2, 1)))
    app.execute(c.JoinCollective(command_id=h.cid(), worker_id=rina, collective_id=new,
                                 on=date(2026, 2, 2)))
    app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=rina, leaves_on=date(2026, 3, 3)))
    catch_up(app, VIEW)
    today = date(2026, 2, 26)
    theirs = Scope(collective_ids=frozenset({old}))
    assert (await grievance_deadlines(conn, theirs, g, today)).departures == []
    assert (await due_deadlines(conn, theirs, old, today)).departures == []
    assert "departure" not in [r.step for r in await _read(app, grievance_deadlines, conn, theirs, g, today)]
    # She comes back: the grievance is her collective's again, and so is the deadline.
    app.execute(c.JoinCollective(command_id=h.cid(), worker_id=rina, collective_id=old,
                                 on=date(2026, 2, 20)))
    catch_up(app, VIEW)
    assert _due(await _read(app, grievance_deadlines, conn, theirs, g, today))[-1] == (
        "departure", date(2026, 3, 3), None)
