"""The grievance procedure, deadlines and money on the leaders' pages, through the real app:
a procedure set up on its page (a half-filled row refused with everything typed kept), the
grievance page's deadlines and money with their forms (a bad amount refused in her
language, typed text kept), her planned departure on her page, the home page's "due soon
and overdue" list and exact totals per currency; every page in en/ne/bn/ar, and nothing of
it for a leader of another collective."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from organize import commands as c
from tests.e2e.pages.conftest import Leader
from tests.e2e.pages.support import form_of, get, hidden, post, today
from web.i18n import taxonomy_label

pytestmark = pytest.mark.integration


class Mine:
    def __init__(self, app, accounts):
        tag = uuid.uuid4().hex[:6]
        run = app.execute
        self.coll = run(c.CreateCollective(
            command_id=uuid.uuid4(), name=f"Deadline Sisters {tag}", kind="worker_collective",
            sectors=("domestic_care",), places=("HK",), languages=("en",), federation=f"f-{tag}")).id
        self.worker = run(c.RegisterWorker(command_id=uuid.uuid4(),
                                           profile=c.Profile(pseudonym="Sunita"),
                                           collective_id=self.coll,
                                           joined_on=today() - timedelta(days=90))).id
        self.grievance = run(c.RaiseGrievance(
            command_id=uuid.uuid4(), collective_id=self.coll, worker_ids=(self.worker,),
            category="wages_unpaid_late", sector="domestic_care", place="HK", stage="destination",
            occurred_on=today() - timedelta(days=40), description="Three months unpaid.")).id
        account = accounts.create_account(f"dl-{tag}", f"pass-dl-{tag}", role="leader",
                                          collective_ids=(self.coll,))
        session = accounts.start_session(account)
        self.leader = Leader(session=session.token, csrf=session.csrf_token)

    @property
    def prefix(self) -> str:
        return f"/c/{self.coll}"


@pytest.fixture(scope="module")
def mine(app, page_accounts):
    return Mine(app, page_accounts)


async def _get(client, world, mine, path, lang=None):
    return await get(client, path, world, who=mine.leader, lang=lang)


async def _post(client, world, mine, path, data, lang=None):
    return await post(client, path, world, data, who=mine.leader, lang=lang)


async def send_action(client, world, mine, path, key, data, lang=None):
    """One action form of a record page, as the page offers it to her (command id, version)."""
    form = form_of((await _get(client, world, mine, path)).text, f"{path}/{key}")
    return await _post(client, world, mine, f"{path}/{key}", {
        "command_id": hidden(form, "command_id")[0],
        "expected_version": hidden(form, "expected_version")[0], **data}, lang=lang)


async def _follow(client, world, mine, r, lang=None):
    assert r.status_code == 303, r.text[:500]
    return await _get(client, world, mine, r.headers["location"], lang=lang)


async def test_the_whole_flow(client, world, mine):
    # 1. The procedure: a half-filled row is refused on its field, all typed text kept.
    page = await _get(client, world, mine, f"{mine.prefix}/procedure")
    assert page.status_code == 200 and "<script" not in page.text.split("</header>")[-1]
    form = form_of(page.text, f"{mine.prefix}/procedure")
    base = {"command_id": hidden(form, "command_id")[0], "name": "Our steps"}
    r = await _post(client, world, mine, f"{mine.prefix}/procedure", {
        **base, "steps.1.name": "Written complaint", "steps.1.days": "30",
        "steps.1.clock": "incident", "steps.2.name": "Labour claim ९", "steps.2.days": ""})
    assert r.status_code == 422
    assert 'value="Labour claim ९"' in r.text and 'value="Written complaint"' in r.text
    assert re.search(r'id="f-steps-2-days-error"', r.text)
    r = await _post(client, world, mine, f"{mine.prefix}/procedure", {
        **base, "steps.1.name": "Written complaint", "steps.1.days": "30",
        "steps.1.clock": "incident", "steps.2.name": "Meeting", "steps.2.days": "१४",
        "steps.2.clock": "previous_step"})
    page = await _follow(client, world, mine, r)
    assert "Written complaint" in page.text and "14 days" in page.text

    # 2. The grievance: its complaint is overdue (40 days after the incident, 30 allowed).
    path = f"{mine.prefix}/grievances/{mine.grievance}"
    page = await _get(client, world, mine, path)
    assert "Overdue" in page.text and "Written complaint" in page.text
    home = await _get(client, world, mine, mine.prefix)
    due = home.text.split('id="h-due"')[1].split("</section>")[0]
    assert "Overdue" in due and "Written complaint" in due and str(mine.grievance) in due
    # named by its kind, as the list of grievances names it
    assert taxonomy_label("categories", "wages_unpaid_late", "en") in due

    # A bad amount: refused on its field, in her language, what she typed kept.
    r = await send_action(client, world, mine, path, "amount",
                          {"kind": "owed", "amount": "12.5.0", "currency": "HKD",
                           "on": today().isoformat()}, lang="ne")
    assert r.status_code == 422 and 'value="12.5.0"' in r.text and 'lang="ne"' in r.text
    # Exact amounts, typed with grouping and a lower-case currency.
    for kind, amount in (("owed", "12,000.10"), ("recovered", "0.20")):
        r = await send_action(client, world, mine, path, "amount",
                              {"kind": kind, "amount": amount, "currency": "hkd",
                               "on": today().isoformat()})
        page = await _follow(client, world, mine, r)
    money = page.text.split('id="h-money"')[1].split("</section>")[0]
    assert "HK$12,000.10" in money and "HK$0.20" in money
    # The complaint taken: met, and the meeting's clock starts.
    r = await send_action(client, world, mine, path, "step",
                          {"step": "step_1", "on": today().isoformat()})
    page = await _follow(client, world, mine, r)
    deadlines = page.text.split('id="h-deadlines"')[1].split("</section>")[0]
    assert "Done" in deadlines and "Meeting" in deadlines

    # 3. Her departure, in ten days, is the binding deadline.
    leaves = today() + timedelta(days=10)
    wpath = f"{mine.prefix}/workers/{mine.worker}"
    r = await send_action(client, world, mine, wpath, "departure", {"leaves_on": leaves.isoformat()})
    await _follow(client, world, mine, r)
    page = await _get(client, world, mine, path)
    assert "Her planned departure" in page.text.split('id="h-deadlines"')[1]
    home = await _get(client, world, mine, mine.prefix)
    money = home.text.split('id="h-money"')[1].split("</section>")[0]
    assert "HK$12,000.10" in money and "HK$0.20" in money


@pytest.mark.parametrize("lang", ["en", "ne", "bn", "ar"])
async def test_the_pages_in_every_language(client, world, mine, lang):
    for path in (f"{mine.prefix}/procedure", f"{mine.prefix}/grievances/{mine.grievance}",
                 mine.prefix, f"{mine.prefix}/workers/{mine.worker}"):
        r = await _get(client, world, mine, path, lang=lang)
        assert r.status_code == 200, path
        direction = "rtl" if lang == "ar" else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in r.text
        if lang != "en":
            for english in ("Grievance procedure", "Deadlines", "Due soon and overdue",
                            "Her planned departure", "Record an amount"):
                assert f">{english}<" not in r.text, (path, english)


async def test_a_leader_of_another_collective_gets_nothing(client, world, mine):
    for path in (f"{mine.prefix}/procedure", f"{mine.prefix}/grievances/{mine.grievance}",
                 mine.prefix):
        r = await get(client, path, world, who=world.other)
        assert r.status_code == 404, path
        assert "Written complaint" not in r.text and "12,000" not in r.text
    r = await post(client, f"{mine.prefix}/procedure", world, {
        "command_id": str(uuid.uuid4()), "name": "Taken over", "steps.1.name": "X",
        "steps.1.days": "1"}, who=world.other)
    assert r.status_code == 404


async def _until(fetch, holds, seconds: float = 10.0):
    """The page once ``holds`` is true of it (the runner applies events in the background)."""
    import anyio  # noqa: PLC0415

    page = await fetch()
    for _ in range(int(seconds * 10)):
        if holds(page):
            return page
        await anyio.sleep(0.1)
        page = await fetch()
    raise AssertionError(page.text[:300])


async def test_her_departure_goes_with_her_erasure(client, world, mine, app):
    """Her departure shows on her page and sets a deadline on her grievance's page and the
    home page; once she is erased her page says so, and no deadline derived from it remains."""
    run = app.execute
    her = run(c.RegisterWorker(command_id=uuid.uuid4(), profile=c.Profile(pseudonym="Anjali"),
                               collective_id=mine.coll, joined_on=today() - timedelta(days=30))).id
    g = run(c.RaiseGrievance(
        command_id=uuid.uuid4(), collective_id=mine.coll, worker_ids=(her,),
        category="wages_unpaid_late", sector="domestic_care", place="HK", stage="destination",
        occurred_on=today() - timedelta(days=3), description="Passport kept.")).id
    leaves = today() + timedelta(days=4)
    day = f'datetime="{leaves.isoformat()}"'
    wpath, gpath = f"{mine.prefix}/workers/{her}", f"{mine.prefix}/grievances/{g}"
    r = await send_action(client, world, mine, wpath, "departure", {"leaves_on": leaves.isoformat()})
    page = await _follow(client, world, mine, r)
    assert day in page.text.split('id="departure"')[1].split("</p>")[0]
    assert f'value="{leaves.isoformat()}"' in page.text  # her form starts from it

    def deadlines(p):
        return p.text.split('id="h-deadlines"')[1].split("</section>")[0]

    page = await _until(lambda: _get(client, world, mine, gpath), lambda p: day in deadlines(p))
    assert "Her planned departure" in deadlines(page)
    home = await _get(client, world, mine, mine.prefix)
    assert day in home.text.split('id="h-due"')[1].split("</section>")[0]

    run(c.EraseWorker(command_id=uuid.uuid4(), worker_id=her))
    page = await _until(lambda: _get(client, world, mine, gpath), lambda p: day not in deadlines(p))
    assert "Her planned departure" not in deadlines(page)
    home = await _get(client, world, mine, mine.prefix)
    assert day not in home.text
    page = await _get(client, world, mine, wpath)
    assert page.status_code == 200
    assert "This worker&#39;s record was erased" in page.text or \
        "This worker's record was erased" in page.text
    assert 'id="departure"' not in page.text and leaves.isoformat() not in page.text
