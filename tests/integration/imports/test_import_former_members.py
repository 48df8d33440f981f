"""A collective a worker left keeps what it recorded while she was a member, and nothing
more: an import's duplicate check and its attendee matching compare the file with the
collective's current members only. Otherwise a leader could upload a guessed phone and learn
from "same phone as a worker already recorded" the number another collective recorded for
her since."""

from __future__ import annotations

from datetime import date

import pytest

from organize import commands as c
from organize.imports.plan import known_workers
from tests.integration import support as h

pytestmark = pytest.mark.integration


def test_a_former_member_is_never_compared_with_the_file(app, two_collectives):
    ours, theirs, tag = two_collectives.a, two_collectives.b, two_collectives.tag
    stays = two_collectives.member(ours, "Gita", phone="+977 9841 111 222")
    left = two_collectives.member(ours, "Durga", phone="+977 9841 333 444")
    two_collectives.join(left, theirs, date(2025, 3, 1))
    two_collectives.leave(left, ours, date(2025, 3, 2))
    new_phone = "+852 6123 9876"
    app.execute(c.UpdateWorkerProfile(command_id=h.cid(), worker_id=left, profile=c.Profile(
        pseudonym=f"Durga {tag}", phone=new_phone)))
    as_ours = two_collectives.as_leader(ours)
    # The worker directory lists both, as the import page and the command read it.
    known = known_workers(as_ours, [stays, left], collective_id=ours)
    assert [i for i, _ in known.members] == [stays]
    assert known.like(c.Profile(pseudonym="Anyone", phone=new_phone)) is None
    assert known.like(c.Profile(pseudonym="Anyone", phone="+977 9841 111 222")) == "same phone as"
