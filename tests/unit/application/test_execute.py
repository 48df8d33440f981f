"""The pipeline every command goes through, in memory: a resubmitted command replays its
first result and appends nothing; a command id reused for another command is refused; an
unclassified command runs for nobody; a refused command appends nothing."""

from __future__ import annotations

import msgspec
import pytest

from organize import commands as c
from organize.application import HANDLERS, RULES, USES
from organize.errors import CommandError
from tests.unit.application.conftest import cid


def test_the_tables_merge_into_one_use_per_command():
    assert set(HANDLERS) == set(RULES) == set(USES)
    assert all(USES[k].handler is HANDLERS[k] and USES[k].rule is RULES[k] for k in USES)


def test_a_resubmitted_command_replays_the_first_result(world):
    command = c.RenameCollective(command_id=cid(), collective_id=world.a, name="Sisters")
    first = world.run("leader_a", command)
    head = world.head()
    again = world.run("leader_a", command)
    assert again.replayed and again.id == first.id
    assert again.notification_id == first.notification_id and world.head() == head


def test_a_resubmit_that_would_now_fail_still_replays(world):
    command = c.JoinGrievance(command_id=cid(), grievance_id=world.g, worker_ids=(world.w2,))
    world.run("leader_a", command)
    assert world.run("leader_a", command).replayed  # "already a party" would refuse a new one


def test_a_command_id_reused_for_another_command_is_refused(world):
    command_id = cid()
    world.run("leader_a", c.RenameCollective(command_id=command_id, collective_id=world.a,
                                             name="Sisters"))
    head = world.head()
    with pytest.raises(CommandError) as refused:
        world.run("leader_a", c.RenameCollective(command_id=command_id, collective_id=world.a,
                                                 name="Others"))
    assert refused.value.code == "command_id_reused" and world.head() == head


def test_a_command_nobody_classified_runs_for_nobody(world):
    class Unknown(c.Command, kw_only=True):
        pass

    with pytest.raises(CommandError) as refused:
        world.run("leader_a", Unknown(command_id=cid()))
    assert refused.value.code == "role"
    with pytest.raises(CommandError) as refused:
        world.run("app", Unknown(command_id=cid()))
    assert refused.value.code == "unknown_command"


def test_what_is_stored_is_encrypted(world):
    stored = [bytes(n.state) for n in world.app.recorder.select_notifications(1, 1000)]
    assert stored and not any(b"Collective a" in s for s in stored)
    with pytest.raises(msgspec.DecodeError):
        msgspec.json.decode(stored[0])
