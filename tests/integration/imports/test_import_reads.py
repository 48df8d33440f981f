"""What an import's commit asks the database row by row: nothing about its command ids
(the log is read once for a transaction's rows, ``Batch.expect_ids``), nothing about a
new row's ledger entry, which the plan has just read (``Batch.absent``), and nothing about
the data keys of what a new row creates (one query for them all). Real PostgreSQL."""

from __future__ import annotations

import pytest

from organize.imports import service
from organize.imports.commit import commit
from organize.imports.plan import plan
from tests.integration import support as h
from tests.integration.imports import support as s

pytestmark = pytest.mark.integration


def _plan(app, collective, b):
    data, extra = s.FORMATS["kobo_json"](b)
    prepared = service.prepare(app, data=data, extra=extra,
                               form=(s.FORM.name, s.FORM.read_bytes()),
                               mapping=(s.MAPPING.name, s.MAPPING.read_bytes()))
    return plan(app, prepared.form, prepared.mapping, prepared.submissions, collective)


def _counting(monkeypatch, app) -> tuple[list, list]:
    one_by_one, reads = [], []
    find_command, get = app.recorder.find_command, app.repository.get

    def counted_find(command_id):
        one_by_one.append(command_id)
        return find_command(command_id)

    def counted_get(aggregate_id, *args, **kwargs):
        reads.append(aggregate_id)
        return get(aggregate_id, *args, **kwargs)

    monkeypatch.setattr(app.recorder, "find_command", counted_find)
    monkeypatch.setattr(app.repository, "get", counted_get)
    return one_by_one, reads


def _key_reads(monkeypatch, app) -> list:
    asked, get_many = [], app.keys.get_many

    def counted(subject_ids):
        asked.append(list(subject_ids))
        return get_many(asked[-1])

    monkeypatch.setattr(app.keys, "get_many", counted)
    return asked


def test_a_commit_reads_the_log_per_transaction_and_no_new_ledger_again(app, monkeypatch):
    collective = app.execute(h.create_collective()).id
    b = s.batch(unknown_choice=False)
    the_plan = _plan(app, collective, b)
    new = {r.submission_id for r in the_plan.rows if r.outcome == "new"}
    assert len(new) == len(b.subs)
    one_by_one, reads = _counting(monkeypatch, app)
    keys = _key_reads(monkeypatch, app)
    done = commit(app, the_plan)
    assert done.counts["new"] == len(b.subs) and done.counts["quarantined"] == 0
    assert one_by_one == []
    assert new.isdisjoint(reads)
    assert len(keys) == 1  # the new workers' and grievances' keys: one query
    monkeypatch.undo()

    # An edited file: its corrections' ids are read up front too.
    edited = s.edited(b)
    the_plan = _plan(app, collective, edited)
    assert sum(r.outcome == "updated" for r in the_plan.rows) >= 1
    one_by_one, _reads = _counting(monkeypatch, app)
    done = commit(app, the_plan)
    assert done.counts["updated"] >= 1 and done.counts["quarantined"] == 0
    assert one_by_one == []
    monkeypatch.undo()
    assert _plan(app, collective, edited).report(False).counts["updated"] == 0


def test_a_new_row_whose_ledger_landed_since_the_plan_is_not_created_twice(app):
    collective = app.execute(h.create_collective()).id
    b = s.batch(unknown_choice=False)
    stale = _plan(app, collective, b)  # every row new, as read now
    s.run_import(app, collective, b, "kobo_json", dry_run=False)  # another run lands them
    before = app.recorder.max_notification_id()
    done = commit(app, stale)  # the stale plan's rows: their ledger commands are in the log
    assert done.counts["quarantined"] == 0
    assert app.recorder.max_notification_id() == before  # nothing doubled


def test_a_new_row_whose_first_version_landed_since_the_plan_corrects_it(app):
    collective = app.execute(h.create_collective()).id
    b = s.batch(unknown_choice=False)
    edited = s.edited(b)
    stale = _plan(app, collective, edited)  # the edit's rows all new, as read now
    assert stale.report(False).counts["new"] == len(edited.subs)
    s.run_import(app, collective, b, "kobo_json", dry_run=False)  # the first version lands
    done = commit(app, stale)
    assert done.counts["quarantined"] == 0
    after = _plan(app, collective, edited).report(False).counts  # the edit is what stands
    assert after["unchanged"] == len(edited.subs), after


def test_a_meeting_register_reads_the_log_per_transaction_too(app, monkeypatch):
    from tests.integration.imports.meetings import support as m

    collective = app.execute(h.create_collective()).id
    _, subs = m.register()
    one_by_one, _reads = _counting(monkeypatch, app)
    done = m.run_import(app, collective, subs, "odk_csv", dry_run=False)
    assert done.counts["new"] == 2
    edit = m.with_attendee(subs, ("Kamala Gurung", "+852 55000123"))
    done = m.run_import(app, collective, edit, "odk_csv", dry_run=False)
    assert done.counts["updated"] == 1
    assert one_by_one == []
