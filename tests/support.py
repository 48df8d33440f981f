"""Helpers several test packages share."""

from __future__ import annotations

import time


def settle_views(runtime, timeout: float = 60.0) -> None:
    """Bring every view up to the end of the log (another runner may be following it too)."""
    head = runtime.app.recorder.max_notification_id() or 0
    runner = runtime.runner()
    deadline = time.monotonic() + timeout
    while True:
        try:
            runner.catch_up()
        except Exception:  # another runner got there first: look again
            time.sleep(0.05)
        if min(runner.positions().values()) >= head:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("the views did not catch up")
