"""A real HTTP server (uvicorn on a free port, in a thread) over the session's database, and
an admin's API token: every ``/api/v1/`` route needs one."""

from __future__ import annotations

import uuid

import httpx
import pytest

from organize.accounts import AccountService
from tests.support import live_server
from web.app import create_app


@pytest.fixture(scope="package")
def base_url(runtime) -> str:
    """Package scope: the server and its in-process runner stop when the API tests end, so
    later tests are not racing a runner they did not start."""
    # As `organize serve` does in embedded mode: the views follow the log in this process.
    runner = runtime.runner()
    runner.catch_up()
    follower = runner.start()
    with live_server(create_app(runtime)) as base:
        yield base
    runner.stop()
    follower.join(timeout=10)  # before the database goes: its LISTEN connection with it


@pytest.fixture(scope="session")
def api_headers(runtime) -> dict[str, str]:
    """An admin's bearer token: admins reach everything, as every client did before accounts."""
    accounts = AccountService(runtime.app)
    account_id = accounts.create_account(f"api-admin-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex,
                                         role="admin")
    _, token = accounts.create_token(account_id, "api tests")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def http(base_url, api_headers):
    with httpx.Client(base_url=base_url, timeout=30, headers=api_headers) as client:
        yield client
