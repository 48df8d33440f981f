"""In real Chromium with JavaScript off, at phone size, a collective with 2,000 grievances:
the list pages through all of them by keyset ("Older", then "Newer"), each page under 60 KB;
a search by pseudonym finds exactly her grievances and never puts her name in the address
bar; a status filter in the URL survives a reload."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from organize import commands as c
from organize.accounts import AccountService
from tests.browser.support import PHONE
from tests.e2e.pages.conftest import PSEUDONYMS
from tests.support import live_server
from web.app import create_app

SIZE = 2000


@pytest.fixture(scope="module")
def big(runtime, app):
    rng = random.Random(16)
    tag = uuid.uuid4().hex[:6]
    run = app.execute
    coll = run(c.CreateCollective(
        command_id=uuid.uuid4(), name=f"Years of history {tag}", kind="worker_collective",
        sectors=("domestic_care",), places=("HK",), languages=("en",),
        federation=f"fed-size-{tag}")).id
    workers = [run(c.RegisterWorker(command_id=uuid.uuid4(), profile=c.Profile(pseudonym=name),
                                    collective_id=coll, joined_on=date(2020, 1, 5))).id
               for name in PSEUDONYMS[:40]]
    categories = [e.code for e in app.taxonomy.entries("categories")]
    today = datetime.now(UTC).date()
    parties: dict[uuid.UUID, tuple[uuid.UUID, ...]] = {}
    resolved = set()
    for i in range(SIZE):
        who = tuple(rng.sample(workers, 1 + (i % 7 == 0)))
        g = run(c.RaiseGrievance(
            command_id=uuid.uuid4(), collective_id=coll, worker_ids=who,
            category=categories[i % len(categories)], sector="domestic_care", place="HK",
            stage="destination", occurred_on=today - timedelta(days=rng.randint(0, 5 * 365)),
            description=f"Case {i}.")).id
        parties[g] = who
        if i % 5 == 0:
            run(c.RecordOutcome(command_id=uuid.uuid4(), grievance_id=g, outcome="documents_returned",
                                on=today))
            resolved.add(g)
    accounts = AccountService(app, hasher=PasswordHasher(time_cost=1, memory_cost=1024,
                                                         parallelism=1))
    username, password = f"leader-size-{tag}", "browser-size-password"
    accounts.create_account(username, password, role="leader", collective_ids=[coll])
    runner = runtime.runner()
    runner.catch_up()
    follower = runner.start()
    with live_server(create_app(runtime, accounts)) as base:
        yield {"base": base, "collective": coll, "username": username, "password": password,
               "parties": parties, "resolved": resolved, "asha": workers[0]}
    runner.stop()
    follower.join(timeout=10)


@pytest.fixture
def page(browser, big):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB",
                                  base_url=big["base"])
    pg = context.new_page()
    pg.goto("/login")
    pg.fill("[name=username]", big["username"])
    pg.fill("[name=password]", big["password"])
    pg.locator("form button[type=submit]").first.click()
    pg.wait_for_url(lambda url: "/login" not in url)
    yield pg
    context.close()


def shown(page, big) -> list[str]:
    hrefs = [a.get_attribute("href") for a in page.locator("ul.list a").all()]
    return [h.rsplit("/", 1)[1] for h in hrefs if h and re.search(r"/grievances/[0-9a-f-]{36}$", h)]


def walk(page, big) -> list[str]:
    seen = []
    while True:
        size = len(page.content().encode())
        assert size <= 60 * 1024, (page.url, size)
        ids = shown(page, big)
        assert 0 < len(ids) <= 50
        seen += ids
        older = page.locator("nav.paging a[rel=next]")
        if older.count() == 0:
            return seen
        older.click()


def test_two_thousand_grievances_page_by_keyset_without_javascript(page, big):
    cid = big["collective"]
    page.goto(f"/c/{cid}/grievances")
    first = shown(page, big)
    seen = walk(page, big)
    assert len(seen) == SIZE and set(seen) == {str(g) for g in big["parties"]}
    page.locator("nav.paging a[rel=prev]").click()  # back one page from the last
    assert shown(page, big) == seen[-50 - (SIZE % 50 or 50):-(SIZE % 50 or 50)]
    page.goto(f"/c/{cid}/grievances")
    assert shown(page, big) == first


def test_search_by_pseudonym_without_javascript_keeps_her_name_out_of_the_url(page, big):
    cid = big["collective"]
    page.goto(f"/c/{cid}/grievances")
    page.fill("[name=q]", "asha")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r"mw="))
    assert "asha" not in page.url.lower()
    assert "Asha" in page.inner_text("main")  # said on the page, as what the list is narrowed to
    seen = walk(page, big)
    hers = {str(g) for g, who in big["parties"].items() if big["asha"] in who}
    assert set(seen) == hers and len(seen) == len(hers)


def test_a_status_filter_lives_in_the_url_without_javascript(page, big):
    cid = big["collective"]
    page.goto(f"/c/{cid}/grievances")
    page.locator("details.filters summary").click()
    page.select_option("#f-status", "resolved")
    page.locator("details.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"status=resolved"))
    page.reload()
    seen = walk(page, big)
    assert set(seen) == {str(g) for g in big["resolved"]}
