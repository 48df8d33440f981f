"""The same import submitted twice at once (a double click): every submission lands once."""

from __future__ import annotations

import asyncio

import pytest

from organize.imports.plan import ledger_for
from tests.e2e.pages.support import post_import
from tests.integration.imports import support as s

pytestmark = pytest.mark.integration


async def test_a_double_submit_imports_once(client, world, app):
    b = s.batch()
    ours = world.ours.collective
    before = app.recorder.max_notification_id()
    first, second = await asyncio.gather(*(post_import(client, world.leader, ours, b, "import")
                                           for _ in range(2)))
    assert {first.status_code, second.status_code} <= {200, 409, 422}, (
        first.status_code, second.status_code)
    assert 200 in (first.status_code, second.status_code)
    written = app.recorder.max_notification_id() - before
    workers = set()
    for sub in b.subs[:2] + b.subs[3:]:  # the third is quarantined
        ledger = ledger_for(app, ours, "worker_intake", sub.root_id)
        assert ledger is not None
        workers.add(ledger.worker_ids[0])
    assert len(workers) == 3
    again = await post_import(client, world.leader, ours, b, "import")
    assert again.status_code == 200
    assert app.recorder.max_notification_id() - before == written  # nothing more
