"""The list pages' filters, with every value each one takes: the grievance list by status
(once a 500: the chosen status collided with the HTTP status of the response), and every
filter or paging link any list page or organiser page offers, each answering 200."""

from __future__ import annotations

import re
from html import unescape

import pytest

from organize.projections.views.grievance_register import STATUSES
from tests.web_pages.test_pages import get

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

