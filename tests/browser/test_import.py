"""The import page in real Chromium at phone size, JavaScript off: a leader picks the
ODK Central files, checks them (nothing written), imports them, and finds the women in
the worker list; the page fits 360 px and axe finds nothing serious."""

from __future__ import annotations

import pytest

from tests.browser.support import PHONE, log_in, serious_violations
from tests.integration.imports import support as s


@pytest.fixture
def no_js_page(browser, site):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB",
                                  base_url=site["base"])
    pg = context.new_page()
    yield pg
    context.close()


def choose(page, data, repeats) -> None:
    page.set_input_files("#f-data", str(data))
    page.set_input_files("#f-mapping", str(s.MAPPING))
    page.set_input_files("#f-form", str(s.FORM))
    page.set_input_files("#f-repeat", [str(r) for r in repeats])


def test_check_then_import_without_javascript(no_js_page, site, tmp_path):
    page, cid = no_js_page, site["collective"]
    b = s.batch()
    (name, data), extra = s.odk_csv(b)
    (tmp_path / name).write_bytes(data)
    for n, blob in extra:
        (tmp_path / n).write_bytes(blob)
    log_in(page, site)
    page.goto(f"/c/{cid}/workers")
    page.click(f"a[href='/c/{cid}/import']")
    page.wait_for_url(f"**/c/{cid}/import")
    choose(page, tmp_path / name, [tmp_path / n for n, _ in extra])
    page.click("button[name=action][value=check]")
    page.wait_for_selector("#result")
    assert page.inner_text("#result") == "Check: nothing written"
    text = page.inner_text("main")
    assert "an unknown choice in 'sector'" in text
    # The page comes back with empty file fields: nothing of the files is kept in it.
    assert page.locator("#f-data").input_value() == ""
    choose(page, tmp_path / name, [tmp_path / n for n, _ in extra])
    page.click("button[name=action][value=import]")
    page.wait_for_selector("#result")
    assert page.inner_text("#result") == "Imported"
    page.click("text=See the workers")  # waits for the views to hold the import
    page.wait_for_url(f"**/c/{cid}/workers?n=*")
    assert b.subs[0].name in page.inner_text("main")


def test_the_import_page_fits_a_phone_and_passes_axe(page, site):
    log_in(page, site)
    page.goto(f"/c/{site['collective']}/import")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert serious_violations(page) == []
