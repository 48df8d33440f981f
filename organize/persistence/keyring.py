"""The key-encryption key (KEK): kept outside PostgreSQL, replaced at every erasure.

Per-subject data keys live in ``organize_data_keys``, wrapped under the KEK. PostgreSQL
never forgets a byte on its own: the write-ahead log, a base backup, a WAL archive or a
replica keeps the wrapped key of an erased worker long after the row is gone. So erasure
does not rely on PostgreSQL: it re-wraps every *remaining* key under a fresh KEK and
destroys the old one. Whatever PostgreSQL wrote before the erasure is then wrapped under a
key that no longer exists anywhere.

The keyring directory (``ORGANIZE_KEYRING``, by default ``$ORGANIZE_HOME/keyring``) holds:

- ``kek-DB-NNNNNN.key``: the current KEK (base64) of database ``DB`` (its id in
  ``organize_kek``), generation ``NNNNNN``. Outside an erasure in progress there is exactly
  one per database; two databases never share a KEK, even in one directory.
- ``datakeys-DB.snapshot``: every living data key, wrapped under the current KEK, rewritten at
  every erasure and every backup. A restore takes its keys from here, so a database backup
  taken before an erasure comes back readable for everyone but the erased.
- ``erased-DB``: the ids of erased workers and collectives (no personal data), one a line,
  which a restore erases again.

Each file is written to a temporary name, flushed to disk, renamed into place and the
directory flushed, so a crash leaves either the old file or the new one. A destroyed KEK is
overwritten, flushed and unlinked. On a copy-on-write or snapshotting file system (btrfs,
ZFS, a VM snapshot) an overwrite does not reach old blocks: keep the keyring on a plain
file system or tmpfs, or put a KMS behind :class:`Keyring` (four methods).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import re
from pathlib import Path
from typing import Protocol

KEK_BYTES = 32
_KEK_FILE = re.compile(r"^kek-(.*)-(\d{6})\.key$")


class KeyringError(RuntimeError):
    """The keyring lacks the KEK the database needs; the message says what to do."""


def kek_check(kek: bytes) -> bytes:
    """A value that tells which KEK a database uses without revealing it."""
    return hmac.new(kek, b"organize key-encryption key check", hashlib.sha256).digest()[:16]


class Keyring(Protocol):
    """Where KEKs live: a directory (:class:`FileKeyring`), memory, or a KMS."""

    def get(self, generation: int) -> bytes | None: ...
    def put(self, generation: int, kek: bytes) -> None: ...
    def destroy_below(self, generation: int) -> None: ...
    def generations(self) -> list[int]: ...


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    """Write, flush, rename into place, flush the directory: the old or the new, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def shred_file(path: Path) -> None:
    """Overwrite the file with zeros, flush, unlink, flush the directory."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
    except FileNotFoundError:
        return
    _fsync_dir(path.parent)


class FileKeyring:
    """KEKs as files in one directory (mode 0700, files 0600), named for one database."""

    def __init__(self, directory: Path, database: str = ""):
        self.directory = Path(directory)
        self.database = database

    def scoped(self, database: str) -> FileKeyring:
        """The same directory, for the files of one database."""
        return FileKeyring(self.directory, database)

    def _ensure(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, generation: int) -> Path:
        return self.directory / f"kek-{self.database}-{generation:06d}.key"

    def generations(self) -> list[int]:
        if not self.directory.exists():
            return []
        return sorted(int(m.group(2)) for p in self.directory.iterdir()
                      if (m := _KEK_FILE.match(p.name)) and m.group(1) == self.database)

    def get(self, generation: int) -> bytes | None:
        try:
            raw = base64.b64decode(self._path(generation).read_text().strip(), validate=True)
        except FileNotFoundError:
            return None
        if len(raw) != KEK_BYTES:
            raise KeyringError(f"{self._path(generation)} is not a key-encryption key.")
        return raw

    def put(self, generation: int, kek: bytes) -> None:
        self._ensure()
        write_atomically(self._path(generation), base64.b64encode(kek))

    def destroy_below(self, generation: int) -> None:
        for old in self.generations():
            if old < generation:
                shred_file(self._path(old))

    # -- the snapshot of living keys and the erasure ledger ------------------------------

    @property
    def snapshot_path(self) -> Path:
        return self.directory / f"datakeys-{self.database}.snapshot"

    def write_snapshot(self, data: bytes) -> None:
        self._ensure()
        write_atomically(self.snapshot_path, data)

    def read_snapshot(self) -> bytes | None:
        try:
            return self.snapshot_path.read_bytes()
        except FileNotFoundError:
            return None

    def note_erased(self, kind: str, subject_id) -> None:
        self._ensure()
        line = f"{kind} {subject_id}\n".encode()
        if line in self.erased_lines():
            return
        with open(self.directory / f"erased-{self.database}", "ab") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def erased_lines(self) -> list[bytes]:
        try:
            return (self.directory / f"erased-{self.database}").read_bytes().splitlines(
                keepends=True)
        except FileNotFoundError:
            return []

    def erased(self) -> list[tuple[str, str]]:
        return [tuple(line.decode().split()) for line in self.erased_lines() if line.strip()]


class MemoryKeyring(FileKeyring):
    """A keyring that dies with the process: for benches and throw-away databases only."""

    def __init__(self):
        import tempfile

        self._tmp = tempfile.TemporaryDirectory(prefix="organize-keyring-")
        super().__init__(Path(self._tmp.name))

    def scoped(self, database: str) -> FileKeyring:
        ring = FileKeyring(self.directory, database)
        ring._owner = self  # the directory lives as long as the scoped keyring
        return ring
