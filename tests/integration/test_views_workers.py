"""The worker directory and sector flows, on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec
import pytest

from organize import commands as c
from organize.domain import Worker
from organize.persistence.keys import Sealer
from organize.projections.reads import Scope
from organize.projections.views.sector_flows import tally, transitions
from organize.projections.views.worker_directory import (
    get_worker,
    list_workers,
    overlapping_pairs,
    sealed_profiles,
)
from tests.integration import support as h
from tests.integration.support import (  # noqa: F401 - conn_fixture
    catch_up,
    collective,
    conn_fixture,
    end_spell,
    fed,
    organisation,
    spell,
    worker,
)

pytestmark = pytest.mark.integration


def pseudonym(app, worker_id, sealed) -> str | None:
    plain = Sealer.open_with(app.keys.get(worker_id), worker_id, sealed)
    return None if plain is None else msgspec.json.decode(plain, type=c.Profile).pseudonym


def test_overlap_rule():
    a, b, x = h.cid(), h.cid(), h.cid()
    d = date
    # Ending on the day the next starts is a handover, not an overlap.
    assert overlapping_pairs([(a, d(2025, 1, 1), d(2025, 2, 1)), (b, d(2025, 2, 1), None)]) == []
    assert overlapping_pairs([(a, d(2025, 1, 1), d(2025, 2, 2)), (b, d(2025, 2, 1), None)]) == [(a, b)]
    # Open spells overlap everything after their start; one-day spells cover their day.
    assert overlapping_pairs([(b, d(2025, 3, 1), d(2025, 3, 1)), (a, d(2024, 1, 1), None),
                              (x, d(2026, 1, 1), None)]) == [(a, b), (a, x)]
    assert overlapping_pairs([(a, d(2025, 3, 1), d(2025, 3, 1)),
                              (b, d(2025, 3, 1), d(2025, 3, 1))]) == [tuple(sorted((a, b)))]
    assert transitions([("garment", d(2020, 1, 1)), ("domestic_care", d(2021, 1, 1)),
                        ("unpaid_care", d(2021, 1, 1)), ("garment", d(2022, 1, 1))]) == {
        ("garment", "domestic_care"), ("garment", "unpaid_care"),
        ("domestic_care", "garment"), ("unpaid_care", "garment")}


async def test_directory_holds_sealed_profiles_consents_memberships_and_trajectory(app, conn):
    north, south = collective(app, federation=fed()), collective(app, federation=fed())
    rina = worker(app, north, "Rina")
    mala = worker(app, south, "Mala")
    app.execute(c.JoinCollective(command_id=h.cid(), worker_id=mala, collective_id=north,
                                 on=date(2025, 2, 1)))
    app.execute(c.LeaveCollective(command_id=h.cid(), worker_id=mala, collective_id=north,
                                  on=date(2025, 3, 1)))
    app.execute(c.JoinCollective(command_id=h.cid(), worker_id=mala, collective_id=north,
                                 on=date(2025, 4, 1)))
    employer = organisation(app)
    app.execute(c.GiveConsent(command_id=h.cid(), worker_id=rina, purpose="contact",
                              on=datetime(2025, 1, 6, tzinfo=UTC)))
    app.execute(c.GiveConsent(command_id=h.cid(), worker_id=rina, purpose=f"referral:{employer}",
                              on=datetime(2025, 1, 6, tzinfo=UTC)))
    app.execute(c.GiveConsent(command_id=h.cid(), worker_id=rina, purpose="research",
                              on=datetime(2025, 1, 6, tzinfo=UTC)))
    app.execute(c.WithdrawConsent(command_id=h.cid(), worker_id=rina, purpose="research",
                                  on=datetime(2025, 1, 7, tzinfo=UTC)))
    s1 = spell(app, rina, "domestic_care", date(2023, 1, 1), employer_id=employer, occupation="cook")
    s2 = spell(app, rina, "street_vending", date(2024, 6, 1), relationship="self_employed")
    s3 = spell(app, rina, "unpaid_care", date(2024, 1, 1), relationship="unpaid", paid=False)
    end_spell(app, rina, s2, date(2024, 12, 1))
    app.execute(c.RecordMove(command_id=h.cid(), worker_id=rina, to_place="HK", from_place="NP",
                             stage="destination", moved_on=date(2022, 12, 1)))
    app.execute(c.UpdateWorkerProfile(command_id=h.cid(), worker_id=rina,
                                      profile=c.Profile(pseudonym="Rina K")))
    catch_up(app)

    rows = await list_workers(conn, Scope.everything(), north)
    assert [r.id for r in rows] == [rina, mala]
    r = rows[0]
    assert pseudonym(app, rina, r.sealed_profile) == "Rina K"
    assert b"Rina" not in r.sealed_profile  # sealed, never plaintext
    assert [x.purpose for x in r.consents] == ["contact", f"referral:{employer}"]
    assert [(m.collective_id, m.joined_on, m.left_on) for m in r.memberships] == [
        (north, date(2025, 1, 5), None)]
    assert [(s.spell_id, s.sector, s.started_on, s.ended_on) for s in r.spells] == [
        (s1, "domestic_care", date(2023, 1, 1), None),
        (s3, "unpaid_care", date(2024, 1, 1), None),
        (s2, "street_vending", date(2024, 6, 1), date(2024, 12, 1))]
    assert r.spells[0].employer_id == employer
    assert not hasattr(r.spells[0], "occupation")  # sealed under her key, never in the view
    from organize.application.reading import worker_view

    assert [s.occupation for s in worker_view(app, app.get(Worker, rina)).spells][0] == "cook"
    assert r.spells[1].paid is False and r.spells[1].relationship == "unpaid"
    assert r.overlaps == [(s1, s3), (s1, s2), (s3, s2)]
    assert [(m.to_place, m.from_place, m.stage) for m in r.moves] == [("HK", "NP", "destination")]
    m = rows[1]
    assert [(x.collective_id, x.joined_on, x.left_on) for x in m.memberships] == [
        (south, date(2025, 1, 5), None), (north, date(2025, 2, 1), date(2025, 3, 1)),
        (north, date(2025, 4, 1), None)]
    # A leader of the south collective sees Mala, and only her memberships in scope.
    south_leader = Scope(collective_ids=frozenset({south}))
    seen = await get_worker(conn, south_leader, mala)
    assert [x.collective_id for x in seen.memberships] == [south]
    assert await get_worker(conn, south_leader, rina) is None
    assert await list_workers(conn, south_leader, north) is None
    assert await list_workers(conn, Scope.everything(), h.cid()) is None
    assert await get_worker(conn, Scope.everything(), h.cid()) is None

    # Erasure drops the blob and the consents; the trajectory stays (it holds no identity).
    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=rina))
    catch_up(app)
    erased = await get_worker(conn, Scope.everything(), rina)
    assert erased.erased and erased.sealed_profile is None and erased.consents == []
    assert len(erased.spells) == 3
    assert await sealed_profiles(conn, [rina, mala]) == {
        rina: None, mala: (await get_worker(conn, Scope.everything(), mala)).sealed_profile}


async def test_sector_flows_per_federation(app, conn):
    federation = fed()
    north, south = collective(app, federation=federation), collective(app, federation=federation)
    elsewhere = collective(app, federation=fed())
    # Ana: garment -> domestic care (ended before), then domestic + unpaid care at once.
    ana = worker(app, north)
    g = spell(app, ana, "garment", date(2018, 1, 1))
    end_spell(app, ana, g, date(2020, 1, 1))
    spell(app, ana, "domestic_care", date(2020, 1, 1))
    spell(app, ana, "unpaid_care", date(2021, 1, 1), relationship="unpaid", paid=False)
    # Bea: garment -> domestic care, sequential.
    bea = worker(app, south)
    g = spell(app, bea, "garment", date(2019, 1, 1))
    end_spell(app, bea, g, date(2019, 6, 1))
    d = spell(app, bea, "domestic_care", date(2019, 6, 1))
    end_spell(app, bea, d, date(2019, 7, 1))
    # Cai: one spell only; Dee: no spells; Eve is in another federation.
    spell(app, worker(app, north), "construction", date(2022, 1, 1))
    worker(app, south)
    spell(app, worker(app, elsewhere), "garment", date(2020, 1, 1))
    catch_up(app, batch_size=3)  # small batches: spells ended in a later batch than started

    flows = await tally(conn, Scope.everything(), federation)
    assert flows.workers == 3
    assert flows.concurrent == 1  # Ana
    assert flows.with_unpaid_care == 1
    assert (flows.spells, flows.unpaid_care_spells) == (6, 1)
    assert flows.moves == {("garment", "domestic_care"): 2, ("domestic_care", "unpaid_care"): 1}

    # A leader of the south collective: Bea only.
    south_only = await tally(conn, Scope(collective_ids=frozenset({south})), federation)
    assert south_only.workers == 1
    assert south_only.moves == {("garment", "domestic_care"): 1}
    assert await tally(conn, Scope(federation="another"), federation) is None
    assert await tally(conn, Scope.everything(), fed()) is None

    # Joining a collective of the federation brings her trajectory in.
    eve = (await list_workers(conn, Scope.everything(), elsewhere))[0].id
    app.execute(c.JoinCollective(command_id=h.cid(), worker_id=eve, collective_id=north,
                                 on=date(2025, 6, 1)))
    catch_up(app)
    assert (await tally(conn, Scope.everything(), federation)).workers == 4
