"""In real Chromium (Debian's, driven by Playwright), at phone size: a leader logs in, records a
grievance for two workers (one of them new), schedules and holds a meeting, and sees the
collective home reflect both. Then the Arabic interface is checked for right-to-left layout,
axe-core looks for serious or critical violations on the main pages, and a screenshot of each
main page goes to docs/screenshots/.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

from tests.browser.support import PHONE, SHOTS, log_in, serious_violations


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar sits where the page is scrolled
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_leader_records_a_grievance_and_holds_a_meeting(page, site):
    cid = site["collective"]
    log_in(page, site)
    assert page.url.endswith(f"/c/{cid}")
    shot(page, "01-home-before")

    # Record a grievance for two workers, one of them new, in four short steps.
    page.goto(f"/c/{cid}/grievances/new")
    page.fill("[name=add_pseudonym]", "Chandra")
    page.click("button[name=go][value=add_worker]")
    page.wait_for_selector("text=Chandra")
    page.check("input[name=worker_ids] + span:text('Asha')")  # tapping the label's box
    shot(page, "02-record-who")
    page.click("button[name=go][value=next]")
    page.wait_for_selector("input[name=category]", state="attached")
    page.locator("details.group summary").nth(2).click()  # documents and movement
    page.check("input[name=category][value=documents_confiscated]")
    page.fill("[name=description]", "Passports kept by the agency.")
    shot(page, "03-record-what")
    page.click("button[name=go][value=next]")
    page.wait_for_selector("[name=place]")
    page.fill("[name=place]", "HK")
    page.fill("[name=occurred_on]", "2026-10-01")
    page.select_option("[name=stage]", "destination")
    page.select_option("[name=sector]", "domestic_care")
    shot(page, "04-record-where")
    page.click("button[name=go][value=next]")
    page.wait_for_selector("input[name^=consent_]", state="attached")
    page.locator("input[name=consent_contact]").first.check()
    shot(page, "05-record-consent")
    page.click("button[name=go][value=submit]")
    page.wait_for_url(re.compile(rf"/c/{cid}/grievances/[0-9a-f-]{{36}}"))
    grievance_path = page.url.split(site["base"])[1].split("?")[0]
    body = page.inner_text("main")
    assert "Asha" in body and "Chandra" in body
    assert "Passports kept by the agency." in body
    shot(page, "06-grievance")

    # Schedule a meeting for tomorrow, then hold it: attendance by tapping, a facilitator.
    page.goto(f"/c/{cid}/meetings/new")
    page.check("input[name=kind][value=assembly]")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    page.fill("[name=scheduled_for]", tomorrow)
    shot(page, "07-meeting-new")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(rf"/c/{cid}/meetings/[0-9a-f-]{{36}}"))
    meeting_path = page.url.split(site["base"])[1].split("?")[0]

    page.goto(f"/c/{cid}")
    home = page.inner_text("main")
    assert "Upcoming meetings" in home
    assert page.locator(f"a[href^='{meeting_path}']").count() >= 1, "planned meeting not on home"
    assert page.locator(f"a[href^='{grievance_path}']").count() >= 1, "grievance not on home"

    page.goto(meeting_path)
    for name in ("Asha", "Bina", "Chandra"):
        page.check(f"input[name=attendee_ids] + span:text('{name}')")
    page.locator("input[name=facilitator_ids]").nth(1).check()  # Bina leads
    page.fill("[name=held_at]", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=decisions]", "Ask the agency for the passports back")
    shot(page, "08-meeting-attendance")
    page.locator("button:has-text('Mark as held')").click()
    page.wait_for_load_state()
    assert "Ask the agency for the passports back" in page.inner_text("main")

    # The home page reflects both: the grievance in the list, the meeting in the indicators.
    deadline = time.monotonic() + 20
    while True:
        page.goto(f"/c/{cid}")
        leadership = page.locator("ul.ind > li").nth(2).text_content()
        if "facilitat" in leadership.lower() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert page.locator(f"a[href^='{grievance_path}']").count() >= 1
    assert page.locator(f"a[href^='{meeting_path}']").count() == 0, "a held meeting is not upcoming"
    assert "facilitat" in leadership.lower(), leadership
    shot(page, "09-home-after")

    for path, name in [(f"/c/{cid}/grievances", "10-grievances"), (f"/c/{cid}/meetings", "11-meetings"),
                       (f"/c/{cid}/campaigns", "12-campaigns"), (f"/c/{cid}/workers", "13-workers"),
                       (f"/c/{cid}/assessment", "14-assessment")]:
        page.goto(path)
        shot(page, name)


def test_arabic_is_right_to_left(page, site):
    cid = site["collective"]
    log_in(page, site)
    page.goto(f"/lang/ar?next=/c/{cid}")
    page.wait_for_url(re.compile(rf"/c/{cid}"))
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    # Mirrored layout: the quick exit sits at the inline start, which is the right in Arabic.
    box = page.locator("a.quick-exit").bounding_box()
    assert box is not None and box["x"] + box["width"] / 2 > PHONE["width"] / 2
    shot(page, "15-home-arabic")
    page.goto(f"/c/{cid}/grievances/new")
    assert page.get_attribute("html", "dir") == "rtl"
    shot(page, "16-record-arabic")


def test_no_serious_accessibility_violations(page, site):
    cid = site["collective"]
    page.goto("/login")
    problems = {"/login": serious_violations(page)}
    shot(page, "00-login")
    log_in(page, site)
    for path in (f"/c/{cid}", f"/c/{cid}/grievances", f"/c/{cid}/grievances/new",
                 f"/c/{cid}/meetings", f"/c/{cid}/meetings/new", f"/c/{cid}/campaigns",
                 f"/c/{cid}/workers", f"/c/{cid}/assessment"):
        page.goto(path)
        problems[path] = serious_violations(page)
    assert not {p: v for p, v in problems.items() if v}, problems


def test_quick_exit_leaves_and_ends_the_session(page, site):
    cid = site["collective"]
    log_in(page, site)
    page.click("a.quick-exit")
    page.wait_for_url(re.compile(r"/weather"))
    page.goto(f"/c/{cid}")
    assert "/login" in page.url
