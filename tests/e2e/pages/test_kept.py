"""Nothing typed is lost: a form posted after her session ended answers the login page in
her language, with what she typed in hidden fields of that page (and nowhere else: no
table, no log, no URL); after logging in she gets it back in a form that posts it where it
was going, once. A form whose token went stale while her session lived comes back the same
way. The path it goes back to is only ever one of the pages' own."""

from __future__ import annotations

import re
import uuid
from html import unescape
from urllib.parse import urlencode

import pytest

from tests.e2e.pages.support import form_of, fresh_grievance, get, hidden, max_id, table_holding
from web.i18n import error_message

pytestmark = pytest.mark.integration

NOTE = "Payslips kept in the blue bag, Sunday 3 pm"


@pytest.fixture
def leader(page_accounts, world):
    username, password = f"kept-{uuid.uuid4().hex[:8]}", "a-long-password-for-kept"
    account = page_accounts.create_account(username, password, role="leader",
                                           collective_ids=(world.ours.collective,))
    return {"username": username, "password": password, "account": account}


async def _evidence_form(client, world, gid):
    path = f"/c/{world.ours.collective}/grievances/{gid}"
    form = form_of((await get(client, path, world)).text, f"{path}/evidence")
    return path, [("command_id", hidden(form, "command_id")[0]),
                  ("expected_version", hidden(form, "expected_version")[0]),
                  ("note", NOTE), ("on", "2025-01-01")]




async def test_an_ended_session_keeps_her_words_through_the_login(client, world, app, leader,
                                                                   page_accounts, capsys):
    gid = await fresh_grievance(app, world, [world.ours.workers[4]])
    path, pairs = await _evidence_form(client, world, gid)
    session = page_accounts.start_session(leader["account"])
    page_accounts.end_session(session.token)  # it ended while she typed
    before = max_id(app)
    client.cookies.clear()
    r = await client.post(f"{path}/evidence", follow_redirects=False, content=urlencode(
        [("csrf_token", session.csrf_token), *pairs]), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "ne",
        "Cookie": f"organize_session={session.token}"})
    assert r.status_code == 401 and max_id(app) == before
    assert error_message("session_ended", "ne") in r.text
    assert f'name="kept.note" value="{NOTE}"' in unescape(r.text)
    assert f'name="resume" value="{path}/evidence"' in r.text
    assert "csrf_token" not in [n for n in re.findall(r'name="kept\.([^"]+)"', r.text)]
    assert table_holding(app, "blue bag") == []  # in the page, nowhere else
    assert "blue bag" not in capsys.readouterr().out

    # She logs in again from that page: her words come back, to send where they were going.
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    login_cookie = r.headers["set-cookie"].split(";")[0]
    kept = [(n, unescape(v)) for n, v in re.findall(r'name="(kept\.[^"]+|resume)" value="([^"]*)"',
                                                     r.text)]
    client.cookies.clear()
    again = await client.post("/login", follow_redirects=False, content=urlencode(
        [("csrf_token", token), ("username", leader["username"]),
         ("password", leader["password"]), *kept]), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": login_cookie,
        "Accept-Language": "ne"})
    assert again.status_code == 200, again.text[:300]
    assert error_message("logged_in_again", "ne") in again.text
    assert f">{NOTE}</textarea>" in unescape(again.text)
    assert f'action="{path}/evidence"' in again.text
    session_cookie = next(c.split(";")[0] for c in again.headers.get_list("set-cookie")
                          if c.startswith("organize_session="))
    resend = re.findall(r'name="([^"]+)"(?: value="([^"]*)")?', again.text.split("<form")[-1])
    fields = [(n, unescape(v)) for n, v in resend if n not in ("note",)] + [("note", NOTE)]
    for _ in range(2):  # sent twice: recorded once
        client.cookies.clear()
        sent = await client.post(f"{path}/evidence", follow_redirects=False, content=urlencode(
            fields), headers={"Content-Type": "application/x-www-form-urlencoded",
                              "Cookie": session_cookie})
        assert sent.status_code == 303, sent.text[-500:]
    notes = [e for e in app.repository.event_store.get(gid) if type(e).__name__ == "EvidenceNoted"]
    assert len(notes) == 1


async def test_a_stale_token_keeps_her_words_in_a_form_to_send_again(client, world, app):
    gid = await fresh_grievance(app, world, [world.ours.workers[5]])
    path, pairs = await _evidence_form(client, world, gid)
    before = max_id(app)
    client.cookies.clear()
    r = await client.post(f"{path}/evidence", follow_redirects=False, content=urlencode(
        [("csrf_token", "stale-token-from-another-login"), *pairs]), headers=world.leader.headers(
        "bn", **{"Content-Type": "application/x-www-form-urlencoded"}))
    assert r.status_code == 403 and max_id(app) == before  # refused, and offered again
    assert error_message("form_too_old_kept", "bn") in r.text
    assert f">{NOTE}</textarea>" in unescape(r.text)
    assert f'name="csrf_token" value="{world.leader.csrf}"' in r.text  # the live one
    assert "stale-token-from-another-login" not in r.text


@pytest.mark.parametrize("resume", ["//evil.example/x", "https://evil.example/c/x", "/login",
                                    "/c/../api/v1/x", "/api/v1/commands/x"])
async def test_a_kept_form_only_ever_goes_back_to_the_pages(client, leader, resume):
    client.cookies.clear()
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    cookie = page.headers["set-cookie"].split(";")[0]
    r = await client.post("/login", follow_redirects=False, content=urlencode(
        [("csrf_token", token), ("username", leader["username"]),
         ("password", leader["password"]), ("resume", resume), ("kept.note", NOTE)]),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    assert r.status_code == 303 and r.headers["location"] == "/c"
    assert NOTE not in r.text
