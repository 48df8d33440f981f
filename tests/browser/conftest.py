"""The browser the flows drive: Debian's chromium through Playwright, one per module (the
whole directory is skipped without it: ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from tests.support import BROWSER_ARGS, CHROMIUM


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()
