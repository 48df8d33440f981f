"""What the tests of this directory share (this module holds no tests itself)."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PHONE = {"width": 360, "height": 740}


# The committed screenshots are refreshed with ORGANIZE_SCREENSHOTS=1; ordinary runs write them
# to a temporary folder so a test run leaves the working tree as it was.
SHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots"
         if os.environ.get("ORGANIZE_SCREENSHOTS") else
         Path(tempfile.gettempdir()) / "organize-screenshots")


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def log_in(page, site) -> None:
    page.goto("/login")
    page.fill("[name=username]", site["username"])
    page.fill("[name=password]", site["password"])
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/c")  # a leader of one collective goes straight to its home
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}"))


@contextmanager
def demo_server(runtime, app, label: str,
                prepare: Callable | None = None) -> Iterator[str]:
    """The demo loaded (idempotent), its accounts (and ``prepare(accounts)``'s), the
    projections following the log and the real app over HTTP: its base URL."""
    from organize.accounts import AccountService
    from organize.demo import DemoPlan, load_demo
    from organize.demo.accounts import ensure_demo_accounts
    from tests.support import live_server
    from web.app import create_app

    started = time.monotonic()
    load_demo(app, DemoPlan())
    accounts = AccountService(app)
    ensure_demo_accounts(accounts)
    if prepare is not None:
        prepare(accounts)
    runner = runtime.runner()
    runner.catch_up()
    follower = runner.start()
    print(f"\n[{label}] demo loaded in {time.monotonic() - started:.0f}s")
    try:
        with live_server(create_app(runtime, accounts)) as base:
            yield base
    finally:
        runner.stop()
        follower.join(timeout=5)


# -- the offline outbox (web/static/outbox.js) ------------------------------------------------

READ_DEVICE = """async () => {
  const dbs = (await indexedDB.databases()).map(d => d.name);
  const out = {dbs, entries: [], caches: await caches.keys(), cached: []};
  for (const name of out.caches) {
    const cache = await caches.open(name);
    out.cached.push(...(await cache.keys()).map(r => r.url));
  }
  if (!dbs.includes("organize-outbox")) return out;
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open("organize-outbox"); r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error); });
  for (const store of db.objectStoreNames) {
    const all = await new Promise(ok => {
      const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); });
    out.entries.push(...all.map(e => ({store, e})));
  }
  db.close();
  return out;
}"""


def unsent(page) -> str:
    return page.locator("[data-outbox-count]").inner_text()


def wait_unsent(page, n: int) -> None:
    from playwright.sync_api import expect

    expect(page.locator("[data-outbox-count]")).to_have_text(str(n), timeout=15_000)


def outbox_shown(page) -> None:
    """The outbox line is shown and the page holds the server's key (it can keep a form)."""
    from playwright.sync_api import expect

    expect(page.locator("[data-outbox]")).to_be_visible()
    expect(page.locator("[data-outbox][data-ready]")).to_have_count(1)


def listed(page, cid, noun: str) -> int:
    page.goto(f"/c/{cid}/{noun}")
    return page.locator(f"main a[href*='/{noun}/']").filter(
        has_not_text="new").evaluate_all(
        f"links => links.filter(a => /\\/{noun}\\/[0-9a-f-]{{36}}$/.test(a.pathname)).length")
