"""Opening the seal from a runtime: the sealer's tables, its runner and the log's keys.

Settings come from the environment the composition root passes in:

- ``ORGANIZE_SEAL_KEY``: the log's Ed25519 seed (base64); else ``$ORGANIZE_HOME/seal.key``.
- ``ORGANIZE_SEAL_ORIGIN``: the log's name in its checkpoints (default ``organize.local/seal``).
- ``ORGANIZE_SEAL_BLOCK``: events per block (default 1024).
- ``ORGANIZE_SEAL_CHECKPOINT_EVERY``: blocks between signed checkpoints (default 16).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from organize.seal.checkpoint import KEY_ENV, KEY_FILE, CheckpointError, Signer, Verifier, load_signer
from organize.seal.sealer import BLOCK_SIZE, CHECKPOINT_EVERY, Sealer, SealRunner

DEFAULT_ORIGIN = "organize.local/seal"


def _positive(env: dict[str, str], name: str, default: int) -> int:
    try:
        value = int(env.get(name) or default)
    except ValueError:
        raise CheckpointError(f"{name} must be a whole number") from None
    if value < 1:
        raise CheckpointError(f"{name} must be at least 1")
    return value


def origin(env: dict[str, str]) -> str:
    return env.get("ORGANIZE_SEAL_ORIGIN") or DEFAULT_ORIGIN


def open_sealer(runtime: Any) -> Sealer:
    sealer = Sealer(runtime.app.recorder.datastore)
    sealer.create_table()
    return sealer


def open_seal(runtime: Any, env: dict[str, str] | None = None) -> SealRunner:
    """The sealer's runner for this runtime; creates the log key on first use."""
    env = dict(os.environ) if env is None else env
    signer = load_signer(origin(env), runtime.settings.home, env)
    return SealRunner(
        runtime.app.recorder,
        open_sealer(runtime),
        signer,
        block_size=_positive(env, "ORGANIZE_SEAL_BLOCK", BLOCK_SIZE),
        checkpoint_every=_positive(env, "ORGANIZE_SEAL_CHECKPOINT_EVERY", CHECKPOINT_EVERY),
    )


def log_verifier(home: Path, env: dict[str, str], vkey: str | None = None) -> Verifier | None:
    """The log's public key: given as a verifier key, else derived from the key outside the
    database. Never creates a key (a verifier must not mint what it checks)."""
    if vkey:
        return Verifier.parse(vkey)
    if env.get(KEY_ENV) or (Path(home) / KEY_FILE).exists():
        return load_signer(origin(env), home, env).verifier
    return None


__all__ = ["Signer", "log_verifier", "open_seal", "open_sealer"]
