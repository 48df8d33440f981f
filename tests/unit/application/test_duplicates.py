"""Duplicate suggestions in memory: why a pair may be one woman (same phone, a similar
pseudonym, shared grievances), never across collectives, never an erased, merged or former
member, and never a name in what is suggested; and how shared grievances are weighed."""

from __future__ import annotations

import uuid

from organize import commands as c
from organize.application.duplicates import loosely_alike, shared_grievances, similar, suggest
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
    d, e = _worker(world, "Devi Rai"), _worker(world, "Devi")
    f = _worker(world, "kalpana rai")
    _grievance(world, d, e)
    grievances = {1: (d, e)}
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


def test_shared_grievances_weigh_each_by_its_size():
    a, b, d, e, f = (uuid.uuid4() for _ in range(5))
    others = [uuid.uuid4() for _ in range(8)]
    everyone = (a, b, d, e, f)
    # The only two workers on one grievance: worth a look.
    assert shared_grievances({1: (a, b)}, everyone) == {frozenset((a, b))}
    # Ten women behind one claim, or two: ten women (nobody is suggested).
    group = {1: (a, b, d, e, f, *others[:5]), 2: (a, b, d, e, f, *others[:5])}
    assert shared_grievances(group, everyone) == set()
    # Three workers a grievance: a pair named together on two of them reaches one.
    assert shared_grievances({1: (a, b, d)}, everyone) == set()
    assert shared_grievances({1: (a, b, d), 2: (a, b, e)}, everyone) == {frozenset((a, b))}
    # A grievance's size counts every worker on it, members of this list or not.
    assert shared_grievances({1: (a, b, others[0])}, everyone) == set()
    assert shared_grievances({1: (a, b, others[0])}, (a, b, others[0])) == set()
    # Named twice on one grievance is still one worker; a pair left out is never returned.
    assert shared_grievances({1: (a, a, b)}, everyone) == {frozenset((a, b))}
    assert shared_grievances({1: (a, b)}, (a, d)) == set()
    assert shared_grievances({}, everyone) == set()


def test_loosely_alike():
    p = c.Profile
    assert loosely_alike(p(pseudonym="Kalpana Rai"), p(pseudonym="K. Rai"))
    assert loosely_alike(p(pseudonym="Devi"), p(pseudonym="Devi Gurung"))
    assert loosely_alike(p(pseudonym="Sunita"), p(pseudonym="Sunitha"))
    assert not loosely_alike(p(pseudonym="Devi"), p(pseudonym="Esha"))
    assert not loosely_alike(p(pseudonym="Asha 12"), p(pseudonym="Mina 12"))  # digits are no name


def test_a_shared_grievance_alone_is_no_reason(world):
    """Two women with nothing alike, the only two on a grievance: two coworkers, not one woman."""
    d, e = _worker(world, "Devi"), _worker(world, "Esha")
    g = world.run("app", c.RaiseGrievance(
        command_id=cid(), collective_id=world.a, worker_ids=(d, e), category="excessive_hours",
        sector="domestic_care", place="HK", stage="destination", occurred_on=DAY,
        description="Long days.")).id
    assert suggest(world.app, world.a, [d, e], {g: (d, e)}) == []


def test_one_shared_grievance_is_a_reason(world):
    d, e = _worker(world, "Devi Rai"), _worker(world, "Devi")
    g = world.run("app", c.RaiseGrievance(
        command_id=cid(), collective_id=world.a, worker_ids=(d, e), category="excessive_hours",
        sector="domestic_care", place="HK", stage="destination", occurred_on=DAY,
        description="Long days.")).id
    found = suggest(world.app, world.a, [d, e], {g: (d, e)})
    assert [(set(s.worker_ids), s.reasons) for s in found] == [({d, e}, ("shared grievances",))]
    assert suggest(world.app, world.a, [d, e]) == []  # without the grievances, no reason
