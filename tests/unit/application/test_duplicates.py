"""Duplicate suggestions in memory: why a pair may be one woman (same phone, a similar
pseudonym, two shared grievances), never across collectives, never an erased, merged or
former member, and never a name in what is suggested."""

from __future__ import annotations

from organize import commands as c
from organize.application.duplicates import similar, suggest
from tests.unit.application.conftest import DAY, cid


def _worker(world, pseudonym, phone=None, collective=None):
    return world.run("app", c.RegisterWorker(
        command_id=cid(), collective_id=collective or world.a, joined_on=DAY,
        profile=c.Profile(pseudonym=pseudonym, phone=phone))).id


def _grievance(world, *workers):
    world.run("app", c.RaiseGrievance(
        command_id=cid(), collective_id=world.a, worker_ids=workers, category="excessive_hours",
        sector="domestic_care", place="HK", stage="destination", occurred_on=DAY,
        description="Long days."))


def test_similar():
    p = c.Profile
    assert similar(p(pseudonym="Asha", phone="+977 9841 123456"),
                   p(pseudonym="Kamala", phone="9841123456")) == "same phone as"
    assert similar(p(pseudonym="Asha Gurung"), p(pseudonym="asha  gurung")) == "pseudonym like"
    assert similar(p(pseudonym="Aasha Gurung"), p(pseudonym="Asha Gurung")) == "pseudonym like"
    assert similar(p(pseudonym="Asha 1"), p(pseudonym="Asha 2")) is None  # told apart on purpose
    assert similar(p(pseudonym="Asha"), p(pseudonym="Bina")) is None


def test_suggestions_with_their_reasons(world):
    a = _worker(world, "Kalpana Rai", "+852 6123 4567")
    b = _worker(world, "K. R.", "852-6123-4567")
    d, e = _worker(world, "Devi"), _worker(world, "Esha")
    f = _worker(world, "kalpana rai")
    for _ in range(2):
        _grievance(world, d, e)
    grievances = {i: (d, e) for i in (1, 2)}
    found = {frozenset(s.worker_ids): s.reasons
             for s in suggest(world.app, world.a, [a, b, d, e, f], grievances)}
    assert found == {frozenset((a, b)): ("same phone",), frozenset((a, f)): ("similar pseudonym",),
                     frozenset((d, e)): ("shared grievances",)}
    assert "Kalpana" not in repr(found)


def test_never_across_collectives_nor_erased_merged_or_former(world):
    mine = _worker(world, "Tara", "+852 5000 0001")
    theirs = _worker(world, "Tara", "+852 5000 0001", collective=world.b)
    assert suggest(world.app, world.a, [mine, theirs]) == []
    twin = _worker(world, "Tara", "+852 5000 0001")
    third = _worker(world, "Tara", "+852 5000 0001")
    world.run("app", c.MergeWorkers(command_id=cid(), survivor_id=mine, absorbed_id=twin))
    world.run("app", c.EraseWorker(command_id=cid(), worker_id=third))

    assert suggest(world.app, world.a, [mine, twin, third, world.former]) == []
