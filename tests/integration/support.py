"""What the integration tests share (this module holds no tests itself).

- builders: each returns a command with a fresh command id, so tests sharing one database
  never collide (``create_collective`` ...);
- the view tests' builders and fixtures (``catch_up``, ``conn_fixture``, ``collective`` ...):
  each test creates its own records and asserts only on ids it created;
- the seizure: reading every file an adversary who seized the machine would have, and
  looking for keys and plaintext in them (``read_tree``, ``keys_in``, ``hits`` ...);
- ``World`` and ``OPS``: a random world driven through commands, for the property and
  topology tests;
- ``deployment``, ``Process``, ``wait_until``: real processes (`organize serve`, `organize
  project`) on a database of their own, for the topology tests;
- ``Tagged``, a tiny aggregate whose 'Relabelled' event gained a field in version 2.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import psycopg
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Aggregate, event
from hypothesis import strategies as st
from psycopg.conninfo import make_conninfo

from infra.database import Database, create_database
from infra.keyfile import new_key
from organize import commands as c
from organize.application import new_id
from organize.errors import CommandError
from organize.projections import registry
from organize.projections.runner import BatchedRunner
from organize.runtime import open_runtime


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


def key_rows(app, *subject_ids) -> int:
    """How many of these subjects have a data key row."""
    with app.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT count(*) AS n FROM organize_data_keys WHERE subject_id = ANY(%s)",
                     (list(subject_ids),))
        return curs.fetchone()["n"]


def meanwhile(app, monkeypatch, command, then) -> None:
    """Run ``then()`` while ``command`` is between its checks and its save (another writer,
    an erasure): as if it happened at that moment."""
    handle = app._handle

    def racing(running):
        done = handle(running)
        if running is command:
            then()
        return done

    monkeypatch.setattr(app, "_handle", racing)


def key_owners(app, subject_id) -> set:
    """The owners of a subject's data key, as stored."""
    with app.recorder.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT owner_ids FROM organize_data_keys WHERE subject_id = %s",
                     (subject_id,))
        return set(curs.fetchone()["owner_ids"])


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


def relation_files(url: str) -> dict[str, bytes]:
    """Raw bytes of every relation file of the current database (all segments)."""
    out: dict[str, bytes] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        rows = conn.execute(
            "SELECT c.oid::regclass::text, pg_relation_filepath(c.oid) FROM pg_class c "
            "WHERE c.relkind IN ('r', 'i', 't', 'm') AND pg_relation_filepath(c.oid) IS NOT NULL"
        ).fetchall()
        for name, path in rows:
            chunks, segment = [], 0
            while True:
                seg_path = path if segment == 0 else f"{path}.{segment}"
                exists = conn.execute("SELECT (pg_stat_file(%s, true)).size", (seg_path,)).fetchone()[0]
                if exists is None:
                    break
                chunks.append(conn.execute("SELECT pg_read_binary_file(%s)", (seg_path,)).fetchone()[0])
                segment += 1
            out[name] = b"".join(bytes(ch) for ch in chunks)
    return out


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


# -- a random world: histories for the view tests, one command per step ---------------



CATEGORIES = ["wages_unpaid_late", "excessive_hours", "documents_confiscated", "verbal_abuse"]
SECTORS = ["domestic_care", "garment", "unpaid_care", "construction"]
PLACES = ["HK", "KTM", "DXB"]
DAY0 = date(2024, 1, 1)

OPS = [
    "register", "join_collective", "leave_collective", "consent", "erase", "profile", "move",
    "raise", "join_grievance", "withdraw", "reopen", "outcome", "escalate", "retaliation",
    "negotiation", "evidence", "schedule", "hold",
    "cancel", "launch", "action", "add_demand", "resolve", "link", "agreement", "close",
    "join_campaign", "collective", "collective_profile", "organisation",
    # Joint campaigns (issue 6): invitations and their answers.
    "launch_joint", "accept", "accept", "decline",
    # Trajectories are where batching could matter most (sector flows recompute them).
    "start_spell", "start_spell", "start_spell", "start_spell", "end_spell", "end_spell", "end_spell",
]
# What the property tests play: (command, catch the runner up after it?), in order.
STEPS = st.lists(st.tuples(st.sampled_from(OPS), st.booleans()), min_size=5, max_size=40)


class World:
    """The ids this example created, and a few commands that pick among them."""

    def __init__(self, app, rng: random.Random):
        self.app, self.rng = app, rng
        self.federation = f"prop-{uuid.uuid4().hex[:8]}"
        self.collectives: list[uuid.UUID] = []
        self.organisations: list[uuid.UUID] = []
        self.workers: list[uuid.UUID] = []
        self.grievances: list[uuid.UUID] = []
        self.spells: list[tuple[uuid.UUID, uuid.UUID, date]] = []
        self.meetings: list[uuid.UUID] = []
        self.campaigns: list[uuid.UUID] = []
        self.demands: list[tuple[uuid.UUID, uuid.UUID]] = []
        self.ended: set[uuid.UUID] = set()

    def run(self, command: c.Command) -> uuid.UUID | None:
        try:
            return self.app.execute(command).id
        except CommandError:
            return None  # refused by the domain (say, a closed campaign): nothing recorded

    def pick(self, items: list, k: int = 1) -> list:
        return self.rng.sample(items, min(k, len(items))) if items else []

    def one(self, items: list):
        return self.rng.choice(items) if items else None

    def day(self, spread: int = 700) -> date:
        return DAY0 + timedelta(days=self.rng.randrange(spread))

    def setup(self) -> None:
        for _ in range(2):
            self.op("collective")
        self.op("organisation")
        for _ in range(3):
            self.op("register")

    def play(self, steps, runner) -> None:
        """Run ``steps`` (``STEPS``), catching ``runner`` up where a step says, then at the end."""
        for name, catch_up in steps:
            self.op(name)
            if catch_up:
                runner.catch_up()
        runner.catch_up()

    def op(self, name: str) -> None:  # noqa: C901 - one branch per command, on purpose
        r, cid = self.rng, uuid.uuid4()
        coll, worker = self.one(self.collectives), self.one(self.workers)
        grievance = self.one(self.grievances)
        campaign, meeting = self.one(self.campaigns), self.one(self.meetings)
        if name == "collective":
            federation = r.choice([self.federation, self.federation, None, f"{self.federation}-b"])
            found = self.run(create_collective(federation=federation, sectors=tuple(self.pick(SECTORS, 2))))
            self.collectives.append(found)
        elif name == "collective_profile" and coll:
            self.run(c.UpdateCollectiveProfile(command_id=cid, collective_id=coll,
                                               sectors=tuple(self.pick(SECTORS, 2))))
        elif name == "organisation":
            self.organisations.append(self.run(create_organisation(
                kind=r.choice(["employer", "recruiter"]), name=f"Org {r.randrange(100)}")))
        elif name == "register":
            member = r.random() < 0.85 and coll
            found = self.run(c.RegisterWorker(
                command_id=cid, profile=c.Profile(pseudonym=f"W{r.randrange(1000)}"),
                collective_id=coll if member else None, joined_on=self.day() if member else None))
            self.workers.append(found)
        elif name == "join_collective" and worker and coll:
            self.run(c.JoinCollective(command_id=cid, worker_id=worker, collective_id=coll, on=self.day()))
        elif name == "leave_collective" and worker and coll:
            self.run(c.LeaveCollective(command_id=cid, worker_id=worker, collective_id=coll,
                                       on=date(2026, 1, 1)))
        elif name == "consent" and worker:
            purpose = r.choice(["contact", "research"])
            kind = c.GiveConsent if r.random() < 0.6 else c.WithdrawConsent
            self.run(kind(command_id=cid, worker_id=worker, purpose=purpose,
                          on=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=r.randrange(300))))
        elif name == "erase" and worker and r.random() < 0.3:
            self.run(c.EraseWorker(command_id=cid, worker_id=worker))
        elif name == "profile" and worker:
            self.run(c.UpdateWorkerProfile(command_id=cid, worker_id=worker,
                                           profile=c.Profile(pseudonym=f"W{r.randrange(1000)}")))
        elif name == "move" and worker:
            self.run(c.RecordMove(command_id=cid, worker_id=worker, to_place=r.choice(PLACES),
                                  stage=r.choice(["destination", "exit", "return"]), moved_on=self.day()))
        elif name == "raise" and coll and self.workers:
            found = self.run(raise_grievance(
                coll, self.pick(self.workers, r.randint(1, 2)), category=r.choice(CATEGORIES),
                sector=r.choice(SECTORS), place=r.choice(PLACES), occurred_on=self.day(),
                organisation_ids=tuple(self.pick(self.organisations, r.randint(0, 2)))))
            if found:
                self.grievances.append(found)
        elif name == "join_grievance" and grievance and worker:
            self.run(c.JoinGrievance(command_id=cid, grievance_id=grievance, worker_ids=(worker,)))
        elif name == "withdraw" and grievance:
            self.run(c.WithdrawGrievance(command_id=cid, grievance_id=grievance, on=self.day()))
        elif name == "reopen" and grievance:
            self.run(c.ReopenGrievance(command_id=cid, grievance_id=grievance, on=self.day()))
        elif name == "outcome" and grievance:
            if r.random() < 0.5:
                self.run(c.RecordOutcome(command_id=cid, grievance_id=grievance, outcome="wages_recovered",
                                         amount=r.randint(1, 5000), currency="HKD", on=self.day()))
            else:
                self.run(c.RecordOutcome(command_id=cid, grievance_id=grievance, on=self.day(),
                                         outcome=r.choice(["no_result", "documents_returned"])))
        elif name == "escalate" and grievance:
            self.run(c.EscalateGrievance(command_id=cid, grievance_id=grievance,
                                         target=r.choice(["labour_office", "court", "media"]), on=self.day()))
        elif name == "retaliation" and grievance:
            self.run(c.ReportRetaliation(command_id=cid, grievance_id=grievance, details="x", on=self.day()))
        elif name == "negotiation" and grievance:
            self.run(c.RecordNegotiation(command_id=cid, grievance_id=grievance, held_on=self.day(),
                                         with_organisation_id=self.one(self.organisations)))
        elif name == "evidence" and grievance:
            self.run(c.NoteEvidence(command_id=cid, grievance_id=grievance, note="n", on=self.day()))
        elif name == "start_spell" and worker:
            worker = self.rng.choice(self.workers[:2])  # several spells each: overlaps, flows
            sector, started = r.choice(SECTORS), self.day()
            unpaid = sector == "unpaid_care"
            if self.run(c.StartSpell(command_id=cid, worker_id=worker, sector=sector, occupation="work",
                                     place=r.choice(PLACES), relationship="unpaid" if unpaid else "informal",
                                     paid=not unpaid, started_on=started)):
                self.spells.append((worker, new_id(cid, "spell"), started))
        elif name == "end_spell" and self.spells:
            # Mostly spells still going, and often before a later one starts: an ending
            # can then undo an overlap, which only a recomputation notices.
            going = [s for s in self.spells if s[1] not in self.ended] or self.spells
            worker_id, spell_id, started = r.choice(going)
            if self.run(c.EndSpell(command_id=cid, worker_id=worker_id, spell_id=spell_id,
                                   ended_on=started + timedelta(days=r.randrange(150)))):
                self.ended.add(spell_id)
        elif name == "schedule" and coll:
            when = datetime(2025, 1, 1, 10, tzinfo=UTC) + timedelta(days=r.randrange(300))
            found = self.run(c.ScheduleMeeting(
                command_id=cid, kind=r.choice(["assembly", "committee", "cross_sector"]),
                collective_ids=tuple(self.pick(self.collectives, r.randint(1, 2))), scheduled_for=when,
                language="en", agenda_grievance_ids=tuple(self.pick(self.grievances, r.randint(0, 2)))))
            if found:
                self.meetings.append(found)
        elif name == "hold" and meeting and self.workers:
            attendees = self.pick(self.workers, r.randint(1, 4))
            self.run(c.RecordMeetingHeld(
                command_id=cid, meeting_id=meeting, attendee_ids=tuple(attendees),
                held_at=datetime(2025, 1, 1, 10, tzinfo=UTC) + timedelta(days=r.randrange(300)),
                facilitator_ids=tuple(attendees[: r.randint(1, len(attendees))]),
                speaker_ids=tuple(self.pick(attendees, r.randint(0, len(attendees)))),
                language=r.choice(["en", "ne"]), decisions=tuple("d" for _ in range(r.randint(0, 2)))))
        elif name == "cancel" and meeting:
            self.run(c.CancelMeeting(command_id=cid, meeting_id=meeting))
        elif name == "launch" and coll:
            found = self.run(c.LaunchCampaign(
                command_id=cid, issue="Issue", demands=tuple(f"D{i}" for i in range(r.randint(0, 2))),
                collective_ids=tuple(self.pick(self.collectives, r.randint(1, 2))),
                sectors=tuple(self.pick(SECTORS, 2)), launched_on=self.day()))
            if found:
                self.campaigns.append(found)
                self.demands += [(found, new_id(cid, f"demand:{i}")) for i in range(2)]
        elif name == "add_demand" and campaign:
            if self.run(c.AddDemand(command_id=cid, campaign_id=campaign, text="More")):
                self.demands.append((campaign, new_id(cid, "demand")))
        elif name == "resolve" and self.demands:
            campaign_id, demand_id = r.choice(self.demands)
            self.run(c.ResolveDemand(command_id=cid, campaign_id=campaign_id, demand_id=demand_id,
                                     result=r.choice(["won", "partly_won", "lost"]), on=self.day()))
        elif name == "action" and campaign:
            self.run(c.TakeAction(command_id=cid, campaign_id=campaign, kind="petition", taken_on=self.day(),
                                  participant_ids=tuple(self.pick(self.workers, r.randint(0, 3))),
                                  collective_ids=tuple(self.pick(self.collectives, 1))))
        elif name == "link" and campaign and grievance:
            self.run(c.LinkGrievance(command_id=cid, campaign_id=campaign, grievance_id=grievance))
        elif name == "agreement" and campaign and self.organisations:
            self.run(c.SignAgreement(command_id=cid, campaign_id=campaign,
                                     with_organisation_id=self.one(self.organisations),
                                     signed_on=self.day(), clauses=("Clause",)))
        elif name == "join_campaign" and campaign and coll:
            self.run(c.JoinCampaign(command_id=cid, campaign_id=campaign, collective_id=coll))
        elif name == "launch_joint" and grievance:
            found = self.run(c.LaunchJointCampaign(
                command_id=cid, issue="Joint", demands=("J",),
                grievance_ids=tuple(self.pick(self.grievances, r.randint(1, 3))),
                invite_collective_ids=tuple(self.pick(self.collectives, r.randint(0, 1))),
                launched_on=self.day()))
            if found:
                self.campaigns.append(found)
                self.demands.append((found, new_id(cid, "demand:0")))
        elif name in ("accept", "decline") and campaign and coll:
            if name == "accept":
                self.run(c.AcceptCampaignInvitation(command_id=cid, campaign_id=campaign,
                                                    collective_id=coll, on=self.day()))
            else:
                self.run(c.DeclineCampaignInvitation(command_id=cid, campaign_id=campaign,
                                                     collective_id=coll, on=self.day(),
                                                     reason=r.choice([None, "other"])))
        elif name == "close" and campaign and r.random() < 0.5:
            self.run(c.CloseCampaign(command_id=cid, campaign_id=campaign, on=self.day()))


# -- a bargaining round, from the mandate to a cited breach ----------------------------------


def held_meeting(app, collective_id, day: date, attendee_ids) -> uuid.UUID:
    meeting = app.execute(c.ScheduleMeeting(command_id=cid(), kind="assembly",
                                            collective_ids=(collective_id,),
                                            scheduled_for=at(day), language="en")).id
    app.execute(c.RecordMeetingHeld(command_id=cid(), meeting_id=meeting, held_at=at(day),
                                    attendee_ids=tuple(attendee_ids),
                                    facilitator_ids=tuple(attendee_ids)[:1], language="en"))
    return meeting


def bargaining_round(app, collective_id, counterpart_id, members, *, clauses=("Pay by the 7th",
                     "A rest day a week"), expires_on=date(2027, 4, 30)):
    """A round in force (from 2026-05-01) whose first clause a grievance cites as breached:
    the round's id, its clause ids and the grievance's id."""
    from organize.application import new_id

    opened = app.execute(c.OpenBargaining(
        command_id=cid(), collective_id=collective_id, counterpart_id=counterpart_id,
        team_ids=tuple(members)[:1], opened_on=date(2026, 1, 20))).id
    app.execute(c.AdoptMandate(command_id=cid(), bargaining_id=opened,
                               meeting_id=held_meeting(app, collective_id, date(2026, 2, 1),
                                                       members),
                               demands=tuple(clauses)))
    clause_ids = []
    for wording in clauses:
        table = c.TableClause(command_id=cid(), bargaining_id=opened, wording=wording,
                              on=date(2026, 2, 3))
        app.execute(table)
        clause_ids.append(new_id(table.command_id, "clause"))
    app.execute(c.RecordBargainingSession(
        command_id=cid(), bargaining_id=opened, held_on=date(2026, 2, 10),
        our_attendee_ids=tuple(members)[:1], their_attendees=("Mr Wong, HR",),
        notes=(c.ClauseNote(clause_id=clause_ids[0], note="Wong said the 10th"),)))
    app.execute(c.ProposeClause(command_id=cid(), bargaining_id=opened, clause_id=clause_ids[0],
                                side="theirs", text="By the 10th", on=date(2026, 2, 10)))
    app.execute(c.ReachTentativeAgreement(command_id=cid(), bargaining_id=opened,
                                          clause_ids=tuple(clause_ids), on=date(2026, 3, 20)))
    app.execute(c.RatifyAgreement(
        command_id=cid(), bargaining_id=opened,
        meeting_id=held_meeting(app, collective_id, date(2026, 4, 2), members),
        votes_for=len(members), against=0, abstaining=0, rule="simple_majority"))
    app.execute(c.BringAgreementIntoForce(command_id=cid(), bargaining_id=opened,
                                          starts_on=date(2026, 5, 1), expires_on=expires_on))
    breach = grievance(app, collective_id, tuple(members)[:1], occurred_on=date(2026, 6, 20))
    app.execute(c.CiteBreach(command_id=cid(), grievance_id=breach, bargaining_id=opened,
                             clause_id=clause_ids[0]))
    return opened, clause_ids, breach


# Real processes on one database: `organize serve`, `organize project` (topology tests).

CLI = [sys.executable, "-c", "from organize.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process whose output is collected line by line as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def says(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wait_until(condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(name="deployment")
def deployment_fixture(database, settings):
    """A database of its own, a home shared by every process (its keyring), the key."""
    name = f"organize_topology_{uuid.uuid4().hex[:8]}"
    create_database(database.url, name)
    url = make_conninfo(database.url, dbname=name)
    home = Path(tempfile.mkdtemp(prefix="organize-topology-"))
    home.chmod(0o755)
    key = new_key()
    own = dataclasses.replace(settings, database_url=url, home=home, cipher_key=key, keyring=None)
    runtime = open_runtime(own, Database(url=url, embedded=False))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZE_")}
    env.update(DATABASE_URL=url, ORGANIZE_CIPHER_KEY=key, ORGANIZE_HOME=str(home),
               ORGANIZE_RUN_PROJECTIONS="no", ORGANIZE_LOG_LEVEL="INFO")
    yield runtime, env
    runtime.app.close()
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(home, ignore_errors=True)


def healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
