"""Erasure holds against whoever seizes the server: every file, every key, every backup.

The attack from the field: after ``organize erase``, read the raw write-ahead log of the
embedded PostgreSQL, find the erased worker's wrapped data key there, unwrap it with the key
files in ORGANIZE_HOME, and open her sealed fields. Here an embedded PostgreSQL runs in a
temporary ORGANIZE_HOME. The test takes a ``pg_basebackup`` (with its WAL) and an
``organize backup`` before the erasure and after it, then reads every file under
ORGANIZE_HOME (the data directory with ``pg_wal``, the master key, the keyring) and every
file of the backups, collects every key written in any of them, and tries each on every
wrapped value stored near any copy of her id. Before the erasure that attack recovers her
key (so the scan can see it); after, nothing opens, and none of her text is anywhere.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest

from infra.database import start_embedded
from infra.settings import Settings
from organize import backup as organize_backup
from organize import commands as c
from organize.persistence.cipher import MasterKeyCipher
from organize.persistence.keys import Sealer
from organize.runtime import open_runtime
from tests.integration import support as h
from tests.integration import support as seizure

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def seized():
    """A runtime on an embedded PostgreSQL whose every file the test can read.

    Its home is not under pytest's temporary directory: run as root, the server runs as
    another user, and a second pytest session resets that directory's permissions under
    the running server's feet."""
    home = Path(tempfile.mkdtemp(prefix="organize-seized-"))
    db = start_embedded(home)
    settings = Settings(database_url=None, home=home, cipher_key=None, pool_size=2)
    runtime = open_runtime(settings, db)
    yield runtime
    runtime.app.close()
    db.close()
    shutil.rmtree(home, ignore_errors=True)


def _checkpoint(runtime) -> None:
    with psycopg.connect(runtime.database.url, autocommit=True) as conn:
        conn.execute("ANALYZE")  # sampled statistics are files too
        conn.execute("CHECKPOINT")


def _everything(runtime, *extra: Path) -> dict[str, bytes]:
    """Every file of ORGANIZE_HOME (pgdata with pg_wal, keys) and of the backups, plus each
    dump as the SQL text pg_restore makes of it."""
    _checkpoint(runtime)
    files = seizure.read_tree(runtime.settings.home, *extra)
    for path in [p for p in files if p.endswith(organize_backup.DUMP)]:
        files[path + ".sql"] = seizure.dump_as_sql(Path(path))
    return files


def _open_everything(runtime, keys_found: list[bytes]) -> list[bytes]:
    """What the attacker opens with what she found: every event decrypted with any key
    that decrypts it, then every sealed value inside tried with every data key she has."""
    app = runtime.app
    ciphers = []
    for key in keys_found:
        import base64

        ciphers.append(MasterKeyCipher({"CIPHER_KEY": base64.b64encode(key).decode()}))
    with app.recorder.datastore.transaction() as curs:
        curs.execute("SELECT state FROM organize_events")
        states = [bytes(r["state"]) for r in curs.fetchall()]
        curs.execute("SELECT subject_id FROM organize_data_keys")
        data_keys = app.keys.get_many([r["subject_id"] for r in curs.fetchall()])
    plains = []
    for state in states:
        for cipher in ciphers:
            try:
                plains.append(cipher.decrypt(state))
                break
            except ValueError:
                continue
    assert len(plains) == len(states), "the master key in ORGANIZE_HOME opens every event"
    opened = list(plains)
    for plain in plains:
        for sealed in seizure.sealed_values(plain):
            for subject, key in data_keys.items():
                text = Sealer.open_with(key, subject, sealed)
                if text is not None:
                    opened.append(text)
    return opened




def test_erased_worker_is_unreadable_from_every_file_and_backup(seized, tmp_path):
    app = seized.app
    tag = uuid.uuid4().hex[:10]
    secrets = {"pseudonym": f"Sunita{tag}", "legal_name": f"Legal Name {tag}",
               "phone": "+977 98" + str(int(tag, 16) % 10**8).zfill(8),
               "document_number": f"PN{tag.upper()}", "note": f"Lives near the temple {tag}"}
    status_text = f"undocumented-{tag}"
    description = f"Passport taken by employer {tag}"
    evidence = f"Photo of contract {tag}"
    shared_text = f"Shared story {tag}"
    collective = app.execute(h.create_collective())
    her = app.execute(h.register_worker(collective.id, **secrets))
    other = app.execute(h.register_worker(collective.id, pseudonym=f"Other{tag}"))
    app.execute(c.ChangeStatus(command_id=h.cid(), worker_id=her.id,
                               change=c.StatusChange(status_kind="immigration", status=status_text),
                               on=date(2025, 6, 1)))
    solo = app.execute(h.raise_grievance(collective.id, [her.id], description=description))
    app.execute(h.raise_grievance(collective.id, [her.id, other.id], description=shared_text))
    app.execute(c.NoteEvidence(command_id=h.cid(), grievance_id=solo.id, note=evidence,
                               on=date(2025, 6, 2)))
    # Her planned departure: for a migrant worker, what an employer or the police would want.
    # A day nothing else in the test or the schema holds, as the events store it (ISO text).
    leaves_on = date(2030 + int(tag[:2], 16) % 60, 1 + int(tag[2], 16) % 12, 17)
    app.execute(c.PlanDeparture(command_id=h.cid(), worker_id=her.id, leaves_on=leaves_on))
    seized.runner().catch_up()  # the views are files too
    plaintexts = [p.encode() for p in [*secrets.values(), status_text, description, evidence,
                                       leaves_on.isoformat()]]
    her_keys = {s: app.keys.get(s) for s in (her.id, solo.id)}

    bb_before = seizure.basebackup(seized.database.url, tmp_path / "basebackup-before")
    organize_backup.backup(seized, tmp_path / "backup-before")

    # Before the erasure the attack works: the scan finds her wrapped key and opens it.
    files = _everything(seized, bb_before, tmp_path / "backup-before")
    found = seizure.keys_in(files)
    recovered = {k for _, k in seizure.unwrap_attempts(files, her.id, found, range(0, 4))}
    assert her_keys[her.id] in recovered, "the scan cannot see a key it should see"
    opened = _open_everything(seized, seizure.keys_in(files))
    assert any(leaves_on.isoformat().encode() in t for t in opened), "the scan misses her departure"
    assert not seizure.hits(files, [leaves_on.isoformat().encode()]), "her departure in the clear"

    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=her.id))
    seized.runner().catch_up()
    bb_after = seizure.basebackup(seized.database.url, tmp_path / "basebackup-after")
    organize_backup.backup(seized, tmp_path / "backup-after")

    files = _everything(seized, bb_before, bb_after, tmp_path / "backup-before",
                        tmp_path / "backup-after")
    assert any("pg_wal" in p for p in files) and any("kek-" in p for p in files)
    found = seizure.keys_in(files)
    assert len(found) >= 2, "the master key and the current KEK are in ORGANIZE_HOME"
    for subject in (her.id, solo.id):
        opened = seizure.unwrap_attempts(files, subject, found, range(0, 8))
        assert not opened, f"a key found on the disk unwraps {subject}'s data key: {opened[:1]}"
        assert not seizure.hits(files, [her_keys[subject]]), "a data key lies in the clear"
    assert not seizure.hits(files, plaintexts)

    opened = _open_everything(seized, found)
    assert any(shared_text.encode() in t for t in opened), "the co-worker's story stays readable"
    leaked = [p for p in plaintexts for t in opened if p in t]
    assert not leaked, f"opened with keys from the disk: {leaked}"



def test_erase_collective_leaves_nothing_of_its_own_on_the_disk(seized, tmp_path):
    """A centre is raided: its workers who belong to no other collective, its meetings'
    decisions and cancellation reasons, its campaigns' texts (issue, demands, clauses,
    summary) and its self-assessments' narratives become unreadable from every file (the
    data directory with pg_wal, a pg_basebackup and an ``organize backup`` before and after,
    ORGANIZE_HOME); a member of two collectives, and a meeting and a campaign shared with
    another collective, stay readable. The collective carries a ``Collective.Erased`` fact."""
    from organize.application.reading import collective_view
    from organize.domain import Collective
    from organize.erasure import erase_collective

    app = seized.app
    tag = uuid.uuid4().hex[:10]
    raided = app.execute(h.create_collective(name=f"Raided {tag}")).id
    other = app.execute(h.create_collective(name=f"Other {tag}")).id
    only = app.execute(h.register_worker(raided, pseudonym=f"Only{tag}",
                                         note=f"Lives above the shop {tag}")).id
    both = app.execute(h.register_worker(raided, pseudonym=f"Both{tag}")).id
    app.execute(c.JoinCollective(command_id=h.cid(), worker_id=both, collective_id=other,
                                 on=date(2025, 2, 1)))
    app.execute(c.StartSpell(command_id=h.cid(), worker_id=only, sector="domestic_care",
                             occupation=f"Nanny for the Lee family {tag}", place="HK",
                             relationship="direct_employer", paid=True,
                             started_on=date(2024, 1, 1)))
    solo = app.execute(h.raise_grievance(raided, [only], description=f"Locked in {tag}")).id
    employer = app.execute(h.create_organisation(name=f"Employer {tag}", kind="employer")).id

    def meeting(collectives, decision):
        m = app.execute(c.ScheduleMeeting(command_id=h.cid(), kind="assembly",
                                          collective_ids=collectives,
                                          scheduled_for=datetime(2025, 6, 3, tzinfo=UTC),
                                          language="en")).id
        app.execute(c.RecordMeetingHeld(command_id=h.cid(), meeting_id=m,
                                        held_at=datetime(2025, 6, 3, tzinfo=UTC),
                                        attendee_ids=(both,), facilitator_ids=(both,),
                                        language="en", decisions=(decision,)))
        return m

    def campaign(collectives, words):
        k = app.execute(c.LaunchCampaign(command_id=h.cid(), issue=f"{words} issue {tag}",
                                         demands=(f"{words} demand {tag}",),
                                         collective_ids=collectives,
                                         launched_on=date(2025, 6, 4))).id
        app.execute(c.AddDemand(command_id=h.cid(), campaign_id=k,
                                text=f"{words} added demand {tag}"))
        app.execute(c.SignAgreement(command_id=h.cid(), campaign_id=k, with_organisation_id=employer,
                                    signed_on=date(2025, 6, 5),
                                    clauses=(f"{words} clause {tag}",)))
        app.execute(c.CloseCampaign(command_id=h.cid(), campaign_id=k, on=date(2025, 6, 6),
                                    summary=f"{words} summary {tag}"))
        return k

    own = meeting((raided,), f"Hide the files at Mrs Chan's {tag}")
    shared = meeting((raided, other), f"March together {tag}")
    called_off = app.execute(c.ScheduleMeeting(command_id=h.cid(), kind="assembly",
                                               collective_ids=(raided,),
                                               scheduled_for=datetime(2025, 6, 9, tzinfo=UTC),
                                               language="en")).id
    app.execute(c.CancelMeeting(command_id=h.cid(), meeting_id=called_off,
                                reason=f"Police watched Mrs Chan's door {tag}"))
    own_campaign = campaign((raided,), "Wong household")
    shared_campaign = campaign((raided, other), "Joint")
    app.execute(c.RecordAssessment(command_id=h.cid(), collective_id=raided,
                                   assessed_on=date(2025, 6, 7),
                                   levels=(c.Level(dimension="leadership", level=2),),
                                   narrative=f"Mei speaks for us now {tag}"))
    seized.runner().catch_up()
    collective_texts = [f"Wong household {part} {tag}" for part in
                        ("issue", "demand", "added demand", "clause", "summary")]
    collective_texts += [f"Police watched Mrs Chan's door {tag}", f"Mei speaks for us now {tag}"]
    gone = [f"Only{tag}", f"Lives above the shop {tag}", f"Nanny for the Lee family {tag}",
            f"Locked in {tag}", f"Hide the files at Mrs Chan's {tag}", *collective_texts]
    kept = [f"Both{tag}", f"March together {tag}",
            *(f"Joint {part} {tag}" for part in ("issue", "demand", "added demand", "clause",
                                                  "summary"))]
    bb_before = seizure.basebackup(seized.database.url, tmp_path / "basebackup-before")
    organize_backup.backup(seized, tmp_path / "backup-before")
    # Before: the attack opens the collective's texts (the scan sees what it should).
    files = _everything(seized, bb_before, tmp_path / "backup-before")
    opened = _open_everything(seized, seizure.keys_in(files))
    assert all(any(t.encode() in o for o in opened) for t in collective_texts)
    assert not seizure.hits(files, [t.encode() for t in collective_texts]), "stored in the clear"

    done = erase_collective(app, raided)
    assert done.workers_erased == [only]
    seized.runner().catch_up()
    bb_after = seizure.basebackup(seized.database.url, tmp_path / "basebackup-after")
    organize_backup.backup(seized, tmp_path / "backup-after")
    files = _everything(seized, bb_before, bb_after, tmp_path / "backup-before",
                        tmp_path / "backup-after")
    found = seizure.keys_in(files)
    for subject in (only, solo, own, raided, own_campaign, called_off):
        assert not seizure.unwrap_attempts(files, subject, found, range(0, 16)), subject
    assert not seizure.hits(files, [t.encode() for t in gone + kept])
    opened = _open_everything(seized, found)
    assert not [t for t in gone for o in opened if t.encode() in o]
    assert all(any(t.encode() in o for o in opened) for t in kept)
    assert ("collective", str(raided)) in app.keys.keyring.erased()
    assert app.keys.get(shared) is not None and app.keys.get(own) is None
    assert app.keys.get(shared_campaign) is not None and app.keys.get(own_campaign) is None
    # The erasure is a fact on the collective, with no personal data; it reads as erased.
    erased = app.load(Collective, raided, field="collective_id")
    assert erased.erased and collective_view(app, erased).erased
    assert not app.load(Collective, other, field="collective_id").erased
    from organize.application.reading import ERASED, campaign_view, meeting_view
    from organize.domain import Campaign, Meeting

    gone_campaign = campaign_view(app, app.load(Campaign, own_campaign, field="campaign_id"))
    assert gone_campaign.issue == ERASED and gone_campaign.summary == ERASED
    assert [d.text for d in gone_campaign.demands] == [ERASED, ERASED]
    assert meeting_view(app, app.load(Meeting, called_off, field="meeting_id")).cancel_reason == ERASED


# -- a property over random histories ------------------------------------------------------------


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

WORDS = st.text(alphabet=st.characters(categories=["L"], codec="utf-8"), min_size=3, max_size=12)


@st.composite
def histories(draw):
    """Workers with profiles, spells and statuses; grievances raised alone or together,
    with evidence; meetings held or cancelled (with a reason); campaigns with their texts;
    self-assessments with narratives; and whom to erase: one worker, or the collective."""
    n = draw(st.integers(2, 4))
    workers = [dict(spells=draw(st.lists(WORDS, min_size=0, max_size=3)),
                    status=draw(st.one_of(st.none(), WORDS)), note=draw(WORDS)) for _ in range(n)]
    grievances = draw(st.lists(st.tuples(st.sets(st.integers(0, n - 1), min_size=1, max_size=n),
                                         WORDS, st.booleans()), max_size=4))
    meetings = draw(st.lists(st.tuples(st.sets(st.integers(0, n - 1), min_size=1),
                                       st.one_of(st.none(), WORDS)), max_size=2))
    campaigns = draw(st.lists(st.tuples(WORDS, st.lists(WORDS, max_size=2), st.booleans()),
                              max_size=2))
    narratives = draw(st.lists(WORDS, max_size=2))
    victim = draw(st.one_of(st.integers(0, n - 1), st.just("collective")))
    return workers, grievances, meetings, (campaigns, narratives), victim


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(history=histories())
def test_after_erasure_none_of_her_text_is_in_any_raw_file(seized, history):
    from organize.erasure import erase_collective

    workers, grievances, meetings, (campaigns, narratives), victim = history
    app = seized.app
    run = uuid.uuid4().hex[:8]
    collective = app.execute(h.create_collective()).id
    ids, texts = [], []  # texts[i]: the personal text of worker i, as it was typed
    for i, w in enumerate(workers):
        mine = [f"Name{run}w{i}", f"{w['note']} note{run}w{i}"]
        worker = app.execute(h.register_worker(collective, pseudonym=mine[0],
                                               note=mine[1])).id
        for j, word in enumerate(w["spells"]):
            mine.append(f"cook for the {word} family {run}w{i}s{j}")
            app.execute(c.StartSpell(command_id=h.cid(), worker_id=worker, sector="domestic_care",
                                     occupation=mine[-1], place="HK",
                                     relationship="direct_employer", paid=True,
                                     started_on=date(2024, 1, 1 + j)))
        if w["status"] is not None:
            mine.append(f"{w['status']} status{run}w{i}")
            app.execute(c.ChangeStatus(command_id=h.cid(), worker_id=worker,
                                       change=c.StatusChange(status_kind="immigration",
                                                             status=mine[-1]),
                                       on=date(2025, 6, 1)))
        ids.append(worker)
        texts.append(mine)
    for k, (who, word, evidence) in enumerate(grievances):
        description = f"{word} grievance{run}g{k}"
        g = app.execute(h.raise_grievance(collective, [ids[i] for i in sorted(who)],
                                          description=description)).id
        extra = [description]
        if evidence:
            extra.append(f"evidence{run}g{k}")
            app.execute(c.NoteEvidence(command_id=h.cid(), grievance_id=g, note=extra[-1],
                                       on=date(2025, 6, 2)))
        if who == {victim}:  # hers alone: it goes with her
            texts[victim].extend(extra)
    ours = []  # the collective's texts: campaigns, narratives, decisions, cancel reasons
    employer = app.execute(h.create_organisation(name=f"Employer {run}", kind="employer")).id
    for k, (attendees, reason) in enumerate(meetings):
        m = app.execute(c.ScheduleMeeting(command_id=h.cid(), kind="assembly",
                                          collective_ids=(collective,),
                                          scheduled_for=datetime(2025, 6, 3, tzinfo=UTC),
                                          language="en")).id
        if reason is not None:
            ours.append(f"{reason} cancelled{run}m{k}")
            app.execute(c.CancelMeeting(command_id=h.cid(), meeting_id=m, reason=ours[-1]))
            continue
        people = tuple(ids[i] for i in sorted(attendees))
        ours.append(f"Meet the agency {run}m{k}")
        app.execute(c.RecordMeetingHeld(command_id=h.cid(), meeting_id=m,
                                        held_at=datetime(2025, 6, 3, tzinfo=UTC),
                                        attendee_ids=people, facilitator_ids=people[:1],
                                        language="en", decisions=(ours[-1],)))
    for k, (issue, demands, closed) in enumerate(campaigns):
        said = [f"{issue} issue{run}k{k}", *(f"{d} demand{run}k{k}d{j}"
                                             for j, d in enumerate(demands))]
        ours.extend(said)
        camp = app.execute(c.LaunchCampaign(command_id=h.cid(), issue=said[0],
                                            demands=tuple(said[1:]),
                                            collective_ids=(collective,),
                                            launched_on=date(2025, 6, 4))).id
        if closed:
            ours.extend([f"{issue} clause{run}k{k}", f"{issue} summary{run}k{k}"])
            app.execute(c.SignAgreement(command_id=h.cid(), campaign_id=camp,
                                        with_organisation_id=employer, signed_on=date(2025, 6, 5),
                                        clauses=(ours[-2],)))
            app.execute(c.CloseCampaign(command_id=h.cid(), campaign_id=camp,
                                        on=date(2025, 6, 6), summary=ours[-1]))
    for k, word in enumerate(narratives):
        ours.append(f"{word} narrative{run}n{k}")
        app.execute(c.RecordAssessment(command_id=h.cid(), collective_id=collective,
                                       assessed_on=date(2025, 6, 7),
                                       levels=(c.Level(dimension="leadership", level=2),),
                                       narrative=ours[-1]))
    seized.runner().catch_up()

    if victim == "collective":  # a raid: every worker belongs only to it, and its texts go
        erase_collective(app, collective)
        texts = [[t for mine in texts for t in mine] + ours]
        victim = 0
    else:
        app.execute(c.EraseWorker(command_id=h.cid(), worker_id=ids[victim]))
        texts.append(ours)  # the collective's texts stay readable
    seized.runner().catch_up()
    files = _everything(seized)
    hers = [t.encode() for t in texts[victim]]
    assert not seizure.hits(files, hers), "her text lies in a raw file"
    opened = _open_everything(seized, seizure.keys_in(files))
    leaked = [t for t in hers for o in opened if t in o]
    assert not leaked, f"opened with the keys on the disk: {leaked}"
    others = [t.encode() for i, mine in enumerate(texts) if i != victim for t in mine]
    assert all(any(t in o for o in opened) for t in others), "everyone else stays readable"
