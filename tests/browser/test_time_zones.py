"""In real Chromium: a leader in Hong Kong (her browser's clock in Hong Kong) plans a meeting
at 18:30 and sees 18:30 on the meeting page and in the list; an organiser whose browser runs
in New York reads the same meeting at 18:30, labelled Hong Kong time, never converted to her
own clock (which would say 05:30 or 06:30). In English the clock reads "6:30 PM"."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher

from organize import commands as c
from organize.accounts import AccountService
from tests.browser.support import PHONE
from tests.support import live_server
from web.app import create_app
from web.i18n.formatting import format_datetime

HK = ZoneInfo("Asia/Hong_Kong")


@pytest.fixture(scope="module")
def site(runtime, app):
    tag = uuid.uuid4().hex[:6]
    federation = f"fed-zones-{tag}"
    coll = app.execute(
        c.CreateCollective(
            command_id=uuid.uuid4(),
            name=f"Harbour sisters {tag}",
            kind="worker_collective",
            sectors=("domestic_care",),
            places=("HK",),
            languages=("en",),
            federation=federation,
            time_zone="Asia/Hong_Kong",
        )
    ).id
    app.execute(
        c.RegisterWorker(
            command_id=uuid.uuid4(),
            profile=c.Profile(pseudonym="Asha"),
            collective_id=coll,
            joined_on=date(2025, 1, 5),
        )
    )
    accounts = AccountService(app, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    password = "browser-test-password"
    accounts.create_account(f"hk-leader-{tag}", password, role="leader", collective_ids=[coll])
    accounts.create_account(f"ny-organiser-{tag}", password, role="organiser", federation=federation)
    runner = runtime.runner()
    runner.catch_up()
    follower = runner.start()
    with live_server(create_app(runtime, accounts)) as base:
        yield {
            "base": base,
            "collective": coll,
            "leader": f"hk-leader-{tag}",
            "organiser": f"ny-organiser-{tag}",
            "password": password,
        }
    runner.stop()
    follower.join(timeout=10)


def _context(browser, site, zone: str):
    return browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        timezone_id=zone,
        base_url=site["base"],
    )


def _log_in(page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("[name=username]", username)
    page.fill("[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_a_hong_kong_meeting_is_shown_at_the_time_it_was_entered(browser, site):
    cid = site["collective"]
    day = datetime.now(HK).date() + timedelta(days=10)
    leader = _context(browser, site, "Asia/Hong_Kong")
    page = leader.new_page()
    _log_in(page, site["leader"], site["password"])
    page.goto(f"/c/{cid}/meetings/new")
    assert "Hong Kong Time" in page.inner_text("main")  # said before she types
    page.check("input[name=kind][value=assembly]")
    page.fill("[name=scheduled_for]", f"{day.isoformat()}T18:30")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(rf"/c/{cid}/meetings/[0-9a-f-]{{36}}"))
    meeting_path = page.url.split(site["base"])[1].split("?")[0]
    typed = datetime.combine(day, datetime.min.time(), HK).replace(hour=18, minute=30)
    shown = format_datetime(typed, "en", "short", tzinfo=HK)  # "…, 6:30 PM" in English
    elsewhere = format_datetime(typed, "en", "short", tzinfo=ZoneInfo("America/New_York"))
    when = page.locator("main p.meta:not(.outbox p)").first.inner_text()  # not the outbox line
    assert shown in when and "Hong Kong Time" in when, when
    assert page.input_value("[name=held_at]") == f"{day.isoformat()}T18:30"
    page.goto(f"/c/{cid}/meetings")
    listed = page.inner_text("main")
    assert shown in listed and "Hong Kong Time" in listed
    leader.close()

    organiser = _context(browser, site, "America/New_York")
    page = organiser.new_page()
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/New_York"
    _log_in(page, site["organiser"], site["password"])
    page.goto(meeting_path)
    when = page.locator("main p.meta:not(.outbox p)").first.inner_text()  # not the outbox line
    assert shown in when and "Hong Kong Time" in when, when
    assert elsewhere not in when
    organiser.close()
