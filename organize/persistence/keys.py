"""Per-subject data keys and sealing of personal fields (crypto-shredding).

A worker's pseudonym and personal fields, and a grievance's free text, are sealed under a
data key of their own before they enter an event. The keys sit in ``organize_data_keys``,
wrapped under the key-encryption key (KEK) of ``organize.persistence.keyring``, which lives outside
PostgreSQL.

Erasure deletes the erased subjects' key rows, re-wraps every remaining key under a fresh
KEK in the same transaction, and then destroys the old KEK. PostgreSQL may keep the old rows
for ever (dead tuples, the write-ahead log, base backups, archives, replicas): they are
wrapped under a key that exists nowhere any more. Erasure therefore never waits for
VACUUM, and its cost is one re-wrap of the table (see ``bench/erasure.py``).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import msgspec
import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import IntegrityError

from organize.persistence.keyring import FileKeyring, KeyringError, kek_check

NONCE = 12
SEAL_VERSION = b"\x01"
_KEK_LOCK = 0x6B656B  # "kek": the first KEK of a database is made once


class MasterKey:
    """Wraps and unwraps data keys (AES-GCM, subject id as AAD).

    Before the keyring, data keys were wrapped under the master key (generation 0); this
    is kept only to re-wrap such keys once, at startup (:meth:`KeyStore.upgrade`).
    """

    def __init__(self, master_key_b64: str):
        self._aead = AESGCM(base64.b64decode(master_key_b64))

    def wrap(self, subject_id: UUID, key: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, key, subject_id.bytes)

    def unwrap(self, subject_id: UUID, wrapped: bytes) -> bytes:
        return self._aead.decrypt(wrapped[:NONCE], wrapped[NONCE:], subject_id.bytes)


def _aad(subject_id: UUID, generation: int) -> bytes:
    return subject_id.bytes + generation.to_bytes(4, "big")


def wrap_under(kek: bytes, generation: int, subject_id: UUID, key: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(kek).encrypt(nonce, key, _aad(subject_id, generation))


def unwrap_under(kek: bytes, generation: int, subject_id: UUID, wrapped: bytes) -> bytes:
    return AESGCM(kek).decrypt(wrapped[:NONCE], wrapped[NONCE:], _aad(subject_id, generation))


def _digest_key(kek: bytes) -> bytes:
    return hashlib.sha256(b"organize command digest\x00" + kek).digest()


def _import_key(master: bytes) -> bytes:
    return hashlib.sha256(b"organize import source id\x00" + master).digest()


SELECT_KEYS = ("SELECT subject_id, wrapped, kek_generation FROM organize_data_keys "
               "WHERE subject_id = ANY(%s)")


class SnapshotRow(msgspec.Struct, array_like=True):
    subject_id: UUID
    owner_ids: list[UUID]
    wrapped: bytes


class Snapshot(msgspec.Struct):
    """Every living data key, wrapped under the KEK of ``generation`` (keyring file)."""

    generation: int
    kek_check: bytes
    rows: list[SnapshotRow]


@dataclass
class KeyWrites:
    """What one command or one batch writes to the key table with its events
    (``KeyStore.write_made``): the keys it made, and the owners it added to or removed from
    keys that were there before, as (added, removed) per subject."""

    made: dict[UUID, tuple[bytes, list[UUID]]] = field(default_factory=dict)
    owners: dict[UUID, tuple[set[UUID], set[UUID]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.made or self.owners)

    def added(self) -> set[UUID]:
        """Every owner a key gains: one made here or one that was there before."""
        return ({o for _key, held in self.made.values() for o in held}
                | {o for plus, _minus in self.owners.values() for o in plus})


class KeyStore:
    """Data keys in PostgreSQL, wrapped under the KEK from the keyring."""

    def __init__(self, datastore, master_key_b64: str, keyring: FileKeyring):
        self.datastore = datastore  # eventsourcing's PostgresDatastore: its pool and retries
        self.root = keyring
        self._ring: FileKeyring | None = None
        self._legacy = MasterKey(master_key_b64)
        self._import = _import_key(base64.b64decode(master_key_b64))
        self._keks: dict[int, bytes] = {}

    @property
    def keyring(self) -> FileKeyring:
        """The keyring's files for this database (named by its id in ``organize_kek``)."""
        if self._ring is None:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute("SELECT database_id FROM organize_kek")
                row = curs.fetchone()
                if row is None:
                    self._current(curs, "")  # the database's first KEK
                else:
                    self._scope(row["database_id"])
        return self._ring

    def _scope(self, database_id) -> None:
        if self._ring is None or self._ring.database != str(database_id):
            self._ring = self.root.scoped(str(database_id))
            self._keks.clear()

    # -- the KEK --------------------------------------------------------------------------

    def kek(self, generation: int) -> bytes:
        kek = self._keks.get(generation)
        if kek is None:
            kek = self.keyring.get(generation)
            if kek is None:
                raise KeyringError(
                    f"The keyring ({getattr(self.keyring, 'directory', 'configured')}) has no "
                    f"key-encryption key of generation {generation}. Point ORGANIZE_KEYRING at "
                    "the keyring this database was used with.")
            self._keks[generation] = kek
        return kek

    def _current(self, curs, lock: str = "FOR KEY SHARE") -> tuple[int, bytes]:
        """The database's KEK generation and the KEK, locked as asked; made on first use."""
        select = f"SELECT generation, kek_check, database_id FROM organize_kek {lock}"
        curs.execute(select)
        row = curs.fetchone()
        if row is None:
            curs.execute("SELECT pg_advisory_xact_lock(%s)", (_KEK_LOCK,))
            curs.execute(select)
            row = curs.fetchone()
        if row is None:
            database_id = uuid4()
            self._scope(database_id)
            kek = AESGCM.generate_key(bit_length=256)
            self._ring.put(1, kek)
            curs.execute("INSERT INTO organize_kek (generation, kek_check, database_id) "
                         "VALUES (1, %s, %s)", (kek_check(kek), database_id))
            curs.execute(select)
            row = curs.fetchone()
        self._scope(row["database_id"])
        generation = row["generation"]
        kek = self.kek(generation)
        if kek_check(kek) != bytes(row["kek_check"]):
            self._keks.pop(generation, None)
            raise KeyringError(
                f"The keyring's key-encryption key of generation {generation} is not the one "
                "this database uses. Point ORGANIZE_KEYRING at the right keyring.")
        for old in [g for g in self._keks if g < generation]:
            del self._keks[old]  # nothing wrapped under it is current any more
        return generation, kek

    def import_key(self) -> bytes:
        """The key of imports' source-id digests (``organize.imports``): derived from the
        master key, so it outlives KEK replacements and a re-import still finds its rows."""
        return self._import

    # -- the command log's digests ---------------------------------------------------------

    def digest_key(self) -> tuple[int, bytes]:
        """The newest KEK generation this process knows, and the key for the command log's
        digests derived from that KEK (``organize.application``). A command can carry her
        status or her words, and its digest is beside its id in the log: keyed so, no guess
        reproduces it once an erasure has destroyed that KEK."""
        if not self._keks:
            with self.datastore.transaction(commit=True) as curs:
                self._current(curs)
        generation = max(self._keks)
        return generation, _digest_key(self._keks[generation])

    def digest_key_of(self, generation: int) -> bytes | None:
        """The digest key of an older generation; None once an erasure destroyed its KEK."""
        try:
            return _digest_key(self.kek(generation))
        except KeyringError:
            return None

    def unwrap(self, subject_id: UUID, wrapped: bytes, generation: int) -> bytes:
        if generation == 0:
            return self._legacy.unwrap(subject_id, wrapped)
        return unwrap_under(self.kek(generation), generation, subject_id, wrapped)

    # -- data keys ------------------------------------------------------------------------

    def create(self, subject_id: UUID, owners: Sequence[UUID] = ()) -> bytes:
        """Create the subject's key, or return the existing one (a resubmitted command)."""
        key = AESGCM.generate_key(bit_length=256)
        with self.datastore.transaction(commit=True) as curs:
            generation, kek = self._current(curs)  # an erasure cannot re-wrap meanwhile
            curs.execute(
                "INSERT INTO organize_data_keys (subject_id, owner_ids, wrapped, kek_generation) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (subject_id) DO NOTHING RETURNING subject_id",
                (subject_id, list(owners), wrap_under(kek, generation, subject_id, key),
                 generation),
            )
            if curs.fetchone() is not None:
                return key
        existing = self.get(subject_id)
        if existing is None:  # created and shredded between the two statements
            raise KeyError(subject_id)
        return existing

    def write_made(self, curs, made: KeyWrites) -> None:
        """Write keys made in memory (a command's or a batch's: ``PendingKeys``), and the
        owners it gave or took from keys already there, inside the caller's transaction, the
        one that stores the events sealed under them: a key exists if and only if its events
        were stored, and an owner is added if and only if the event that made her one was.
        A subject that has a key already refuses the whole transaction (``IntegrityError``),
        since its events were sealed under the new one."""
        if not made:
            return
        generation, kek = self._current(curs)  # an erasure cannot re-wrap meanwhile
        # An erasure notes the erased before it shreds, under the KEK row's lock that
        # ``_current`` waited for: an owner noted now was erased after the command read her
        # alive, and a key owned by her, written after her keys were shredded, would keep
        # her story readable (or, given to a key already there, would tie it to her when
        # she is gone). The save is refused, its events with it (the recorder makes the
        # server refuse the transaction: ``refuse_transaction``).
        if made.added() & self._erased_ids():
            raise IntegrityError("an owner of a data key was erased meanwhile")
        if made.made:
            ids = list(made.made)
            curs.execute(
                "INSERT INTO organize_data_keys (subject_id, owner_ids, wrapped, kek_generation) "
                "SELECT u.id, u.o::uuid[], u.w, %s FROM unnest(%s::uuid[], %s::text[], "
                "%s::bytea[]) AS u(id, o, w) RETURNING subject_id",
                (generation, ids,
                 ["{" + ",".join(str(o) for o in made.made[i][1]) + "}" for i in ids],
                 [wrap_under(kek, generation, i, made.made[i][0]) for i in ids]))
            curs.fetchall()  # here, in the recorder's guarded block: a duplicate raises now
        if made.owners:
            ids = list(made.owners)
            curs.execute(
                "UPDATE organize_data_keys k SET owner_ids = ARRAY(SELECT DISTINCT o FROM "
                "unnest(k.owner_ids || c.plus::uuid[]) AS o WHERE o <> ALL(c.minus::uuid[]))"
                " FROM unnest(%s::uuid[], %s::text[], %s::text[]) AS c(id, plus, minus)"
                " WHERE k.subject_id = c.id",
                (ids, *(["{" + ",".join(str(o) for o in made.owners[i][side]) + "}"
                         for i in ids] for side in (0, 1))))

    def _erased_ids(self) -> set[UUID]:
        return {UUID(i) for _kind, i in self.keyring.erased()}

    def get(self, subject_id: UUID) -> bytes | None:
        return self.get_many([subject_id]).get(subject_id)

    def get_many(self, subject_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        ids = list(dict.fromkeys(subject_ids))
        if not ids:
            return {}
        for attempt in (1, 2):
            # One statement on the pool's autocommit connection: one round trip, not three.
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(SELECT_KEYS, (ids,), prepare=True)
                rows = curs.fetchall()
            try:
                return {r["subject_id"]: self.unwrap(r["subject_id"], bytes(r["wrapped"]),
                                                     r["kek_generation"]) for r in rows}
            except KeyringError:
                if attempt == 2:  # read just before an erasure replaced the KEK: read again
                    raise
        raise AssertionError("unreachable")

    # -- erasure --------------------------------------------------------------------------

    def shred_for_worker(self, worker_id: UUID, *linked: UUID) -> list[UUID]:
        """Delete the worker's key and every key no other living owner holds, and replace
        the KEK.

        Returns the shredded subject ids. A grievance raised together with others keeps its
        key (it is their story too); the erased worker is removed from its owners.
        """
        self.keyring.note_erased("worker", worker_id)
        for other in linked:  # a record merged with hers: the same woman
            self.keyring.note_erased("worker", other)
        return self.shred(owner=worker_id, subjects=[worker_id, *linked], also=linked)

    def shred_for_collective(self, collective_id: UUID) -> list[UUID]:
        """Delete the collective's own key and every key no other collective (or worker)
        still owns, such as its meetings' decisions, and replace the KEK."""
        self.keyring.note_erased("collective", collective_id)
        return self.shred(owner=collective_id, subjects=[collective_id])

    def shred(self, *, owner: UUID | None = None, subjects: Sequence[UUID] = (),
              also: Sequence[UUID] = ()) -> list[UUID]:
        """Delete ``subjects``' keys and, when ``owner`` is given, remove it (and ``also``,
        a merged record's) from every key's owners and delete the keys left with none;
        then replace the KEK."""
        with self.datastore.transaction(commit=True) as curs:
            generation, _ = self._current(curs, "FOR UPDATE")  # no key is made meanwhile
            doomed = list(subjects)
            for gone in ([owner, *also] if owner is not None else []):
                curs.execute(
                    "UPDATE organize_data_keys SET owner_ids = array_remove(owner_ids, %s) "
                    "WHERE owner_ids @> ARRAY[%s]::uuid[] RETURNING subject_id, owner_ids",
                    (gone, gone),
                )
                doomed += [r["subject_id"] for r in curs.fetchall() if not r["owner_ids"]]
            curs.execute(
                "DELETE FROM organize_data_keys WHERE subject_id = ANY(%s) RETURNING subject_id",
                (doomed,),
            )
            shredded = [r["subject_id"] for r in curs.fetchall()]
            new_generation = self._rotate(curs, generation)
        self.keyring.destroy_below(new_generation)
        return shredded

    def _rotate(self, curs, generation: int) -> int:
        """Re-wrap every key under a fresh KEK, inside the caller's transaction, and write
        the keyring's snapshot. The old KEK is destroyed by the caller after the commit."""
        new_generation = generation + 1
        kek = AESGCM.generate_key(bit_length=256)
        self.keyring.put(new_generation, kek)  # on disk before the database points to it
        self._keks[new_generation] = kek
        curs.execute("SELECT subject_id, wrapped, kek_generation FROM organize_data_keys")
        ids, wrapped = [], []
        for r in curs.fetchall():
            key = self.unwrap(r["subject_id"], bytes(r["wrapped"]), r["kek_generation"])
            ids.append(r["subject_id"])
            wrapped.append(wrap_under(kek, new_generation, r["subject_id"], key))
        curs.execute(
            "UPDATE organize_data_keys d SET wrapped = u.w, kek_generation = %s "
            "FROM unnest(%s::uuid[], %s::bytea[]) AS u(id, w) WHERE d.subject_id = u.id",
            (new_generation, ids, wrapped),
        )
        curs.execute("UPDATE organize_kek SET generation = %s, kek_check = %s",
                     (new_generation, kek_check(kek)))
        self._write_snapshot(curs, new_generation, kek)
        structlog.get_logger(__name__).info("kek_replaced", generation=new_generation,
                                            keys=len(ids))
        return new_generation

    # -- the snapshot, upgrades and restores ----------------------------------------------

    def _write_snapshot(self, curs, generation: int, kek: bytes) -> None:
        curs.execute("SELECT subject_id, owner_ids, wrapped FROM organize_data_keys "
                     "WHERE kek_generation = %s", (generation,))
        rows = [SnapshotRow(r["subject_id"], list(r["owner_ids"]), bytes(r["wrapped"]))
                for r in curs.fetchall()]
        self.keyring.write_snapshot(msgspec.msgpack.encode(
            Snapshot(generation=generation, kek_check=kek_check(kek), rows=rows)))

    def snapshot(self) -> int:
        """Write the keyring's snapshot of living keys now (``organize backup`` does)."""
        with self.datastore.transaction(commit=True) as curs:
            generation, kek = self._current(curs, "FOR UPDATE")
            self._write_snapshot(curs, generation, kek)
        return generation

    def upgrade(self) -> None:
        """At startup: finish an erasure that stopped before destroying the old KEK, and
        re-wrap keys still wrapped under the master key (a store from before the keyring)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT generation FROM organize_kek")
            row = curs.fetchone()
            curs.execute("SELECT EXISTS (SELECT 1 FROM organize_data_keys "
                         "WHERE kek_generation = 0) AS legacy")
            legacy = curs.fetchone()["legacy"]
        if legacy:
            with self.datastore.transaction(commit=True) as curs:
                generation, _ = self._current(curs, "FOR UPDATE")
                new_generation = self._rotate(curs, generation)
            self.keyring.destroy_below(new_generation)
        elif row is not None and any(g < row["generation"] for g in self.keyring.generations()):
            with self.datastore.transaction(commit=True) as curs:
                generation, kek = self._current(curs, "FOR UPDATE")
                self._write_snapshot(curs, generation, kek)
            self.keyring.destroy_below(generation)

    def adopt_snapshot(self) -> int:
        """After a restore: keep the restored keys that open under the current KEK, add the
        keyring's snapshot, drop everything else (wrapped under destroyed KEKs), and point
        the database at the current generation. Returns how many keys are usable."""
        raw = self.keyring.read_snapshot()
        generations = self.keyring.generations()
        if not generations:
            raise KeyringError("The keyring holds no key-encryption key; nothing can be opened.")
        generation = generations[-1]
        kek = self.kek(generation)
        snap = msgspec.msgpack.decode(raw, type=Snapshot) if raw else None
        if snap is not None and snap.generation != generation:
            raise KeyringError("The keyring's snapshot is not wrapped under its current KEK.")
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM organize_data_keys WHERE kek_generation <> %s",
                         (generation,))
            curs.execute("UPDATE organize_kek SET generation = %s, kek_check = %s",
                         (generation, kek_check(kek)))
            if snap is not None:
                curs.execute(
                    "INSERT INTO organize_data_keys (subject_id, owner_ids, wrapped, "
                    "kek_generation) SELECT u.id, ARRAY(SELECT jsonb_array_elements_text(u.o)"
                    ")::uuid[], u.w, %s FROM unnest(%s::uuid[], %s::jsonb[], %s::bytea[]) "
                    "AS u(id, o, w) ON CONFLICT (subject_id) DO NOTHING",
                    (generation, [r.subject_id for r in snap.rows],
                     [msgspec.json.encode(r.owner_ids).decode() for r in snap.rows],
                     [r.wrapped for r in snap.rows]))
            curs.execute("SELECT count(*) AS n FROM organize_data_keys")
            count = curs.fetchone()["n"]
            self._write_snapshot(curs, generation, kek)
        return count


class PendingKeys:
    """The key store seen by one command (``Organize.execute``) or one batch
    (``organize.application.batch``): each data key read and unwrapped once. A key made here
    waits in memory (``made``) and is written (``KeyStore.write_made``) in the transaction of
    the events sealed under it: a refused command, a discarded block or a refused commit
    leaves none. So do the owners a command adds to or removes from a key already stored
    (``add_owners``, ``remove_owner``): they are written with its events, or not at all."""

    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys
        self._known: dict[UUID, bytes] = {}
        self._absent: set[UUID] = set()  # asked for and not stored: ``create`` asks no more
        self.made: dict[UUID, tuple[bytes, list[UUID]]] = {}
        self._made_at: dict[UUID, int] = {}  # when each was made, as counted by ``_seq``
        # (when, subject, added?, owners): changes to the owners of keys stored already
        self._changes: list[tuple[int, UUID, bool, tuple[UUID, ...]]] = []
        self._seq = 0

    def get(self, subject_id: UUID) -> bytes | None:
        return self.get_many([subject_id]).get(subject_id)

    def get_many(self, subject_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        ids = list(dict.fromkeys(subject_ids))
        missing = [i for i in ids if i not in self._known and i not in self.made
                   and i not in self._absent]
        if missing:
            found = self._keys.get_many(missing)
            self._known.update(found)
            self._absent.update(i for i in missing if i not in found)
        found = {i: self._known[i] for i in ids if i in self._known}
        found.update({i: self.made[i][0] for i in ids if i in self.made})
        return found

    def create(self, subject_id: UUID, owners: Sequence[UUID] = ()) -> bytes:
        """The subject's key: the existing one, or a new one written at the next commit."""
        key = self.get(subject_id)
        if key is None:
            key = AESGCM.generate_key(bit_length=256)
            self.made[subject_id] = (key, list(dict.fromkeys(owners)))
            self._made_at[subject_id] = self._seq
            self._seq += 1
        return key

    def mark(self) -> int:
        return self._seq

    def forget_since(self, mark: int) -> None:
        """Drop the keys made and the owner changes since ``mark``: their commands were
        refused or discarded."""
        self._changes = [c for c in self._changes if c[0] < mark]
        later = []
        for subject_id in reversed(self.made):  # the newest last: stop at the first older
            if self._made_at[subject_id] < mark:
                break
            later.append(subject_id)
        for subject_id in later:
            del self.made[subject_id], self._made_at[subject_id]

    def take(self) -> KeyWrites:
        """The keys made and the owner changes, in order, for the save to write
        (``written`` once they are)."""
        owners: dict[UUID, tuple[set[UUID], set[UUID]]] = {}
        for _when, subject_id, add, who in self._changes:
            plus, minus = owners.setdefault(subject_id, (set(), set()))
            (plus if add else minus).update(who)
            (minus if add else plus).difference_update(who)
        made = KeyWrites(self.made, owners)
        self.made, self._made_at, self._changes = {}, {}, []
        return made

    def written(self, made: KeyWrites) -> None:
        self._known.update({i: key for i, (key, _owners) in made.made.items()})
        self._absent.difference_update(made.made)

    def forget(self) -> None:
        """A commit was refused (another writer got there first): read every key again."""
        self._known.clear()
        self._absent.clear()

    def add_owners(self, subject_id: UUID, owners: Sequence[UUID]) -> None:
        if subject_id in self.made:
            key, held = self.made[subject_id]
            self.made[subject_id] = (key, list(dict.fromkeys([*held, *owners])))
        else:
            self._changes.append((self._seq, subject_id, True, tuple(owners)))
            self._seq += 1

    def remove_owner(self, subject_id: UUID, owner: UUID) -> None:
        if subject_id in self.made:
            key, held = self.made[subject_id]
            self.made[subject_id] = (key, [o for o in held if o != owner])
        else:
            self._changes.append((self._seq, subject_id, False, (owner,)))
            self._seq += 1

    def _shred_made(self, owner: UUID | None, subjects: Sequence[UUID],
                    also: Sequence[UUID] = ()) -> list[UUID]:
        """``KeyStore.shred``'s rule on the keys not written yet: they never will be."""
        doomed = list(subjects)
        gone = {owner, *also} if owner is not None else set()
        for subject_id, (key, held) in list(self.made.items()):
            if gone & set(held):
                rest = [o for o in held if o not in gone]
                self.made[subject_id] = (key, rest)
                if not rest:
                    doomed.append(subject_id)
        shredded = [i for i in dict.fromkeys(doomed) if self.made.pop(i, None) is not None]
        for subject_id in shredded:
            del self._made_at[subject_id]
        return shredded

    def shred_for_worker(self, worker_id: UUID, *linked: UUID) -> list[UUID]:
        self._known.clear()  # what went is not known here: read again
        self._absent.clear()
        made = self._shred_made(worker_id, [worker_id, *linked], linked)
        return made + self._keys.shred_for_worker(worker_id, *linked)

    def shred_for_collective(self, collective_id: UUID) -> list[UUID]:
        self._known.clear()
        self._absent.clear()
        made = self._shred_made(collective_id, [collective_id])
        return made + self._keys.shred_for_collective(collective_id)

    def shred(self, *, owner: UUID | None = None, subjects: Sequence[UUID] = (),
              also: Sequence[UUID] = ()) -> list[UUID]:
        self._known.clear()
        self._absent.clear()
        made = self._shred_made(owner, subjects, also)
        return made + self._keys.shred(owner=owner, subjects=subjects, also=also)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._keys, name)


class Sealer:
    """Seals and opens personal fields under a subject's data key."""

    def __init__(self, keys: KeyStore):
        self.keys = keys

    @staticmethod
    def seal_with(key: bytes, subject_id: UUID, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return SEAL_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, subject_id.bytes)

    @staticmethod
    def open_with(key: bytes | None, subject_id: UUID, sealed: bytes | None) -> bytes | None:
        """The plaintext, or None when the key is gone (erased) or the seal is not ours."""
        if key is None or not sealed or sealed[:1] != SEAL_VERSION:
            return None
        try:
            return AESGCM(key).decrypt(sealed[1 : 1 + NONCE], sealed[1 + NONCE :], subject_id.bytes)
        except InvalidTag:
            return None

    def seal(self, subject_id: UUID, plaintext: bytes, owners: Sequence[UUID] = ()) -> bytes:
        key = self.keys.get(subject_id) or self.keys.create(subject_id, owners)
        return self.seal_with(key, subject_id, plaintext)

    def open(self, subject_id: UUID, sealed: bytes | None) -> bytes | None:
        return self.open_with(self.keys.get(subject_id), subject_id, sealed)
