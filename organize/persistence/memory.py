"""The application in memory, for use-case tests that need no PostgreSQL and run in
milliseconds: eventsourcing's plain-object store with the same command log beside the
events (``MemoryRecorder``), and data keys in a dict (``MemoryKeyStore``).

The stored events still go through the msgspec mapper and the master-key cipher, so what a
handler records must encode as it would for PostgreSQL. What only PostgreSQL can prove
(concurrent writers, the KEK outside the database, what reaches the disk) is tested there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory
from eventsourcing.utils import get_topic

from infra.keyfile import new_key
from organize.persistence.cipher import MasterKeyCipher
from organize.persistence.keyring import MemoryKeyring
from organize.persistence.keys import KeyWrites
from organize.persistence.transcoder import MsgspecMapper


class MemoryRecorder(POPOApplicationRecorder):
    """Events and the command log under one lock, as the PostgreSQL recorder writes them in
    one transaction: a command's second row is refused, and its events with it."""

    def __init__(self) -> None:
        super().__init__()
        self.commands: dict[UUID, dict[str, Any]] = {}

    def _insert_events(self, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        command = kwargs.get("command")
        batch = kwargs.get("commands")
        entries = ([(command, len(stored_events))] if command is not None else []) if batch is None \
            else [(entry, count) for entry, count, _role in batch]
        with self._database_lock:
            self._assert_uniqueness(stored_events, **kwargs)
            if any(entry.command_id in self.commands for entry, _ in entries):
                raise IntegrityError("Command already recorded")
            write_keys = kwargs.get("data_keys")  # a batch's new data keys, with its events
            if write_keys is not None:
                write_keys(None)
            notification_ids = self._update_table(stored_events, **kwargs)
            start = 0
            for entry, count in entries:
                mine = (notification_ids or [])[start:start + count]
                start += count
                self.commands[entry.command_id] = {
                    "command_type": entry.command_type,
                    "payload_digest": entry.payload_digest, "result": entry.result,
                    "notification_id": mine[-1] if mine else None}
            return notification_ids

    def find_commands(self, command_ids: Iterable[UUID]) -> dict[UUID, dict[str, Any]]:
        with self._database_lock:
            return {i: self.commands[i] for i in command_ids if i in self.commands}

    def find_command(self, command_id: UUID) -> dict[str, Any] | None:
        with self._database_lock:
            return self.commands.get(command_id)


class MemoryFactory(POPOFactory):
    def application_recorder(self) -> MemoryRecorder:
        return MemoryRecorder()


class MemoryKeyStore:
    """Data keys in a dict, with the owners the PostgreSQL store keeps: shredding a worker
    or a collective deletes its key and every key left with no owner."""

    def __init__(self) -> None:
        self._keys: dict[UUID, tuple[bytes, list[UUID]]] = {}
        self.keyring = MemoryKeyring()
        self._digest = AESGCM.generate_key(bit_length=256)  # one KEK generation, never replaced

    def digest_key(self) -> tuple[int, bytes]:
        """The command log's digest key (``KeyStore.digest_key``): one generation here."""
        return 1, self._digest

    def digest_key_of(self, generation: int) -> bytes | None:
        return self._digest if generation == 1 else None

    def import_key(self) -> bytes:
        """``KeyStore.import_key``: one per store here."""
        return hashlib.sha256(b"organize import source id\x00" + self._digest).digest()

    def create(self, subject_id: UUID, owners: Sequence[UUID] = ()) -> bytes:
        if subject_id not in self._keys:
            self._keys[subject_id] = (AESGCM.generate_key(bit_length=256), list(owners))
        return self._keys[subject_id][0]

    def write_made(self, _curs, made: KeyWrites) -> None:
        """``KeyStore.write_made``: a subject with a key already refuses them all."""
        if any(i in self._keys for i in made.made):
            raise IntegrityError("Data key already made")
        self._keys.update({i: (key, list(owners)) for i, (key, owners) in made.made.items()})
        for subject_id, (plus, minus) in made.owners.items():
            if subject_id in self._keys:
                key, held = self._keys[subject_id]
                self._keys[subject_id] = (key, [o for o in dict.fromkeys([*held, *plus])
                                                if o not in minus])

    def get(self, subject_id: UUID) -> bytes | None:
        found = self._keys.get(subject_id)
        return None if found is None else found[0]

    def get_many(self, subject_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        return {i: self._keys[i][0] for i in subject_ids if i in self._keys}

    def owners(self, subject_id: UUID) -> list[UUID]:
        return list(self._keys.get(subject_id, (b"", []))[1])

    def shred_for_worker(self, worker_id: UUID, *linked: UUID) -> list[UUID]:
        return self.shred(owner=worker_id, subjects=[worker_id, *linked], also=linked)

    def shred_for_collective(self, collective_id: UUID) -> list[UUID]:
        return self.shred(owner=collective_id, subjects=[collective_id])

    def shred(self, *, owner: UUID | None = None, subjects: Sequence[UUID] = (),
              also: Sequence[UUID] = ()) -> list[UUID]:
        doomed = list(subjects)
        gone = {owner, *also} if owner is not None else set()
        for subject_id, (key, held) in list(self._keys.items()):
            if gone & set(held):
                rest = [o for o in held if o not in gone]
                self._keys[subject_id] = (key, rest)
                if not rest:
                    doomed.append(subject_id)
        return [i for i in dict.fromkeys(doomed) if self._keys.pop(i, None) is not None]

    def upgrade(self) -> None:
        """Nothing to finish: no KEK outlives the process."""


def memory_env(master_key: str | None = None) -> dict[str, str]:
    """The environment of an ``Organize`` held in memory (pass ``keys=MemoryKeyStore()``)."""
    return {"PERSISTENCE_MODULE": get_topic(MemoryFactory), "MAPPER_TOPIC": get_topic(MsgspecMapper),
            "CIPHER_TOPIC": get_topic(MasterKeyCipher), "CIPHER_KEY": master_key or new_key()}

