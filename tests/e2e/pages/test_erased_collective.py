"""A raided centre on the pages: before ``erase-collective`` its leader reads her campaign's
issue and demands (opened at read time; no table of the database holds them), after it the
same pages read "[erased]", and the list of her collectives says the collective was erased.
Her other collective is untouched."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import pytest

from organize import commands as c
from organize.erasure import erase_collective
from tests.e2e.pages.conftest import Leader
from tests.e2e.pages.support import get, table_holding
from tests.integration import support as h

pytestmark = pytest.mark.integration
ERASED_NOTE = "Erased: its records"


async def _until(client, world, path: str, who: Leader, text: str) -> str:
    for _ in range(100):  # the views follow the log (a runner thread)
        body = (await get(client, path, world, who=who)).text
        if text in body:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared on {path}")


async def test_an_erased_collectives_texts_read_erased_on_its_pages(client, world, app, page_accounts):
    tag = uuid.uuid4().hex[:8]
    raided = app.execute(h.create_collective(name=f"Raided {tag}")).id
    kept = app.execute(h.create_collective(name=f"Kept {tag}")).id
    said = uuid.uuid4().hex[:10]  # only in the collective's texts
    issue, demand = f"Rest days at the Wong house {said}", f"Sundays off for Mei {said}"
    campaign = app.execute(
        c.LaunchCampaign(
            command_id=h.cid(),
            issue=issue,
            demands=(demand,),
            collective_ids=(raided,),
            launched_on=date(2025, 6, 4),
        )
    ).id
    other = f"Shared dormitory {tag}"
    app.execute(
        c.LaunchCampaign(
            command_id=h.cid(), issue=other, demands=(), collective_ids=(kept,), launched_on=date(2025, 6, 4)
        )
    )
    account = page_accounts.create_account(
        f"raided-{tag}", f"pass-raided-{tag}", role="leader", collective_ids=(raided, kept)
    )
    session = page_accounts.start_session(account)
    leader = Leader(session=session.token, csrf=session.csrf_token)

    page = f"/c/{raided}/campaigns/{campaign}"
    body = await _until(client, world, page, leader, issue)
    assert demand in body
    assert table_holding(app, said) == [], "a table holds a collective text in the clear"

    erase_collective(app, raided)
    listing = await _until(client, world, "/c", leader, ERASED_NOTE)
    assert listing.count(ERASED_NOTE) == 1  # the kept collective is not marked
    body = await _until(client, world, page, leader, "[erased]")
    assert issue not in body and demand not in body
    board = (await get(client, f"/c/{raided}/campaigns", world, who=leader)).text
    assert issue not in board
    assert other in await _until(client, world, f"/c/{kept}/campaigns", leader, other)
