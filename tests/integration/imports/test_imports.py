"""Imports of the Worker intake XLSForm's Kobo and ODK Central exports into a real
PostgreSQL: the counts of a dry run, the commit, a second import, an edit, a quarantined
row, and what lands (sealed workers, spells, consents, grievances)."""

from __future__ import annotations

import pytest

from organize import commands as c
from organize.domain import Grievance, Worker
from organize.imports import service
from organize.imports.errors import ImportFailed
from tests.integration import support as h
from tests.integration.imports import support as s

pytestmark = pytest.mark.integration

FORMATS = s.FORMATS
_import = s.run_import


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_import_dry_run_commit_again_and_edit(app, fmt):
    collective = app.execute(h.create_collective()).id
    b = s.batch()
    before = app.recorder.max_notification_id()
    dry = _import(app, collective, b, fmt, dry_run=True)
    assert app.recorder.max_notification_id() == before  # a dry run writes nothing
    assert dry.counts == {"new": 3, "updated": 0, "unchanged": 0, "quarantined": 1,
                          "duplicate_suspect": 0}
    bad = [r for r in dry.rows if r.outcome == "quarantined"]
    assert [(r.line, r.reason) for r in bad] == [
        (bad[0].line, "an unknown choice in 'sector'")]
    assert bad[0].line == (4 if fmt != "kobo_json" else 3)
    done = _import(app, collective, b, fmt, dry_run=False)
    assert done.counts == dry.counts  # the dry run said what the commit did
    assert [(r.line, r.outcome, r.reason) for r in done.rows] == \
        [(r.line, r.outcome, r.reason) for r in dry.rows]

    again = _import(app, collective, b, fmt, dry_run=False)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 3, "quarantined": 1,
                            "duplicate_suspect": 0}

    edit = s.edited(b)
    dry_edit = _import(app, collective, edit, fmt, dry_run=True)
    assert dry_edit.counts["updated"] == 1 and dry_edit.counts["new"] == 0
    assert _import(app, collective, edit, fmt, dry_run=False).counts == dry_edit.counts
    assert _import(app, collective, edit, fmt, dry_run=False).counts["unchanged"] == 3


def _profile(app, worker_id) -> c.Profile:
    agg = app.get(Worker, worker_id)
    return app.open(agg.id, agg.profile, c.Profile)


def _events(app, aggregate_id) -> list[str]:
    return [type(e).__qualname__ for e in app.repository.event_store.get(aggregate_id)]


def test_what_lands_and_how_an_edit_corrects_it(app):
    collective = app.execute(h.create_collective()).id
    b = s.batch()
    _import(app, collective, b, "odk_csv", dry_run=False)
    first, second, third, fourth = b.subs
    assert s.landed(app, collective, third) is None  # quarantined: nothing of hers written
    ledger = s.landed(app, collective, first)
    worker_id, coworker_id = ledger.worker_ids
    assert _profile(app, worker_id) == c.Profile(pseudonym=first.name, phone=first.phone)
    assert _profile(app, coworker_id) == c.Profile(pseudonym=first.coworkers[0][0],
                                                   phone=first.coworkers[0][1])
    worker = app.get(Worker, worker_id)
    assert set(worker.consents) == {"contact", "research"}
    assert set(worker.collectives) == {collective}
    (spell,) = worker.spells.values()
    assert (spell.sector, spell.place, spell.relationship, str(spell.started_on)) == \
        ("domestic_care", "HK", "agency", "2022-03-01")
    grievance = app.get(Grievance, ledger.grievance_id)
    assert (grievance.category, grievance.place, grievance.sector, grievance.worker_ids) == \
        ("wages_unpaid_late", "KTM", "domestic_care", [worker_id, coworker_id])
    assert app.sealer.open(grievance.id, grievance.description).decode() == first.story
    second_worker = app.get(Worker, s.landed(app, collective, second).worker_ids[0])
    assert sorted(sp.sector for sp in second_worker.spells.values()) == ["construction", "garment"]
    assert set(second_worker.consents) == {"contact"}
    assert app.get(Worker, s.landed(app, collective, fourth).worker_ids[0]).consents == {}

    before = {i: _events(app, i) for i in (worker_id, coworker_id, grievance.id)}
    _import(app, collective, s.edited(b), "odk_csv", dry_run=False)
    after = {i: _events(app, i) for i in before}
    assert after[worker_id][len(before[worker_id]):] == ["Worker.ProfileUpdated",
                                                         "Worker.SpellCorrected"]
    assert after[coworker_id] == before[coworker_id]
    assert after[grievance.id][len(before[grievance.id]):] == ["Grievance.Corrected"]
    assert _profile(app, worker_id).phone == first.phone[:-1] + "9"
    assert app.get(Worker, worker_id).spells[spell.spell_id].place == "KTM"
    assert app.sealer.open(grievance.id, app.get(Grievance, grievance.id).description).decode() \
        == first.story + " and the agent took a fee"
    assert s.landed(app, collective, first).worker_ids == ledger.worker_ids  # nobody new


def test_an_edit_named_only_by_deprecated_id_finds_its_submission(app):
    """Kobo before rootUuid: the edit carries a new instanceID and the old one in
    deprecatedID; a second edit of the edit follows the chain."""
    collective = app.execute(h.create_collective()).id
    b = s.batch(unknown_choice=False)
    _import(app, collective, b, "kobo_json", dry_run=False)
    once = s.edited(b, with_root=False)
    assert _import(app, collective, once, "kobo_json", dry_run=False).counts["updated"] == 1
    twice = s.edited(once, with_root=False)
    report = _import(app, collective, twice, "kobo_json", dry_run=False)
    assert report.counts == {"new": 0, "updated": 1, "unchanged": 3, "quarantined": 0,
                             "duplicate_suspect": 0}
    worker_id = s.landed(app, collective, b.subs[0]).worker_ids[0]
    assert _profile(app, worker_id).phone == twice.subs[0].phone


def test_kobo_csv_without_repeats(app):
    """Kobo's CSV has no repeat groups: without spells the grievance's sector has nowhere to
    come from, so every row is quarantined for it; with a sector in the mapping they land."""
    collective = app.execute(h.create_collective()).id
    b = s.batch()
    form = (s.FORM.name, s.FORM.read_bytes())
    prepared = service.prepare(app, data=s.kobo_csv(b), form=form,
                               mapping=(s.MAPPING.name, s.MAPPING.read_bytes()))
    report = service.run(app, prepared, collective, dry_run=True)
    assert report.counts["quarantined"] == 4
    assert {r.reason for r in report.rows} == {"no sector: the mapping names no question for it"}
    text = s.MAPPING.read_text().replace('stage = "destination"',
                                         'stage = "destination"\nsector = "domestic_care"')
    prepared = service.prepare(app, data=s.kobo_csv(b), form=form, mapping=("m.toml", text.encode()))
    assert service.run(app, prepared, collective, dry_run=False).counts["new"] == 4
    worker = app.get(Worker, s.landed(app, collective, b.subs[2]).worker_ids[0])
    assert (worker.spells, set(worker.consents)) == ({}, {"research"})


def test_the_same_file_into_another_collective_never_touches_the_first(app):
    one, two = (app.execute(h.create_collective()).id for _ in range(2))
    b = s.batch()
    _import(app, one, b, "kobo_xlsx", dry_run=False)
    report = _import(app, two, b, "kobo_xlsx", dry_run=False)
    assert report.counts["new"] == 3
    assert set(s.landed(app, one, b.subs[0]).worker_ids).isdisjoint(
        s.landed(app, two, b.subs[0]).worker_ids)


def test_duplicate_rows_in_one_file_are_suspects_and_counts_still_match(app):
    collective = app.execute(h.create_collective()).id
    b = s.batch(unknown_choice=False)
    from dataclasses import replace
    twin = replace(b.subs[1], instance="uuid:" + "1" * 8 + "-1111-4111-8111-" + "1" * 12,
                   name=b.subs[1].name.upper(), coworkers=())
    b.subs.append(twin)
    dry = _import(app, collective, b, "kobo_xlsx", dry_run=True)
    assert dry.counts["duplicate_suspect"] == 1
    assert [r.suspect for r in dry.rows if r.suspect] == ["same phone as line 3's"]
    assert _import(app, collective, b, "kobo_xlsx", dry_run=False).counts == dry.counts


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace('version = "2024061501"', 'version = "2023"'), "version '2023'"),
    (lambda t: t.replace('hk = "HK"', 'hk = "HK"\nxx = "YY"').replace(
        'domestic = "domestic_care"', 'domestic = "domestic_work"'),
     "'domestic_work', which is not a sectors code"),
    (lambda t: t.replace('phone = "phone"', 'phone = "deviceid"', 1),
     "device or submitter data"),
])
def test_a_bad_mapping_stops_before_anything(app, change, message):
    text = change(s.MAPPING.read_text())
    with pytest.raises(ImportFailed) as e:
        service.prepare(app, data=s.kobo_json(s.batch()), form=(s.FORM.name, s.FORM.read_bytes()),
                        mapping=("m.toml", text.encode()))
    assert message in e.value.message


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_an_export_from_before_the_edit_never_undoes_it(app, fmt):
    collective = app.execute(h.create_collective()).id
    b = s.batch(unknown_choice=False)
    _import(app, collective, b, fmt, dry_run=False)
    edit = s.edited(b)
    _import(app, collective, edit, fmt, dry_run=False)
    old = _import(app, collective, b, fmt, dry_run=False)
    assert old.counts == {"new": 0, "updated": 0, "unchanged": 4, "quarantined": 0,
                          "duplicate_suspect": 0}
    worker_id = s.landed(app, collective, b.subs[0]).worker_ids[0]
    assert _profile(app, worker_id).phone == edit.subs[0].phone


PLAIN_MAPPING = b'''
form_id = "members_sheet"
version = "1"
id_column = "Member no"

[worker]
pseudonym = "Name"
phone = "Mobile"
joined_on = "Joined"

[consent]
question = "Consent"
choices = { yes = "contact", research = "research" }

[spells]
'''


def _sheet(rows) -> bytes:
    lines = ["Member no,Name,Mobile,Joined,Consent"] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_plain_sheet_by_its_id_column_same_id_new_values_is_an_update(app):
    collective = app.execute(h.create_collective()).id
    tag = h.cid().hex[:6]
    rows = [["M-1", f"Nirmala {tag}", "+977 9801 111111", "2023-04-01", "yes research"],
            ["M-2", f"Puspa {tag}", "+977 9801 222222", "2023-05-01", "yes"],
            ["M-3", f"Kumari {tag}", "not a phone", "2023-05-01", "yes"],
            ["", f"Nobody {tag}", "", "2023-05-01", ""],
            ["M-4", f"Sita {tag}", "", "1 May", ""],
            ["M-5", f"Gita {tag}", "", "2023-05-01", f"ask Mrs Wong {tag}"]]

    def run(data: bytes, dry_run: bool = False):
        prepared = service.prepare(app, data=("members.csv", data),
                                   mapping=("members.toml", PLAIN_MAPPING))
        return service.run(app, prepared, collective, dry_run=dry_run)

    report = run(_sheet(rows))
    assert report.counts == {"new": 2, "updated": 0, "unchanged": 0, "quarantined": 4,
                             "duplicate_suspect": 0}
    assert [(r.line, r.reason) for r in report.rows if r.reason] == [
        (4, "'Mobile' is not valid"),
        (5, "no submission id (instanceID, _uuid or the id column)"),
        (6, "'Joined' is not a date"),
        (7, "an unknown choice in 'Consent'")]  # a sheet's cell is never echoed
    assert run(_sheet(rows)).counts["unchanged"] == 2
    rows[1][2] = "+977 9801 333333"
    assert run(_sheet(rows), dry_run=True).counts["updated"] == 1
    assert run(_sheet(rows)).counts["updated"] == 1
    from organize.imports.plan import ledger_for

    worker_id = ledger_for(app, collective, "members_sheet", "M-2").worker_ids[0]
    assert _profile(app, worker_id).phone == "+977 9801 333333"
    assert set(app.get(Worker, ledger_for(app, collective, "members_sheet", "M-1").worker_ids[0]
                       ).consents) == {"contact", "research"}
