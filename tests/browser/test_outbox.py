"""The offline outbox in real Chromium with the network cut (Playwright's offline mode): a
grievance and a meeting submitted offline are kept encrypted, survive a reload, and are
recorded exactly once when the network is back; what the phone keeps holds no pseudonym,
phone number or free text, and nothing at all after quick exit; logout warns while something
is unsent; and with JavaScript off every form still works online.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.support import READ_DEVICE, listed, log_in, outbox_shown, wait_unsent
from web.i18n.catalogues import gettext
from web.i18n.labels import taxonomy_label

PSEUDONYM, PHONE, WORDS = "Zuleikha", "+85291234567", "Wages held back by the broker Qorvath"
MEETING_WORDS = "2031-05-06T10:00"

def grievance_to_last_step(page, cid) -> None:
    page.goto(f"/c/{cid}/grievances/new")
    page.fill("[name=add_pseudonym]", PSEUDONYM)
    page.fill("[name=add_phone]", PHONE)
    page.click("button[name=go][value=add_worker]")
    page.wait_for_selector(f"text={PSEUDONYM}")
    page.click("button[name=go][value=next]")
    page.wait_for_selector("input[name=category]", state="attached")
    page.locator("details.group summary").nth(2).click()
    page.check("input[name=category][value=documents_confiscated]")
    page.fill("[name=description]", WORDS)
    page.click("button[name=go][value=next]")
    page.wait_for_selector("[name=place]")
    page.fill("[name=place]", "HK")
    page.fill("[name=occurred_on]", "2026-10-01")
    page.select_option("[name=stage]", "destination")
    page.select_option("[name=sector]", "domestic_care")
    page.click("button[name=go][value=next]")
    page.wait_for_selector("input[name^=consent_]", state="attached")
    outbox_shown(page)


def meeting_filled(page, cid) -> None:
    page.goto(f"/c/{cid}/meetings/new")
    page.check("input[name=kind][value=assembly]")
    page.fill("[name=scheduled_for]", MEETING_WORDS)
    outbox_shown(page)


def test_offline_capture_is_recorded_once_and_leaves_nothing_readable(page, site):
    cid = site["collective"]
    log_in(page, site)
    assert listed(page, cid, "grievances") == 0 and listed(page, cid, "meetings") == 0
    meeting = page.context.new_page()
    meeting_filled(meeting, cid)
    grievance_to_last_step(page, cid)

    page.context.set_offline(True)
    meeting.locator("main form button[type=submit]").first.click()
    wait_unsent(meeting, 1)
    page.click("button[name=go][value=submit]")
    wait_unsent(page, 2)
    assert page.url.endswith("/grievances/new")  # she stays on her form, her words on it

    # What the phone keeps: ciphertext, a route, an id, a count. No name, number or words.
    device = page.evaluate(READ_DEVICE)
    queued = [e["e"] for e in device["entries"] if e["store"] == "queue"]
    assert len(queued) == 2 and {q["route"].rsplit("/", 2)[-2] for q in queued} == {
        "grievances", "meetings"}
    kept = json.dumps(device)
    for secret in (PSEUDONYM, PHONE, "91234567", WORDS, "Qorvath", "documents_confiscated",
                   "assembly", "scheduled_for", MEETING_WORDS):
        assert secret not in kept, secret
    assert device["caches"] == [] and device["cached"] == []

    # A reload offline shows nothing (no page is cached); back online, the queue is sent.
    with pytest.raises(PlaywrightError, match="INTERNET_DISCONNECTED"):
        page.reload()
    page.context.set_offline(False)
    page.goto(f"/c/{cid}")
    wait_unsent(page, 0)
    meeting.reload()  # a second tab sends too: the server records each once
    wait_unsent(meeting, 0)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (listed(page, cid, "grievances"),
                                           listed(page, cid, "meetings")) != (1, 1):
        time.sleep(0.3)
    assert listed(page, cid, "grievances") == 1
    assert listed(page, cid, "meetings") == 1
    device = page.evaluate(READ_DEVICE)
    assert [e for e in device["entries"] if e["store"] == "queue"] == []


def test_logout_warns_and_quick_exit_leaves_nothing(page, site):
    cid = site["collective"]
    log_in(page, site)
    account = page.context.new_page()
    account.goto("/account")
    outbox_shown(account)
    meeting_filled(page, cid)
    page.context.set_offline(True)
    page.locator("main form button[type=submit]").first.click()
    wait_unsent(page, 1)
    assert page.locator("[data-outbox-clear]").is_visible()

    asked = []
    account.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    account.locator("form[action='/logout'] button").click()
    account.wait_for_timeout(500)
    assert asked and "not sent" in asked[0]
    assert account.url.endswith("/account")  # dismissed: still logged in, nothing lost

    page.click("a.quick-exit")  # offline: the page empties the queue before it leaves
    page.context.set_offline(False)
    page.goto("/weather")
    device = page.evaluate(READ_DEVICE)
    assert "organize-outbox" not in device["dbs"] and device["caches"] == []
    assert "Unsent" not in page.content()


def test_clear_unsent_empties_the_queue(page, site):
    cid = site["collective"]
    log_in(page, site)
    meeting_filled(page, cid)
    page.context.set_offline(True)
    page.locator("main form button[type=submit]").first.click()
    wait_unsent(page, 1)
    page.on("dialog", lambda d: d.accept())
    page.click("[data-outbox-clear]")
    wait_unsent(page, 0)
    page.context.set_offline(False)
    assert [e for e in page.evaluate(READ_DEVICE)["entries"] if e["store"] == "queue"] == []


def test_forms_work_online_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, base_url=site["base"])
    page = context.new_page()
    try:
        log_in(page, site)
        cid = site["collective"]
        page.goto(f"/c/{cid}/meetings/new")
        assert page.locator("[data-outbox]").is_hidden()
        page.check("input[name=kind][value=assembly]")
        page.fill("[name=scheduled_for]", "2031-06-07T10:00")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(rf"/c/{cid}/meetings/[0-9a-f-]{{36}}"))
    finally:
        context.close()


def test_a_post_that_fails_on_the_way_is_kept_by_the_service_worker(page, site):
    """The phone believes it is online, but the post never arrives: the service worker
    answers 204 (she stays on her form) and the page keeps the form, encrypted."""
    cid = site["collective"]
    log_in(page, site)
    meeting_filled(page, cid)
    page.reload()  # the second load is controlled by the service worker
    outbox_shown(page)
    page.check("input[name=kind][value=assembly]")
    page.fill("[name=scheduled_for]", "2031-07-08T10:00")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)")
    page.context.route(re.compile(r".*/meetings/new$"),
                       lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    page.locator("main form button[type=submit]").first.click()
    wait_unsent(page, 1)
    assert page.url.endswith("/meetings/new")
    assert page.input_value("[name=scheduled_for]") == "2031-07-08T10:00"  # what she typed stays
    kept = json.dumps(page.evaluate(READ_DEVICE))
    assert "2031-07-08" not in kept and "assembly" not in kept
    page.context.unroute(re.compile(r".*/meetings/new$"))
    page.goto(f"/c/{cid}")  # the next page load sends it
    wait_unsent(page, 0)


SEND = """async (envelope) => {
  const r = await fetch("/outbox", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(envelope)});
  return [r.status, (await r.json()).outcome];
}"""


def test_the_same_envelope_sent_ten_times_records_one_meeting(page, site):
    cid = site["collective"]
    log_in(page, site)
    before = listed(page, cid, "meetings")
    meeting_filled(page, cid)
    page.fill("[name=scheduled_for]", "2031-09-10T10:00")
    page.context.set_offline(True)
    page.locator("main form button[type=submit]").first.click()
    wait_unsent(page, 1)
    (entry,) = [e["e"] for e in page.evaluate(READ_DEVICE)["entries"] if e["store"] == "queue"]
    page.context.set_offline(False)
    wait_unsent(page, 0)  # sent once by the page itself...
    answers = [page.evaluate(SEND, entry["envelope"]) for _ in range(9)]  # ...and nine more
    assert answers == [[200, "applied"]] * 9
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and listed(page, cid, "meetings") != before + 1:
        time.sleep(0.3)
    time.sleep(1)  # had a second one been recorded, the list would show it by now
    assert listed(page, cid, "meetings") == before + 1


def test_two_phones_correcting_one_field_offline_raise_one_flag_and_lose_neither(
        browser, site, app):
    """Two phones open the same grievance, lose the network, and each corrects its category
    from that one version; back online, the later is shown and one flag keeps both."""
    from datetime import date
    from uuid import uuid4

    from organize import commands as c
    from tests.browser.support import PHONE

    cid = site["collective"]
    worker = app.execute(c.RegisterWorker(command_id=uuid4(), collective_id=cid,
                                          profile=c.Profile(pseudonym="Noor"),
                                          joined_on=date(2025, 1, 5))).id
    gid = app.execute(c.RaiseGrievance(
        command_id=uuid4(), collective_id=cid, worker_ids=(worker,), category="wages_unpaid_late",
        sector="domestic_care", place="HK", stage="destination", occurred_on=date(2026, 1, 5),
        description="Unpaid since January.")).id
    path = f"/c/{cid}/grievances/{gid}"
    phones = []
    for category in ("pay_below_rate", "illegal_deductions"):
        context = browser.new_context(viewport=PHONE, base_url=site["base"], locale="en-GB")
        phone = context.new_page()
        log_in(phone, site)
        phone.goto(path)
        outbox_shown(phone)
        phone.click("#do-correct summary")
        form = phone.locator(f"form[action='{path}/correct']")
        form.locator("select[name=category]").select_option(category)
        form.locator("select[name=reason]").select_option("typing_mistake")
        phones.append((context, phone, form))
    for context, phone, form in phones:  # both offline, each keeps its correction
        context.set_offline(True)
        form.locator("button[type=submit]").click()
        wait_unsent(phone, 1)
    try:
        for context, phone, _form in phones:  # back online one after the other
            context.set_offline(False)
            phone.goto(f"/c/{cid}")
            wait_unsent(phone, 0)
        phone = phones[0][1]
        corrected = [e.category for e in app.repository.event_store.get(gid)
                     if type(e).__name__ == "Corrected"]
        assert corrected == ["pay_below_rate", "illegal_deductions"]  # neither lost
        assert app.repository.get(gid).category == "illegal_deductions"
        deadline = time.monotonic() + 30  # the flag's view catches up (slower under load)
        while time.monotonic() < deadline:
            phone.goto(f"/c/{cid}/conflicts")
            if phone.locator("li.conflict").count():
                break
            time.sleep(0.3)
        assert phone.locator("li.conflict").count() == 1
        shown = phone.inner_text("main")
        assert "Shown now:" in shown and "Also entered:" in shown
        for code in ("pay_below_rate", "illegal_deductions"):  # both values, in words
            assert taxonomy_label("categories", code, "en") in shown, code
        phone.locator("li.conflict button[type=submit]").click()
        phone.wait_for_url(re.compile(rf"/c/{cid}/conflicts"))
        expect(phone.locator("li.conflict")).to_have_count(0, timeout=30_000)
    finally:
        for context, _phone, _form in phones:
            context.close()


def test_a_refused_item_is_named_on_the_page_in_her_language(page, site):
    cid = site["collective"]
    log_in(page, site)
    page.goto("/lang/ne?next=/c/" + str(cid))
    before = listed(page, cid, "meetings")
    meeting_filled(page, cid)
    # A kind of meeting the server does not know: kept offline, refused when it is sent.
    page.locator("input[name=kind][value=assembly]").evaluate("r => { r.value = 'no_such_kind'; }")
    page.context.set_offline(True)
    page.locator("main form button[type=submit]").first.click()
    wait_unsent(page, 1)
    page.context.set_offline(False)
    page.goto(f"/c/{cid}")
    wait_unsent(page, 0)
    note = page.locator("[data-outbox-note]")
    expect(note).to_be_visible(timeout=15_000)
    expected = gettext("ne", "The server refused something this phone kept (%(item)s). "
                             "Record it again.").replace("%(item)s", gettext("ne", "Plan a meeting"))
    expect(note).to_have_text(expected)
    assert listed(page, cid, "meetings") == before  # nothing recorded


def test_a_refusal_met_while_no_page_is_open_is_said_by_the_next_page(page, site):
    """The service worker sends on Background Sync when the network comes back, maybe while
    she is between pages and none can be told: the refusal is kept beside the queue, in the
    transaction that deletes the entry, and the next page she opens says it."""
    cid = site["collective"]
    log_in(page, site)
    before = listed(page, cid, "meetings")
    meeting_filled(page, cid)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.locator("input[name=kind][value=assembly]").evaluate("r => { r.value = 'no_such_kind'; }")
    context = page.context
    context.set_offline(True)
    page.locator("main form button[type=submit]").first.click()
    wait_unsent(page, 1)
    page.close()  # no page open: only the service worker is left to send
    (worker,) = context.service_workers
    context.set_offline(False)
    worker.evaluate("self.organizeOutbox.replay()")  # as on Background Sync (if not done yet)
    page = context.new_page()
    page.goto(f"/c/{cid}")
    wait_unsent(page, 0)
    note = page.locator("[data-outbox-note]")
    expect(note).to_have_text(gettext("en", "The server refused something this phone kept "
                                            "(%(item)s). Record it again.").replace(
        "%(item)s", gettext("en", "Plan a meeting")))
    page.reload()  # said once: the next page has nothing more to say
    outbox_shown(page)
    page.wait_for_timeout(500)
    expect(note).to_be_hidden()
    assert listed(page, cid, "meetings") == before
