"""RFC 6962 (RFC 9162 §2.1) Merkle tree hashing, inclusion and consistency proofs.

A leaf hash is ``SHA-256(0x00 || data)`` and an interior node ``SHA-256(0x01 || left ||
right)``; the prefixes keep a leaf from posing as a node (second-preimage attacks). A tree of
``n`` leaves splits at the largest power of two below ``n``.

A *frontier* (compact range) is the list of roots of the perfect subtrees that make up a tree
of ``n`` leaves, largest first, one per set bit of ``n``: enough to extend the tree leaf by
leaf and to compute its root, without keeping every leaf. The sealer keeps one per block.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of these leaf hashes (RFC 6962 MTH, leaves already hashed)."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    # Bottom-up pairing gives the same tree as the recursive split: a lone last node is
    # carried up unchanged, exactly as RFC 6962's unbalanced right edge.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


# -- frontier -----------------------------------------------------------------------------


def extend(frontier: list[bytes], size: int, leaf: bytes) -> list[bytes]:
    """Append one leaf hash to the frontier of a tree of ``size`` leaves (in place)."""
    frontier.append(leaf)
    n = size
    while n & 1:  # like a binary counter: equal-sized subtrees merge
        right = frontier.pop()
        frontier[-1] = node_hash(frontier[-1], right)
        n >>= 1
    return frontier


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    h = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        h = node_hash(subtree, h)
    return h


def pack(frontier: Sequence[bytes]) -> bytes:
    return b"".join(frontier)


def unpack(data: bytes) -> list[bytes]:
    return [bytes(data[i : i + 32]) for i in range(0, len(data), 32)]


# -- proofs (RFC 9162 §2.1.3 and §2.1.4) ------------------------------------------------


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path for leaf ``index`` in the tree of all ``leaves``."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError("leaf index outside the tree")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(leaves[:k], index), root(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), root(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` lead from this leaf hash to ``expected_root``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def consistency_proof(leaves: Sequence[bytes], m: int) -> list[bytes]:
    """The proof that the tree of the first ``m`` leaves is a prefix of all ``leaves``."""
    n = len(leaves)
    if not 0 < m <= n:
        raise ValueError("the older tree must be non-empty and no larger")
    return _subproof(leaves, m, True)


def _subproof(leaves: Sequence[bytes], m: int, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(leaves[:k], m, complete), root(leaves[k:])]
    return [*_subproof(leaves[k:], m - k, False), root(leaves[:k])]


def verify_consistency(m: int, n: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2."""
    if not 0 < m <= n:
        return False
    if m == n:
        return not proof and old_root == new_root
    path = list(proof)
    if m & (m - 1) == 0:  # m a power of two: the old root is the first node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
