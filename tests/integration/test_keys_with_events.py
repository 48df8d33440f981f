"""The one-by-one path (``Organize.execute``) writes the data keys a command makes in the
transaction of its events, as a batch does: a command refused after it sealed something (by
the domain, or by the database at the save) leaves no key row behind."""

from __future__ import annotations

from datetime import date

import pytest

from organize import commands as c
from organize.application import new_id
from organize.domain import Worker
from organize.errors import Conflict, Invalid
from tests.integration import support as h

pytestmark = pytest.mark.integration


def test_a_recorded_command_writes_its_key_once(app):
    command = h.register_worker(pseudonym="Keyed once")
    worker_id = new_id(command.command_id, "worker")
    app.execute(command)
    assert h.key_rows(app, worker_id) == 1
    assert app.execute(command).replayed and h.key_rows(app, worker_id) == 1
    profile = app.open(worker_id, app.get(Worker, worker_id).profile, c.Profile)
    assert profile.pseudonym == "Keyed once"


def test_a_command_the_domain_refuses_after_sealing_leaves_no_key(app):
    collective = h.collective(app)
    worker = h.worker(app, collective)
    command = h.raise_grievance(collective, [worker], category="no_such_category")
    with pytest.raises(Invalid):
        app.execute(command)  # its description was sealed under a new key first
    assert h.key_rows(app, new_id(command.command_id, "grievance")) == 0


def test_a_command_the_database_refuses_at_the_save_leaves_no_key(app):
    collective = h.create_collective()
    app.execute(collective)
    worker = h.worker(app, new_id(collective.command_id, "collective"))
    # The collective's command id again, for a grievance: sealed, then refused by the log.
    reused = h.raise_grievance(new_id(collective.command_id, "collective"), [worker],
                               command_id=collective.command_id)
    with pytest.raises(Invalid) as refused:
        app.execute(reused)
    assert refused.value.code == "command_id_reused"
    assert h.key_rows(app, new_id(reused.command_id, "grievance")) == 0


def test_a_key_owned_by_a_worker_erased_meanwhile_is_refused_with_its_events(app, monkeypatch):
    """Her erasure runs while a grievance naming her is between its checks and its save: the
    erasure has shredded her keys and replaced the KEK by the time the grievance's new key
    would be written. That key, owned by her alone, would keep her story readable after her
    erasure; the save is refused instead, events and key together."""
    collective = h.collective(app)
    worker = h.worker(app, collective)
    command = h.raise_grievance(collective, [worker])
    h.meanwhile(app, monkeypatch, command, lambda: app.execute(
        c.EraseWorker(command_id=h.cid(), worker_id=worker)))
    with pytest.raises(Conflict):
        app.execute(command)
    grievance_id = new_id(command.command_id, "grievance")
    assert h.key_rows(app, grievance_id) == 0
    assert not app.recorder.select_events(grievance_id)


def test_an_error_raised_after_the_events_were_inserted_stores_nothing(app, monkeypatch):
    """A keyring that cannot open, say, fails the key write after the events and the command
    row were inserted: nothing of the command may land (its events would be sealed under a
    key that was never written)."""
    collective = h.collective(app)
    worker = h.worker(app, collective)
    command = h.raise_grievance(collective, [worker])

    def broken(curs, made):
        raise RuntimeError("the keyring cannot open")

    monkeypatch.setattr(app._key_store, "write_made", broken)
    with pytest.raises(RuntimeError):
        app.execute(command)
    grievance_id = new_id(command.command_id, "grievance")
    assert not app.recorder.select_events(grievance_id)
    assert app.recorder.find_command(command.command_id) is None



def test_a_merge_into_a_worker_erased_meanwhile_ties_no_key_to_her(app, monkeypatch):
    """The survivor is erased while a merge into her is between its checks and its save. The
    absorbed record's key would gain her as an owner (her erasure is meant to reach it) after
    her erasure ran: the merge is refused, and the absorbed key's owners stay as they were."""
    collective = h.collective(app)
    survivor, absorbed = h.worker(app, collective), h.worker(app, collective)
    before = h.key_owners(app, absorbed)
    command = c.MergeWorkers(command_id=h.cid(), survivor_id=survivor, absorbed_id=absorbed)
    h.meanwhile(app, monkeypatch, command, lambda: app.execute(
        c.EraseWorker(command_id=h.cid(), worker_id=survivor)))
    with pytest.raises(Conflict):
        app.execute(command)
    assert h.key_owners(app, absorbed) == before and survivor not in before
    assert app.get(Worker, absorbed).merged_into is None


def test_owners_given_by_a_command_refused_at_the_save_are_not_written(app, monkeypatch):
    """A join refused by the database (another writer moved the grievance on between its
    checks and its save) gave its workers nothing: the owners of a key change with the
    event that gives them, or not at all."""
    collective = h.collective(app)
    first, joining = h.worker(app, collective), h.worker(app, collective)
    grievance = app.execute(h.raise_grievance(collective, [first])).id
    before = h.key_owners(app, grievance)
    join = c.JoinGrievance(command_id=h.cid(), grievance_id=grievance, worker_ids=[joining])
    h.meanwhile(app, monkeypatch, join, lambda: app.execute(c.NoteEvidence(
        command_id=h.cid(), grievance_id=grievance, note="Payslips kept", on=date(2026, 1, 5))))
    with pytest.raises(Conflict):
        app.execute(join)
    assert h.key_owners(app, grievance) == before == {first}
    monkeypatch.undo()
    app.execute(c.JoinGrievance(command_id=h.cid(), grievance_id=grievance,
                                worker_ids=[joining]))
    assert h.key_owners(app, grievance) == {first, joining}


def test_a_join_of_a_worker_erased_meanwhile_is_refused(app, monkeypatch):
    """She is erased while a join naming her is between its checks and its save. Nothing new
    is sealed, so no new key would refuse it: the grievance's key gaining her as an owner
    does. Her id is not written into the grievance after her erasure."""
    collective = h.collective(app)
    first, joining = h.worker(app, collective), h.worker(app, collective)
    grievance = app.execute(h.raise_grievance(collective, [first])).id
    join = c.JoinGrievance(command_id=h.cid(), grievance_id=grievance, worker_ids=[joining])
    h.meanwhile(app, monkeypatch, join, lambda: app.execute(
        c.EraseWorker(command_id=h.cid(), worker_id=joining)))
    with pytest.raises(Conflict):
        app.execute(join)
    assert h.key_owners(app, grievance) == {first}
    assert len(app.recorder.select_events(grievance)) == 1
