"""Imports of a public sample form, the pyxform tutorial's household survey (a repeat group
of household members, a select_multiple, labels in English and Nepali), from its Kobo and
ODK Central exports into a real PostgreSQL: the dry run counts what the commit does, a
second import writes nothing, an edited submission becomes corrections, a row with an
unknown choice is quarantined while the others land, and neither the database's files nor
its write-ahead log hold a name or phone from the files."""

from __future__ import annotations

from dataclasses import replace

import pytest

from organize import commands as c
from organize.domain import Worker
from organize.imports.form import SELECT_MANY, read_form
from tests.integration import support as h
from tests.integration.imports import support as s
from tests.integration.imports.household import support as hh

pytestmark = pytest.mark.integration

NOTHING_NEW = {"new": 0, "updated": 0, "unchanged": 3, "quarantined": 1, "duplicate_suspect": 0}


def _profile(app, worker_id) -> c.Profile:
    agg = app.get(Worker, worker_id)
    return app.open(agg.id, agg.profile, c.Profile)


def _events(app, aggregate_id) -> list[str]:
    return [type(e).__qualname__ for e in app.repository.event_store.get(aggregate_id)]


def test_the_public_form_reads_with_its_repeat_choices_and_languages():
    form = read_form(hh.FORM)
    assert (form.id, form.version, form.repeats) == (hh.FORM_ID, hh.VERSION, ("member",))
    assert form.questions["consent"].type == SELECT_MANY
    assert form.questions["name"].repeat == "member"
    assert form.questions["sex"].labels == {"English (en)": "Is (NAME) male or female?",
                                            "Nepali (ne)": "(NAME) पुरुष हो कि महिला?"}
    assert form.choices["relationships"]["head"]["Nepali (ne)"] == "घरमूली"


@pytest.mark.parametrize("fmt", list(hh.FORMATS))
def test_dry_run_commit_second_import_and_edit(app, fmt):
    collective = app.execute(h.create_collective()).id
    b = hh.batch()
    before = app.recorder.max_notification_id()
    dry = hh.run_import(app, collective, b, fmt, dry_run=True)
    assert app.recorder.max_notification_id() == before  # a dry run writes nothing
    assert dry.counts == {"new": 3, "updated": 0, "unchanged": 0, "quarantined": 1,
                          "duplicate_suspect": 0}
    (bad,) = [r for r in dry.rows if r.outcome == "quarantined"]
    assert (bad.line, bad.reason) == (3 if fmt.startswith(("kobo_json", "odk_odata")) else 4,
                                      "an unknown choice in 'consent'")
    done = hh.run_import(app, collective, b, fmt, dry_run=False)
    assert done.counts == dry.counts
    assert [(r.line, r.outcome, r.reason) for r in done.rows] == \
        [(r.line, r.outcome, r.reason) for r in dry.rows]
    first, _, third, fourth = b.subs
    assert hh.landed(app, collective, third) is None  # quarantined: nothing of hers
    ledger = hh.landed(app, collective, first)
    assert [_profile(app, w) for w in ledger.worker_ids] == [
        c.Profile(pseudonym=first.name, phone=first.phone),
        *(c.Profile(pseudonym=m.name, phone=m.phone or None) for m in first.members)]
    assert set(app.get(Worker, ledger.worker_ids[0]).consents) == {"contact", "research"}
    assert app.get(Worker, hh.landed(app, collective, fourth).worker_ids[0]).consents == {}

    written = app.recorder.max_notification_id()
    again = hh.run_import(app, collective, b, fmt, dry_run=False)
    assert again.counts == NOTHING_NEW
    assert app.recorder.max_notification_id() == written  # the second import adds nothing

    edit = hh.edited(b)
    son = ledger.worker_ids[1]
    events = {w: _events(app, w) for w in ledger.worker_ids}
    dry_edit = hh.run_import(app, collective, edit, fmt, dry_run=True)
    assert dry_edit.counts == {**NOTHING_NEW, "updated": 1, "unchanged": 2}
    assert hh.run_import(app, collective, edit, fmt, dry_run=False).counts == dry_edit.counts
    after = {w: _events(app, w) for w in events}
    assert after[ledger.worker_ids[0]][len(events[ledger.worker_ids[0]]):] == \
        ["Worker.ConsentWithdrawn"]
    assert after[son][len(events[son]):] == ["Worker.ProfileUpdated"]
    assert after[ledger.worker_ids[2]] == events[ledger.worker_ids[2]]
    assert _profile(app, son).phone == edit.subs[0].members[0].phone
    assert hh.landed(app, collective, first).worker_ids == ledger.worker_ids  # nobody new
    written = app.recorder.max_notification_id()
    assert hh.run_import(app, collective, edit, fmt, dry_run=False).counts == NOTHING_NEW
    assert app.recorder.max_notification_id() == written


@pytest.mark.parametrize("fmt", ["kobo_json", "kobo_xlsx"])
def test_an_edit_named_only_by_its_deprecated_id(app, fmt):
    """Kobo without ``rootUuid``: the edit names the version it replaces, and a second edit
    follows the chain."""
    collective = app.execute(h.create_collective()).id
    b = hh.batch(unknown_choice=False)
    hh.run_import(app, collective, b, fmt, dry_run=False)
    once = hh.edited(b, with_root=False)
    assert hh.run_import(app, collective, once, fmt, dry_run=False).counts["updated"] == 1
    twice = hh.edited(once, with_root=False, digit="0")
    report = hh.run_import(app, collective, twice, fmt, dry_run=False)
    assert report.counts == {"new": 0, "updated": 1, "unchanged": 3, "quarantined": 0,
                             "duplicate_suspect": 0}
    son = hh.landed(app, collective, b.subs[0]).worker_ids[1]
    assert _profile(app, son).phone == twice.subs[0].members[0].phone


def test_no_name_or_phone_from_the_files_in_the_database_or_its_log(app, database):
    collective = app.execute(h.create_collective()).id
    b = hh.batch()
    start = s.wal_position(database.url)
    for fmt in hh.FORMATS:
        hh.run_import(app, collective, b, fmt, dry_run=False)
        hh.run_import(app, collective, hh.edited(b), fmt, dry_run=False)
    assert hh.landed(app, collective, b.subs[0]) is not None
    needles = set()
    for sub in [*b.subs, *hh.edited(b).subs]:
        for name, phone in [(sub.name, sub.phone), *((m.name, m.phone) for m in sub.members)]:
            needles.add(name)
            needles |= {phone, phone.replace(" ", "")} if phone else set()
        needles |= {sub.instance, sub.instance.removeprefix("uuid:")}
    h.catch_up(app)  # the views too
    files = h.relation_files(database.url)
    wal = s.wal_since(database.url, start)
    assert wal  # the scan read the log the import wrote
    found = [(needle, where) for needle in sorted(needles)
             for where, blob in (*files.items(), *wal.items()) if needle.encode() in blob]
    assert found == []
    # The scan sees what is stored in the clear: this collective's id, in the log too.
    assert any(collective.bytes in blob for blob in wal.values())


CLEAR_PLACE = b"""
[grievance]
category = "wages_unpaid_late"
sector = "domestic_care"
place = "respondent_phone"
stage = "destination"
occurred_on = "2024-07-01"
description = "household survey"
"""


def test_a_free_text_question_never_fills_a_field_kept_in_the_clear(app):
    """A grievance's place is a code kept in the clear: a mapping that would fill it with the
    respondent's phone is refused before anything is read; a plain sheet's free-text place
    quarantines its row, unechoed."""
    from organize.imports import service
    from organize.imports.errors import ImportFailed

    collective = app.execute(h.create_collective()).id
    data, extra = hh.kobo_xlsx(hh.batch(unknown_choice=False))
    with pytest.raises(ImportFailed) as e:
        service.prepare(app, data=data, extra=extra, form=(hh.FORM.name, hh.FORM.read_bytes()),
                        mapping=("m.toml", hh.MAPPING.read_bytes() + CLEAR_PLACE))
    assert "'respondent_phone', a question answered in free text" in e.value.message
    sheet = b"No,Name,Place\nH-1,Rupa,+977 9801 555555\n"
    mapping = (b'form_id = "sheet"\nversion = "1"\nid_column = "No"\n[worker]\n'
               b'pseudonym = "Name"\n' + CLEAR_PLACE.replace(b"respondent_phone", b"Place"))
    prepared = service.prepare(app, data=("sheet.csv", sheet), mapping=("m.toml", mapping))
    report = service.run(app, prepared, collective, dry_run=False)
    assert [(r.outcome, r.reason) for r in report.rows] == [
        ("quarantined", "an unknown choice in 'Place'")]


@pytest.mark.parametrize("fmt", ["kobo_xlsx", "kobo_json", "odk_csv"])
def test_an_edit_under_the_same_id_is_a_correction(app, fmt):
    """An export that keeps the submission's id and carries its new values (Kobo's ``_uuid``
    and instanceID unchanged): the fingerprint tells the edit apart."""
    collective = app.execute(h.create_collective()).id
    b = hh.batch(unknown_choice=False)
    hh.run_import(app, collective, b, fmt, dry_run=False)
    edit = hh.edited(b)
    edit.subs[0] = replace(edit.subs[0], instance=b.subs[0].instance, root=None, deprecated=None)
    son = hh.landed(app, collective, b.subs[0]).worker_ids[1]
    assert hh.run_import(app, collective, edit, fmt, dry_run=True).counts["updated"] == 1
    assert hh.run_import(app, collective, edit, fmt, dry_run=False).counts == {
        "new": 0, "updated": 1, "unchanged": 3, "quarantined": 0, "duplicate_suspect": 0}
    assert _profile(app, son).phone == edit.subs[0].members[0].phone
    assert _events(app, son)[-1] == "Worker.ProfileUpdated"


def test_she_is_recorded_once_and_a_member_already_recorded_is_a_suspect(app):
    """The tutorial lists everyone in the household, the woman answering too: she is the
    row's worker, not a second record of herself. A member already recorded in the
    collective (by phone) makes the row a duplicate suspect, said without her name."""
    from datetime import date

    from organize.imports.plan import known_workers

    collective = app.execute(h.create_collective()).id
    b = hh.batch(unknown_choice=False)
    first, second = b.subs[:2]
    herself = hh.Member(first.name, first.phone, "head", "female", 41)
    b.subs[0] = replace(first, members=(herself, *first.members))
    hari = second.members[0]
    recorded = app.execute(c.RegisterWorker(
        command_id=h.cid(), collective_id=collective, joined_on=date(2024, 1, 1),
        profile=c.Profile(pseudonym="H.", phone=hari.phone))).id
    known = known_workers(app, [recorded], collective_id=collective)
    dry = hh.run_import(app, collective, b, "odk_csv", dry_run=True, known=known)
    assert [(r.line, r.suspect) for r in dry.rows if r.suspect] == [
        (3, "same phone as a worker already recorded")]
    done = hh.run_import(app, collective, b, "odk_csv", dry_run=False, known=known)
    assert done.counts == dry.counts == {"new": 4, "updated": 0, "unchanged": 0,
                                         "quarantined": 0, "duplicate_suspect": 1}
    ledger = hh.landed(app, collective, b.subs[0])
    assert [_profile(app, w).pseudonym for w in ledger.worker_ids] == [
        first.name, *(m.name for m in first.members)]


def test_an_edit_that_drops_a_member_corrects_nobody_else(app):
    """The edit deletes the son's repeat: the daughter, now first in the list, is still the
    daughter's record, and the son's record is not renamed after her."""
    collective = app.execute(h.create_collective()).id
    b = hh.batch(unknown_choice=False)
    hh.run_import(app, collective, b, "kobo_json", dry_run=False)
    _, son, daughter = hh.landed(app, collective, b.subs[0]).worker_ids
    before = {w: _events(app, w) for w in (son, daughter)}
    edit = hh.edited(b)
    edit.subs[0] = replace(edit.subs[0], members=b.subs[0].members[1:])
    assert hh.run_import(app, collective, edit, "kobo_json", dry_run=False).counts["updated"] == 1
    assert {w: _events(app, w) for w in (son, daughter)} == before
    assert _profile(app, son).pseudonym == b.subs[0].members[0].name
    assert hh.landed(app, collective, b.subs[0]).worker_ids[:3] == \
        hh.landed(app, collective, b.subs[0]).worker_ids[:1] + (daughter, son)
