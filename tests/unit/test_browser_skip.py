"""The README's test command on a machine without chromium: the browser tests are skipped,
and the run says so in one line with the way to install it; with ORGANIZE_REQUIRE_BROWSER
(CI) the same machine fails instead. A browser that is not there is named by
ORGANIZE_CHROMIUM, so this runs on any machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import BROWSER_SKIPPED

ROOT = Path(__file__).resolve().parents[2]


def _pytest(*paths: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "ORGANIZE_REQUIRE_BROWSER"}
    environ.update(ORGANIZE_CHROMIUM="/nonexistent/chromium", **env)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                           "-p", "no:cacheprovider", *paths],
                          cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300)


def test_without_chromium_the_browser_tests_skip_and_say_how_to_install_it():
    run = _pytest("tests/browser")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert lines.count(BROWSER_SKIPPED) == 1, run.stdout[-3000:]
    assert "error" not in run.stdout.lower() and " passed" not in run.stdout, run.stdout[-3000:]
    assert "skipped" in lines[-1]


def test_ci_requires_the_browser():
    run = _pytest("tests/browser/test_researcher_flow.py", ORGANIZE_REQUIRE_BROWSER="1")
    assert run.returncode != 0
    assert "chromium is not installed" in run.stdout + run.stderr
