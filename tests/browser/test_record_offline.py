"""Recording a grievance offline from its first step (web/static/record.js): with JavaScript
the page carries every step in one form and shows one at a time; she goes offline on step 1,
adds a worker, chooses one already known, finishes every step, and the last submit is kept
encrypted by the outbox. Back online exactly one grievance holds what she chose, and nothing
readable was on the phone. Online, a missing required field is said before the step changes.
"""

from __future__ import annotations

import json
import time
from datetime import date
from uuid import UUID, uuid4

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from organize import commands as c
from tests.browser.support import READ_DEVICE, listed, log_in, outbox_shown, wait_unsent
from web.i18n.catalogues import gettext

NEW, NEW_PHONE, KNOWN, OTHER = "Tahmina", "+85297654321", "Rukhsana", "Parveen"
WORDS = "Passport kept by the agency Velmoran"


def known(app, cid, name: str):
    return app.execute(c.RegisterWorker(command_id=uuid4(), collective_id=cid,
                                        profile=c.Profile(pseudonym=name),
                                        joined_on=date(2025, 2, 3))).id


def visible_step(page) -> str:
    return page.locator("section[data-step]:visible").get_attribute("data-step")


def test_a_grievance_recorded_offline_from_step_one_is_recorded_once(page, site, app):
    cid = site["collective"]
    wid = known(app, cid, KNOWN)
    known(app, cid, OTHER)
    log_in(page, site)
    page.goto(f"/c/{cid}/grievances")
    page.locator("main a[href$='/grievances/new?all=1']").first.click()
    expect(page.locator("section[data-step='1']")).to_be_visible()
    outbox_shown(page)
    assert page.locator("section[data-step]:visible").count() == 1

    page.context.set_offline(True)
    page.fill("[name=add_pseudonym]", NEW)
    page.fill("[name=add_phone]", NEW_PHONE)
    page.click("button[name=go][value=add_worker]")
    expect(page.locator("p.choice", has_text=NEW)).to_be_visible()
    assert page.input_value("[name=add_pseudonym]") == ""
    page.fill("[name=find_worker]", KNOWN[:4].lower())  # the picker searches on the phone
    page.click("button[name=go][value=find]")
    expect(page.locator("label.choice", has_text=OTHER)).to_be_hidden()
    page.check(f"input[name=worker_ids][value='{wid}']")
    page.click("section[data-step='1'] [data-next]")
    assert visible_step(page) == "2"
    page.locator("details.group summary").nth(2).click()
    page.check("input[name=category][value=documents_confiscated]")
    page.fill("[name=description]", WORDS)
    page.click("section[data-step='2'] [data-next]")
    assert visible_step(page) == "3"
    page.fill("[name=place]", "HK")
    page.fill("[name=occurred_on]", "2026-09-14")
    page.select_option("[name=stage]", "destination")
    page.select_option("[name=sector]", "domestic_care")
    page.click("section[data-step='3'] [data-next]")
    assert visible_step(page) == "4"
    consents = page.locator("[data-consents] input[type=checkbox]")
    assert consents.count() == 4  # two purposes for each of the two she chose
    page.check(f"[data-consents] input[name=consent_contact][value='{wid}']")
    page.check("[data-consents] input[name=consent_research][value='new:0']")
    page.click("button[name=go][value=submit]")
    wait_unsent(page, 1)
    assert page.url.endswith("/grievances/new?all=1")

    kept = json.dumps(page.evaluate(READ_DEVICE))
    for secret in (NEW, NEW_PHONE, "97654321", KNOWN, str(wid), WORDS, "Velmoran",
                   "documents_confiscated", "2026-09-14"):
        assert secret not in kept, secret
    with pytest.raises(PlaywrightError, match="INTERNET_DISCONNECTED"):
        page.reload()
    page.context.set_offline(False)
    page.goto(f"/c/{cid}")
    wait_unsent(page, 0)

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and listed(page, cid, "grievances") < 1:
        time.sleep(0.3)
    time.sleep(1)  # had a second one been recorded, it would be there by now
    assert listed(page, cid, "grievances") == 1
    href = page.locator("main a[href*='/grievances/']").evaluate_all(
        "links => links.map(a => a.pathname).filter(p => /[0-9a-f-]{36}$/.test(p))")[0]
    g = app.repository.get(UUID(href.rsplit("/", 1)[1]))
    assert g.category == "documents_confiscated" and str(g.occurred_on) == "2026-09-14"
    assert g.place == "HK" and g.stage == "destination" and g.sector == "domestic_care"
    assert wid in g.worker_ids and len(g.worker_ids) == 2
    page.goto(href)
    main = page.inner_text("main")
    assert NEW in main and KNOWN in main and WORDS in main and OTHER not in main


def test_online_the_steps_say_what_is_missing_before_moving_on(page, site):
    cid = site["collective"]
    log_in(page, site)
    page.goto(f"/c/{cid}/grievances/new?all=1")
    choose = gettext("en", "Choose at least one worker, or add a new one.")
    page.click("section[data-step='1'] [data-next]")
    expect(page.locator("section[data-step='1'] [data-said]")).to_have_text(choose)
    assert visible_step(page) == "1"
    page.click("button[name=go][value=add_worker]")  # no pseudonym: said, nothing added
    assert page.locator("[name=new_pseudonym]").count() == 0
    page.fill("[name=add_pseudonym]", NEW)
    page.click("button[name=go][value=add_worker]")
    page.click("section[data-step='1'] [data-next]")
    assert visible_step(page) == "2"
    page.fill("[name=description]", WORDS)
    page.click("section[data-step='2'] [data-next]")
    assert visible_step(page) == "2"  # no category: said, the step stays
    said = page.locator("section[data-step='2'] [data-said]")
    expect(said).to_have_count(1)
    assert page.input_value("[name=description]") == WORDS  # what she typed stays
    page.click("section[data-step='2'] [data-back]")
    assert visible_step(page) == "1"
    page.click("section[data-step='1'] [data-next]")
    page.locator("details.group summary").nth(0).click()
    page.locator("input[name=category]").first.check()
    page.click("section[data-step='2'] [data-next]")
    assert visible_step(page) == "3"
    page.fill("[name=place]", "")
    page.click("section[data-step='3'] [data-next]")
    assert visible_step(page) == "3"
    required = gettext("en", "Please fill this in.")
    said = page.locator("section[data-step='3'] [data-said]")
    expect(said).to_have_count(2)  # the place she emptied and the stage not chosen yet
    assert said.all_inner_texts() == [required, required]
    page.fill("[name=place]", "HK")
    page.select_option("[name=stage]", "destination")
    page.select_option("[name=sector]", "domestic_care")
    page.click("section[data-step='3'] [data-next]")
    assert visible_step(page) == "4"
    page.click("button[name=go][value=submit]")  # online: the server records it
    page.wait_for_url(f"**/c/{cid}/grievances/*-*")
    assert NEW in page.inner_text("main")


def test_online_the_server_still_checks_what_the_page_let_through(page, site, app):
    """A worker id she should not know, slipped into the one form: the page's checks pass it,
    the server refuses it and nothing is recorded."""
    cid = site["collective"]
    wid = known(app, cid, "Sabiha")
    log_in(page, site)
    before = listed(page, cid, "grievances")
    page.goto(f"/c/{cid}/grievances/new?all=1")
    box = page.locator(f"input[name=worker_ids][value='{wid}']")
    box.check()
    box.evaluate("(b, id) => { b.value = id; }", str(uuid4()))
    page.click("section[data-step='1'] [data-next]")
    page.locator("details.group summary").nth(0).click()
    page.locator("input[name=category]").first.check()
    page.fill("[name=description]", WORDS)
    page.click("section[data-step='2'] [data-next]")
    page.select_option("[name=stage]", "destination")
    page.click("section[data-step='3'] [data-next]")
    page.click("button[name=go][value=submit]")
    expect(page.locator(".field-error", has_text=gettext(
        "en", "Please choose one of the options."))).to_be_visible()
    assert "/grievances/new" in page.url
    assert listed(page, cid, "grievances") == before
