"""Searching the meeting list: the words she types become the ids of the workers who
attended and the codes of the kinds of meeting they name, matched in memory over what she
may read, like the grievance search; the words never reach the URL."""

from __future__ import annotations

import re
from html import unescape

from tests.e2e.pages.conftest import PSEUDONYMS
from tests.e2e.pages.support import get, location, post
from web.i18n import get_translations, taxonomy_label
from web.pages import listing


async def search(client, world, words: str, *, lang=None, keep=()):
    return await post(client, f"/c/{world.ours.collective}/meetings/search", world,
                      [("q", words), *keep], lang=lang)


async def listed(client, world, url: str) -> list[str]:
    """Every meeting on every page, following "Older" from ``url``."""
    base = f"/c/{world.ours.collective}/meetings"
    seen = []
    while url:
        r = await get(client, url, world)
        assert r.status_code == 200, url
        assert len(r.content) <= 60 * 1024
        seen += re.findall(rf'href="{base}/([0-9a-f-]{{36}})"', r.text)
        older = re.search(r'<a rel="next" href="([^"]+)"', r.text)
        url = unescape(older.group(1)) if older else None
    return seen


async def test_a_pseudonym_finds_the_meetings_she_attended_and_stays_out_of_the_url(client, world, app):
    asha = world.ours.workers[PSEUDONYMS.index("Asha")]
    where = location(await search(client, world, "  ASHA "))
    assert "asha" not in where.lower() and f"mw={asha}" in where and "m=1" in where
    shown = await listed(client, world, where)
    attended = {str(m) for m in [*world.ours.meetings, *world.ours.upcoming]
                if asha in (app.repository.get(m).attendee_ids or ())}
    assert attended and set(shown) == attended and len(shown) == len(attended)
    page = (await get(client, where, world)).text
    assert "Asha" in page  # the chip names her, on the page only


async def test_a_kind_in_her_language_finds_every_meeting_of_that_kind(client, world, app):
    label = taxonomy_label("meeting_kinds", "committee", "ne")
    where = location(await search(client, world, label, lang="ne"))
    assert "mk=committee" in where and "mw=" not in where
    shown = await listed(client, world, where)
    committees = {str(m) for m in [*world.ours.meetings, *world.ours.upcoming]
                  if app.repository.get(m).kind == "committee"}
    assert set(shown) == committees


async def test_a_search_keeps_the_filters_and_says_when_nothing_or_too_much_matches(
        client, world, app, monkeypatch):
    where = location(await search(client, world, "Asha", keep=[("status", "held"), ("m", "1"),
                                                               ("mk", "training")]))
    assert "status=held" in where and where.count("m=1") == 1 and "mk=training" not in where
    shown = await listed(client, world, where)
    assert shown and all(app.repository.get(m).status == "held" for m in shown)
    nothing = location(await search(client, world, "zzzz nobody"))
    r = await get(client, nothing, world, lang="ar")
    assert re.findall(r'href="/c/[^"]+/meetings/[0-9a-f-]{36}"', r.text) == []
    assert get_translations("ar").gettext("Nothing matches these words.") in r.text
    assert location(await search(client, world, "   ")) == f"/c/{world.ours.collective}/meetings"
    monkeypatch.setattr(listing, "MAX_MATCHES", 3)
    r = await search(client, world, "a", lang="bn")
    assert r.status_code == 422
    said = get_translations("bn").gettext("Too many match “%(words)s”. Type more of the name.")
    assert said.replace("%(words)s", "a") in r.text and 'value="a"' in r.text  # her words kept


async def test_another_collectives_workers_and_meetings_stay_out(client, world):
    base = f"/c/{world.ours.collective}/meetings"
    theirs = world.theirs.workers[0]
    r = await get(client, f"{base}?m=1&mw={theirs}", world)
    assert r.status_code == 200
    page = re.sub(r'href="/lang/[^"]*"', "", r.text)
    assert str(theirs) not in page and re.findall(rf'href="{base}/[0-9a-f-]{{36}}"', page) == []
    shirin = await search(client, world, "Shirin")  # a worker of theirs, not hers to find
    assert "mw=" not in location(shirin)
    other = await post(client, f"/c/{world.theirs.collective}/meetings/search", world, [("q", "Asha")])
    assert other.status_code == 404
    for query in ("m=1&mk=../../", "m=1&mw=not-a-uuid", "m=1&mk=" + "x" * 500):
        assert (await get(client, f"{base}?{query}", world)).status_code == 200, query
