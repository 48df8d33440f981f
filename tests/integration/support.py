"""What the integration tests share (this module holds no tests itself).

- builders: each returns a command with a fresh command id, so tests sharing one database
  never collide (``create_collective`` ...);
- the view tests' builders and fixtures (``catch_up``, ``conn_fixture``, ``collective`` ...):
  each test creates its own records and asserts only on ids it created;
- the seizure: reading every file an adversary who seized the machine would have, and
  looking for keys and plaintext in them (``read_tree``, ``keys_in``, ``hits`` ...);
- ``Tagged``, a tiny aggregate whose 'Relabelled' event gained a field in version 2.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Aggregate, event

from organize import commands as c
from organize.projections import registry
from organize.projections.runner import BatchedRunner


def cid() -> uuid.UUID:
    return uuid.uuid4()


def create_collective(**kw) -> c.CreateCollective:
    base = dict(command_id=cid(), name="Kowloon domestic workers", kind="union_branch",
                sectors=("domestic_care",), places=("HK",), languages=("en", "ne"),
                federation="fed-hk")
    base.update(kw)
    return c.CreateCollective(**base)


def create_organisation(**kw) -> c.CreateOrganisation:
    base = dict(command_id=cid(), name="Household 7", kind="employer", place="HK")
    base.update(kw)
    return c.CreateOrganisation(**base)


def register_worker(collective_id=None, **profile) -> c.RegisterWorker:
    p = dict(pseudonym="Rina")
    p.update(profile)
    return c.RegisterWorker(
        command_id=cid(), profile=c.Profile(**p), collective_id=collective_id,
        joined_on=date(2025, 1, 5) if collective_id else None,
    )


def raise_grievance(collective_id, worker_ids, **kw) -> c.RaiseGrievance:
    base = dict(command_id=cid(), collective_id=collective_id, worker_ids=tuple(worker_ids),
                category="wages_unpaid_late", sector="domestic_care", place="HK",
                stage="destination", occurred_on=date(2025, 3, 1),
                description="Wages unpaid for three months.")
    base.update(kw)
    return c.RaiseGrievance(**base)


# -- the view tests' builders and fixtures ----------------------------------------------------


VIEWS = ["grievance_register", "common_grievances", "campaign_board", "meeting_log",
         "worker_directory", "sector_flows"]


def catch_up(app, names=VIEWS, batch_size: int = 500):
    views = registry.open_views(app.recorder.datastore, names, taxonomy=app.taxonomy)
    BatchedRunner(app.recorder, app.mapper, views, batch_size=batch_size).catch_up()
    return views


@pytest.fixture(name="conn")
async def conn_fixture(database):
    """An asyncpg connection to the session's database, as the web layer reads views.
    (Import ``conn_fixture`` to use the ``conn`` fixture.)"""
    connection = await asyncpg.connect(database.asyncpg_dsn())
    yield connection
    await connection.close()


def fed() -> str:
    """A federation name of one's own, so counts are not shared with other tests."""
    return f"fed-{uuid.uuid4().hex[:8]}"


def collective(app, **kw) -> uuid.UUID:
    return app.execute(create_collective(**kw)).id


def worker(app, collective_id=None, pseudonym="Rina", joined_on=date(2025, 1, 5)) -> uuid.UUID:
    return app.execute(c.RegisterWorker(
        command_id=cid(), profile=c.Profile(pseudonym=pseudonym), collective_id=collective_id,
        joined_on=joined_on if collective_id else None)).id


def organisation(app, **kw) -> uuid.UUID:
    return app.execute(create_organisation(**kw)).id


def grievance(app, collective_id, worker_ids, **kw) -> uuid.UUID:
    return app.execute(raise_grievance(collective_id, worker_ids, **kw)).id


def spell(app, worker_id, sector, started_on, **kw) -> uuid.UUID:
    """Start a spell and return its id (the worker's new spell)."""
    from organize.application import new_id

    command = c.StartSpell(
        command_id=cid(), worker_id=worker_id, sector=sector,
        occupation=kw.pop("occupation", "worker"), place=kw.pop("place", "HK"),
        relationship=kw.pop("relationship", "direct_employer"), paid=kw.pop("paid", True),
        started_on=started_on, **kw)
    app.execute(command)
    return new_id(command.command_id, "spell")


def end_spell(app, worker_id, spell_id, ended_on) -> None:
    app.execute(c.EndSpell(command_id=cid(), worker_id=worker_id, spell_id=spell_id,
                           ended_on=ended_on))


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


# -- the seizure ----------------------------------------------------------------------------


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


# -- an upcast -------------------------------------------------------------------------------


class Tagged(Aggregate):
    @event("Created")
    def __init__(self, id: UUID, label: str):
        self.label = label
        self.reason = None

    class Relabelled(Aggregate.Event):
        class_version = 2
        label: str
        reason: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["reason"] = "unknown (recorded before reasons were kept)"

        def apply(self, aggregate: Tagged) -> None:
            aggregate.label = self.label
            aggregate.reason = self.reason

    def relabel(self, label: str, reason: str) -> None:
        self.trigger_event(self.Relabelled, label=label, reason=reason)
