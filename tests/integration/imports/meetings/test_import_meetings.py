"""A meeting register imported from Kobo's CSV and ODK Central's CSV (each with its repeat
file): every submission schedules one meeting and records it held with its attendees,
matched to members already recorded or registered (sealed); a second import changes
nothing; an edit adding an attendee corrects the attendance; an unknown kind is
quarantined; and the database's bytes hold no attendee's name or phone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from organize import commands as c
from organize.domain import Meeting, Worker
from organize.imports.errors import ImportFailed
from organize.imports.meetings import LEDGER_WORKERS, MAX_ATTENDEES
from organize.imports.plan import known_workers
from tests.integration import support as h
from tests.integration.imports.meetings import support as m

pytestmark = pytest.mark.integration


def _member(app, collective, name: str, phone: str):
    return app.execute(c.RegisterWorker(command_id=h.cid(), collective_id=collective,
                                        profile=c.Profile(pseudonym=name, phone=phone),
                                        joined_on=date(2026, 1, 1))).id


def _held(app, collective, sub):
    from uuid import uuid5

    from organize.application import new_id

    ledger = m.landed(app, collective, sub)
    assert ledger is not None
    meeting_id = new_id(uuid5(ledger.id, "meeting"), "meeting")
    return ledger, app.get(Meeting, meeting_id)


@pytest.mark.parametrize("fmt", list(m.FORMATS))
def test_a_register_holds_meetings_matches_members_and_corrects_attendance(app, fmt):
    collective = app.execute(h.create_collective()).id
    tag = h.cid().hex[:8]
    member = (f"Kamala Sherpa {tag}", f"+852 6000 {int(tag, 16) % 10**4:04d}")
    member_id = _member(app, collective, *member)
    known = known_workers(app, [member_id], collective_id=collective)
    _, subs = m.register(member)
    before = app.recorder.max_notification_id()
    dry = m.run_import(app, collective, subs, fmt, dry_run=True, known=known)
    assert app.recorder.max_notification_id() == before  # a dry run writes nothing
    assert dry.counts == {"new": 2, "updated": 0, "unchanged": 0, "quarantined": 1,
                          "duplicate_suspect": 0}
    (bad,) = [r for r in dry.rows if r.outcome == "quarantined"]
    assert (bad.line, bad.reason) == (4, "unknown choice 'picnic' for 'kind'")
    done = m.run_import(app, collective, subs, fmt, dry_run=False, known=known)
    assert done.counts == dry.counts
    assert [(r.line, r.outcome, r.reason) for r in done.rows] == \
        [(r.line, r.outcome, r.reason) for r in dry.rows]
    assert m.landed(app, collective, subs[2]) is None  # the picnic left nothing

    ledger, meeting = _held(app, collective, subs[0])
    assert (meeting.kind, meeting.language, tuple(meeting.collective_ids)) == \
        ("assembly", "ne", (collective,))
    assert meeting.held_at.isoformat() == "2026-03-01T18:00:00+08:00"
    assert len(meeting.attendee_ids) == 3 and meeting.attendee_ids[2] == member_id
    assert list(meeting.facilitator_ids) == [meeting.attendee_ids[0]]
    opened = [app.open(w, app.get(Worker, w).profile, c.Profile) for w in meeting.attendee_ids]
    assert [(p.pseudonym, p.phone) for p in opened] == [*subs[0].attendees[:2], member]
    # The same woman at the committee is the same worker, not a second one.
    _, committee = _held(app, collective, subs[1])
    assert committee.kind == "committee"
    assert committee.attendee_ids[0] == meeting.attendee_ids[0]  # Gita, registered once
    workers = set(meeting.attendee_ids) | set(committee.attendee_ids)

    again = m.run_import(app, collective, subs, fmt, dry_run=False, known=known)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 2, "quarantined": 1,
                            "duplicate_suspect": 0}
    after_again = app.recorder.max_notification_id()

    newcomer = (f"Bina Gurung {tag}", f"+852 6111 {int(tag, 16) % 10**4:04d}")
    edit = m.with_attendee(subs, newcomer)
    dry_edit = m.run_import(app, collective, edit, fmt, dry_run=True, known=known)
    assert dry_edit.counts == {"new": 0, "updated": 1, "unchanged": 1, "quarantined": 1,
                               "duplicate_suspect": 0}
    assert app.recorder.max_notification_id() == after_again
    assert m.run_import(app, collective, edit, fmt, dry_run=False, known=known).counts == \
        dry_edit.counts
    _, corrected = _held(app, collective, edit[0])
    assert corrected.id == meeting.id
    assert list(corrected.attendee_ids[:3]) == list(meeting.attendee_ids)
    assert len(corrected.attendee_ids) == 4
    added = app.get(Worker, corrected.attendee_ids[3])
    assert app.open(added.id, added.profile, c.Profile) == \
        c.Profile(pseudonym=newcomer[0], phone=newcomer[1])
    assert added.id not in workers
    kinds = [type(e).__qualname__ for e in app.repository.event_store.get(meeting.id)]
    assert kinds.count("Meeting.AttendanceCorrected") == 1, kinds
    assert m.run_import(app, collective, edit, fmt, dry_run=False, known=known).counts[
        "unchanged"] == 2


def test_attendees_are_never_in_the_database_in_plain(app, database):
    collective = app.execute(h.create_collective()).id
    tag, subs = m.register()
    newcomer = (f"Bina Gurung {tag}", f"+852 6111 {int(tag, 16) % 10**4:04d}")
    for fmt in m.FORMATS:
        m.run_import(app, collective, subs, fmt, dry_run=False)
        m.run_import(app, collective, m.with_attendee(subs, newcomer), fmt, dry_run=False)
    assert m.landed(app, collective, subs[0]) is not None
    needles = {newcomer[0], newcomer[1], newcomer[1].replace(" ", "")}
    for sub in subs:
        needles |= {sub.instance, sub.instance.removeprefix("uuid:")}
        for name, phone in sub.attendees:
            needles |= {name, phone, phone.replace(" ", "")}
    h.catch_up(app)
    files = h.relation_files(database.url)
    found = [(needle, name) for needle in sorted(needles)
             for name, blob in files.items() if needle.encode() in blob]
    assert found == []
    assert any(collective.bytes in blob for name, blob in files.items() if "meeting" in name)


def test_an_edit_of_the_time_or_kind_corrects_the_meeting(app):
    collective = app.execute(h.create_collective()).id
    _, subs = m.register()
    m.run_import(app, collective, subs, "odk_csv", dry_run=False)
    _, before = _held(app, collective, subs[1])
    first = subs[1]
    edit = replace(first, instance=f"uuid:{h.cid()}", root=first.root_id,
                   deprecated=first.instance, kind="general",
                   held_at="2026-03-09T10:30:00.000+08:00")
    report = m.run_import(app, collective, [subs[0], edit], "odk_csv", dry_run=False)
    assert report.counts["updated"] == 1 and report.counts["unchanged"] == 1
    _, after = _held(app, collective, edit)
    assert after.id == before.id and after.attendee_ids == before.attendee_ids
    assert (after.kind, after.held_at.isoformat()) == ("assembly", "2026-03-09T10:30:00+08:00")
    kinds = [type(e).__qualname__ for e in app.repository.event_store.get(after.id)]
    assert "Meeting.AttendanceCorrected" not in kinds


@pytest.mark.parametrize(("change", "says"), [
    (lambda t: t.replace('committee = "committee"', 'committee = "tea_party"'),
     "is not a meeting_kinds code"),
    (lambda t: t.split("[attendees]")[0] + "[choices.kind]" + t.split("[choices.kind]")[1],
     "needs [attendees]"),
    (lambda t: t + '\n[worker]\npseudonym = "held_at"\n', "takes the place of [worker]"),
    (lambda t: t.replace('repeat = "attendees"', 'repeat = "guests"'),
     "is not a repeat group of the form"),
])
def test_a_meeting_mapping_that_does_not_fit_is_refused(app, change, says):
    from organize.imports import service

    data, extra = m.odk_csv(m.register()[1])
    mapping = change(m.MAPPING.decode()).encode()
    with pytest.raises(ImportFailed) as e:
        service.prepare(app, data=data, extra=extra, form=m.form(),
                        mapping=("meeting_register.toml", mapping))
    assert says in e.value.message


def test_an_attendee_is_matched_only_when_she_is_surely_the_member(app):
    collective = app.execute(h.create_collective()).id
    tag, subs = m.register()
    name, phone = subs[0].attendees[0]
    other_phone = _member(app, collective, name, "+852 9999 0001")  # her name, not her phone
    twins = [_member(app, collective, f"Laxmi {tag}", f"+852 9999 000{i}") for i in (2, 3)]
    known = known_workers(app, [other_phone, *twins], collective_id=collective)
    first = replace(subs[0], attendees=(*subs[0].attendees, (f"Laxmi {tag}", "")))
    crowd = replace(subs[1], attendees=tuple((f"Guest {i} {tag}", "")
                                             for i in range(MAX_ATTENDEES + 1)))
    report = m.run_import(app, collective, [first, crowd], "kobo_csv", dry_run=False, known=known)
    assert [(r.outcome, r.reason) for r in report.rows] == [
        ("new", None), ("quarantined", "'attendees' is not valid")]
    _, meeting = _held(app, collective, first)
    assert len(meeting.attendee_ids) == 3
    assert not set(meeting.attendee_ids) & {other_phone, *twins}  # never a guess
    laxmi = app.get(Worker, meeting.attendee_ids[2])
    assert app.open(laxmi.id, laxmi.profile, c.Profile) == c.Profile(pseudonym=f"Laxmi {tag}")


def test_a_leader_imports_into_her_collective_only(app):
    import uuid

    from organize.accounts import Principal
    from organize.application.access import Authorised

    def leader(collective):
        return Authorised(app, Principal(
            account_id=uuid.uuid4(), username="leader-register", role="leader",
            collective_ids=frozenset({collective}), federation=None, via="session"))

    mine = app.execute(h.create_collective(name="Register mine")).id
    theirs = app.execute(h.create_collective(name="Register theirs")).id
    _, subs = m.register()
    refused = m.run_import(leader(theirs), mine, subs, "kobo_csv", dry_run=False)
    assert refused.counts["quarantined"] == 3 and refused.counts["new"] == 0
    # Out of her scope the collective is not found (never "forbidden": that would say it exists).
    assert [r.why.code for r in refused.rows] == ["not_found", "not_found", None]
    assert all(m.landed(app, mine, s) is None for s in subs)
    done = m.run_import(leader(mine), mine, subs, "kobo_csv", dry_run=False)
    assert done.counts["new"] == 2
    _, meeting = _held(app, mine, subs[0])
    assert tuple(meeting.collective_ids) == (mine,)


def test_a_big_assembly_lands_whole_and_its_edit_registers_nobody_twice(app):
    """Three hundred at an assembly: more than a ledger entry names (its first fifty), all
    on the meeting; an edit adding one more reads who came from the meeting, so the other
    two hundred and fifty are found again, not registered a second time."""
    collective = app.execute(h.create_collective()).id
    tag, subs = m.register()
    n = int(tag, 16) % 10**4
    crowd = tuple((f"Member {i} {tag}", f"+852 7{i:03d} {n:04d}") for i in range(300))
    assembly = replace(subs[0], attendees=crowd)
    report = m.run_import(app, collective, [assembly], "odk_csv", dry_run=False)
    assert report.counts["new"] == 1
    ledger, meeting = _held(app, collective, assembly)
    assert len(meeting.attendee_ids) == 300 and len(ledger.worker_ids) == LEDGER_WORKERS
    late = (f"Late {tag}", f"+852 8000 {n:04d}")
    (edit,) = m.with_attendee([assembly], late)
    assert m.run_import(app, collective, [edit], "odk_csv", dry_run=False).counts["updated"] == 1
    _, corrected = _held(app, collective, edit)
    assert list(corrected.attendee_ids[:300]) == list(meeting.attendee_ids)
    assert len(corrected.attendee_ids) == 301
    last = app.get(Worker, corrected.attendee_ids[300])
    assert app.open(last.id, last.profile, c.Profile) == c.Profile(pseudonym=late[0],
                                                                   phone=late[1])
