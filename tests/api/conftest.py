"""A real HTTP server (uvicorn on a free port, in a thread) over the session's database, and
an admin's API token: every ``/api/v1/`` route needs one."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import httpx
import pytest
import uvicorn

from organize.accounts import AccountService
from web.app import create_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="package")
def base_url(runtime) -> str:
    """Package scope: the server and its in-process runner stop when the API tests end, so
    later tests are not racing a runner they did not start."""
    # As `organize serve` does in embedded mode: the views follow the log in this process.
    runner = runtime.runner()
    runner.catch_up()
    runner.start()
    port = _free_port()
    config = uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_config=None,
                            access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    runner.stop()


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
