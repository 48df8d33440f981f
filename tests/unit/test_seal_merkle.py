"""RFC 6962 hashing, proofs and the checkpoint note, without a database."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from organize.seal import merkle
from organize.seal.checkpoint import Checkpoint, CheckpointError, Signer, Verifier, parse_note


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(str(i).encode()) for i in range(n)]


def mth(items: list[bytes]) -> bytes:
    """RFC 6962 §2.1 as written: the recursive definition."""
    if len(items) == 1:
        return items[0]
    k = 1
    while k * 2 < len(items):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(items[:k]) + mth(items[k:])).digest()


def test_empty_tree_and_rfc_prefixes():
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    # The RFC 6962 reference vector for the empty leaf.
    assert merkle.leaf_hash(b"").hex() == ("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 9, 16, 31, 33])
def test_roots_frontiers_and_proofs_agree(n):
    items = leaves(n)
    assert merkle.root(items) == mth(items)
    frontier: list[bytes] = []
    for size, leaf in enumerate(items):
        merkle.extend(frontier, size, leaf)
        assert merkle.frontier_root(frontier) == mth(items[: size + 1])
    assert merkle.unpack(merkle.pack(frontier)) == frontier
    for i in range(n):
        path = merkle.inclusion_proof(items, i)
        assert merkle.verify_inclusion(items[i], i, n, path, mth(items))
        assert not merkle.verify_inclusion(items[(i + 1) % n] if n > 1 else b"x" * 32, i, n, path, mth(items))
    for m in range(1, n + 1):
        proof = merkle.consistency_proof(items, m)
        assert merkle.verify_consistency(m, n, mth(items[:m]), mth(items), proof)
        if m < n:
            other = leaves(n)
            other[m - 1] = merkle.leaf_hash(b"rewritten")
            assert not merkle.verify_consistency(m, n, mth(items[:m]), mth(other), proof)


def test_note_round_trip_and_malformed_notes():
    signer = Signer("example.org/log", Ed25519PrivateKey.generate())
    cp = Checkpoint("example.org/log", 12, merkle.root(leaves(12)))
    note = cp.with_signature(signer.sign(cp.body)).note()
    parsed = parse_note(note)
    assert parsed.signed_by(Verifier.parse(signer.verifier.vkey()))
    assert not parsed.signed_by(Signer("example.org/log", Ed25519PrivateKey.generate()).verifier)
    for bad in [
        note.replace("\n\n", "\n"),
        note.replace("\n12\n", "\n012\n"),
        note.replace("\n12\n", "\ntwelve\n"),
        cp.body + "\n",
        "example.org/log\n12\nAAAA\n\n\u2014 x y\n",
    ]:
        with pytest.raises(CheckpointError):
            parse_note(bad)
    with pytest.raises(CheckpointError):
        Verifier.parse("no-plus-signs")
