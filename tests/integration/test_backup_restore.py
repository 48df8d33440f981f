"""A backup taken before an erasure, restored after it: the erased worker stays unreadable,
everyone else is readable.

The server is lost after the erasure: the backup is restored into a new, empty database,
with nothing but the backup directory and the keyring (``organize restore`` from the CLI).
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.database import Database, create_database
from infra.settings import Settings
from organize import commands as c
from organize.application.reading import ERASED, worker_view
from organize.cli import main
from organize.domain import Worker
from organize.persistence.keys import Sealer
from organize.runtime import open_runtime
from tests.integration import support as h

pytestmark = pytest.mark.integration


@pytest.fixture
def databases(database):
    """Two empty databases on the test server: the lost one and the one restored into."""
    params = conninfo_to_dict(database.url)
    admin = make_conninfo(**{**params, "dbname": "postgres"})
    names = [f"organize_restore_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for name in names:
        create_database(admin, name)
    yield [Database(url=make_conninfo(**{**params, "dbname": n}), embedded=False) for n in names]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cli(settings: Settings, db: Database, *args: str):
    env = {"DATABASE_URL": db.url, "ORGANIZE_CIPHER_KEY": settings.cipher_key,
           "ORGANIZE_HOME": str(settings.home), "ORGANIZE_LOG_LEVEL": "WARNING"}
    return CliRunner().invoke(main, list(args), env=env)


def _pseudonym(app, worker_id) -> str:
    return worker_view(app, app.get(Worker, worker_id)).profile.pseudonym


def test_a_backup_from_before_an_erasure_restores_without_her(databases, master_key, tmp_path):
    lost, fresh = databases
    settings = Settings(database_url=lost.url, home=tmp_path / "home", cipher_key=master_key,
                        pool_size=2)
    runtime = open_runtime(settings, lost)
    app = runtime.app
    collective = app.execute(h.create_collective())
    her = app.execute(h.register_worker(collective.id, pseudonym="Erased later",
                                        legal_name="Her Legal Name"))
    other = app.execute(h.register_worker(collective.id, pseudonym="Stays readable"))
    solo = app.execute(h.raise_grievance(collective.id, [her.id], description="Only hers"))
    shared = app.execute(h.raise_grievance(collective.id, [her.id, other.id],
                                           description="Both of theirs"))
    theirs = app.execute(h.raise_grievance(collective.id, [other.id], description="Only theirs"))
    app.execute(c.NoteEvidence(command_id=h.cid(), grievance_id=theirs.id, note="A receipt",
                               on=date(2025, 6, 2)))
    her_key = app.keys.get(her.id)

    result = _cli(settings, lost, "backup", str(tmp_path / "before"))
    assert result.exit_code == 0, result.output
    assert not list((tmp_path / "before").glob("*.key")), "a backup never carries a KEK"

    erased = _cli(settings, lost, "erase", str(her.id), "--yes")
    assert erased.exit_code == 0, erased.output
    later = app.execute(h.register_worker(collective.id, pseudonym="Joined after"))
    runtime.close()

    # The server is lost; the backup goes into an empty database, keyed from the keyring.
    result = _cli(settings, fresh, "restore", str(tmp_path / "before"), "--yes")
    assert result.exit_code == 0, result.output
    assert "1 erasures" in result.output
    restored = open_runtime(Settings(database_url=fresh.url, home=settings.home,
                                     cipher_key=master_key, pool_size=2), fresh)
    try:
        app = restored.app
        assert app.get(Worker, her.id).erased, "her erasure, made after the backup, holds"
        assert app.keys.get(her.id) is None and app.keys.get(solo.id) is None
        assert _pseudonym(app, her.id) == ERASED
        assert _pseudonym(app, other.id) == "Stays readable"
        grievance = app.repository.get(shared.id)
        assert app.sealer.open(shared.id, grievance.description) == b"Both of theirs"
        assert app.sealer.open(theirs.id, app.repository.get(theirs.id).description) \
            == b"Only theirs"
        with pytest.raises(Exception):  # noqa: B017 - made after the backup: not in it
            app.get(Worker, later.id)
        # No key in the restored database opens anything of hers.
        with app.recorder.datastore.transaction() as curs:
            curs.execute("SELECT subject_id FROM organize_data_keys")
            keys = app.keys.get_many([r["subject_id"] for r in curs.fetchall()])
        assert her_key not in keys.values()
        sealed = app.repository.get(her.id, version=1).profile  # as registered
        assert sealed
        assert all(Sealer.open_with(k, her.id, sealed) is None for k in keys.values())
        # Life goes on after the restore: new keys are made and read under the current KEK.
        new = app.execute(h.register_worker(collective.id, pseudonym="After the restore"))
        assert _pseudonym(app, new.id) == "After the restore"
    finally:
        restored.close()


def test_restore_refuses_a_directory_that_is_not_a_backup(databases, master_key, tmp_path):
    settings = Settings(database_url=databases[0].url, home=tmp_path, cipher_key=master_key)
    (tmp_path / "keyring").mkdir()
    result = _cli(settings, databases[0], "restore", str(tmp_path), "--yes")
    assert result.exit_code == 1 and "database.dump" in result.output
    assert "Traceback" not in result.output


def test_backup_refuses_a_directory_that_is_not_empty(app, settings, database, tmp_path):
    (tmp_path / "something").write_text("x")
    env_settings = Settings(database_url=database.url, home=Path(settings.home),
                            cipher_key=settings.cipher_key)
    result = _cli(env_settings, database, "backup", str(tmp_path))
    assert result.exit_code == 1 and "not empty" in result.output


def test_two_databases_in_one_keyring_never_share_a_kek(databases, master_key, tmp_path):
    """An erasure in one database destroys only that database's old KEK."""
    runtimes = [open_runtime(Settings(database_url=db.url, home=tmp_path, cipher_key=master_key,
                                      pool_size=2), db) for db in databases]
    try:
        workers = [rt.app.execute(h.register_worker(pseudonym=f"In database {i}")).id
                   for i, rt in enumerate(runtimes)]
        doomed = runtimes[0].app.execute(h.register_worker(pseudonym="Erased")).id
        runtimes[0].app.execute(c.EraseWorker(command_id=h.cid(), worker_id=doomed))
        assert len(list(tmp_path.joinpath("keyring").glob("kek-*.key"))) == 2
        for rt, worker in zip(runtimes, workers, strict=True):
            rt.app.keys._keks.clear()  # read the KEK from the keyring again
            assert _pseudonym(rt.app, worker).startswith("In database")
    finally:
        for rt in runtimes:
            rt.close()
