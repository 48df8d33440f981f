"""In real Chromium at phone size: a leader corrects a held meeting's attendance after the
fact (she forgot to tick Bina, and Asha did not speak), gives the reason, and the meeting page
shows the corrected lists; the history keeps the reason. And the note she typed survives a
session that ended before she sent it."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from organize import commands as c
from organize.accounts import AccountService
from tests.browser.support import PHONE
from tests.support import live_server
from web.app import create_app


@pytest.fixture(scope="module")
def site(runtime, app):
    tag = uuid.uuid4().hex[:6]
    coll = app.execute(
        c.CreateCollective(
            command_id=uuid.uuid4(),
            name=f"Correcting sisters {tag}",
            kind="worker_collective",
            sectors=("domestic_care",),
            places=("HK",),
            languages=("en",),
            federation=f"fed-fix-{tag}",
        )
    ).id
    asha, bina = (
        app.execute(
            c.RegisterWorker(
                command_id=uuid.uuid4(),
                profile=c.Profile(pseudonym=name),
                collective_id=coll,
                joined_on=date(2025, 1, 5),
            )
        ).id
        for name in ("Asha", "Bina")
    )
    when = datetime.now(UTC) - timedelta(days=2)
    meeting = app.execute(
        c.ScheduleMeeting(
            command_id=uuid.uuid4(),
            kind="assembly",
            collective_ids=(coll,),
            scheduled_for=when,
            language="en",
        )
    ).id
    app.execute(
        c.RecordMeetingHeld(
            command_id=uuid.uuid4(),
            meeting_id=meeting,
            held_at=when,
            attendee_ids=(asha,),
            facilitator_ids=(asha,),
            speaker_ids=(asha,),
            language="en",
        )
    )
    accounts = AccountService(app, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts.create_account(f"fixer-{tag}", "browser-test-password", role="leader", collective_ids=[coll])
    grievance = app.execute(
        c.RaiseGrievance(
            command_id=uuid.uuid4(),
            collective_id=coll,
            worker_ids=(asha,),
            category="wages_unpaid_late",
            sector="domestic_care",
            place="HK",
            stage="destination",
            occurred_on=date(2025, 6, 1),
            description="Wages held back.",
        )
    ).id
    runner = runtime.runner()
    runner.catch_up()
    follower = runner.start()
    with live_server(create_app(runtime, accounts)) as base:
        yield {
            "base": base,
            "collective": coll,
            "meeting": meeting,
            "bina": bina,
            "grievance": grievance,
            "accounts": accounts,
            "username": f"fixer-{tag}",
            "password": "browser-test-password",
        }
    runner.stop()
    follower.join(timeout=10)


def _logged_in(browser, site):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        base_url=site["base"],
    )
    page = context.new_page()
    page.goto("/login")
    _log_in(page, site)
    return context, page


def _log_in(page, site) -> None:
    page.fill("[name=username]", site["username"])
    page.fill("[name=password]", site["password"])
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_a_leader_corrects_a_meetings_attendance(browser, site, app):
    context, page = _logged_in(browser, site)
    path = f"/c/{site['collective']}/meetings/{site['meeting']}"
    page.goto(path)
    assert "Bina" not in page.locator("main > p").nth(1).inner_text()
    page.click("#do-attendance summary")
    form = page.locator(f"form[action='{path}/attendance']")
    form.locator(f"input[name=attendee_ids][value='{site['bina']}']").check()
    form.locator("input[name=speaker_ids]").first.uncheck()  # Asha did not speak after all
    form.locator("select[name=reason]").select_option("wrong_person")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{path}(\?.*)?$"))
    main = page.inner_text("main")
    present = main.split("Present", 1)[1].split("Led by", 1)[0]
    assert "Asha" in present and "Bina" in present, main
    spoke = main.split("Who spoke", 1)[1].split("Decisions", 1)[0]
    assert "Asha" not in spoke
    history = list(app.repository.event_store.get(site["meeting"]))
    assert type(history[-1]).__name__ == "AttendanceCorrected"
    assert history[-1].reason == "wrong_person"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


NOTE = "Payslips in the blue bag, Sunday 3 pm"


def test_her_typed_words_survive_an_expired_session(browser, site, app):
    """She types a note; her session ends before she sends it; the login page keeps it (and
    says why); after logging in it comes back in the form, sent once, recorded once."""
    context, page = _logged_in(browser, site)
    path = f"/c/{site['collective']}/grievances/{site['grievance']}"
    page.goto(path)
    page.click("#do-evidence summary")
    form = page.locator(f"form[action='{path}/evidence']")
    form.locator("[name=note]").fill(NOTE)
    token = next(k["value"] for k in context.cookies() if k["name"] == "organize_session")
    site["accounts"].end_session(token)  # it ended while she typed
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[name=username]").count() == 1  # the login page
    assert NOTE not in page.url
    page.fill("[name=username]", site["username"])
    page.fill("[name=password]", site["password"])
    page.locator("form button[type=submit]").first.click()  # answered in place: her form
    kept = page.locator(f"form[action='{path}/evidence']")
    kept.wait_for()
    assert kept.locator("[name=note]").input_value() == NOTE
    kept.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{path}(\?.*)?$"))
    assert NOTE in page.inner_text("main")
    notes = [
        e for e in app.repository.event_store.get(site["grievance"]) if type(e).__name__ == "EvidenceNoted"
    ]
    assert len(notes) == 1
    context.close()
