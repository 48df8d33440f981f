"""The sealer: a follower of the notification log that writes a chained Merkle root per block.

It is a tracking recorder like every view (``organize.projections.base.View``): a block's row,
and the checkpoint it may complete, commit in ONE transaction with its tracking position, so a
block is sealed exactly once even if the process dies. It runs beside the views (in
``organize serve`` and ``organize project``), never on the command path: a command's append
does no hashing.

A block is the next ``block_size`` events in notification order (1,024 by default). The tail
waits until it is full; ``checkpoint()`` seals it early, so a block may be shorter. For each
event the sealer hashes its STORED bytes, exactly as in the events table (the ciphertext,
never decrypted), so destroying a worker's key changes no byte the seal covers:

    leaf  = 0x00 || id (8 bytes) || originator id (16) || version (8) || len(topic) (4) || topic
            || state                                         (integers big-endian; see leaf_data)
    root_i  = RFC 6962 Merkle root of the block's leaves
    chain_i = SHA-256(chain_{i-1} || root_i), chain_{-1} = 32 zero bytes

Each block row also keeps the frontier of the whole log's tree after it, so a checkpoint (every
``checkpoint_every`` blocks, and on demand) has the RFC 6962 root of every event sealed so far,
signed with the key kept outside the database (``organize.seal.checkpoint``).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from typing import Any, ClassVar

from eventsourcing.persistence import IntegrityError, Tracking
from psycopg import Cursor
from psycopg.rows import DictRow

from organize.projections.base import APPLICATION_NAME, Tables, View
from organize.projections.runner import BatchedRunner
from organize.seal import merkle
from organize.seal.checkpoint import Checkpoint, Signer

BLOCK_SIZE = 1024
CHECKPOINT_EVERY = 16
GENESIS = bytes(32)


def leaf_data(notification_id: int, originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    """The bytes a leaf covers: every stored column of one event, unambiguously framed."""
    topic_bytes = topic.encode()
    return (
        struct.pack(">Q", notification_id)
        + originator_id.bytes
        + struct.pack(">QI", version, len(topic_bytes))
        + topic_bytes
        + bytes(state)
    )


def leaf_of(n: Any) -> bytes:
    """The leaf hash of a stored event (a ``Notification`` or a row with the same fields)."""
    return merkle.leaf_hash(leaf_data(n.id, n.originator_id, n.originator_version, n.topic, n.state))


def chain(previous: bytes, block_root: bytes) -> bytes:
    return hashlib.sha256(previous + block_root).digest()


class Sealer(View):
    """The seal's tables and how a block is written; the runner below feeds it."""

    name: ClassVar[str] = "seal"

    def ddl(self, t: Tables) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {t.blocks} ("
            " block_no bigint PRIMARY KEY, first_id bigint NOT NULL, last_id bigint NOT NULL,"
            " leaves integer NOT NULL, tree_size bigint NOT NULL, root bytea NOT NULL,"
            " chain bytea NOT NULL, frontier bytea NOT NULL,"
            " sealed_at timestamptz NOT NULL DEFAULT now())",
            f"CREATE TABLE IF NOT EXISTS {t.checkpoints} ("
            " tree_size bigint PRIMARY KEY, block_no bigint NOT NULL, note text NOT NULL,"
            " made_at timestamptz NOT NULL DEFAULT now())",
            # A witness's countersignature, with the verifier key it was checked against.
            f"CREATE TABLE IF NOT EXISTS {t.cosignatures} ("
            " tree_size bigint NOT NULL, witness text NOT NULL, line text NOT NULL,"
            " PRIMARY KEY (tree_size, witness))",
        ]

    def last_block(self, curs: Cursor[DictRow]) -> dict | None:
        curs.execute(f"SELECT * FROM {self.t.blocks} ORDER BY block_no DESC LIMIT 1")
        return curs.fetchone()

    def seal(self, curs: Cursor[DictRow], notifications: Sequence[Any]) -> dict:
        """Write one block (and its tracking position) through ``curs``."""
        last = self.last_block(curs)
        if last is not None and notifications[0].id <= last["last_id"]:
            # Another sealer got here first (its block is visible to us): never seal twice.
            raise IntegrityError("these events are already sealed")
        block_no = 0 if last is None else last["block_no"] + 1
        size = 0 if last is None else last["tree_size"]
        frontier = [] if last is None else merkle.unpack(last["frontier"])
        leaves = [leaf_of(n) for n in notifications]
        for leaf in leaves:
            merkle.extend(frontier, size, leaf)
            size += 1
        block_root = merkle.root(leaves)
        row = {
            "block_no": block_no,
            "first_id": notifications[0].id,
            "last_id": notifications[-1].id,
            "leaves": len(leaves),
            "tree_size": size,
            "root": block_root,
            "chain": chain(GENESIS if last is None else bytes(last["chain"]), block_root),
            "frontier": merkle.pack(frontier),
        }
        curs.execute(
            f"INSERT INTO {self.t.blocks} (block_no, first_id, last_id, leaves, tree_size,"
            " root, chain, frontier) VALUES (%(block_no)s, %(first_id)s, %(last_id)s,"
            " %(leaves)s, %(tree_size)s, %(root)s, %(chain)s, %(frontier)s)",
            row,
        )
        self._insert_tracking(curs, Tracking(APPLICATION_NAME, row["last_id"]))
        return row

    def write_checkpoint(self, curs: Cursor[DictRow], block: dict, signer: Signer) -> str:
        """Sign the whole log's root as of this block; idempotent per tree size."""
        checkpoint = Checkpoint(
            signer.name, block["tree_size"], merkle.frontier_root(merkle.unpack(block["frontier"]))
        )
        note = checkpoint.with_signature(signer.sign(checkpoint.body)).note()
        curs.execute(
            f"INSERT INTO {self.t.checkpoints} (tree_size, block_no, note) VALUES (%s, %s, %s)"
            " ON CONFLICT (tree_size) DO NOTHING",
            (block["tree_size"], block["block_no"], note),
        )
        return note

    # -- reads (the CLI's) ---------------------------------------------------------------

    def blocks(self) -> list[dict]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(f"SELECT * FROM {self.t.blocks} ORDER BY block_no")
            return curs.fetchall()

    def checkpoints(self) -> list[dict]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(f"SELECT * FROM {self.t.checkpoints} ORDER BY tree_size")
            return curs.fetchall()

    def cosignatures(self) -> list[dict]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(f"SELECT * FROM {self.t.cosignatures} ORDER BY tree_size, witness")
            return curs.fetchall()

    def add_cosignature(self, tree_size: int, witness_vkey: str, line: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                f"INSERT INTO {self.t.cosignatures} (tree_size, witness, line)"
                " VALUES (%s, %s, %s) ON CONFLICT (tree_size, witness) DO UPDATE"
                " SET line = EXCLUDED.line",
                (tree_size, witness_vkey, line),
            )


class SealRunner(BatchedRunner):
    """Follows the log like the views' runner (same catch-up, LISTEN and stop), in blocks.

    It reads stored notifications without decoding them: the seal covers bytes, not events.
    It polls (once a second) rather than LISTENing: a block waits for 1,024 events anyway, and
    waking at every append's NOTIFY to find the block not yet full slowed the command path in
    ``bench/seal.py``.
    """

    def __init__(
        self,
        recorder: Any,
        sealer: Sealer,
        signer: Signer,
        *,
        block_size: int = BLOCK_SIZE,
        checkpoint_every: int = CHECKPOINT_EVERY,
    ):
        super().__init__(recorder, None, [], batch_size=block_size)
        self.sealer = sealer
        self.signer = signer
        self.checkpoint_every = checkpoint_every

    def positions(self) -> dict[str, int]:
        return {self.sealer.name: self.sealer.position()}

    def step(
        self, positions: dict[str, int] | None = None, until: int | None = None, *, partial: bool = False
    ) -> int:
        """Seal the next full block (or, with ``partial``, whatever the tail holds)."""
        positions = positions or self.positions()
        start = positions[self.sealer.name] + 1
        head = self.recorder.max_notification_id() or 0
        if until is not None:
            head = min(head, until)
        if head < start or (head - start + 1 < self.batch_size and not partial):
            return 0  # too few ids for a full block (ids may have gaps, never extra rows)
        notifications = self.recorder.select_notifications(start=start, limit=self.batch_size, stop=head)
        if not notifications or (len(notifications) < self.batch_size and not partial):
            return 0
        try:
            with self.sealer.datastore.transaction(commit=True) as curs:
                block = self.sealer.seal(curs, notifications)
                if (block["block_no"] + 1) % self.checkpoint_every == 0:
                    self.sealer.write_checkpoint(curs, block, self.signer)
        except IntegrityError:
            # Another sealer (``organize serve`` and ``organize project`` both running one)
            # sealed this block first and our transaction rolled back: go on from its position.
            moved_to = self.sealer.position()
            if moved_to < start:
                raise
            positions[self.sealer.name] = moved_to
            return moved_to - start + 1
        positions[self.sealer.name] = block["last_id"]
        return len(notifications)

    def checkpoint(self) -> str | None:
        """Seal everything logged so far (the tail as a short block) and sign a checkpoint."""
        self.catch_up()
        while self.step(partial=True):
            pass
        with self.sealer.datastore.transaction(commit=True) as curs:
            block = self.sealer.last_block(curs)
            if block is None:
                return None
            self.sealer.write_checkpoint(curs, block, self.signer)
            curs.execute(
                f"SELECT note FROM {self.sealer.t.checkpoints} WHERE tree_size = %s", (block["tree_size"],)
            )
            return curs.fetchone()["note"]
