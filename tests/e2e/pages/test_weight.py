"""The page-weight budget: at most 60 KB transferred per page, compressed, not counting the
static files (app.css, app.js, htmx and the icon sprite are cached for a day and versioned).

Each main page is fetched through Litestar's own gzip middleware (the one
``CompressionConfig(backend="gzip")`` installs), with a collective the size of the demo's
largest (62 workers, 222 grievances, 40 meetings, 180 organisations to choose from), in
English and in Nepali (Devanagari takes three bytes a letter); the record flow's later
steps are POST answers and are weighed too. What counts is the bytes on the wire: the
compressed body plus the headers. The figures are printed (``pytest -s``) for the closing
note.
"""

from __future__ import annotations

import gzip
from importlib import resources
from urllib.parse import urlencode

import httpx
import pytest
from litestar.config.compression import CompressionConfig
from litestar.testing import AsyncTestClient

from tests.e2e.pages.support import form_state, pages, with_fields
from web.app import create_app

pytestmark = pytest.mark.integration

BUDGET = 60 * 1024


def _header_bytes(r: httpx.Response) -> int:
    return len(f"HTTP/1.1 {r.status_code} {r.reason_phrase}\r\n") + sum(
        len(k) + len(v) + 4 for k, v in r.headers.raw) + 2


@pytest.fixture(scope="package")
async def compressing(runtime, page_accounts, world, follower):
    """The app as web/app.py builds it, with gzip (``CompressionConfig(backend="gzip")``);
    until web/app.py mounts the pages and sets compression itself, both are added here
    (routes registered after ``compression_config`` is set are compressed)."""
    app = create_app(runtime, page_accounts)
    mounted = any(getattr(r, "path", "").startswith("/c/") for r in app.routes)
    if not mounted:
        if app.compression_config is None:
            app.compression_config = CompressionConfig(backend="gzip")
        from web.pages import pages_router

        app.register(pages_router())
    assert app.compression_config is not None, "web/app.py should set CompressionConfig(backend='gzip')"
    async with AsyncTestClient(app=app) as http:
        yield http


async def test_every_main_page_is_within_60_kb_compressed(compressing, world):
    rows = []
    http = compressing
    for lang in ("en", "ne"):
        for name, path in pages(world).items():
            http.cookies.clear()
            r = await http.get(path, headers={**world.leader.headers(lang),
                                              "Accept-Encoding": "gzip"})
            assert r.status_code == 200, (name, r.status_code)
            assert r.headers.get("content-encoding") == "gzip", name
            wire = r.num_bytes_downloaded + _header_bytes(r)
            rows.append((lang, name, len(r.content), wire))
            assert wire <= BUDGET, f"{name} ({lang}): {wire} bytes on the wire"
    # The record flow's steps 2 to 4 (answers to POSTs; step 3 lists the organisations).
    action = f"/c/{world.ours.collective}/grievances/new"
    gzip_headers = {"Accept-Encoding": "gzip", "Content-Type": "application/x-www-form-urlencoded"}
    http.cookies.clear()
    r = await http.get(action, headers=world.leader.headers())
    steps = [dict(worker_ids=[str(w) for w in world.ours.workers[:3]]),
             dict(category="wages_unpaid_late", description="Unpaid for two months."),
             dict(place="HK", occurred_on="2025-01-01", stage="destination", sector="garment")]
    for number, values in enumerate(steps, start=2):
        body = urlencode([("csrf_token", world.leader.csrf),
                          *with_fields(form_state(r.text), go="next", **values)])
        http.cookies.clear()
        r = await http.post(action, content=body, headers={**world.leader.headers(), **gzip_headers})
        assert r.status_code == 200 and r.headers.get("content-encoding") == "gzip"
        wire = r.num_bytes_downloaded + _header_bytes(r)
        rows.append(("en", f"record (step {number})", len(r.content), wire))
        assert wire <= BUDGET
    # With JavaScript the record page carries every step in one form (web/static/record.js).
    for lang in ("en", "ne"):
        http.cookies.clear()
        r = await http.get(action + "?all=1",
                           headers={**world.leader.headers(lang), "Accept-Encoding": "gzip"})
        assert r.status_code == 200 and r.headers.get("content-encoding") == "gzip"
        assert r.text.count("<section") == 4
        wire = r.num_bytes_downloaded + _header_bytes(r)
        rows.append((lang, "record (all steps)", len(r.content), wire))
        assert wire <= BUDGET
    print("\npage weight (HTML only; gzip as Litestar sends it, headers included)")
    print(f"{'lang':4} {'page':20} {'html bytes':>11} {'transferred':>12}")
    for lang, name, raw, wire in rows:
        print(f"{lang:4} {name:20} {raw:>11,} {wire:>12,}")
    static = resources.files("web").joinpath("static")
    print("static files (cached for a day, versioned by content):")
    for file in ("app.css", "app.js", "htmx.min.js", "icons.svg", "outbox.js", "record.js"):
        data = static.joinpath(file).read_bytes()
        print(f"     {file:20} {len(data):>11,} {len(gzip.compress(data, 9)):>12,}")
    assert max(w for *_, w in rows) <= BUDGET


async def test_every_organiser_page_is_within_60_kb_compressed(compressing, world, federation):
    """The organisers' pages, for the federation of the demo-sized collective and its sister
    (every common grievance with its launch form), as of today and two dates compared."""
    http = compressing
    compare = "?as_of=2025-01-01&compare=2026-01-01"
    rows = []
    for lang in ("en", "ne"):
        for path in ("/o", "/o/grievances", "/o/campaigns", "/o/flows", f"/o{compare}",
                     f"/o/campaigns{compare}", f"/o/flows{compare}"):
            http.cookies.clear()
            r = await http.get(path, headers={**federation.organiser.headers(lang),
                                              "Accept-Encoding": "gzip"})
            assert r.status_code == 200, (path, r.status_code)
            assert r.headers.get("content-encoding") == "gzip", path
            wire = r.num_bytes_downloaded + _header_bytes(r)
            rows.append((lang, path, len(r.content), wire))
            assert wire <= BUDGET, f"{path} ({lang}): {wire} bytes on the wire"
    print("\norganiser page weight (HTML only; gzip as Litestar sends it, headers included)")
    print(f"{'lang':4} {'page':50} {'html bytes':>11} {'transferred':>12}")
    for lang, name, raw, wire in rows:
        print(f"{lang:4} {name:50} {raw:>11,} {wire:>12,}")
    data = resources.files("web").joinpath("static", "organise.css").read_bytes()
    print(f"     {'organise.css':50} {len(data):>11,} {len(gzip.compress(data, 9)):>12,}")
