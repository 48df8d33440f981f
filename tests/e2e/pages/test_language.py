"""Every page in the reader's language: the error pages a browser gets (404, 403) are HTML
pages from the translated templates, while ``/api/`` keeps its JSON; ``/`` sends a browser
to its home or to the login page; the quick exit's landing page, the account page and
place names are in her language too."""

from __future__ import annotations

import re

import pytest

from tests.e2e.pages.support import get
from web.i18n import error_message, get_translations

pytestmark = pytest.mark.integration

LANGS = ("en", "ne", "bn", "ar")


def said(lang: str, message: str) -> str:
    return get_translations(lang).gettext(message)


@pytest.mark.parametrize("lang", LANGS)
async def test_an_unknown_address_is_a_page_in_her_language(client, world, lang):
    for path in ("/no-such-page", "/c/not-a-uuid/grievances", "/static-nope/x"):
        r = await get(client, path, world, lang=lang, Accept="text/html,*/*")
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("text/html")
        assert said(lang, "Page not found") in r.text
        assert error_message("not_found", lang) in r.text
        assert f'<html lang="{lang}"' in r.text
    r = await get(client, "/api/v1/no-such-thing", world, lang=lang)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
    assert r.json()["status_code"] == 404


@pytest.mark.parametrize("lang", LANGS)
async def test_a_leader_refused_an_organisers_page_reads_why_in_her_language(client, world, lang):
    r = await get(client, "/o", world, lang=lang, Accept="text/html")
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert said(lang, "You cannot open this page") in r.text
    assert error_message("role", lang) in r.text
    if lang != "en":
        assert "Your account's role does not reach this" not in r.text


async def test_the_address_alone_leads_each_account_home(client, world, federation):
    client.cookies.clear()
    r = await client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    for who, home in ((world.leader, "/c"), (federation.organiser, "/o"), (federation.admin, "/c")):
        r = await get(client, "/", world, who=who)
        assert r.status_code == 303 and r.headers["location"] == home


@pytest.mark.parametrize("lang", LANGS)
async def test_the_quick_exit_page_is_in_her_language_and_points_nowhere(client, world, lang):
    client.cookies.clear()
    r = await client.get("/weather", headers={"Accept-Language": lang})
    assert r.status_code == 200
    assert said(lang, "Red lentil soup") in r.text and f'lang="{lang}"' in r.text
    assert ('dir="rtl"' in r.text) == (lang == "ar")
    hrefs = re.findall(r'href="([^"]+)"', r.text)
    assert all(h.startswith("/static/") for h in hrefs), hrefs  # nothing leads back


@pytest.mark.parametrize("lang", ("ne", "bn", "ar"))
async def test_the_account_page_is_in_her_language(client, world, lang):
    r = await get(client, "/account", world, lang=lang)
    assert r.status_code == 200
    for english in ("Logged in as", "API tokens", "Create an API token", "Log out", "Role"):
        assert english not in r.text, english
        assert said(lang, english if english != "Logged in as" else "Logged in as %(name)s.")\
            .split("%(name)s")[-1].strip() in r.text
    assert said(lang, "Leader of a group") in r.text


async def test_place_codes_are_named_in_her_language(client, world):
    path = f"/c/{world.ours.collective}/grievances/{world.ours.grievances[0]}"
    ne = await get(client, path, world, lang="ne")
    assert "हङकङ" in ne.text and "<dd>HK</dd>" not in ne.text
    ar = await get(client, path, world, lang="ar")
    assert "هونغ كونغ" in ar.text
