"""What the tests of this directory share (this module holds no tests itself)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

PHONE = {"width": 360, "height": 740}


# The committed screenshots are refreshed with ORGANIZE_SCREENSHOTS=1; ordinary runs write them
# to a temporary folder so a test run leaves the working tree as it was.
SHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots"
         if os.environ.get("ORGANIZE_SCREENSHOTS") else
         Path(tempfile.gettempdir()) / "organize-screenshots")


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def log_in(page, site) -> None:
    page.goto("/login")
    page.fill("[name=username]", site["username"])
    page.fill("[name=password]", site["password"])
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/c")  # a leader of one collective goes straight to its home
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}"))
