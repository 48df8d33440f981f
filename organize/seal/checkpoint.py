"""Checkpoints in the C2SP ``tlog-checkpoint`` form, as C2SP ``signed-note`` text.

A checkpoint body is three lines: the origin (the log's name), the tree size in decimal, and
the root hash in standard base64, each ending in a newline. A note is the body, a blank line,
then one signature line per signer: ``— <name> <base64(key hash[4] || signature)>``. The key
hash is the first four bytes of ``SHA-256(name || "\\n" || 0x01 || public key)`` for Ed25519
(algorithm byte 0x01), and the signature is Ed25519 over the body exactly.

The log's own signing key lives OUTSIDE the database, like the master key and the keyring:
``ORGANIZE_SEAL_KEY`` (a base64 Ed25519 seed), or ``$ORGANIZE_HOME/seal.key`` created with mode
0600 on first use. Whoever takes the database alone cannot forge a checkpoint. A partner
organisation (a witness) countersigns with its own key: its line is added to the note, and
``organize verify`` checks it against the witness's verifier key (``name+hash+base64``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
DASH = "\u2014"  # the em dash that opens every signature line
KEY_FILE = "seal.key"
KEY_ENV = "ORGANIZE_SEAL_KEY"


class CheckpointError(ValueError):
    """A note that is not a well-formed checkpoint, or a key that cannot be used."""


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_hash(name: str, public: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + _raw(public)).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A signer's public identity: name, key hash and Ed25519 public key."""

    name: str
    public: Ed25519PublicKey

    @property
    def key_hash(self) -> bytes:
        return key_hash(self.name, self.public)

    def vkey(self) -> str:
        """The verifier key text, ``name+hex(hash)+base64(0x01 || key)``, to hand out."""
        encoded = base64.b64encode(ED25519 + _raw(self.public)).decode()
        return f"{self.name}+{self.key_hash.hex()}+{encoded}"

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        try:
            name, hexhash, encoded = vkey.strip().split("+", 2)
            raw = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            raise CheckpointError("a verifier key is name+hash+base64") from None
        if not name or raw[:1] != ED25519 or len(raw) != 33:
            raise CheckpointError("only Ed25519 verifier keys are accepted")
        verifier = cls(name, Ed25519PublicKey.from_public_bytes(raw[1:]))
        if verifier.key_hash.hex() != hexhash:
            raise CheckpointError("the verifier key's hash does not match its key")
        return verifier

    def check(self, body: str, signature_line: str) -> bool:
        """Is this signature line this signer's valid signature over ``body``?"""
        parts = signature_line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or parts[1] != self.name:
            return False
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except (ValueError, binascii.Error):
            return False
        if blob[:4] != self.key_hash:
            return False
        try:
            self.public.verify(blob[4:], body.encode())
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.private.public_key())

    def sign(self, body: str) -> str:
        """One signature line over ``body``."""
        blob = self.verifier.key_hash + self.private.sign(body.encode())
        return f"{DASH} {self.name} {base64.b64encode(blob).decode()}"

    @classmethod
    def from_seed(cls, name: str, seed_b64: str) -> Signer:
        try:
            seed = base64.b64decode(seed_b64.strip(), validate=True)
        except (ValueError, binascii.Error):
            raise CheckpointError("the seal key is not valid base64") from None
        if len(seed) != 32:
            raise CheckpointError("the seal key must decode to 32 bytes (an Ed25519 seed)")
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))


def new_seed() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def load_signer(origin: str, home: Path, env: dict[str, str] | None = None) -> Signer:
    """The log's signer: ``ORGANIZE_SEAL_KEY``, else ``home/seal.key`` (made 0600 once)."""
    env = os.environ if env is None else env
    if env.get(KEY_ENV):
        return Signer.from_seed(origin, env[KEY_ENV])
    path = Path(home) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:  # O_EXCL: two processes starting at once must not make two keys
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(new_seed())
    return Signer.from_seed(origin, path.read_text())


# -- the checkpoint text ------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    signatures: tuple[str, ...] = field(default=())

    @property
    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    def note(self) -> str:
        return self.body + "\n" + "".join(line + "\n" for line in self.signatures)

    def signed_by(self, verifier: Verifier) -> bool:
        return any(verifier.check(self.body, line) for line in self.signatures)

    def with_signature(self, line: str) -> Checkpoint:
        if line in self.signatures:
            return self
        return Checkpoint(self.origin, self.size, self.root, (*self.signatures, line))


def parse_note(text: str) -> Checkpoint:
    """Parse a signed checkpoint note; raises :class:`CheckpointError` when malformed."""
    if "\n\n" not in text:
        raise CheckpointError("a signed note has a blank line between body and signatures")
    body, _, sigs = text.partition("\n\n")
    lines = body.split("\n")
    if len(lines) != 3:  # extension lines are not used by this log
        raise CheckpointError("a checkpoint body has an origin, a size and a root hash")
    origin, size_text, root_text = lines[:3]
    if not origin or not size_text.isdigit() or (size_text != "0" and size_text[0] == "0"):
        raise CheckpointError("the tree size is a decimal number without leading zeros")
    try:
        root_hash = base64.b64decode(root_text, validate=True)
    except (ValueError, binascii.Error):
        raise CheckpointError("the root hash is not base64") from None
    if len(root_hash) != 32:
        raise CheckpointError("the root hash is not a SHA-256 hash")
    signature_lines = tuple(s for s in sigs.split("\n") if s)
    if not signature_lines or not all(s.startswith(DASH + " ") for s in signature_lines):
        raise CheckpointError("a signed note has at least one signature line")
    return Checkpoint(origin, int(size_text), root_hash, signature_lines)
