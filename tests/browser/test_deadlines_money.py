"""In real Chromium on a 360 px phone, with JavaScript switched off, in Nepali and Arabic: a
leader sets up her collective's grievance procedure, records what a worker is owed (typed in
the script's own digits) and sees the overdue step on the home page and the exact amount on
the grievance; no page is wider than the phone."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from organize import commands as c
from tests.browser.support import PHONE, log_in

DIGITS = {"ne": "१२५००.५०", "ar": "١٢٥٠٠٫٥٠"}  # 12500.50 as she types it


@pytest.fixture(scope="module")
def grievance(app, site):
    coll = site["collective"]
    worker = app.execute(c.RegisterWorker(
        command_id=uuid.uuid4(), profile=c.Profile(pseudonym="Champa"), collective_id=coll,
        joined_on=datetime.now(UTC).date() - timedelta(days=200))).id
    return app.execute(c.RaiseGrievance(
        command_id=uuid.uuid4(), collective_id=coll, worker_ids=(worker,),
        category="wages_unpaid_late", sector="domestic_care", place="HK", stage="destination",
        occurred_on=datetime.now(UTC).date() - timedelta(days=45),
        description="Four months unpaid.")).id


def _context(browser, site, lang: str, *, js: bool):
    return browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                               has_touch=True, locale=lang, base_url=site["base"],
                               java_script_enabled=js)


def _width(browser, site, lang: str, paths: list[str]) -> dict[str, int]:
    """How wide each page lays out on the phone (scripts on only to measure)."""
    context = _context(browser, site, lang, js=True)
    page = context.new_page()
    log_in(page, site)
    out = {}
    for path in paths:
        page.goto(path)
        out[path] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    return out


@pytest.mark.parametrize("lang", ["ne", "ar"])
def test_procedure_amount_and_deadlines_on_a_phone_without_javascript(browser, site, grievance,
                                                                       lang):
    cid = site["collective"]
    context = _context(browser, site, lang, js=False)
    page = context.new_page()
    log_in(page, site)
    assert page.locator("html").get_attribute("lang") == lang
    page.goto(f"/c/{cid}/procedure")
    if not page.locator("ol.list li").count():  # the first language sets it up
        page.fill("[name='steps.1.name']", "लिखित उजुरी" if lang == "ne" else "شكوى مكتوبة")
        page.fill("[name='steps.1.days']", "३०" if lang == "ne" else "٣٠")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(rf"/c/{cid}/procedure"))
    assert page.locator("ol.list li").count() == 1

    path = f"/c/{cid}/grievances/{grievance}"
    page.goto(path)
    page.locator("#do-amount summary").click()
    form = page.locator(f"form[action='{path}/amount']")
    form.locator("[name=kind]").select_option("owed")
    form.locator("[name=amount]").fill(DIGITS[lang])
    form.locator("[name=currency]").fill("hkd")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{path}"))
    money = page.locator("#h-money").locator("xpath=..").inner_text()
    assert "12,500.50" in money or "१२,५००.५०" in money or "١٢٬٥٠٠٫٥٠" in money, money

    page.goto(f"/c/{cid}")
    due = page.locator("#h-due").locator("xpath=..").inner_text()
    overdue = {"ne": "म्याद नाघेको", "ar": "متأخر"}[lang]
    assert overdue in due, due
    context.close()

    widths = _width(browser, site, lang, [f"/c/{cid}", path, f"/c/{cid}/procedure"])
    assert all(w <= PHONE["width"] for w in widths.values()), widths
