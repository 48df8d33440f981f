"""Sessions, CSRF, login throttling, API tokens, quick exit, headers and logs, through the
real app (Litestar's test client) over PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import json
import re
import uuid
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from infra.logging import configure_logging
from organize.accounts import (
    ADDRESS_FREE_FAILURES,
    USERNAME_FAILURES,
    AccountService,
    LoginRefused,
)
from tests.e2e.auth.conftest import call, header_problems, max_id
from tests.e2e.auth.support import form_login
from web.app import create_app
from web.i18n import error_message

pytestmark = pytest.mark.integration


@pytest.fixture
def no_failures(accounts):
    """Throttling counts every failed login from the test client's address: start and end
    clean, so tests do not throttle each other."""
    def clear():
        with accounts.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM organize_login_throttle")

    clear()
    yield
    clear()


def new_account(accounts, role="leader", **scope) -> tuple[str, str, uuid.UUID]:
    username = f"u-{uuid.uuid4().hex[:10]}"
    password = f"pw-{uuid.uuid4().hex[:12]}"
    account_id = accounts.create_account(username, password, role=role, **scope)
    return username, password, account_id


def session_of(response) -> str:
    match = re.search(r"organize_session=([^;]+);", response.headers["set-cookie"])
    return match.group(1)


async def session_get(client, path: str, session: str):
    client.cookies.clear()
    return await client.get(path, headers={"Cookie": f"organize_session={session}"},
                            follow_redirects=False)


# -- logging in -----------------------------------------------------------------------------------


async def test_form_login_sets_a_strict_http_only_session_and_rotates_it(client, accounts, world,
                                                                         no_failures):
    username, password, account_id = new_account(accounts, collective_ids=(world.a.collective,))
    r = await form_login(client, username, password)
    assert r.status_code == 303 and r.headers["location"] == "/c"
    cookie = next(v for v in r.headers.get_list("set-cookie") if v.startswith("organize_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age" not in cookie
    assert "Secure" not in cookie  # plain http here; https gets Secure
    first = session_of(r)
    page = await session_get(client, "/account", first)
    assert page.status_code == 200 and username in page.text and "Collective A" in page.text
    assert not header_problems(page)
    # Logging in again from the same browser gives a new session id and ends the old one.
    again = await form_login(client, username, password, cookie=first)
    second = session_of(again)
    assert second != first
    assert (await session_get(client, "/account", first)).status_code == 303
    assert (await session_get(client, "/account", second)).status_code == 200


async def test_https_session_cookie_is_secure(runtime, accounts, world, no_failures):
    username, password, _ = new_account(accounts, collective_ids=(world.a.collective,))
    async with AsyncTestClient(app=create_app(runtime, accounts),
                               base_url="https://testserver.local") as secure:
        r = await secure.post("/login", json={"username": username, "password": password})
    assert r.status_code == 200
    assert "Secure" in r.headers["set-cookie"]


async def test_json_login_returns_the_csrf_token_and_wrong_passwords_say_nothing(
        client, accounts, world, no_failures):
    username, password, _ = new_account(accounts, collective_ids=(world.a.collective,))
    client.cookies.clear()
    ok = await client.post("/login", json={"username": username.upper(), "password": password})
    assert ok.status_code == 200 and ok.json()["role"] == "leader" and ok.json()["csrf_token"]
    assert ok.headers["cache-control"] == "no-store"
    for body in ({"username": username, "password": password + "x"},
                 {"username": "no-such-" + username, "password": password}):
        client.cookies.clear()
        bad = await client.post("/login", json=body)
        assert bad.status_code == 401 and bad.json()["error"] == "login_failed"
        assert username not in bad.text and password not in bad.text
    page = await form_login(client, username, "wrong-password")
    assert page.status_code == 401 and username not in page.text and "wrong-password" not in page.text


async def test_login_form_needs_its_csrf_token(client, accounts, world, no_failures):
    username, password, _ = new_account(accounts, collective_ids=(world.a.collective,))
    client.cookies.clear()
    r = await client.post("/login", data={"username": username, "password": password},
                          follow_redirects=False)
    assert r.status_code == 403 and error_message("csrf", "en") in r.text
    assert "set-cookie" not in r.headers or "organize_session=" not in r.headers["set-cookie"]


# -- idle timeout, logout, quick exit -------------------------------------------------------------


async def test_idle_sessions_expire(runtime, world, no_failures):
    # The setting, made tiny: 0.02 minutes is 1.2 seconds without a request.
    quick = replace(runtime, settings=replace(runtime.settings, session_idle_minutes=0.02))
    app = create_app(quick)
    accounts = app.dependencies["accounts"].dependency()
    assert isinstance(accounts, AccountService) and accounts.session_idle.total_seconds() == 1.2
    username, password, _ = new_account(accounts, collective_ids=(world.a.collective,))
    async with AsyncTestClient(app=app) as client:
        session = session_of(await form_login(client, username, password))
        for _ in range(3):  # every request resets the idle clock
            assert (await session_get(client, "/account", session)).status_code == 200
            await asyncio.sleep(0.4)
        await asyncio.sleep(1.5)
        expired = await session_get(client, "/account", session)
        assert expired.status_code == 303 and expired.headers["location"] == "/login"
        assert "organize_session=" in expired.headers["set-cookie"]  # the dead cookie is cleared
        api = await session_get(client, "/api/v1/views/organisations", session)
        assert api.status_code == 401 and api.json()["error"] == "unauthorized"
    with accounts.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT count(*) AS n FROM organize_sessions WHERE account_id = %s",
                     (accounts.find(username).id,))
        assert curs.fetchone()["n"] == 0


async def test_logout_ends_the_session(client, accounts, people):
    session = accounts.start_session(people["leader_a"].account_id)
    client.cookies.clear()
    no_token = await client.post("/logout", headers={"Cookie": f"organize_session={session.token}"},
                                 follow_redirects=False)
    assert no_token.status_code == 403  # logout is a POST: it needs the CSRF token too
    r = await client.post("/logout", headers={"Cookie": f"organize_session={session.token}",
                                              "X-CSRF-Token": session.csrf_token},
                          follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert "cookies" in r.headers["clear-site-data"]
    assert (await session_get(client, "/account", session.token)).status_code == 303


async def test_quick_exit_ends_the_session_and_lands_on_a_neutral_page(client, accounts, people):
    session = accounts.start_session(people["leader_a"].account_id)
    r = await session_get(client, "/exit", session.token)
    assert r.status_code == 303 and r.headers["location"] == "/weather"
    assert re.search(r"organize_session=[^;]*;.*Max-Age=0", r.headers["set-cookie"])
    assert '"cookies"' in r.headers["clear-site-data"] and not header_problems(r)
    assert (await session_get(client, "/account", session.token)).status_code == 303
    with accounts.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT count(*) AS n FROM organize_sessions WHERE csrf_token = %s",
                     (session.csrf_token,))
        assert curs.fetchone()["n"] == 0
    client.cookies.clear()
    weather = await client.get("/weather")
    assert weather.status_code == 200 and "Weather" in weather.text
    assert "<script" not in weather.text and "/exit" not in weather.text and "organize" not in weather.text
    assert not header_problems(weather)
    # Quick exit works without a session too, and every page of the app links to it.
    assert (await call(client, "GET", "/exit")).status_code == 303
    assert 'href="/exit"' in (await client.get("/login")).text


# -- CSRF -------------------------------------------------------------------------------------------


async def test_csrf_is_required_for_session_requests_but_not_for_tokens(client, app, people, world):
    leader = people["leader_a"]
    body = lambda: {"command_id": str(uuid.uuid4()), "name": "Household 5", "kind": "household",  # noqa: E731
                    "collective_id": str(world.a.collective)}
    before = max_id(app)
    missing = await call(client, "POST", "/api/v1/organisations/create", leader, via="session",
                         csrf=False, json=body())
    wrong = await call(client, "POST", "/api/v1/organisations/create", leader, via="session",
                       csrf=False, headers={"X-CSRF-Token": "forged"}, json=body())
    for r in (missing, wrong):
        assert r.status_code == 403 and r.json()["error"] == "csrf"
        assert "Reload the page" in r.json()["message"]
    assert max_id(app) == before
    ok = await call(client, "POST", "/api/v1/organisations/create", leader, via="session", json=body())
    assert ok.status_code == 201, ok.text
    bearer = await call(client, "POST", "/api/v1/organisations/create", leader, json=body())
    assert bearer.status_code == 201
    # A plain HTML form carries the token as a hidden field instead of the header.
    client.cookies.clear()
    cookie = {"Cookie": f"organize_session={leader.session}"}
    form = await client.post("/account/tokens", data={"label": "phone"}, headers=cookie)
    assert form.status_code == 403 and "text/html" in form.headers["content-type"]
    form = await client.post("/account/tokens", data={"label": "phone", "csrf_token": leader.csrf},
                             headers=cookie)
    assert form.status_code == 201 and "shown only once" in form.text


# -- throttling -------------------------------------------------------------------------------------


async def test_failed_logins_are_throttled_per_username(client, accounts, world, no_failures):
    username, password, _ = new_account(accounts, collective_ids=(world.a.collective,))
    for _ in range(USERNAME_FAILURES - 1):
        client.cookies.clear()
        assert (await client.post("/login", json={"username": username, "password": "nope-nope"})
                ).status_code == 401
    # A success clears the username's count...
    client.cookies.clear()
    assert (await client.post("/login", json={"username": username, "password": password})
            ).status_code == 200
    for _ in range(USERNAME_FAILURES):
        client.cookies.clear()
        assert (await client.post("/login", json={"username": username, "password": "nope-nope"})
                ).status_code == 401
    # ...but now even the right password waits.
    client.cookies.clear()
    r = await client.post("/login", json={"username": username, "password": password})
    assert r.status_code == 429 and r.json()["error"] == "too_many_attempts"
    assert 0 < int(r.headers["retry-after"]) <= 15 * 60
    assert username not in r.text and not header_problems(r)
    page = await form_login(client, username, password)
    from web.i18n.messages import error_message

    assert page.status_code == 429 and error_message("throttled", "en") in page.text
    # The table keeps neither the username nor the address in clear.
    with accounts.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT key_hash FROM organize_login_throttle")
        assert all(username.encode() not in bytes(row["key_hash"]) for row in curs.fetchall())


async def test_an_address_is_slowed_never_locked(accounts, world, no_failures):
    """Many leaders share one address (a centre's Wi-Fi, a carrier's NAT): failures from it
    slow its logins down, but never refuse another account."""
    username, password, _ = new_account(accounts, collective_ids=(world.a.collective,))
    shared = "203.0.113.7"  # a documentation address: only a key in the table
    assert accounts.address_delay(shared) == 0
    for i in range(ADDRESS_FREE_FAILURES + 3):
        with pytest.raises(LoginRefused):
            accounts.login(f"guess-{i}-{uuid.uuid4().hex[:6]}", "nope-nope", shared)
    assert accounts.address_delay(shared) == 1.0  # 0.25 s doubled twice: three past the allowance
    session, principal = accounts.login(username, password, shared)
    assert session.token and principal.username == username


async def test_concurrent_wrong_passwords_cannot_race_the_limit(client, accounts, world, no_failures,
                                                                monkeypatch):
    """30 wrong passwords for one account at once: at most USERNAME_FAILURES are checked
    (the others are refused before argon2 runs), and another account logs in from the
    same address straight after."""
    import asyncio

    victim, _, _ = new_account(accounts, collective_ids=(world.a.collective,))
    other, other_password, _ = new_account(accounts, collective_ids=(world.a.collective,))
    checked = []
    real = accounts.hasher

    class Counting:  # the real hasher, counting the passwords it checks
        def verify(self, stored, password):
            checked.append(password)
            return real.verify(stored, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(accounts, "hasher", Counting())

    async def guess(i):
        return await client.post("/login", json={"username": victim, "password": f"guess-{i}-x"})

    answers = await asyncio.gather(*(guess(i) for i in range(30)))
    codes = sorted(r.status_code for r in answers)
    assert codes.count(401) == USERNAME_FAILURES and codes.count(429) == 30 - USERNAME_FAILURES
    assert len(checked) == USERNAME_FAILURES
    client.cookies.clear()
    r = await client.post("/login", json={"username": other, "password": other_password})
    assert r.status_code == 200, r.text


# -- API tokens ---------------------------------------------------------------------------------------


async def test_tokens_authenticate_are_scoped_and_can_be_revoked(client, accounts, world, people):
    leader = people["leader_a"]
    client.cookies.clear()
    # A token cannot mint another (a stolen one would make itself permanent) ...
    before = len(accounts.list_tokens(leader.account_id))
    minted = await client.post("/account/tokens", json={},
                               headers={"Authorization": f"Bearer {leader.token}"})
    assert minted.status_code == 403, minted.text
    assert len(accounts.list_tokens(leader.account_id)) == before
    # ... nor revoke one.
    (some, *_) = accounts.list_tokens(leader.account_id)
    client.cookies.clear()
    r = await client.post(f"/account/tokens/{some.id}/revoke",
                          headers={"Authorization": f"Bearer {leader.token}"})
    assert r.status_code == 403 and len(accounts.list_tokens(leader.account_id)) == before
    # A logged-in session can.
    created = await call(client, "POST", "/account/tokens", leader, via="session", json={})
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("org_") and len(token) > 40
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.get(f"/api/v1/grievances/{world.a.grievance}", headers=bearer)
            ).status_code == 200
    assert (await client.get(f"/api/v1/grievances/{world.b.grievance}", headers=bearer)
            ).status_code == 404
    # Stored as a hash only.
    with accounts.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT token_hash FROM organize_api_tokens WHERE id = %s",
                     (uuid.UUID(created.json()["id"]),))
        assert token.encode() not in bytes(curs.fetchone()["token_hash"])
    assert accounts.revoke_token(leader.account_id, uuid.UUID(created.json()["id"]))
    gone = await client.get(f"/api/v1/grievances/{world.a.grievance}", headers=bearer)
    assert gone.status_code == 401 and gone.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer org_not-a-real-token",
                                           "Basic dXNlcjpwYXNz", "bearer  "])
async def test_every_api_route_refuses_without_a_valid_token(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    paths = [route.path for route in client.app.routes if route.path.startswith("/api/v1/")]
    assert len(paths) > 60
    for path in paths:
        concrete = re.sub(r"\{[^}]*:uuid\}", str(uuid.uuid4()), path)
        concrete = re.sub(r"\{[^}]*\}", "x", concrete)
        method = "GET" if "GET" in next(r for r in client.app.routes if r.path == path).methods else "POST"
        client.cookies.clear()
        r = await client.request(method, concrete, headers=headers, json={})
        assert r.status_code == 401, (method, concrete, r.status_code)
        assert r.json()["error"] == "unauthorized" and not header_problems(r)
    client.cookies.clear()
    assert (await client.get("/healthz", headers=headers)).status_code == 200


async def test_a_disabled_account_reaches_nothing(client, accounts, world, no_failures):
    username, password, account_id = new_account(accounts, collective_ids=(world.a.collective,))
    _, token = accounts.create_token(account_id)
    session = accounts.start_session(account_id)
    # Seen once first, so that a principal remembered by the process would be reused.
    client.cookies.clear()
    assert (await client.get("/api/v1/views/organisations",
                             headers={"Authorization": f"Bearer {token}"})).status_code == 200
    assert (await session_get(client, "/account", session.token)).status_code == 200
    accounts.disable(username)
    client.cookies.clear()
    assert (await client.get("/api/v1/views/organisations",
                             headers={"Authorization": f"Bearer {token}"})).status_code == 401
    assert (await session_get(client, "/account", session.token)).status_code == 303
    client.cookies.clear()
    assert (await client.post("/login", json={"username": username, "password": password})
            ).status_code == 401


async def test_a_revoked_role_reaches_only_its_own_account(client, accounts, world):
    username, _, account_id = new_account(accounts, collective_ids=(world.a.collective,))
    _, token = accounts.create_token(account_id)
    bearer = {"Authorization": f"Bearer {token}"}
    client.cookies.clear()
    assert (await client.get(f"/api/v1/collectives/{world.a.collective}", headers=bearer)
            ).status_code == 200
    accounts.revoke(username, "leader")
    r = await client.get(f"/api/v1/collectives/{world.a.collective}", headers=bearer)
    assert r.status_code == 403 and r.json()["error"] == "role"
    session = accounts.start_session(account_id)
    page = await session_get(client, "/account", session.token)
    assert page.status_code == 200 and "no role yet" in page.text


# -- logs ---------------------------------------------------------------------------------------------


async def test_passwords_usernames_and_tokens_never_reach_the_logs(client, accounts, world,
                                                                   no_failures):
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    try:
        username, password, account_id = new_account(accounts, collective_ids=(world.a.collective,))
        ok = await form_login(client, username, password)
        session = session_of(ok)
        await form_login(client, username, password + "-wrong")
        client.cookies.clear()
        await client.post("/login", json={"username": username, "password": password})
        await client.post("/login", json={"username": username, "password": password[::-1]})
        await client.post("/login", content=b'{"username": 7', headers={"content-type": "application/json"})
        _, token = accounts.create_token(account_id, "phone")
        client.cookies.clear()
        await client.get("/api/v1/views/organisations", headers={"Authorization": f"Bearer {token}"})
        await session_get(client, "/account", session)
        await session_get(client, "/exit", session)
    finally:
        configure_logging("INFO")
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    assert any('"request"' in line for line in lines), "nothing was logged, so nothing is proven"
    assert any('"CreateAccount"' in line for line in lines)
    for line in lines:
        json.loads(line)
        for secret in (password, password[::-1], username, token, session):
            assert secret not in line, "a secret reached a log line"


async def test_the_login_page_speaks_the_readers_language(client):
    """The first page a leader sees, and its refusal, in Nepali."""
    from web.i18n.messages import error_message

    page = await client.get("/login", headers={"Accept-Language": "ne"})
    assert page.status_code == 200 and 'lang="ne"' in page.text
    token = page.cookies.get("organize_login") or client.cookies.get("organize_login")
    bad = await client.post("/login", data={"username": "nobody-here", "password": "wrong-password",
                                            "csrf_token": token},
                            headers={"Accept-Language": "ne"})
    assert bad.status_code == 401
    assert error_message("login_failed", "ne") in bad.text
    assert error_message("login_failed", "ne") != error_message("login_failed", "en")


async def test_another_process_revoking_or_rescoping_takes_effect_at_the_next_request(
        client, accounts, runtime, world):
    """The principal a web process remembers is keyed by the account's version, read with
    every request: a role re-scoped, revoked or disabled by another process (the CLI, another
    web worker, with its own memory) holds from the very next request, never one later."""
    from tests.e2e.auth.conftest import TEST_HASHER

    elsewhere = AccountService(runtime.app, hasher=TEST_HASHER)  # another process's service
    username, _, account_id = new_account(accounts, collective_ids=(world.a.collective,))
    _, token = accounts.create_token(account_id)
    session = accounts.start_session(account_id)
    bearer = {"Authorization": f"Bearer {token}"}
    a, b = f"/api/v1/collectives/{world.a.collective}", f"/api/v1/collectives/{world.b.collective}"
    client.cookies.clear()
    assert (await client.get(a, headers=bearer)).status_code == 200  # remembered now
    elsewhere.grant(username, "leader", collective_ids=(world.b.collective,))
    client.cookies.clear()
    assert (await client.get(a, headers=bearer)).status_code == 404
    assert (await client.get(b, headers=bearer)).status_code == 200
    assert (await session_get(client, f"/c/{world.a.collective}", session.token)).status_code == 404
    elsewhere.revoke(username, "leader")
    client.cookies.clear()
    assert (await client.get(b, headers=bearer)).status_code == 403
    elsewhere.disable(username)
    client.cookies.clear()
    assert (await client.get(b, headers=bearer)).status_code == 401
    assert (await session_get(client, "/account", session.token)).status_code == 303
