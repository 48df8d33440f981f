"""Backups that respect erasure: ``organize backup`` and ``organize restore``.

A backup is a ``pg_dump`` of the database. It holds the data keys wrapped under the KEK of
the day, and never the KEK itself (that stays in the keyring). Every erasure replaces the
KEK, so a backup taken before an erasure opens nothing on its own once the erasure is done.

Restoring takes the events from the backup and the *keys from the keyring*: the keyring's
snapshot holds every key alive at the last erasure or backup, under the current KEK. Keys in
the backup wrapped under a destroyed KEK are dropped; the erasures recorded in the keyring
since are recorded again. So a worker erased after the backup was taken stays unreadable,
and everyone else is readable.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg

DUMP = "database.dump"
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def pg_program(name: str) -> str:
    """A PostgreSQL client program: the embedded server's own (the newest we ship), else
    the one on PATH."""
    try:
        import pgserver._commands as pg

        path = Path(pg.POSTGRES_BIN_PATH) / name
        if path.exists():
            return str(path)
    except ImportError:  # pragma: no cover - pgserver is a dependency
        pass
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found; install the PostgreSQL client programs.")
    return found


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        # The tools' errors name objects and options, never row contents.
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup(runtime, out: Path) -> dict:
    """Dump the database into ``out`` (a new directory) and refresh the keyring snapshot."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty; give a new directory.")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    _run([pg_program("pg_dump"), "--format=custom", "--no-owner", "--file", str(out / DUMP),
          "--dbname", runtime.database.url])
    generation = runtime.app.keys.snapshot()
    manifest = {"format": "organize-backup-1", "dump": DUMP, "kek_generation": generation,
                "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "keys": "not included: restore takes them from the keyring"}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(settings, database, source: Path):
    """Replace the database with the backup in ``source``, re-key it from the keyring and
    erase again whoever was erased since. Returns the runtime, open on the restored data."""
    from organize.migrations import migrate
    from organize.runtime import open_runtime

    source = Path(source)
    if not (source / DUMP).exists():
        raise BackupError(f"{source} holds no {DUMP}; give a directory `organize backup` made.")
    if not settings.keyring_dir.exists():
        raise BackupError(f"The keyring {settings.keyring_dir} does not exist; a restore takes "
                          "its keys from there (ORGANIZE_KEYRING).")
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    _run([pg_program("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", database.url,
          str(source / DUMP)])
    runtime = open_runtime(settings, database, upgrade_keys=False)
    try:
        runtime.app.keys.adopt_snapshot()
        runtime.app.keys.upgrade()
        migrate(runtime.app)
        erase_again(runtime.app, runtime.app.keys.keyring.erased())
    except BaseException:
        runtime.close()
        raise
    return runtime


def erase_again(app, ledger: list[tuple[str, str]]) -> int:
    """Record again the erasures the keyring lists (those after the backup are missing)."""
    from organize import commands as c
    from organize.erasure import erase_collective
    from organize.errors import CommandError

    done = 0
    for kind, raw in ledger:
        subject = uuid.UUID(raw)
        if kind == "worker":
            command = c.EraseWorker(command_id=uuid.uuid5(subject, "erase"), worker_id=subject)
        elif kind == "collective":
            try:
                erase_collective(app, subject)
                done += 1
            except CommandError:  # made after the backup: not in it
                pass
            continue
        else:
            continue
        try:
            app.execute(command)
            done += 1
        except CommandError:  # already erased in the backup, or made after it
            continue
    return done
