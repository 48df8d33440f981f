"""A page's collective is kept by the process at the version it was loaded at (a name, its
languages and time zone: nothing personal) and loaded again once its stored version moved:
a change is seen on the next page, and the kept record answers no one out of scope."""

from __future__ import annotations

import uuid

import pytest

from organize import commands as c
from organize.domain import Collective
from tests.e2e.pages.conftest import Leader
from tests.e2e.pages.support import get
from tests.integration import support as h
from web.pages import common

pytestmark = pytest.mark.integration


async def test_a_kept_collective_is_loaded_again_once_it_changed(client, world, app,
                                                                page_accounts, monkeypatch):
    tag = uuid.uuid4().hex[:8]
    collective = app.execute(h.create_collective(name=f"Kept {tag}")).id
    account = page_accounts.create_account(f"kept-{tag}", f"pass-kept-{tag}", role="leader",
                                           collective_ids=(collective,))
    session = page_accounts.start_session(account)
    leader = Leader(session=session.token, csrf=session.csrf_token)
    loads = []
    load = common.Page.load

    async def counted(self, cls, aggregate_id, *args, **kwargs):
        loads.append(cls)
        return await load(self, cls, aggregate_id, *args, **kwargs)

    monkeypatch.setattr(common.Page, "load", counted)
    first = await get(client, f"/c/{collective}", world, who=leader)
    assert first.status_code == 200 and f"Kept {tag}" in first.text
    again = await get(client, f"/c/{collective}", world, who=leader)
    assert again.text.count(f"Kept {tag}") == first.text.count(f"Kept {tag}")
    assert loads == [Collective], "the second page keeps the record it loaded"

    version = app.get(Collective, collective).version
    app.execute(c.RenameCollective(command_id=h.cid(), collective_id=collective,
                                   expected_version=version, name=f"Renamed {tag}"))
    renamed = (await get(client, f"/c/{collective}", world, who=leader)).text
    assert f"Renamed {tag}" in renamed and f"Kept {tag}" not in renamed
    assert loads == [Collective, Collective]

    # Kept, and still nobody else's: a leader of another collective is answered "not found".
    assert (await get(client, f"/c/{collective}", world, who=world.other)).status_code == 404
    assert (await get(client, f"/c/{world.theirs.collective}", world,
                      who=leader)).status_code == 404


async def test_the_kept_collective_is_checked_on_no_connection_the_page_keeps(client, world,
                                                                            monkeypatch):
    """``settle`` may take a second connection from the pool (the views' lag, read-your-writes):
    a page that held one from the kept collective's check onwards would wait for it with its
    own held, and with every connection held so no page gets its second (50 clients hung)."""
    held = []
    settle = common.Page.settle

    async def watching(self, views):
        held.append(self._conn is not None)
        return await settle(self, views)

    monkeypatch.setattr(common.Page, "settle", watching)
    for _ in range(2):  # the second page finds the collective kept
        answer = await get(client, f"/c/{world.ours.collective}", world, who=world.leader)
        assert answer.status_code == 200
    assert world.ours.collective in common._COLLECTIVES
    assert held == [False, False]
