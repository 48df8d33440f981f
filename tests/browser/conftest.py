"""The browser both flows drive: Debian's chromium through Playwright, one per module."""

from __future__ import annotations

import pytest

from tests.browser.test_leader_flow import ARGS, CHROMIUM


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
