"""The master key: taken from ``ORGANIZE_CIPHER_KEY``, or, in embedded mode only,
generated once into the data directory with 0600 permissions.

With an external database (``DATABASE_URL`` set) we refuse to invent a key: a key that
lives beside a database on another machine would be lost with the container, and every
stored event would become unreadable.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from infra.settings import Settings, SettingsError

KEY_FILE = "master.key"
KEY_BYTES = 32


def _validate(key: str, source: str) -> str:
    try:
        raw = base64.b64decode(key.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SettingsError(f"{source} is not valid base64.") from None
    if len(raw) != KEY_BYTES:
        raise SettingsError(
            f"{source} must decode to {KEY_BYTES} bytes (AES-256), not {len(raw)}. "
            "Create one with: organize keygen"
        )
    return key.strip()


def new_key() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def resolve_master_key(settings: Settings) -> str:
    if settings.cipher_key:
        return _validate(settings.cipher_key, "ORGANIZE_CIPHER_KEY")
    if not settings.embedded:
        raise SettingsError(
            "ORGANIZE_CIPHER_KEY is not set. With DATABASE_URL set, organize refuses to start "
            "without a master key, because stored events are encrypted with it. "
            "Create one with `organize keygen`, keep it in your secret store, and set "
            "ORGANIZE_CIPHER_KEY."
        )
    path = Path(settings.home) / KEY_FILE
    if path.exists():
        return _validate(path.read_text(), str(path))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = new_key()
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _validate(path.read_text(), str(path))
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
