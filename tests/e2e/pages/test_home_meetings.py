"""The home page's upcoming meetings are the four soonest, soonest first, however many are
scheduled: with more than a page of them, the ones far ahead must not push out next week's."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from organize import commands as c
from tests.e2e.pages.conftest import Leader
from tests.e2e.pages.support import get
from tests.integration import support as h
from tests.support import settle_views

pytestmark = pytest.mark.integration


async def test_home_shows_the_four_soonest_meetings_of_many(client, world, app, runtime,
                                                             page_accounts):
    tag = uuid.uuid4().hex[:8]
    collective = app.execute(h.create_collective(name=f"Busy {tag}")).id
    start = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    # 30 meetings, one a day from tomorrow, scheduled in a shuffled order.
    days = [17, 3, 29, 1, 12, 25, 8, 21, 5, 14, 30, 2, 19, 10, 27, 6, 23, 4, 16, 28, 9, 13,
            26, 7, 20, 11, 24, 15, 22, 18]
    meeting_on = {}
    for day in days:
        meeting_on[day] = app.execute(c.ScheduleMeeting(
            command_id=h.cid(), kind="assembly", collective_ids=(collective,),
            scheduled_for=start + timedelta(days=day), language="en")).id
    account = page_accounts.create_account(f"busy-{tag}", f"pass-busy-{tag}", role="leader",
                                           collective_ids=(collective,))
    session = page_accounts.start_session(account)
    leader = Leader(session=session.token, csrf=session.csrf_token)
    await asyncio.to_thread(settle_views, runtime)  # every meeting in the views
    html = (await get(client, f"/c/{collective}", world, who=leader)).text
    section = html.split('id="h-meetings"', 1)[1].split("</section>", 1)[0]
    shown = [day for day, m in meeting_on.items() if f"/meetings/{m}\"" in section]
    assert sorted(shown) == [1, 2, 3, 4], sorted(shown)
    positions = [section.index(f"/meetings/{meeting_on[d]}\"") for d in (1, 2, 3, 4)]
    assert positions == sorted(positions), "soonest first"


async def test_meetings_page_lists_the_soonest_scheduled_first_of_many(client, world, app, runtime,
                                                                       page_accounts):
    # More planned than the page's upcoming list holds (50): the soonest must be there,
    # soonest first, and the furthest ahead left out.
    tag = uuid.uuid4().hex[:8]
    collective = app.execute(h.create_collective(name=f"Planned {tag}")).id
    start = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    days = list(range(1, 61))
    random.Random(17).shuffle(days)
    meeting_on = {}
    for day in days:
        meeting_on[day] = app.execute(c.ScheduleMeeting(
            command_id=h.cid(), kind="assembly", collective_ids=(collective,),
            scheduled_for=start + timedelta(days=day), language="en")).id
    account = page_accounts.create_account(f"planned-{tag}", f"pass-planned-{tag}",
                                           role="leader", collective_ids=(collective,))
    session = page_accounts.start_session(account)
    leader = Leader(session=session.token, csrf=session.csrf_token)
    await asyncio.to_thread(settle_views, runtime)  # every meeting in the views
    html = (await get(client, f"/c/{collective}/meetings", world, who=leader)).text
    upcoming = html.split("<h2>Upcoming meetings</h2>", 1)[1].split("</ul>", 1)[0]
    shown = [day for day, m in meeting_on.items() if f"/meetings/{m}\"" in upcoming]
    assert sorted(shown) == list(range(1, 51)), sorted(shown)
    positions = [upcoming.index(f"/meetings/{meeting_on[d]}\"") for d in range(1, 51)]
    assert positions == sorted(positions), "soonest first"
