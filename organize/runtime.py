"""Builds the application from settings: the one place the pieces are wired together.

The CLI and the web app factory call ``open_runtime``; nothing else reaches for global
state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from infra.database import Database, open_database
from infra.keyfile import resolve_master_key
from infra.schema import apply_schema, schema_lock
from infra.settings import Settings
from organize.application import Organize
from organize.domain import Taxonomy, load_taxonomy
from organize.migrations import migrate
from organize.persistence.cipher import MasterKeyCipher
from organize.persistence.keyring import FileKeyring
from organize.persistence.recorder import CommandLoggingRecorder
from organize.persistence.transcoder import MsgspecMapper


def application_env(db: Database, master_key: str, settings: Settings) -> dict[str, str]:
    env = db.eventsourcing_env()
    env.update(
        {
            "MAPPER_TOPIC": get_topic(MsgspecMapper),
            "CIPHER_TOPIC": get_topic(MasterKeyCipher),
            "CIPHER_KEY": master_key,
            "APPLICATION_RECORDER_TOPIC": get_topic(CommandLoggingRecorder),
            "POSTGRES_POOL_SIZE": str(settings.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(settings.pool_size),
            # Off on purpose: see organize/persistence/recorder.py. Followers must never skip events.
            "POSTGRES_ENABLE_DB_FUNCTIONS": "no",
            "POSTGRES_LOCK_TIMEOUT": "10",
        }
    )
    return env


@dataclass
class Runtime:
    settings: Settings
    database: Database
    app: Organize
    taxonomy: Taxonomy
    rubric: Any = None

    def view_deps(self) -> dict[str, Any]:
        """What views need besides the database: shared reference data, never a service."""
        deps: dict[str, Any] = {"taxonomy": self.taxonomy}
        if self.rubric is not None:
            deps["rubric"] = self.rubric
        return deps

    def open_views(self, names: Sequence[str] | None = None) -> list:
        from organize.projections import registry

        return registry.open_views(self.app.recorder.datastore, names, **self.view_deps())

    def runner(self, names: Sequence[str] | None = None, batch_size: int = 500):
        from organize.projections import registry
        from organize.projections.runner import CATCH_UP_BATCH, BatchedRunner

        datastore = self.app.recorder.datastore
        return BatchedRunner(
            self.app.recorder, self.app.mapper, self.open_views(names), batch_size=batch_size,
            listen_url=self.database.url, max_batch=max(batch_size, CATCH_UP_BATCH),
            reopen=lambda views: registry.switched(datastore, views, **self.view_deps()),
        )

    def close(self) -> None:
        self.app.close()
        self.database.close()


def load_rubric_setting(settings: Settings) -> Any:
    """The indicators' rubric (a federation's file over the default), if indicators exist."""
    try:
        from organize.projections.indicators.rubric import load_rubric
    except ImportError:  # pragma: no cover - before the indicators package exists
        return None
    return load_rubric(settings.rubric)


def open_configured() -> Runtime:
    """The runtime the environment describes (``ORGANIZE_*``), with logging configured: what
    every command line runs on. Raises ``SettingsError`` for a bad setting."""
    import warnings

    from infra.logging import configure_logging
    from infra.settings import load_settings

    # platformdirs (under the embedded server) warns that XDG_RUNTIME_DIR is unset on
    # servers and containers, then falls back to a fine directory: not worth a warning.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    settings = load_settings()
    configure_logging(settings.log_level)
    runtime = open_runtime(settings)
    # Again: the embedded server's library installs its own log handler when it loads.
    configure_logging(settings.log_level)
    return runtime


def open_runtime(settings: Settings, database: Database | None = None, *,
                 upgrade_keys: bool = True) -> Runtime:
    master_key = resolve_master_key(settings)
    db = database or open_database(settings)
    taxonomy = load_taxonomy(*settings.taxonomy_extensions)
    # Two processes starting at once must not race on DDL: the event store's tables are
    # created (IF NOT EXISTS, which is not safe concurrently) under the schema's lock too.
    with schema_lock(db.url) as conn:
        apply_schema(db.url, conn)
        app = Organize(application_env(db, master_key, settings), taxonomy=taxonomy,
                       master_key=master_key, keyring=FileKeyring(settings.keyring_dir))
    if upgrade_keys:  # a restore adopts the keyring's keys first (organize.backup)
        app.keys.upgrade()
        migrate(app)
    return Runtime(settings=settings, database=db, app=app, taxonomy=taxonomy,
                   rubric=load_rubric_setting(settings))
