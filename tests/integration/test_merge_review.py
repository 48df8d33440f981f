"""Merges probed as a leader would: one collective's leader must not merge away, or pour
her records into, a record another collective holds."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from organize import commands as c
from organize.accounts import Principal
from organize.application.access import Authorised
from organize.application.reading import merged_views
from organize.domain import Worker
from organize.errors import CommandError
from tests.integration import support as h

pytestmark = pytest.mark.integration


def leader(*collective_ids) -> Principal:
    return Principal(account_id=uuid.uuid4(), username="leader-merge", role="leader",
                     collective_ids=frozenset(collective_ids), federation=None, via="session")


def _two_collectives(app):
    a, b = h.collective(app), h.collective(app)
    tag = h.cid().hex[:8]
    both = app.execute(h.register_worker(a, pseudonym=f"Sita {tag}")).id
    app.execute(c.JoinCollective(command_id=h.cid(), worker_id=both, collective_id=b,
                                 on=date(2025, 2, 1)))
    only_a = app.execute(h.register_worker(a, pseudonym=f"sita {tag}",
                                           legal_name=f"Sita Tamang {tag}")).id
    return a, b, both, only_a, tag


@pytest.mark.parametrize("survivor", ["shared", "hers"])
def test_one_leader_cannot_merge_a_record_another_collective_holds(app, survivor):
    a, b, both, only_a, tag = _two_collectives(app)
    pair = (both, only_a) if survivor == "shared" else (only_a, both)
    as_a = Authorised(app, leader(a))
    with pytest.raises(CommandError):
        as_a.execute(c.MergeWorkers(command_id=h.cid(), survivor_id=pair[0],
                                    absorbed_id=pair[1]))
    assert app.get(Worker, both).absorbed == () and app.get(Worker, both).merged_into is None
    # B's leaders would otherwise read A's record under their member's line (or lose her).
    names = [v.profile.pseudonym for v in merged_views(app, app.get(Worker, both))]
    assert names == [f"Sita {tag}"]


def test_once_both_records_are_in_the_same_collectives_they_merge(app):
    a, b, both, only_a, _ = _two_collectives(app)
    as_both = Authorised(app, leader(a, b))
    with pytest.raises(CommandError):
        as_both.execute(c.MergeWorkers(command_id=h.cid(), survivor_id=both,
                                       absorbed_id=only_a))
    as_both.execute(c.JoinCollective(command_id=h.cid(), worker_id=only_a, collective_id=b,
                                     on=date(2025, 3, 1)))
    as_both.execute(c.MergeWorkers(
        command_id=h.cid(), survivor_id=both, absorbed_id=only_a))
    assert app.get(Worker, both).absorbed == (only_a,)


def test_a_pair_that_cannot_be_merged_is_not_suggested(app):
    from organize.application.duplicates import suggest

    a, b, both, only_a, _ = _two_collectives(app)
    assert suggest(app, a, [both, only_a]) == []
    app.execute(c.JoinCollective(command_id=h.cid(), worker_id=only_a, collective_id=b,
                                 on=date(2025, 3, 1)))
    assert [set(s.worker_ids) for s in suggest(app, a, [both, only_a])] == [{both, only_a}]
