"""What the tests of this directory share (this module holds no tests itself)."""

from __future__ import annotations

import os
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
