"""A collective a worker left keeps what it recorded while she was a member, and nothing
more: an import's duplicate check and its attendee matching compare the file with the
collective's current members only. Otherwise a leader could upload a guessed phone and learn
from "same phone as a worker already recorded" the number another collective recorded for
her since."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from organize import commands as c
from organize.accounts import Principal
from organize.application.access import Authorised
from organize.imports.plan import known_workers
from tests.integration import support as h

pytestmark = pytest.mark.integration


def leader(*collective_ids) -> Principal:
    return Principal(account_id=uuid.uuid4(), username="leader-import", role="leader",
                     collective_ids=frozenset(collective_ids), federation=None, via="session")


def test_a_former_member_is_never_compared_with_the_file(app):
    ours, theirs = h.collective(app), h.collective(app)
    tag = h.cid().hex[:8]
    stays = app.execute(h.register_worker(ours, pseudonym=f"Gita {tag}",
                                          phone="+977 9841 111 222")).id
    left = app.execute(h.register_worker(ours, pseudonym=f"Durga {tag}",
                                         phone="+977 9841 333 444")).id
    app.execute(c.JoinCollective(command_id=h.cid(), worker_id=left, collective_id=theirs,
                                 on=date(2025, 3, 1)))
    app.execute(c.LeaveCollective(command_id=h.cid(), worker_id=left, collective_id=ours,
                                  on=date(2025, 3, 2)))
    new_phone = "+852 6123 9876"
    app.execute(c.UpdateWorkerProfile(command_id=h.cid(), worker_id=left, profile=c.Profile(
        pseudonym=f"Durga {tag}", phone=new_phone)))
    as_ours = Authorised(app, leader(ours))
    # The worker directory lists both, as the import page and the command read it.
    known = known_workers(as_ours, [stays, left], collective_id=ours)
    assert [i for i, _ in known.members] == [stays]
    assert known.like(c.Profile(pseudonym="Anyone", phone=new_phone)) is None
    assert known.like(c.Profile(pseudonym="Anyone", phone="+977 9841 111 222")) == "same phone as"
