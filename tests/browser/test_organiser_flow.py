"""In real Chromium (Debian's, driven by Playwright), over the demo dataset, at laptop size
(1280×800) and at phone size (360×740): the demo organiser logs in and lands on her
federation's overview, finds a cross-sector common grievance, launches a joint campaign from
it in one step, and the leader of another collective (Kuala Lumpur) logs in, sees the
invitation on her home page and accepts it; the organiser's board then shows her collective
in the campaign. axe-core finds no serious or critical violation on the organisers' pages
nor on the leader's pages with an invitation, and screenshots of each step go to
docs/screenshots/ (``ORGANIZE_SCREENSHOTS=1``).
"""

from __future__ import annotations

import re
import time

import pytest

from organize.accounts import AccountService
from organize.demo import DemoPlan, load_demo
from organize.demo.accounts import demo_collectives, ensure_demo_accounts
from tests.browser.support import PHONE, SHOTS, serious_violations
from tests.support import live_server
from web.app import create_app

LAPTOP = {"width": 1280, "height": 800}
SIZES = {"laptop": LAPTOP, "phone": PHONE}
ORGANISER = ("organiser", "demo-organiser")
LEADER_KL = ("leader-kl", "demo-leader-kl")


@pytest.fixture(scope="module")
def demo_site(runtime, app):
    """The demo dataset and its accounts, and the real app over HTTP with its projections
    following the log."""
    started = time.monotonic()
    load_demo(app, DemoPlan())
    accounts = AccountService(app)
    ensure_demo_accounts(accounts)
    web_app = create_app(runtime, accounts)
    runner = runtime.runner()
    runner.catch_up()
    follower = runner.start()
    print(f"\n[browser] demo loaded and views caught up in {time.monotonic() - started:.0f}s")
    with live_server(web_app) as base:
        yield {"base": base, "kl": demo_collectives()["kl"][0], "hk": demo_collectives()["hk"][0]}
    runner.stop()
    follower.join(timeout=5)


def new_page(browser, site, size: str):
    phone = size == "phone"
    context = browser.new_context(viewport=SIZES[size], device_scale_factor=2 if phone else 1,
                                  is_mobile=phone, has_touch=phone, locale="en-GB",
                                  base_url=site["base"])
    return context, context.new_page()


def log_in(page, who: tuple[str, str]) -> None:
    page.goto("/login")
    page.fill("[name=username]", who[0])
    page.fill("[name=password]", who[1])
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)


def shot(page, name: str, size: str, *, at=None) -> None:
    """The whole page; or, ``at`` a part of it, the screen with that part at its top."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if size == "laptop" else "-phone"
    if at is None:
        page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar sits where the page is
    else:  # below the sticky top bar
        at.evaluate("e => { e.scrollIntoView({block: 'start'}); window.scrollBy(0, -72); }")
    page.screenshot(path=str(SHOTS / f"{name}{suffix}.png"), full_page=at is None)


def wait_for_text(page, path: str, text: str, seconds: float = 20) -> None:
    """Reload ``path`` until ``text`` shows (the views follow the log a moment behind)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(path)
        if text in page.inner_text("main") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert text in page.inner_text("main"), text


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_organiser_launches_a_joint_campaign_and_a_leader_accepts_it(browser, demo_site, size):
    context, page = new_page(browser, demo_site, size)
    log_in(page, ORGANISER)
    assert page.url.endswith("/o"), page.url  # an organiser lands on her federation's overview
    main = page.inner_text("main")
    assert "Asian Migrant Domestic Workers' Federation" in main
    assert "not a ranking" in main
    names = page.locator("table.grid thead th").all_inner_texts()[1:]
    assert names == sorted(names) and len(names) == 2  # Hong Kong and Kuala Lumpur, by name
    shot(page, "20-organiser-overview", size)

    # A cross-sector common grievance. At laptop size: the one Hong Kong and Kuala Lumpur
    # share (domestic work and manufacturing). At phone size: one across sectors in Hong
    # Kong, with Kuala Lumpur invited too.
    page.locator("nav.bottom-nav a", has_text="Common grievances").click()
    page.wait_for_url(re.compile(r"/o/grievances"))
    if size == "laptop":
        cluster = page.locator("li.cluster", has=page.locator("span.tag.cross",
                                                              has_text="Across collectives and sectors"))
        cluster = cluster.filter(has=page.locator("summary", has_text="Launch a joint campaign")).first
    else:
        page.locator("nav.tabs a", has_text="Across sectors").click()
        page.wait_for_url(re.compile(r"across=sectors"))
        cluster = page.locator('li.cluster[data-collectives="1"]').filter(
            has=page.locator("summary", has_text="Launch a joint campaign")).first
    category = cluster.locator("h2").inner_text().strip()
    sectors = cluster.locator("span.tag:not(.stage)").all_inner_texts()
    assert len([s for s in sectors if "Across" not in s]) >= 2, sectors  # more than one sector
    shot(page, "21-common-grievances", size, at=page.locator("h1"))
    cluster.locator("summary", has_text="Launch a joint campaign").click()
    issue = f"{category}: together across sectors ({size})"
    cluster.locator("input[name=issue]").fill(issue)
    cluster.locator("textarea[name=demands]").fill("Refund every fee\nNo more debt")
    if size == "phone":
        cluster.locator("label.choice", has_text="Kuala Lumpur").locator("input").check()
    shot(page, "22-launch-joint-campaign", size, at=cluster)
    cluster.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/o/campaigns"))
    board = page.inner_text("main")
    assert issue in board
    card = page.locator("li.campaign", has_text=issue).first
    assert "Kuala Lumpur Migrant Women Workers' Centre: invited, no answer yet" in card.inner_text()
    shot(page, "23-campaign-board", size, at=card)
    context.close()

    # The leader of the Kuala Lumpur centre sees the invitation on her home page and accepts.
    context, page = new_page(browser, demo_site, size)
    log_in(page, LEADER_KL)
    page.goto("/c")
    page.wait_for_url(re.compile(rf"/c/{demo_site['kl']}"))
    wait_for_text(page, f"/c/{demo_site['kl']}", issue)
    invitation = page.locator("li.invitation", has_text=issue)
    assert "Invitations to joint campaigns" in page.inner_text("main")
    shot(page, "24-leader-invitation", size, at=page.locator("section.invite"))
    invitation.locator("button", has_text="Accept: we join").click()
    page.wait_for_url(re.compile(rf"/c/{demo_site['kl']}/campaigns/[0-9a-f-]{{36}}"))
    assert issue in page.inner_text("main")
    shot(page, "25-leader-joined", size)
    context.close()

    # The organiser's board shows the centre in the campaign.
    context, page = new_page(browser, demo_site, size)
    log_in(page, ORGANISER)
    wait_for_text(page, "/o/campaigns", issue)
    card = page.locator("li.campaign", has_text=issue).first
    collectives = card.locator("dl.facts dd").first.inner_text()
    assert "Kuala Lumpur Migrant Women Workers' Centre" in collectives, collectives
    assert "Kuala Lumpur Migrant Women Workers' Centre: invited" not in card.inner_text()
    shot(page, "26-board-after-accepting", size, at=card)

    # Flows across sectors, and the overview compared across two dates.
    page.locator("nav.bottom-nav a", has_text="Across sectors").click()
    page.wait_for_url(re.compile(r"/o/flows"))
    assert page.locator("svg.heat").count() == 1 and page.locator("table.flows").count() == 1
    shot(page, "27-sector-flows", size)
    page.goto("/o")
    page.fill("[name=as_of]", "2025-06-01")
    page.fill("[name=compare]", "2026-06-01")
    page.locator("form.dates button[type=submit]").click()
    page.wait_for_url(re.compile(r"compare=2026-06-01"))
    assert "What changed from" in page.inner_text("main")
    shot(page, "28-overview-compared", size)
    context.close()


def test_no_serious_accessibility_violations_on_the_organisers_pages(browser, demo_site):
    problems = {}
    for size in SIZES:
        context, page = new_page(browser, demo_site, size)
        log_in(page, ORGANISER)
        for path in ("/o", "/o?as_of=2025-06-01&compare=2026-06-01", "/o/grievances",
                     "/o/campaigns", "/o/flows", "/o/flows?as_of=2025-06-01&compare=2026-06-01"):
            page.goto(path)
            problems[(size, path)] = serious_violations(page)
        context.close()
        context, page = new_page(browser, demo_site, size)
        log_in(page, LEADER_KL)
        for path in (f"/c/{demo_site['kl']}", f"/c/{demo_site['kl']}/campaigns"):
            page.goto(path)
            problems[(size, path)] = serious_violations(page)
        context.close()
    assert not {p: v for p, v in problems.items() if v}, problems


def test_the_organisers_pages_in_arabic_are_right_to_left(browser, demo_site):
    context, page = new_page(browser, demo_site, "phone")
    log_in(page, ORGANISER)
    page.goto("/lang/ar?next=/o/flows")
    page.wait_for_url(re.compile(r"/o/flows"))
    assert page.get_attribute("html", "dir") == "rtl"
    box = page.locator("a.quick-exit").bounding_box()
    assert box is not None and box["x"] + box["width"] / 2 > PHONE["width"] / 2
    shot(page, "29-sector-flows-arabic", "phone")
    context.close()
