"""Campaign work from the leader's side: link one of her group's grievances to a campaign
(never another group's), record a result for each demand, and close the campaign with what
came of it."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.pages.support import form_of, get, hidden, max_id, post, send_action, today

pytestmark = pytest.mark.integration


async def test_link_a_grievance_then_close_the_campaign(client, world, app):
    o = world.ours
    base = f"/c/{o.collective}/campaigns"
    new = (await get(client, f"{base}/new", world)).text
    r = await post(client, f"{base}/new", world, {
        "command_id": hidden(new, "command_id")[0], "issue": "Wages on time",
        "demands": "Pay by the 7th", "launched_on": today().isoformat()})
    path = r.headers["location"].split("?")[0]
    campaign_id = uuid.UUID(path.rsplit("/", 1)[1])

    async def act(key: str, data: dict, lang=None):
        return await send_action(client, world, path, key, data, lang=lang)

    page = (await get(client, path, world)).text
    offered = form_of(page, f"{path}/link")
    choice = next(g for g in map(str, o.grievances) if f'value="{g}"' in offered)
    assert str(world.theirs.grievances[0]) not in offered
    assert (await act("link", {"grievance_id": choice})).status_code == 303
    assert uuid.UUID(choice) in app.repository.get(campaign_id).grievance_ids
    page = (await get(client, path, world)).text
    assert f'href="/c/{o.collective}/grievances/{choice}"' in page
    assert f'value="{choice}"' not in form_of(page, f"{path}/link")  # linked: not offered again

    before = max_id(app)  # another group's grievance, posted by hand: refused, nothing linked
    r = await act("link", {"grievance_id": world.theirs.grievances[0]}, lang="ne")
    assert r.status_code in (404, 422) and max_id(app) == before
    assert world.theirs.grievances[0] not in app.repository.get(campaign_id).grievance_ids

    assert (await act("close", {"on": today().isoformat(),
                                "summary": "Paid on time since March."})).status_code == 303
    assert app.repository.get(campaign_id).status == "closed"
    page = (await get(client, path, world)).text
    assert f"{path}/close" not in page  # nothing more to do on a closed campaign
