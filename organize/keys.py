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
import os
from collections.abc import Iterable, Sequence
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE = 12
SEAL_VERSION = b"\x01"


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

    def compact(self) -> None:
        """Rewrite the key table so deleted key bytes do not linger in dead tuples."""
        # Pool connections are in autocommit mode, which VACUUM needs.
        with self.datastore.get_connection() as conn:
            conn.execute("VACUUM FULL organize_data_keys")


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
