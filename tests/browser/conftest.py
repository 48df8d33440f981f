"""The browser the flows drive: Debian's chromium through Playwright, one per module (the
whole directory is skipped without it: ``tests/conftest.py``)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from argon2 import PasswordHasher

from organize import commands as c
from organize.accounts import AccountService
from tests.browser.support import PHONE
from tests.support import BROWSER_ARGS, CHROMIUM, live_server
from web.app import create_app


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(runtime, app):
    """A collective with two workers, a leader account, and the real app over HTTP with its
    projections following the log."""
    tag = uuid.uuid4().hex[:6]
    coll = app.execute(c.CreateCollective(
        command_id=uuid.uuid4(), name=f"Browser sisters {tag}", kind="worker_collective",
        sectors=("domestic_care",), places=("HK",), languages=("en", "ar"),
        federation=f"fed-browser-{tag}")).id
    for name in ("Asha", "Bina"):
        app.execute(c.RegisterWorker(command_id=uuid.uuid4(), profile=c.Profile(pseudonym=name),
                                     collective_id=coll, joined_on=date(2025, 1, 5)))
    accounts = AccountService(app, hasher=PasswordHasher(time_cost=1, memory_cost=1024,
                                                         parallelism=1))
    username, password = f"leader-{tag}", "browser-test-password"
    accounts.create_account(username, password, role="leader", collective_ids=[coll])
    web_app = create_app(runtime, accounts)
    runner = runtime.runner()
    runner.catch_up()
    follower = runner.start()
    with live_server(web_app) as base:
        yield {"base": base, "collective": coll, "username": username, "password": password}
    runner.stop()
    follower.join(timeout=10)


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-GB", base_url=site["base"])
    pg = context.new_page()
    yield pg
    context.close()
