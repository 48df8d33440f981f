"""The one-by-one path (``Organize.execute``) writes the data keys a command makes in the
transaction of its events, as a batch does: a command refused after it sealed something (by
the domain, or by the database at the save) leaves no key row behind."""

from __future__ import annotations

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
    handle = app._handle

    def erased_meanwhile(running):
        done = handle(running)
        if running is command:
            app.execute(c.EraseWorker(command_id=h.cid(), worker_id=worker))
        return done

    monkeypatch.setattr(app, "_handle", erased_meanwhile)
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
