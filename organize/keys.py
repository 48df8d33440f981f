"""Per-subject data keys and sealing of personal fields (crypto-shredding).

A worker's pseudonym and personal fields, and a grievance's free text, are sealed under a
data key of their own before they enter an event. The keys sit in ``organize_data_keys``,
wrapped by the master key. Deleting a key row makes every sealed field under it noise, in
every past event, snapshot and backup of the events table.

Deleted rows linger in PostgreSQL pages until vacuumed, so shredding ends with
``VACUUM FULL`` of the (small) key table: the table is rewritten and the old file dropped.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import time
from collections.abc import Iterable, Sequence
from uuid import UUID

import psycopg
import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE = 12
SEAL_VERSION = b"\x01"


COMPACT_PATIENCE = 30.0  # seconds an erasure waits for older transactions to end
_KEPT = re.compile(r"(\d+) dead row versions cannot be removed yet")

class MasterKey:
    """Wraps and unwraps data keys (AES-GCM under the master key, subject id as AAD)."""

    def __init__(self, master_key_b64: str):
        self._aead = AESGCM(base64.b64decode(master_key_b64))

    def wrap(self, subject_id: UUID, key: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, key, subject_id.bytes)

    def unwrap(self, subject_id: UUID, wrapped: bytes) -> bytes:
        return self._aead.decrypt(wrapped[:NONCE], wrapped[NONCE:], subject_id.bytes)


SELECT_KEYS = "SELECT subject_id, wrapped FROM organize_data_keys WHERE subject_id = ANY(%s)"


class KeyStore:
    """Data keys in PostgreSQL, wrapped under the master key."""

    def __init__(self, datastore, master_key_b64: str):
        self.datastore = datastore  # eventsourcing's PostgresDatastore: its pool and retries
        self.master = MasterKey(master_key_b64)
        self.master_key_b64 = master_key_b64  # for async readers (organize.reveal)
        self._wrap = self.master.wrap
        self._unwrap = self.master.unwrap

    def create(self, subject_id: UUID, owners: Sequence[UUID] = ()) -> bytes:
        """Create the subject's key, or return the existing one (a resubmitted command)."""
        key = AESGCM.generate_key(bit_length=256)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "INSERT INTO organize_data_keys (subject_id, owner_ids, wrapped) "
                "VALUES (%s, %s, %s) ON CONFLICT (subject_id) DO NOTHING RETURNING subject_id",
                (subject_id, list(owners), self._wrap(subject_id, key)),
            )
            if curs.fetchone() is not None:
                return key
        existing = self.get(subject_id)
        if existing is None:  # created and shredded between the two statements
            raise KeyError(subject_id)
        return existing

    def get(self, subject_id: UUID) -> bytes | None:
        return self.get_many([subject_id]).get(subject_id)

    def get_many(self, subject_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        ids = list(dict.fromkeys(subject_ids))
        if not ids:
            return {}
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SELECT_KEYS, (ids,))
            rows = curs.fetchall()
        return {r["subject_id"]: self._unwrap(r["subject_id"], r["wrapped"]) for r in rows}

    def add_owners(self, subject_id: UUID, owners: Sequence[UUID]) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "UPDATE organize_data_keys SET owner_ids = ARRAY(SELECT DISTINCT unnest("
                "owner_ids || %s::uuid[])) WHERE subject_id = %s",
                (list(owners), subject_id),
            )

    def shred_for_worker(self, worker_id: UUID) -> list[UUID]:
        """Delete the worker's key and every key no other living owner holds.

        Returns the shredded subject ids. A grievance raised together with others keeps its
        key (it is their story too); the erased worker is removed from its owners.
        """
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "UPDATE organize_data_keys SET owner_ids = array_remove(owner_ids, %s) "
                "WHERE owner_ids @> ARRAY[%s]::uuid[] RETURNING subject_id, owner_ids",
                (worker_id, worker_id),
            )
            orphaned = [r["subject_id"] for r in curs.fetchall() if not r["owner_ids"]]
            doomed = [worker_id, *orphaned]
            curs.execute(
                "DELETE FROM organize_data_keys WHERE subject_id = ANY(%s) RETURNING subject_id",
                (doomed,),
            )
            shredded = [r["subject_id"] for r in curs.fetchall()]
        self.compact()
        return shredded

    def compact(self, patience: float = COMPACT_PATIENCE) -> bool:
        """Rewrite the key table so deleted key bytes do not linger in dead tuples.

        ``VACUUM FULL`` copies a deleted row into the new file while any transaction that
        was running when the delete committed is still running, anywhere on the server
        (PostgreSQL must keep the row visible to it). On a busy server that is the common
        case, and the shredded key would survive on disk. So rewrite, read VACUUM's own
        count of dead rows it had to keep, and while there are any, wait for those
        transactions to end and rewrite again. Returns True once a rewrite kept no dead
        row; False (with a warning in the log) if some transaction outlived ``patience``:
        the next erasure, or ``organize keys compact``, finishes the job.
        """
        deadline = time.monotonic() + patience
        delay = 0.05
        details: list[str] = []

        def note(diagnostic) -> None:
            details.append(f"{diagnostic.message_primary} {diagnostic.message_detail or ''}")

        # Pool connections are in autocommit mode, which VACUUM needs.
        with self.datastore.get_connection() as conn:
            conn.add_notice_handler(note)
            try:
                # VACUUM's count is read in English (a superuser may ask for it).
                with contextlib.suppress(psycopg.Error):
                    conn.execute("SET lc_messages TO 'C'")
                while True:
                    details.clear()
                    conn.execute("VACUUM (FULL, VERBOSE) organize_data_keys")
                    kept = sum(int(m.group(1)) for d in details
                               for m in [_KEPT.search(d)] if m)
                    if not kept:
                        return True
                    if time.monotonic() >= deadline:
                        structlog.get_logger(__name__).warning(
                            "key_table_not_compacted", dead_rows_kept=kept,
                            reason="transactions older than the erasure are still running")
                        return False
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
            finally:
                conn.remove_notice_handler(note)
                with contextlib.suppress(psycopg.Error):
                    conn.execute("RESET lc_messages")


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
