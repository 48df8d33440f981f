"""Erasure really erases: after ``EraseWorker``, the plaintext of her personal fields is
nowhere in the database's files, not even after decrypting every event with the master key,
and her wrapped key, wherever PostgreSQL still keeps it, opens under no key we hold.

We read the relation files themselves (``pg_read_binary_file`` of every table, index and
TOAST relation, after a CHECKPOINT), so dead tuples and index entries count too. The whole
disk (WAL, base backups, dumps, key files) is the job of ``test_erasure_disk.py``.
"""

from __future__ import annotations

import uuid
from datetime import date

import psycopg
import pytest
from cryptography.exceptions import InvalidTag

from organize import commands as c
from organize.persistence.keys import Sealer
from tests.integration import support as h
from tests.integration import support as seizure
from tests.integration.support import relation_files

pytestmark = pytest.mark.integration


def test_erasure_leaves_no_plaintext_anywhere(app, database):
    tag = uuid.uuid4().hex[:10]
    secrets = {
        "pseudonym": f"Sunita{tag}",
        "legal_name": f"Legal Name {tag}",
        "phone": "+977 98" + str(int(tag, 16) % 10**8).zfill(8),
        "document_number": f"PN{tag.upper()}",
        "note": f"Lives near the temple {tag}",
    }
    status_text = f"undocumented-{tag}"
    description = f"Passport taken by employer {tag}"
    collective = app.execute(h.create_collective())
    worker = app.execute(h.register_worker(collective.id, **secrets))
    other = app.execute(h.register_worker(collective.id, pseudonym=f"Other{tag}"))
    app.execute(c.ChangeStatus(command_id=h.cid(), worker_id=worker.id,
                               change=c.StatusChange(status_kind="immigration", status=status_text),
                               on=date(2025, 6, 1)))
    solo = app.execute(h.raise_grievance(collective.id, [worker.id], description=description,
                                         category="documents_confiscated"))
    shared_text = f"Shared story {tag}"
    shared = app.execute(h.raise_grievance(collective.id, [worker.id, other.id],
                                           description=shared_text))
    app.execute(c.NoteEvidence(command_id=h.cid(), grievance_id=solo.id,
                               note=f"Photo of contract {tag}", on=date(2025, 6, 2)))

    plaintexts = [*secrets.values(), status_text, description, f"Photo of contract {tag}"]
    # The plaintext never reaches the files (sealed, then encrypted again with the master key);
    # what must vanish on erasure is the wrapped key that opens it. Check the scan sees it.
    with app.recorder.datastore.transaction() as curs:
        curs.execute("SELECT wrapped FROM organize_data_keys WHERE subject_id = ANY(%s)",
                     ([worker.id, solo.id],))
        wrapped = [bytes(r["wrapped"]) for r in curs.fetchall()]
    assert len(wrapped) == 2
    # ANALYZE (which autovacuum runs on its own) samples column values into pg_statistic;
    # run it now so the test sees that path every time, not only when autovacuum struck.
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute("ANALYZE organize_data_keys")
    before = relation_files(database.url)
    assert not any(p.encode() in blob for p in plaintexts for blob in before.values())
    assert all(any(w in blob for blob in before.values()) for w in wrapped)
    assert app.sealer.open(solo.id, app.repository.get(solo.id).description) == description.encode()

    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=worker.id))

    files = relation_files(database.url)
    # A dead tuple may keep the wrapped key: no key the application holds opens it any more.
    assert_unopenable(app, [(worker.id, w) for w in wrapped[:1]] + [(solo.id, wrapped[1])])
    for p in plaintexts:
        hits = [name for name, blob in files.items() if p.encode() in blob]
        assert not hits, f"{p!r} found in {hits}"

    # Now decrypt every stored event with the master key and try every remaining data key.
    cipher = app.mapper.cipher
    with app.recorder.datastore.transaction() as curs:
        curs.execute("SELECT originator_id, state FROM organize_events")
        events = [(r["originator_id"], cipher.decrypt(bytes(r["state"]))) for r in curs.fetchall()]
        curs.execute("SELECT subject_id FROM organize_data_keys")
        key_ids = [r["subject_id"] for r in curs.fetchall()]
    assert worker.id not in key_ids and solo.id not in key_ids
    assert shared.id in key_ids  # her co-worker's story stays readable to the collective
    keys = app.keys.get_many(key_ids)
    opened = []
    for originator_id, plain in events:
        for p in plaintexts:
            assert p.encode() not in plain
        for sealed in seizure.sealed_values(plain):
            for subject, key in keys.items():
                text = Sealer.open_with(key, subject, sealed)
                if text is not None:
                    opened.append(text)
    assert opened, "the scan opened nothing at all, so it proves nothing"
    for text in opened:
        for p in plaintexts:
            assert p.encode() not in text
    assert any(shared_text.encode() in t for t in opened)


def assert_unopenable(app, wrapped: list[tuple[uuid.UUID, bytes]]) -> None:
    from organize.persistence.keys import unwrap_under

    keyring = app.keys.keyring
    keks = [(g, keyring.get(g)) for g in keyring.generations()]
    assert keks, "the keyring holds the current KEK"
    legacy = app.keys._legacy  # the master key, which wrapped keys before the keyring
    for subject, blob in wrapped:
        for generation, kek in keks:
            for g in range(0, generation + 2):
                with pytest.raises(InvalidTag):
                    unwrap_under(kek, g, subject, blob)
        with pytest.raises(InvalidTag):
            legacy.unwrap(subject, blob)




def test_erasing_twice_is_refused_and_the_command_replays(app):
    collective = app.execute(h.create_collective())
    worker = app.execute(h.register_worker(collective.id))
    erase = c.EraseWorker(command_id=h.cid(), worker_id=worker.id)
    first = app.execute(erase)
    assert app.execute(erase).replayed
    from organize.errors import Invalid

    with pytest.raises(Invalid) as e:
        app.execute(c.EraseWorker(command_id=h.cid(), worker_id=worker.id))
    assert e.value.code == "erased"
    assert first.notification_id


def test_erasure_holds_while_an_older_transaction_keeps_the_dead_row(app, database):
    """A transaction older than the erasure makes PostgreSQL keep the deleted key row (and
    VACUUM copies it along). Erasure does not wait for it: the row it keeps is wrapped
    under a KEK that the erasure destroyed."""
    import time

    worker = app.execute(h.register_worker(pseudonym=f"Held{uuid.uuid4().hex[:6]}"))
    with app.recorder.datastore.transaction() as curs:
        curs.execute("SELECT wrapped FROM organize_data_keys WHERE subject_id = %s", (worker.id,))
        wrapped = bytes(curs.fetchone()["wrapped"])
    blocker = psycopg.connect(database.url)
    blocker.execute("SELECT txid_current()")  # holds the horizon back from here on
    try:
        started = time.monotonic()
        app.execute(c.EraseWorker(command_id=h.cid(), worker_id=worker.id))
        assert time.monotonic() - started < 10
        with psycopg.connect(database.url, autocommit=True) as conn:
            conn.execute("VACUUM organize_data_keys")
        kept = [name for name, blob in relation_files(database.url).items() if wrapped in blob]
        assert kept, "the older transaction keeps the dead row on disk (the case under test)"
        assert_unopenable(app, [(worker.id, wrapped)])
        assert app.keys.get(worker.id) is None
    finally:
        blocker.rollback()
        blocker.close()
