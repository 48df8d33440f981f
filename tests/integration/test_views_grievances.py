"""The grievance register and common grievances, on a real PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from organize import commands as c
from organize.projections.reads import Scope
from organize.projections.views.common_grievances import list_common_grievances
from organize.projections.views.grievance_register import count_grievances, list_grievances
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


def by_id(rows):
    return {r.id: r for r in rows}


async def test_register_follows_a_grievance_through_its_life(app, conn):
    federation = fed()
    coll = collective(app, federation=federation)
    rina, mala = worker(app, coll), worker(app, coll, "Mala")
    employer = organisation(app)
    agency = organisation(app, kind="recruiter", name="Agency")
    g = grievance(app, coll, [rina], organisation_ids=(employer, agency),
                  category="documents_confiscated", stage="destination")
    other = grievance(app, coll, [mala], category="excessive_hours", sector="garment",
                      occurred_on=date(2024, 6, 1), stage="exit")
    app.execute(c.JoinGrievance(command_id=h.cid(), grievance_id=g, worker_ids=(mala,)))
    app.execute(c.EscalateGrievance(command_id=h.cid(), grievance_id=g, target="labour_office",
                                    on=date(2025, 3, 5)))
    app.execute(c.RecordNegotiation(command_id=h.cid(), grievance_id=g, held_on=date(2025, 3, 6),
                                    notes="Met the employer."))
    app.execute(c.ReportRetaliation(command_id=h.cid(), grievance_id=g, details="Threatened.",
                                    on=date(2025, 3, 7)))
    app.execute(c.RecordOutcome(command_id=h.cid(), grievance_id=g, outcome="wages_recovered",
                                amount=Decimal("1200.50"), currency="HKD", on=date(2025, 4, 1)))
    app.execute(c.WithdrawGrievance(command_id=h.cid(), grievance_id=other, on=date(2024, 7, 1)))
    catch_up(app)

    rows = by_id(await list_grievances(conn, Scope.everything(), collective_id=coll))
    assert set(rows) == {g, other}
    row = rows[g]
    assert (row.federation, row.category, row.category_group, row.sector, row.stage) == (
        federation, "documents_confiscated", "documents_movement", "domestic_care", "destination")
    assert row.status == "resolved" and row.outcome == "wages_recovered"
    assert (row.amount, row.currency, row.outcome_on) == (Decimal("1200.50"), "HKD", date(2025, 4, 1))
    assert row.parties == 2
    assert row.organisation_ids == [employer, agency]
    assert row.escalated and row.escalation_targets == ["labour_office"]
    assert not row.referred
    assert (row.negotiations, row.retaliations) == (1, 1)
    assert row.raised_nid < row.last_nid
    assert rows[other].status == "withdrawn" and rows[other].parties == 1

    # Reopening sets the outcome aside.
    app.execute(c.ReopenGrievance(command_id=h.cid(), grievance_id=g, on=date(2025, 5, 1)))
    catch_up(app)
    (row,) = await list_grievances(conn, Scope.everything(), collective_id=coll, status="open")
    assert row.id == g and row.outcome is None and row.amount is None


async def test_register_filters(app, conn):
    coll = collective(app, federation=fed())
    w = worker(app, coll)
    employer = organisation(app)
    a = grievance(app, coll, [w], organisation_ids=(employer,), category="no_weekly_rest",
                  occurred_on=date(2025, 1, 10))
    b = grievance(app, coll, [w], category="verbal_abuse", sector="garment", stage="transit",
                  occurred_on=date(2025, 2, 10))
    d = grievance(app, coll, [w], category="physical_violence", occurred_on=date(2025, 3, 10))
    app.execute(c.WithdrawGrievance(command_id=h.cid(), grievance_id=d, on=date(2025, 3, 11)))
    catch_up(app)
    everything = Scope.everything()

    async def ids(**filters):
        rows = await list_grievances(conn, everything, collective_id=coll, **filters)
        assert await count_grievances(conn, everything, collective_id=coll, **filters) == len(rows)
        return [r.id for r in rows]

    assert await ids() == [d, b, a]  # the most recent first
    assert await ids(category="verbal_abuse") == [b]
    assert await ids(group="violence") == [d, b]
    assert await ids(sector="garment") == [b]
    assert await ids(stage="transit") == [b]
    assert await ids(status="withdrawn") == [d]
    assert await ids(status="open") == [b, a]
    assert await ids(organisation_id=employer) == [a]
    assert await ids(period_from=date(2025, 2, 1)) == [d, b]
    assert await ids(period_to=date(2025, 2, 10)) == [b, a]
    assert await ids(period_from=date(2025, 2, 1), period_to=date(2025, 2, 28)) == [b]
    assert await ids(group="pay") == []
    page = await list_grievances(conn, everything, collective_id=coll, limit=2, offset=1)
    assert [r.id for r in page] == [b, a]


async def test_common_grievances_cross_collectives_and_sectors(app, conn):
    federation = fed()
    north, south = collective(app, federation=federation), collective(app, federation=federation)
    wn, ws = worker(app, north), worker(app, south)
    recruiter = organisation(app, kind="recruiter", name="Fast Jobs")
    place = f"P{h.cid().hex[:6]}"
    g1 = grievance(app, north, [wn], category="recruitment_fees_debt", organisation_ids=(recruiter,),
                   place=place, occurred_on=date(2024, 5, 1))
    g2 = grievance(app, south, [ws], category="recruitment_fees_debt", organisation_ids=(recruiter,),
                   sector="garment", place=place, occurred_on=date(2025, 1, 1))
    g3 = grievance(app, north, [wn], category="recruitment_fees_debt", organisation_ids=(recruiter,),
                   occurred_on=date(2025, 2, 1))
    grievance(app, north, [wn], category="no_leave", organisation_ids=(recruiter,))  # other category
    catch_up(app)

    clusters = await list_common_grievances(conn, Scope.everything(), category="recruitment_fees_debt",
                                            limit=10_000)
    by_org = [x for x in clusters if x.organisation_id == recruiter]
    assert len(by_org) == 1
    (cl,) = by_org
    assert cl.grievance_ids == [g1, g2, g3]
    assert cl.collective_ids == sorted([north, south])
    assert cl.sectors == ["domestic_care", "garment"]
    assert (cl.grievances, cl.collectives) == (3, 2)
    assert (cl.first_on, cl.last_on) == (date(2024, 5, 1), date(2025, 2, 1))
    (by_place,) = [x for x in clusters if x.place == place]
    assert by_place.grievance_ids == [g1, g2] and by_place.key_kind == "place"

    # Across collectives only.
    wide = await list_common_grievances(conn, Scope.everything(), min_collectives=2, limit=10_000)
    assert any(x.organisation_id == recruiter and x.category == "recruitment_fees_debt" for x in wide)
    assert not any(x.organisation_id == recruiter and x.category == "no_leave" for x in wide)

    # A leader of the north collective sees the cluster through her grievances only.
    leader = Scope(collective_ids=frozenset({north}))
    scoped = await list_common_grievances(conn, leader, limit=10_000)
    (mine,) = [x for x in scoped if x.organisation_id == recruiter]
    assert mine.grievance_ids == [g1, g3] and mine.collective_ids == [north]
    assert mine.sectors == ["domestic_care"]
    # ... and the place cluster shrinks to one grievance, below the minimum of two.
    assert not [x for x in scoped if x.place == place]
    # An organiser of the federation regroups to what everyone sees.
    organiser = Scope(federation=federation)
    assert [x for x in await list_common_grievances(conn, organiser, limit=10_000)
            if x.organisation_id == recruiter] == [cl]
