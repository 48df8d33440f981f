"""Merges probed as a leader would: one collective's leader must not merge away, or pour
her records into, a record another collective holds."""

from __future__ import annotations

from datetime import date

import pytest

from organize import commands as c
from organize.application.reading import merged_views
from organize.domain import Worker
from organize.errors import CommandError
from tests.integration import support as h

pytestmark = pytest.mark.integration


def _shared_and_hers(world):
    """A record both collectives hold, and one only A holds with nearly her pseudonym."""
    both = world.member(world.a, "Sita")
    world.join(both, world.b, date(2025, 2, 1))
    only_a = world.member(world.a, "sita", legal_name=f"Sita Tamang {world.tag}")
    return both, only_a


@pytest.mark.parametrize("survivor", ["shared", "hers"])
def test_one_leader_cannot_merge_a_record_another_collective_holds(app, two_collectives,
                                                                  survivor):
    both, only_a = _shared_and_hers(two_collectives)
    pair = (both, only_a) if survivor == "shared" else (only_a, both)
    as_a = two_collectives.as_leader(two_collectives.a)
    with pytest.raises(CommandError):
        as_a.execute(c.MergeWorkers(command_id=h.cid(), survivor_id=pair[0],
                                    absorbed_id=pair[1]))
    assert app.get(Worker, both).absorbed == () and app.get(Worker, both).merged_into is None
    # B's leaders would otherwise read A's record under their member's line (or lose her).
    names = [v.profile.pseudonym for v in merged_views(app, app.get(Worker, both))]
    assert names == [f"Sita {two_collectives.tag}"]


def test_once_both_records_are_in_the_same_collectives_they_merge(app, two_collectives):
    a, b = two_collectives.a, two_collectives.b
    both, only_a = _shared_and_hers(two_collectives)
    as_both = two_collectives.as_leader(a, b)
    with pytest.raises(CommandError):
        as_both.execute(c.MergeWorkers(command_id=h.cid(), survivor_id=both,
                                       absorbed_id=only_a))
    as_both.execute(c.JoinCollective(command_id=h.cid(), worker_id=only_a, collective_id=b,
                                     on=date(2025, 3, 1)))
    as_both.execute(c.MergeWorkers(
        command_id=h.cid(), survivor_id=both, absorbed_id=only_a))
    assert app.get(Worker, both).absorbed == (only_a,)


def test_a_pair_that_cannot_be_merged_is_not_suggested(app, two_collectives):
    from organize.application.duplicates import suggest

    a, b = two_collectives.a, two_collectives.b
    both, only_a = _shared_and_hers(two_collectives)
    assert suggest(app, a, [both, only_a]) == []
    two_collectives.join(only_a, b, date(2025, 3, 1))
    assert [set(s.worker_ids) for s in suggest(app, a, [both, only_a])] == [{both, only_a}]
