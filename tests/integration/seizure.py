"""What someone who seizes the server can do: read every file, find every key, try them all.

Used by the disk tests of erasure. Nothing here asks the application for anything: it reads
files (the PostgreSQL data directory with its write-ahead log, base backups, dumps, and
ORGANIZE_HOME with the master key and the keyring) the way an attacker with the disk would,
and with what it finds there it decrypts.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

WRAPPED = 12 + 32 + 16  # nonce, data key, tag: how a wrapped data key looks on the disk
NEAR = 600  # bytes around a subject id where a row or WAL record keeps its wrapped key


def read_tree(*roots: Path) -> dict[str, bytes]:
    """Every regular file under the roots (symlinks not followed), by path."""
    out: dict[str, bytes] = {}
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                path = Path(dirpath) / name
                if path.is_symlink() or not path.is_file():
                    continue
                try:
                    out[str(path)] = path.read_bytes()
                except (PermissionError, FileNotFoundError):  # a socket, a file just removed
                    continue
    return out


_B64_KEY = re.compile(rb"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=")


def keys_in(files: dict[str, bytes]) -> list[bytes]:
    """Every 32-byte key written in any file as base64 (master.key, kek-*.key, a config
    file, a log line) or as a file of exactly 32 raw bytes."""
    found: list[bytes] = []
    for blob in files.values():
        for m in _B64_KEY.finditer(blob):
            raw = base64.b64decode(m.group(0))
            if len(raw) == 32:
                found.append(raw)
        if len(blob) == 32:
            found.append(blob)
    return list(dict.fromkeys(found))


def _aads(subject_id: UUID, generations: Iterable[int]) -> list[bytes]:
    # Data keys were wrapped with the subject id as AAD (under the master key), and are now
    # wrapped with the subject id and the KEK generation: try both shapes.
    return [subject_id.bytes, *(subject_id.bytes + g.to_bytes(4, "big") for g in generations)]


def unwrap_attempts(files: dict[str, bytes], subject_id: UUID, keys: list[bytes],
                    generations: Iterable[int] = range(0, 64)) -> list[tuple[str, bytes]]:
    """Every data key of ``subject_id`` that some key found opens, from any wrapped value
    stored near any copy of the subject id in any file: [(file, data key)]."""
    aeads = [AESGCM(k) for k in keys]
    aads = _aads(subject_id, generations)
    recovered: list[tuple[str, bytes]] = []
    for path, blob in files.items():
        for window in set(_windows(blob, subject_id)):
            for aead in aeads:
                for aad in aads:
                    try:
                        recovered.append((path, aead.decrypt(window[:12], window[12:], aad)))
                    except InvalidTag:
                        continue
    return recovered


_HEX_KEY = re.compile(rb"x([0-9a-f]{%d})" % (2 * WRAPPED))


def _windows(blob: bytes, subject_id: UUID):
    """Candidate wrapped keys near every copy of the subject id, binary (heap, WAL) or
    text (a dump's COPY data: the uuid as text, the bytea as hex)."""
    for needle, text in ((subject_id.bytes, False), (str(subject_id).encode(), True)):
        start = blob.find(needle)
        while start != -1:
            lo, hi = max(0, start - NEAR), min(len(blob), start + NEAR + WRAPPED)
            if text:
                for m in _HEX_KEY.finditer(blob, lo, hi + 2 * WRAPPED):
                    yield bytes.fromhex(m.group(1).decode())
            else:
                for off in range(lo, hi - WRAPPED + 1):
                    yield blob[off:off + WRAPPED]
            start = blob.find(needle, start + 1)


def hits(files: dict[str, bytes], needles: Iterable[bytes]) -> list[tuple[str, bytes]]:
    return [(path, n) for n in needles for path, blob in files.items() if n in blob]


def pg_tool(name: str) -> str:
    """A PostgreSQL client program: the embedded server's own, else the one on PATH."""
    from organize.backup import pg_program

    return pg_program(name)


def dump_as_sql(dump: Path) -> bytes:
    """A custom-format dump (compressed) as the SQL text anyone can get from it."""
    return subprocess.run([pg_tool("pg_restore"), "-f", "-", str(dump)], check=True,
                          capture_output=True).stdout


def basebackup(url: str, into: Path) -> Path:
    """A plain-format ``pg_basebackup`` with the WAL streamed into it."""
    done = subprocess.run([pg_tool("pg_basebackup"), "-d", url, "-D", str(into), "-X", "stream",
                           "-c", "fast", "--no-sync"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return into


def sealed_values(plain: bytes) -> list[bytes]:
    """Every base64 bytes value in a decrypted event (msgspec encodes bytes as base64)."""
    import base64

    import msgspec

    found: list[bytes] = []

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and len(value) > 40:
            try:
                raw = base64.b64decode(value, validate=True)
            except ValueError:
                return
            if raw[:1] == b"\x01":
                found.append(raw)

    walk(msgspec.json.decode(plain))
    return found
