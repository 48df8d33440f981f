"""The list pages' filters, with every value each one takes: the grievance list by status
(once a 500: the chosen status collided with the HTTP status of the response), and every
filter or paging link any list page or organiser page offers, each answering 200."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest

from organize.projections.views.grievance_register import STATUSES
from tests.e2e.pages.conftest import PSEUDONYMS
from tests.e2e.pages.support import get, location, post
from web.i18n import get_translations, taxonomy_label

pytestmark = pytest.mark.integration

LINK = re.compile(r'href="([^"#]*\?[^"#]*)"')


def listed_grievances(html: str, collective) -> list[str]:
    return re.findall(rf'href="/c/{collective}/grievances/([0-9a-f-]{{36}})"', html)


@pytest.mark.parametrize("status", STATUSES)
async def test_the_grievance_list_filters_by_every_status(client, world, app, status):
    r = await get(client, f"/c/{world.ours.collective}/grievances?status={status}", world)
    assert r.status_code == 200, r.text[:300]
    shown = listed_grievances(r.text, world.ours.collective)
    assert shown, status  # the demo-sized collective has grievances in every status
    for gid in shown:
        assert app.repository.get(gid).status == status
    assert f'?status={status}" aria-current="page"' in r.text


@pytest.mark.parametrize("status", ["", "OPEN", "nonsense", "open'--", "x" * 500])
async def test_an_unknown_status_shows_them_all(client, world, status):
    r = await get(client, f"/c/{world.ours.collective}/grievances?status={status}", world)
    assert r.status_code == 200
    assert len(listed_grievances(r.text, world.ours.collective)) > 0


async def _every_query_link(client, world, start: str, who) -> list[str]:
    page = await get(client, start, world, who=who)
    assert page.status_code == 200, start
    return sorted({unescape(href) for href in LINK.findall(page.text)
                   if not href.startswith(("/static", "/logout", "/lang/"))})


@pytest.mark.parametrize("list_page", ["grievances", "meetings", "workers", "campaigns"])
async def test_every_filter_link_of_a_leaders_list_answers(client, world, list_page):
    links = await _every_query_link(client, world, f"/c/{world.ours.collective}/{list_page}",
                                    world.leader)
    for href in links:
        r = await get(client, href, world)
        assert r.status_code == 200, (href, r.status_code)


@pytest.mark.parametrize("start", ["/o", "/o/grievances", "/o/campaigns", "/o/flows"])
async def test_every_filter_link_of_an_organisers_page_answers(client, world, federation, start):
    links = await _every_query_link(client, world, start, federation.organiser)
    for href in links:
        r = await get(client, href, world, who=federation.organiser)
        assert r.status_code == 200, (href, r.status_code)



# -- search, filters and keyset pages ------------------------------------------------------------


async def search(client, world, words: str, *, lang=None, keep=()):
    return await post(client, f"/c/{world.ours.collective}/grievances/search", world,
                      [("q", words), *keep], lang=lang)


async def walk(client, world, url: str) -> list[str]:
    """Every grievance id on every page, following "Older" from ``url``."""
    seen, pages = [], 0
    while url:
        r = await get(client, url, world)
        assert r.status_code == 200, url
        assert len(r.content) <= 60 * 1024
        shown = listed_grievances(r.text, world.ours.collective)
        assert len(shown) <= 50
        seen += shown
        older = re.search(r'<a rel="next" href="([^"]+)"', r.text)
        url = unescape(older.group(1)) if older else None
        pages += 1
        assert pages < 100
    return seen


async def test_a_pseudonym_searched_never_reaches_the_url(client, world, app):
    asha = world.ours.workers[PSEUDONYMS.index("Asha")]
    where = location(await search(client, world, "  asha "))
    assert "asha" not in where.lower() and f"mw={asha}" in where
    # Everyone the words matched goes by id (other modules may add an "Asha…" of their own).
    matched = {uuid.UUID(v) for v in re.findall(r"mw=([0-9a-f-]{36})", where)}
    assert asha in matched
    shown = await walk(client, world, where)
    assert shown
    for gid in shown:
        assert matched & set(app.repository.get(gid).worker_ids)
    # Every one of hers this module recorded (other modules may add more of hers to the
    # shared world; each shown was checked to be hers above).
    theirs = {str(g) for g in world.ours.grievances if asha in app.repository.get(g).worker_ids}
    assert theirs <= set(shown)


async def test_search_by_organisation_reference_and_category_in_her_language(client, world, app):
    where = location(await search(client, world, "household 4"))  # 4, 40-49 and 140-149
    assert "Household" not in where and f"mo={world.ours.organisations[3]}" in where
    shown = await walk(client, world, where)
    assert shown
    for g in shown:
        names = [app.repository.get(o).name for o in app.repository.get(g).organisation_ids]
        assert any("household 4" in n.casefold() for n in names), names

    target = world.ours.grievances[17]
    where = location(await search(client, world, f"#{str(target)[:8]}"))
    assert await walk(client, world, where) == [str(target)]

    category = app.repository.get(world.ours.grievances[5]).category
    label = taxonomy_label("categories", category, "ne")
    where = location(await search(client, world, label, lang="ne"))
    assert f"mc={category}" in where
    shown = await walk(client, world, where)
    assert shown and all(app.repository.get(g).category == category for g in shown)


async def test_a_search_keeps_the_filters_and_says_when_nothing_or_too_much_matches(client, world):
    where = location(await search(client, world, "Asha", keep=[("status", "open"), ("m", "1")]))
    assert "status=open" in where and where.count("m=1") == 1
    where = location(await search(client, world, "zzzz nobody"))
    r = await get(client, where, world, lang="ne")
    assert listed_grievances(r.text, world.ours.collective) == []
    assert get_translations("ne").gettext("Nothing matches these words.") in r.text
    r = await search(client, world, "e", lang="bn")  # every household
    assert r.status_code == 422
    assert get_translations("bn").gettext("Too many match “%(words)s”. Type more of the name.") \
        .replace("%(words)s", "e") in r.text


async def test_keyset_pages_cover_the_list_once_in_order(client, world, app):
    base = f"/c/{world.ours.collective}/grievances"
    shown = await walk(client, world, base)
    ours = set(map(str, world.ours.grievances))
    assert ours <= set(shown) and len(shown) == len(set(shown))  # each once, none missed
    days = [app.repository.get(g).occurred_on for g in shown]
    assert days == sorted(days, reverse=True)
    # "Newer" from the second page is the first page again.
    first = await get(client, base, world)
    older = unescape(re.search(r'<a rel="next" href="([^"]+)"', first.text).group(1))
    second = await get(client, older, world)
    newer = unescape(re.search(r'<a rel="prev" href="([^"]+)"', second.text).group(1))
    again = await get(client, newer, world)
    assert listed_grievances(again.text, world.ours.collective) == \
        listed_grievances(first.text, world.ours.collective)


@pytest.mark.parametrize("name", ["category", "stage", "sector", "organisation", "worker",
                                  "period"])
async def test_every_filter_holds_on_every_page(client, world, app, name):
    g = app.repository.get(world.ours.grievances[9])
    params, holds = {
        "category": ({"category": g.category}, lambda x: x.category == g.category),
        "stage": ({"stage": g.stage}, lambda x: x.stage == g.stage),
        "sector": ({"sector": g.sector}, lambda x: x.sector == g.sector),
        "organisation": ({"organisation": g.organisation_ids[0]},
                         lambda x: g.organisation_ids[0] in x.organisation_ids),
        "worker": ({"worker": g.worker_ids[0]}, lambda x: g.worker_ids[0] in x.worker_ids),
        "period": ({"from": (g.occurred_on - timedelta(days=30)).isoformat(),
                    "to": g.occurred_on.isoformat()},
                   lambda x: g.occurred_on - timedelta(days=30) <= x.occurred_on <= g.occurred_on),
    }[name]
    shown = await walk(client, world, f"/c/{world.ours.collective}/grievances?{urlencode(params)}")
    assert str(g.id) in shown
    for gid in shown:
        assert holds(app.repository.get(gid)), gid
    expected = {str(x) for x in world.ours.grievances if holds(app.repository.get(x))}
    assert expected <= set(shown)


async def test_ids_of_another_collective_filter_nothing_and_confirm_nothing(client, world):
    theirs = world.theirs.workers[0]
    base = f"/c/{world.ours.collective}/grievances"
    plain = await get(client, base, world)
    for query in (f"worker={theirs}", f"m=1&mw={theirs}"):
        r = await get(client, f"{base}?{query}", world)
        assert r.status_code == 200
        page = re.sub(r'href="/lang/[^"]*"', "", r.text)  # the language links repeat the URL
        assert str(theirs) not in page and "Shirin" not in page
        if query.startswith("worker"):  # dropped: the whole list, as without it
            assert listed_grievances(r.text, world.ours.collective) == \
                listed_grievances(plain.text, world.ours.collective)
        else:  # a search of nothing she may use matches nothing
            assert listed_grievances(r.text, world.ours.collective) == []
    r = await get(client, f"/c/{world.theirs.collective}/grievances?status=open", world)
    assert r.status_code == 404


@pytest.mark.parametrize(("query", "field", "message"), [
    ("from=1900-01-01", "from", "Choose a date after %(first)s."),
    ("to=2999-01-01", "to", "Choose a date no later than today."),
    ("from=2025-05-01&to=2025-04-01", "to", "The end date must be on or after the start date."),
])
async def test_impossible_dates_are_refused_in_her_language(client, world, query, field, message):
    for lang in ("ne", "ar"):
        r = await get(client, f"/c/{world.ours.collective}/grievances?{query}", world, lang=lang)
        assert r.status_code == 200
        text = get_translations(lang).gettext(message).replace("%(first)s", "1990")
        assert text in r.text and f'id="f-{field}-error"' in r.text


async def test_garbled_cursors_and_parameters_are_ignored(client, world):
    base = f"/c/{world.ours.collective}/grievances"
    for query in ("after=nonsense", "before=2025-01-01.x", "after=2025-13-01.5",
                  "after=2025-01-01.99999999999999999999", "worker=not-a-uuid",
                  "organisation=" + "1" * 40, "m=1&ref=zz", "from=yesterday", "category=../../"):
        r = await get(client, f"{base}?{query}", world)
        assert r.status_code == 200, query


async def test_the_meeting_list_filters_and_pages(client, world, app):
    base = f"/c/{world.ours.collective}/meetings"
    held = app.repository.get(world.ours.meetings[0])
    someone = held.attendee_ids[0]
    for query, holds in (
        ("status=held", lambda m: m.status == "held"),
        ("status=scheduled", lambda m: m.status == "scheduled"),
        (f"kind={held.kind}", lambda m: m.kind == held.kind),
        (f"worker={someone}", lambda m: someone in (m.attendee_ids or ())),
    ):
        r = await get(client, f"{base}?{query}", world)
        assert r.status_code == 200, query
        shown = re.findall(rf'href="{base}/([0-9a-f-]{{36}})"', r.text)
        assert shown, query
        assert all(holds(app.repository.get(m)) for m in shown), query
    r = await get(client, f"{base}?to=2000-01-01&from=2999-01-01", world)
    assert r.status_code == 200 and 'id="f-from-error"' in r.text


async def test_the_worker_picker_narrows_without_javascript(client, world):
    asha = world.ours.workers[PSEUDONYMS.index("Asha")]
    bina = world.ours.workers[PSEUDONYMS.index("Bina")]
    r = await post(client, f"/c/{world.ours.collective}/grievances/new", world,
                   [("step", "1"), ("go", "find"), ("find_worker", "ash"),
                    ("worker_ids", str(bina)), ("command_id", str(uuid.uuid4()))])
    assert r.status_code == 200
    boxes = set(re.findall(r'name="worker_ids" value="([^"]+)"', r.text))
    assert {str(asha), str(bina)} <= boxes  # the match, and the one she already chose
    # No one whose pseudonym does not match (other modules may add an "Ash…" of their own).
    others = [w for name, w in zip(PSEUDONYMS, world.ours.workers, strict=False)
              if "ash" not in name.casefold() and w != bina]
    assert others and not boxes & {str(w) for w in others}
