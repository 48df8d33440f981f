"""A leaders' page holds one pooled read connection for its reads (web/pages/common.py); a
form that records gives it back before its command runs, so a write (which holds a
connection of the event store for as long as it runs) never also keeps an idle read
connection, one of the pool's few, from the other requests."""

from __future__ import annotations

import pytest

from tests.e2e.pages.support import fresh_grievance, grievance_action, today
from web.pages.common import Page

pytestmark = pytest.mark.integration


async def test_a_command_runs_with_no_read_connection_held(client, world, app, monkeypatch):
    held: set[int] = set()  # the pages holding a read connection now
    during: list[int] = []  # how many, each time a command ran
    connection, release = Page.connection, Page.release

    async def taking(page):
        conn = await connection(page)
        held.add(id(page))
        return conn

    async def giving_back(page):
        held.discard(id(page))
        await release(page)

    real = app.execute

    def executing(command):
        during.append(len(held))
        return real(command)

    monkeypatch.setattr(Page, "connection", taking)
    monkeypatch.setattr(Page, "release", giving_back)
    monkeypatch.setattr(app, "execute", executing)
    o = world.ours
    gid = await fresh_grievance(app, world, [o.workers[0]])
    during.clear()
    # Referring reads the collective's consents from the views first, then records.
    r = await grievance_action(client, world, gid, "refer",
                               {"organisation_id": o.referral_org, "on": today().isoformat()})
    assert r.status_code == 303, r.text[-800:]
    assert during == [0]
    assert not held  # and the page's later reads gave theirs back when it ended
