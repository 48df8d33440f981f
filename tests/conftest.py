"""Shared fixtures: a real PostgreSQL for every test that needs one.

``ORGANIZE_TEST_DATABASE_URL`` (default: the server at 127.0.0.1:5432) is used when it
answers; a fresh database is created for the run and dropped after. When no server answers,
an embedded PostgreSQL (pgserver) starts in a temporary directory. Never a mock.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.database import Database, create_database, start_embedded
from infra.keyfile import new_key
from infra.settings import Settings
from organize.runtime import Runtime, open_runtime
from tests.support import BROWSER_SKIPPED, browser_missing

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TESTS = Path(__file__).resolve().parent
SKIPPED_BROWSER = pytest.StashKey[int]()


def _drives_a_browser(item: pytest.Item) -> bool:
    return Path(str(item.path)).resolve().is_relative_to(TESTS / "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without chromium the browser tests are skipped, and the run says so in one line
    (``pytest_terminal_summary``); CI sets ``ORGANIZE_REQUIRE_BROWSER``, and there a missing
    browser stops the run instead."""
    browser = [item for item in items if _drives_a_browser(item)]
    if not browser or not browser_missing():
        return
    if os.environ.get("ORGANIZE_REQUIRE_BROWSER"):
        raise pytest.UsageError("ORGANIZE_REQUIRE_BROWSER is set, but chromium is not "
                                "installed (apt-get install chromium fonts-noto-core)")
    skip = pytest.mark.skip(reason=BROWSER_SKIPPED)
    for item in browser:
        item.add_marker(skip)
    config.stash[SKIPPED_BROWSER] = len(browser)


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if config.stash.get(SKIPPED_BROWSER, 0):
        terminalreporter.write_line(BROWSER_SKIPPED)



def _admin_url() -> str | None:
    url = os.environ.get("ORGANIZE_TEST_DATABASE_URL", DEFAULT_ADMIN_URL)
    try:
        with psycopg.connect(url, connect_timeout=2):
            return url
    except psycopg.Error:
        return None


@pytest.fixture(scope="session")
def database(tmp_path_factory) -> Database:
    admin = _admin_url()
    if admin is None:
        db = start_embedded(tmp_path_factory.mktemp("embedded"))
        yield db
        db.close()
        return
    name = f"organize_test_{uuid.uuid4().hex[:10]}"
    create_database(admin, name)
    params = conninfo_to_dict(admin)
    params["dbname"] = name
    yield Database(url=make_conninfo(**params), embedded=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def master_key() -> str:
    return new_key()


@pytest.fixture(scope="session")
def settings(database: Database, master_key: str, tmp_path_factory) -> Settings:
    return Settings(database_url=database.url, home=Path(tmp_path_factory.mktemp("home")),
                    cipher_key=master_key, pool_size=4)


@pytest.fixture(scope="session")
def runtime(settings: Settings, database: Database) -> Runtime:
    rt = open_runtime(settings, database)
    yield rt
    rt.app.close()


@pytest.fixture(scope="session")
def app(runtime: Runtime):
    return runtime.app
