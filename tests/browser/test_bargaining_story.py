"""The demo's bargaining story on a 360 px phone, in Nepali and in Arabic: the Kowloon
leader goes from her home to her round with the placement agency and reads it from the
mandate to the breach a grievance cited, in her language, without anything wider than the
screen and without JavaScript; the other federations' rounds tell the same story."""

from __future__ import annotations

import re

import pytest

from organize.demo.accounts import demo_collectives
from tests.browser.support import PHONE, demo_server
from web.i18n import get_translations

WIDTH = """() => ({scrollWidth: document.documentElement.scrollWidth,
                  dir: document.documentElement.dir, lang: document.documentElement.lang})"""


@pytest.fixture(scope="module")
def demo(runtime, app):
    def leader_of_mahachai(accounts) -> None:  # the demo has no account for it
        if accounts.find("leader-skn-story") is None:
            accounts.create_account("leader-skn-story", "demo-leader-skn-story", role="leader",
                                    collective_ids=(demo_collectives()["skn"][0],))

    with demo_server(runtime, app, "bargaining story", leader_of_mahachai) as base:
        yield base


def _log_in(browser, base: str, lang: str, username: str, password: str, *, js: bool = True):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale=lang, base_url=base,
                                  java_script_enabled=js, extra_http_headers={
                                      "Accept-Language": lang})
    page = context.new_page()
    page.goto("/login")
    page.fill("[name=username]", username)
    page.fill("[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/c")
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}$"))
    return context, page


@pytest.mark.parametrize("lang", ["ne", "ar"])
def test_the_kowloon_round_from_mandate_to_breach(browser, demo, lang):
    _ = get_translations(lang).gettext
    context, page = _log_in(browser, demo, lang, "leader-hk", "demo-leader-hk", js=False)
    try:
        home = page.evaluate(WIDTH)
        assert home["lang"] == lang and home["dir"] == ("rtl" if lang == "ar" else "ltr")
        assert home["scrollWidth"] <= PHONE["width"]
        page.get_by_role("link", name=_("All bargaining")).click()
        page.wait_for_url(re.compile(r"/bargaining$"))
        assert page.evaluate(WIDTH)["scrollWidth"] <= PHONE["width"]
        page.get_by_role("link", name=re.compile("Lion Gate")).click()
        page.wait_for_url(re.compile(r"/bargaining/[0-9a-f-]{36}$"))
        shown = page.evaluate(WIDTH)
        assert shown["scrollWidth"] <= PHONE["width"], shown
        text = page.inner_text("main")
        # the story, in her language: in force, mandate, sessions, the vote, the clauses
        for words in (_("In force"), _("Mandate"), _("Sessions"), _("Members' vote"),
                      _("Carried"), _("Simple majority"), _("Clauses"), _("Breaches"),
                      _("Amount agreed")):
            assert words in text, (lang, words)
        assert _("In force") != "In force"  # really translated
        # what was typed (sealed at rest) is read back for her
        assert "Wages paid in full by the 7th of each month" in text
        assert "The agency says wages are the employer's business" in text
        # the first clause was breached once; the amount agreed is exact with its currency
        first = page.locator("ul.clauses li").first.inner_text()
        digits = "१" if lang == "ne" else "1"
        assert re.search(rf"{re.escape(_('Breaches'))}\s*({digits}|1)\b", first), first
        assert "HKD" in first and ("5200" in first or "٥٢٠٠" in first or "५२००" in first)
        # and the step that applies now is a plain form (no script needed)
        assert page.locator("form[action$='/end']").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("username,password,counterpart", [
    ("leader-dhaka", "demo-leader-dhaka", "Ashulia Garment Manufacturers"),
    ("leader-skn-story", "demo-leader-skn-story", "Siam Ocean Foods")])
def test_every_federation_has_a_round_in_force_with_a_breach(browser, demo, username, password,
                                                             counterpart):
    context, page = _log_in(browser, demo, "ar", username, password, js=False)
    try:
        page.goto(page.url + "/bargaining")
        page.get_by_role("link", name=re.compile(counterpart)).click()
        page.wait_for_url(re.compile(r"/bargaining/[0-9a-f-]{36}$"))
        assert page.evaluate(WIDTH)["scrollWidth"] <= PHONE["width"]
        _ = get_translations("ar").gettext
        text = page.inner_text("main")
        assert _("In force") in text and _("Carried") in text
        first = page.locator("ul.clauses li").first.inner_text()
        assert re.search(rf"{re.escape(_('Breaches'))}\s*(١|1)\b", first), first
    finally:
        context.close()
