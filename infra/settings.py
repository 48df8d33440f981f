"""Settings read once from the environment.

Every knob the product has is here, so the README's configuration table can be checked
against one file. Nothing else reads ``os.environ``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message says which and what to do."""


def default_home() -> Path:
    """A per-user data directory (XDG on Linux), used when ``ORGANIZE_HOME`` is unset."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "organize"


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    home: Path
    cipher_key: str | None
    log_level: str = "INFO"
    taxonomy_extensions: tuple[Path, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    pool_size: int = 5
    read_wait_seconds: float = 2.0
    rubric: Path | None = None
    run_projections: bool | None = None  # None: inside `serve` in embedded mode only
    # Sessions end after this long without a request: phones are shared and may be seized.
    session_idle_minutes: float = 20.0
    extra: dict[str, str] = field(default_factory=dict)
    # The key-encryption key and the snapshot of living data keys (organize/persistence/keyring.py).
    keyring: Path | None = None
    # A streaming replica of the database: pages read their views there once it has replayed
    # as far as the page needs (organize/projections/replica.py), else from the primary.
    database_read_url: str | None = None

    @property
    def embedded(self) -> bool:
        return not self.database_url

    @property
    def keyring_dir(self) -> Path:
        return self.keyring or Path(self.home) / "keyring"


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}.") from None


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    home = Path(env.get("ORGANIZE_HOME") or default_home()).expanduser()
    extensions = tuple(
        Path(p) for p in (env.get("ORGANIZE_TAXONOMY") or "").split(os.pathsep) if p.strip()
    )
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        home=home,
        cipher_key=env.get("ORGANIZE_CIPHER_KEY") or None,
        log_level=(env.get("ORGANIZE_LOG_LEVEL") or "INFO").upper(),
        taxonomy_extensions=extensions,
        host=env.get("ORGANIZE_HOST") or "127.0.0.1",
        port=_int(env, "ORGANIZE_PORT", 8000),
        pool_size=_int(env, "ORGANIZE_POOL_SIZE", 5),
        rubric=Path(env["ORGANIZE_RUBRIC"]) if env.get("ORGANIZE_RUBRIC") else None,
        run_projections=_bool(env, "ORGANIZE_RUN_PROJECTIONS"),
        session_idle_minutes=_minutes(env, "ORGANIZE_SESSION_IDLE_MINUTES", 20.0),
        keyring=Path(env["ORGANIZE_KEYRING"]).expanduser() if env.get("ORGANIZE_KEYRING") else None,
        database_read_url=env.get("DATABASE_READ_URL") or None,
    )


def _minutes(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of minutes, not {raw!r}.") from None
    if not 0 < value <= 24 * 60:
        raise SettingsError(f"{name} must be more than 0 and at most 1440 minutes, not {raw!r}.")
    return value


def _bool(env: dict[str, str], name: str) -> bool | None:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be yes or no, not {raw!r}.")
