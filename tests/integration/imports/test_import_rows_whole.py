"""A row of an import lands whole or not at all: a row refused on its last command leaves
none of its events and none of its command log's rows, the rows around it land, and a
second run finishes what the first quarantined (``Batch.whole``, real PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import date
from uuid import uuid5

import pytest

from organize import commands as c
from organize.application import new_id
from organize.application.batch import Batch
from organize.domain import Worker
from organize.errors import CommandError
from organize.imports.plan import _digest
from tests.integration import support as h
from tests.integration.imports import support as s

pytestmark = pytest.mark.integration


def _written(app, command: c.Command) -> bool:
    return app.recorder.find_command(command.command_id) is not None


def test_a_row_refused_on_its_last_command_leaves_nothing_of_itself(app):
    collective = app.execute(h.create_collective()).id
    b = s.batch(unknown_choice=False)
    victim = b.subs[1]
    sid = _digest(app, collective, "worker_intake", victim.root_id)
    # The row's last command (its ledger entry) is refused: its id already names another
    # command in the log.
    app.execute(h.create_collective(command_id=uuid5(sid, "ledger"), federation="fed-other"))
    before = app.recorder.max_notification_id()

    dry = s.run_import(app, collective, b, "kobo_json", dry_run=True)
    assert app.recorder.max_notification_id() == before
    assert dry.counts["new"] == len(b.subs) and dry.counts["quarantined"] == 0
    done = s.run_import(app, collective, b, "kobo_json", dry_run=False)
    assert done.counts == {**dry.counts, "new": len(b.subs) - 1, "quarantined": 1}
    (bad,) = [r for r in done.rows if r.outcome == "quarantined"]
    assert bad.why.code == "command_id_reused"

    worker_command = uuid5(sid, "worker")
    worker_id = new_id(worker_command, "worker")
    assert list(app.repository.event_store.get(worker_id)) == []  # no worker, no key's use
    for step in ("worker", "consent:contact", "consent:research", "spell:0", "grievance",
                 "coworker:0"):
        assert app.recorder.find_command(uuid5(sid, step)) is None, step
    assert s.landed(app, collective, victim) is None
    for sub in (b.subs[0], *b.subs[2:]):  # the rows around it landed, whole
        ledger = s.landed(app, collective, sub)
        assert ledger is not None and ledger.worker_ids
        assert list(app.repository.event_store.get(ledger.worker_ids[0]))

    again = s.run_import(app, collective, b, "kobo_json", dry_run=True)
    assert again.counts["unchanged"] == len(b.subs) - 1 and again.counts["new"] == 1
    # Still refused the second time, still nothing of it; the others are not doubled.
    assert s.run_import(app, collective, b, "kobo_json", dry_run=False).counts == {
        **again.counts, "new": 0, "quarantined": 1}
    assert list(app.repository.event_store.get(worker_id)) == []


def test_a_good_import_commits_what_the_dry_run_counted_across_transactions(app, monkeypatch):
    from organize.imports import commit

    monkeypatch.setattr(commit, "ROWS", 2)  # several transactions for a few rows
    collective = app.execute(h.create_collective()).id
    b = s.batch()
    dry = s.run_import(app, collective, b, "kobo_xlsx", dry_run=True)
    done = s.run_import(app, collective, b, "kobo_xlsx", dry_run=False)
    assert done.counts == dry.counts and done.counts["new"] >= 3
    assert [(r.line, r.outcome) for r in done.rows] == [(r.line, r.outcome) for r in dry.rows]
    for sub in b.subs:
        if sub.jobs and sub.jobs[0].sector != "fishing_boat":
            assert s.landed(app, collective, sub) is not None


def _worker(collective_id) -> c.RegisterWorker:
    return c.RegisterWorker(command_id=uuid.uuid4(), collective_id=collective_id,
                            joined_on=date(2024, 6, 1), profile=c.Profile(pseudonym="Asha"))


def test_batch_whole_discards_the_block_and_writes_what_came_before(app):
    collective = app.execute(h.create_collective()).id
    batch = Batch(app, size=10_000)
    first = _worker(collective)
    with batch.whole():
        batch.execute(first)
        batch.execute(c.GiveConsent(command_id=uuid.uuid4(),
                                    worker_id=new_id(first.command_id, "worker"), purpose="contact"))
    assert batch.pending == 2 and not _written(app, first)  # waits for the commit
    second = _worker(collective)
    consent = c.GiveConsent(command_id=uuid.uuid4(), worker_id=new_id(second.command_id, "worker"),
                            purpose="contact")
    with pytest.raises(CommandError), batch.whole():
        batch.execute(second)
        batch.execute(consent)
        batch.execute(c.GiveConsent(command_id=uuid.uuid4(), worker_id=uuid.uuid4(),
                                    purpose="contact"))  # no such worker: refused
    assert batch.pending == 0
    assert _written(app, first)  # the block before landed
    assert not _written(app, second) and not _written(app, consent)
    assert list(app.repository.event_store.get(new_id(second.command_id, "worker"))) == []
    # The same commands again, in a block that holds: they land, nothing doubled.
    with batch.whole():
        batch.execute(second)
        batch.execute(consent)
    batch.commit()
    assert _written(app, second) and _written(app, consent)
    worker = app.get(Worker, new_id(second.command_id, "worker"))
    assert set(worker.consents) == {"contact"}


def test_no_commit_inside_a_whole_block(app):
    batch = Batch(app, size=1)
    with batch.whole():
        batch.execute(h.create_collective())  # size 1 reached: no commit until the block ends
        assert batch.pending == 1
        with pytest.raises(AssertionError):
            batch.commit()
    assert batch.pending == 0
