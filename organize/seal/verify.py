"""Recomputing the seal from the stored events: ``organize verify``.

Every block root and the chain are recomputed from the bytes in the events table, in
notification order, and compared with the sealer's rows; the first block that differs is
named with its notification id range, and nothing after it is trusted. Every checkpoint's
signature is checked with the log's public key (from outside the database), its root against
the tree recomputed at its size, each witness's countersignature against the witness's key,
and every two successive checkpoints by an RFC 6962 consistency proof.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from organize.seal import merkle
from organize.seal.checkpoint import CheckpointError, Verifier, parse_note
from organize.seal.sealer import GENESIS, Sealer, chain, leaf_data, leaf_of

PAGE = 5000


@dataclass
class Row:
    id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


def stored_events(recorder: Any, stop: int | None = None) -> Iterator[Row]:
    """Every stored event in notification order, straight from the events table."""
    table = recorder.events_table_name
    after = 0
    while True:
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT notification_id, originator_id, originator_version, topic, state"
                f" FROM {table} WHERE notification_id > %s ORDER BY notification_id LIMIT %s",
                (after, PAGE),
            )
            rows = curs.fetchall()
        for r in rows:
            if stop is not None and r["notification_id"] > stop:
                return
            yield Row(
                r["notification_id"], r["originator_id"], r["originator_version"], r["topic"], r["state"]
            )
        if len(rows) < PAGE:
            return
        after = rows[-1]["notification_id"]


@dataclass
class Report:
    blocks: int = 0
    events: int = 0
    unsealed: int = 0
    checkpoints: int = 0
    cosignatures: int = 0
    problems: list[str] = field(default_factory=list)
    first_bad_block: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _fail(report: Report, block: dict, why: str) -> None:
    report.first_bad_block = block["block_no"]
    report.problems.append(
        f"block {block['block_no']} (notification ids {block['first_id']}-{block['last_id']}) diverges: {why}"
    )


def recompute(recorder: Any, sealer: Sealer, report: Report) -> list[bytes]:
    """Check every block against the stored events; return the leaf hashes of the sealed
    prefix that held (all of them when every block is intact)."""
    events = stored_events(recorder)
    leaves: list[bytes] = []
    previous = GENESIS
    for block in sealer.blocks():
        taken = [e for _, e in zip(range(block["leaves"]), events, strict=False)]
        ids = [e.id for e in taken]
        block_leaves = [leaf_of(e) for e in taken]
        block_root = merkle.root(block_leaves)
        expected_chain = chain(previous, block_root)
        if len(taken) < block["leaves"]:
            _fail(report, block, f"{block['leaves'] - len(taken)} sealed events are missing")
        elif ids[0] != block["first_id"] or ids[-1] != block["last_id"]:
            _fail(report, block, "its events are not the ones sealed (deleted or moved)")
        elif block_root != bytes(block["root"]):
            _fail(
                report,
                block,
                "its recomputed root differs (an event's bytes changed, or events were reordered)",
            )
        elif expected_chain != bytes(block["chain"]):
            _fail(report, block, "its chain differs (a block root was rewritten)")
        elif len(leaves) + len(block_leaves) != block["tree_size"]:
            _fail(report, block, "its tree size differs")
        if report.first_bad_block is not None:
            return leaves
        leaves.extend(block_leaves)
        previous = expected_chain
        report.blocks += 1
    report.events = len(leaves)
    report.unsealed = sum(1 for _ in events)
    return leaves


def check_checkpoints(
    sealer: Sealer,
    leaves: list[bytes],
    log_key: Verifier | None,
    report: Report,
    witnesses: tuple[Verifier, ...] = (),
) -> None:
    cosigned = {}
    for row in sealer.cosignatures():
        cosigned.setdefault(row["tree_size"], []).append(row)
    older = None
    witnessed: dict[str, int] = {}  # witness → largest tree size it countersigned
    for row in sealer.checkpoints():
        size = row["tree_size"]
        try:
            cp = parse_note(row["note"])
        except CheckpointError as e:
            report.problems.append(f"checkpoint at size {size} is malformed: {e}")
            continue
        if cp.size != size:
            report.problems.append(f"checkpoint at size {size} says size {cp.size}")
            continue
        if log_key is not None and not cp.signed_by(log_key):
            report.problems.append(f"checkpoint at size {size}: the log's signature is invalid")
        if size <= len(leaves) and merkle.root(leaves[:size]) != cp.root:
            report.problems.append(
                f"checkpoint at size {size}: its root is not the root of the stored events"
            )
        for cos in cosigned.get(size, []):
            try:
                witness = Verifier.parse(cos["witness"])
            except CheckpointError:
                report.problems.append(f"checkpoint at size {size}: a witness key is malformed")
                continue
            if not witness.check(cp.body, cos["line"]):
                report.problems.append(
                    f"checkpoint at size {size}: {witness.name}'s countersignature is invalid"
                )
            else:
                report.cosignatures += 1
        for witness in witnesses:
            if any(witness.check(cp.body, c["line"]) for c in cosigned.get(size, [])):
                witnessed[witness.name] = size
        if older is not None and size <= len(leaves):
            proof = merkle.consistency_proof(leaves[:size], older.size)
            if not merkle.verify_consistency(older.size, size, older.root, cp.root, proof):
                report.problems.append(
                    f"checkpoints at sizes {older.size} and {size} are not"
                    " consistent: the log was rewritten between them"
                )
        older = cp
        report.checkpoints += 1
    # A trusted witness must have countersigned at least one checkpoint: every checkpoint is
    # tied to the stored events above, so one witnessed size pins the log up to it.
    for witness in witnesses:
        if witness.name not in witnessed:
            report.problems.append(f"no checkpoint carries a valid countersignature by {witness.name}")


def verify(
    recorder: Any, sealer: Sealer, log_key: Verifier | None, witnesses: tuple[Verifier, ...] = ()
) -> Report:
    report = Report()
    leaves = recompute(recorder, sealer, report)
    check_checkpoints(sealer, leaves, log_key, report, witnesses)
    return report


def describe(report: Report) -> str:
    lines = [
        f"{report.blocks} blocks, {report.events} events sealed and intact;"
        f" {report.unsealed} newer events not sealed yet;"
        f" {report.checkpoints} checkpoints, {report.cosignatures} countersignatures."
    ]
    lines += [f"FAILED: {p}" for p in report.problems]
    if report.ok:
        lines.append("The seal holds.")
    return "\n".join(lines)


# -- one event's inclusion proof -----------------------------------------------------------


def inclusion(recorder: Any, sealer: Sealer, notification_id: int) -> dict:
    """The audit path from one event to the latest checkpoint that covers it."""
    checkpoints = sealer.checkpoints()
    leaves: list[bytes] = []
    index = None
    data = None
    last = checkpoints[-1]["tree_size"] if checkpoints else 0
    for row in stored_events(recorder):
        if len(leaves) >= last:
            break
        if row.id == notification_id:
            index = len(leaves)
            data = row
        leaves.append(leaf_of(row))
    if index is None:
        raise LookupError("no checkpoint covers this notification id yet")
    row = checkpoints[-1]
    tree = leaves[: row["tree_size"]]
    return {
        "notification_id": notification_id,
        "leaf_index": index,
        "leaf_data": base64.b64encode(
            leaf_data(data.id, data.originator_id, data.originator_version, data.topic, data.state)
        ).decode(),
        "leaf_hash": tree[index].hex(),
        "audit_path": [p.hex() for p in merkle.inclusion_proof(tree, index)],
        "tree_size": row["tree_size"],
        "root": base64.b64encode(merkle.root(tree)).decode(),
        "checkpoint": row["note"],
    }
