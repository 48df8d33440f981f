"""A researcher in real Chromium: she lands on the research page, sees her privacy budget,
asks for a release with the defaults she can change, and a zip downloads with its manifest
and the HXL row; dates inside a period bring the page back saying why they were moved, and
the adjusted request downloads; the page passes axe-core; the leaders' pages refuse her."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import date

import pytest
from argon2 import PasswordHasher

from organize import commands as c
from organize.accounts import AccountService
from tests.browser.support import PHONE, SHOTS, serious_violations
from tests.support import live_server
from web.app import create_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def research_site(runtime, app):
    tag = uuid.uuid4().hex[:6]
    coll = app.execute(c.CreateCollective(
        command_id=uuid.uuid4(), name=f"Research sisters {tag}", kind="worker_collective",
        sectors=("domestic_care",), places=("HK",), languages=("en",),
        federation=f"fed-research-{tag}")).id
    for i in range(12):  # one cell of 12 consented grievances, so something is published
        w = app.execute(c.RegisterWorker(command_id=uuid.uuid4(), profile=c.Profile(pseudonym=f"R{i}"),
                                         collective_id=coll, joined_on=date(2025, 1, 5))).id
        app.execute(c.GiveConsent(command_id=uuid.uuid4(), worker_id=w, purpose="research"))
        app.execute(c.RaiseGrievance(
            command_id=uuid.uuid4(), collective_id=coll, worker_ids=(w,),
            category="wages_unpaid_late", sector="domestic_care", place="HK", stage="destination",
            occurred_on=date(2025, 3, 1), description=f"Unpaid {tag}"))
    accounts = AccountService(app, hasher=PasswordHasher(time_cost=1, memory_cost=1024,
                                                         parallelism=1))
    username, password = f"researcher-{tag}", "browser-test-password"
    accounts.create_account(username, password, role="researcher")
    runner = runtime.runner()
    runner.catch_up()
    follower = runner.start()
    with live_server(create_app(runtime, accounts)) as base:
        yield {"base": base, "username": username, "password": password, "tag": tag}
    runner.stop()
    follower.join(timeout=10)


def test_a_researcher_downloads_an_export(browser, research_site):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-GB", base_url=research_site["base"],
                                  accept_downloads=True)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("[name=username]", research_site["username"])
        page.fill("[name=password]", research_site["password"])
        page.locator("form button[type=submit]").first.click()
        page.wait_for_url(lambda url: url.endswith("/research"))
        assert serious_violations(page) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "30-research-phone.png"), full_page=True)
        page.check("input[name=format][value=csv]")
        with page.expect_download() as download:
            page.locator("form[action='/research/exports'] button[type=submit]").click()
        body = download.value.path().read_bytes()
        archive = zipfile.ZipFile(io.BytesIO(body))
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["suppression"]["k"] == 10 and all(ch["passed"] for ch in manifest["checks"])
        table = archive.read("grievance_trends.csv").decode()
        assert table.splitlines()[1].startswith("#")  # the HXL row
        assert research_site["tag"] not in body.decode("latin-1")
        assert manifest["mechanism"]["name"] == "cell_key"
        assert "Left: 3 of 3 (epsilon)" in page.locator(".budget").inner_text()
        # Dates inside periods: the page says why they move, and the adjusted request downloads.
        page.fill("[name=since]", "2025-02-10")
        page.fill("[name=until]", "2025-05-20")
        page.locator("form[action='/research/exports'] button[type=submit]").click()
        notes = page.locator(".snapped")
        notes.wait_for()
        assert "moved from 2025-02-10 to 2025-01-01" in notes.inner_text()
        assert "moved from 2025-05-20 to 2025-06-30" in notes.inner_text()
        assert serious_violations(page) == []
        page.screenshot(path=str(SHOTS / "31-research-snapped-phone.png"), full_page=True)
        assert page.input_value("[name=since]") == "2025-01-01"
        with page.expect_download() as download:
            page.locator("form[action='/research/exports'] button[type=submit]").click()
        snapped = json.loads(zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
                             .read("manifest.json"))
        assert (snapped["parameters"]["since"], snapped["parameters"]["until"]) == (
            "2025-01-01", "2025-06-30")
        assert page.request.get("/c").status == 403  # the leaders' pages refuse her
    finally:
        context.close()
