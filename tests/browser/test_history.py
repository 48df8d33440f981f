"""In real Chromium: a worker's page shows her history, with a correction her leader made and
the erasure (done on the erase page), in English and in Nepali. Erased fields read as erased;
the leader's account is named only as a role; nothing of the erased details is on the page."""

from __future__ import annotations

import re
import uuid
from datetime import date

from organize import commands as c
from organize.accounts import Principal
from organize.application.access import Authorised
from tests.browser.support import log_in


def test_history_shows_a_correction_and_an_erasure_in_two_languages(page, site, app):
    cid = site["collective"]
    worker = app.execute(
        c.RegisterWorker(
            command_id=uuid.uuid4(),
            profile=c.Profile(pseudonym="Chandra", legal_name="Hidden Name"),
            collective_id=cid,
            joined_on=date(2025, 2, 1),
        )
    ).id
    leader = Principal(
        account_id=uuid.uuid4(),
        username=site["username"],
        role="leader",
        collective_ids=frozenset({cid}),
        federation=None,
        via="session",
    )
    Authorised(app, leader).execute(
        c.UpdateWorkerProfile(
            command_id=uuid.uuid4(),
            worker_id=worker,
            profile=c.Profile(pseudonym="Chandra", legal_name="Corrected Name"),
        )
    )
    log_in(page, site)
    page.goto(f"/c/{cid}/workers/{worker}")
    history = page.locator("#history")
    correction = history.locator("li[data-kind=correction]")
    assert correction.count() == 1
    assert "Correction" in correction.inner_text()
    assert "by a collective leader" in correction.inner_text()
    assert site["username"] not in history.inner_text()
    assert "(Hong Kong Time)" in correction.inner_text()  # the collective's zone, in her words

    page.goto(f"/c/{cid}/workers/{worker}/erase")
    word = re.search(r"word (\S+) to confirm", page.locator("main").inner_text()).group(1)
    page.fill("[name=word]", word)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(rf"/c/{cid}/workers(\?|$)"))
    page.goto(f"/c/{cid}/workers/{worker}")
    text = page.locator("#history").inner_text()
    erasure = page.locator("#history li[data-kind=erasure]")
    assert erasure.count() == 1 and "Erasure" in erasure.inner_text()
    assert "by a collective leader" in erasure.inner_text()
    registered = page.locator("#history li").last  # newest first: her registration is last
    assert "Erased: personal details" in registered.inner_text()
    assert "by the operator" in registered.inner_text()
    assert "Correction" in text
    body = page.content()
    assert "Hidden Name" not in body and "Corrected Name" not in body

    page.goto(f"/lang/ne?next=/c/{cid}/workers/{worker}")
    page.wait_for_url(re.compile(rf"/c/{cid}/workers/{worker}"))
    assert page.get_attribute("html", "lang") == "ne"
    history = page.locator("#history")
    assert "इतिहास" in history.locator("h2").inner_text()
    assert "सुधार" in history.locator("li[data-kind=correction]").inner_text()
    assert "मेटाइयो" in history.locator("li[data-kind=erasure]").inner_text()
    assert "मेटाइएको: व्यक्तिगत विवरण" in history.locator("li").last.inner_text()
    assert "समूहकी नेताद्वारा" in history.locator("li[data-kind=correction]").inner_text()
    assert "Correction" not in history.inner_text()
