"""In real Chromium on a 360 px phone, with JavaScript on and off (and in Arabic, right to
left, without it): a leader goes from the
workers list to the possible duplicates, chooses which record stays, confirms, lands on the
survivor's page with the absorbed record listed under her, sees it leave the workers list,
undoes the merge from the survivor's page and sees it come back. On every page nothing is
wider than the phone and every button and link of the page is within the screen's width."""

from __future__ import annotations

import re
import time
import uuid
from datetime import date

import pytest

from organize import commands as c
from tests.browser.support import PHONE, log_in

# Wider than the phone's text column when nothing lets it break.
LONG = "Zebunnessakhatunchowdhurybegum"

FITS = """() => {
  const root = document.documentElement, width = root.clientWidth, out = [];
  if (root.scrollWidth > width) out.push(`page ${root.scrollWidth} > ${width}`);
  for (const el of document.querySelectorAll("main a, main button, main input, main select")) {
    if (el.type === "hidden") continue;
    const box = el.getBoundingClientRect();
    if (box.width && (box.left < 0 || box.right > width + 0.5))
      out.push(`${el.tagName} ${el.textContent.trim().slice(0, 30)}: ${box.left}-${box.right}`);
  }
  return out;
}"""


def _fits(page) -> None:
    assert page.evaluate(FITS) == [], page.url


def _until(page, path: str, present: str | None = None, absent: str | None = None) -> None:
    """Open ``path`` again until the views that follow the log show (or stop showing) a name."""
    deadline = time.monotonic() + 30
    while True:
        page.goto(path)
        text = page.locator("main").inner_text()
        if (present is None or present in text) and (absent is None or absent not in text):
            return
        assert time.monotonic() < deadline, (path, present, absent)
        time.sleep(0.5)


@pytest.mark.parametrize(("lang", "js"), [("en", True), ("en", False), ("ar", False)],
                         ids=["js", "no-js", "ar-no-js"])
def test_merge_and_undo_on_a_phone(browser, site, app, lang, js):
    cid = site["collective"]
    tag = uuid.uuid4().hex[:4]
    keep_name, other_name = f"{LONG} {tag}", f"{LONG[:-1]} {tag}"
    keep, other = (app.execute(c.RegisterWorker(
        command_id=uuid.uuid4(), collective_id=cid, joined_on=date(2025, 2, 1),
        profile=c.Profile(pseudonym=name, phone="+852 6100 2200"))).id
        for name in (keep_name, other_name))
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale=lang, base_url=site["base"],
                                  java_script_enabled=js)
    page = context.new_page()
    log_in(page, site)
    assert page.locator("html").get_attribute("lang") == lang
    workers = f"/c/{cid}/workers"
    _until(page, workers, present=other_name)
    _fits(page)

    # The list, from the workers page.
    page.locator(f"main a[href='/c/{cid}/duplicates']").click()
    page.wait_for_url(re.compile(rf"/c/{cid}/duplicates$"))
    same_phone = {"en": "Same phone number", "ar": "رقم الهاتف نفسه"}[lang]
    assert same_phone in page.locator("main").inner_text()
    _fits(page)

    # Confirm: which record stays, and what happens.
    page.locator(f"main a[href='/c/{cid}/duplicates/{keep}/{other}']").click()
    page.wait_for_url(re.compile(rf"/duplicates/{keep}/{other}$"))
    assert keep_name in page.locator("main p.lead").inner_text()
    _fits(page)

    # Merged: the survivor's page, the absorbed record listed under her.
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/c/{cid}/workers/{keep}(\?.*)?$"))
    merged = page.locator("section[aria-labelledby=merged]")
    assert other_name in merged.inner_text()
    _fits(page)

    # It leaves the workers list (and the duplicates page).
    _until(page, workers, present=keep_name, absent=other_name)
    _fits(page)
    page.goto(f"/c/{cid}/duplicates")
    assert other_name not in page.locator("main").inner_text()

    # Undo from the survivor's page; it comes back.
    page.goto(f"/c/{cid}/workers/{keep}")
    _fits(page)
    page.locator(f"form[action='/c/{cid}/duplicates/{keep}/{other}/undo'] button").click()
    page.wait_for_url(re.compile(rf"/c/{cid}/workers/{keep}(\?.*)?$"))
    assert page.locator("section[aria-labelledby=merged]").count() == 0
    _fits(page)
    _until(page, workers, present=other_name)
    assert keep_name in page.locator("main").inner_text()
    assert app.repository.get(other).merged_into is None
    context.close()
