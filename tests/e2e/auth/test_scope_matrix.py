"""The scope matrix: every route of the app × every role × each of two collectives (in two
federations), with the status each cell must get.

The roles: anonymous, a leader of collective A, a leader of collective B, an organiser of
A's federation, a researcher and an admin. Routes come from ``app.routes``, so a route
nobody classified here fails the test instead of going unchecked.

- API reads of one thing: 401 anonymous, 403 researcher, 200 for a role that sees it and
  404 for one that does not (exactly as for an id that does not exist).
- API lists: 200 for organising roles, and no id of the other side in the answer.
- Commands are classified here and tried in ``test_policy.py``: every command × role ×
  relation (own, same federation, other federation, former member, erased, unknown).
- Pages: anonymous is sent to the login page; the research page and its export form are
  for researchers (and admins), 403 for every other role; the account page for any account.
- The leaders' pages (``/c/...``): anonymous is sent to the login page, a researcher gets
  403, a role that sees the collective gets the page (200) and one that does not gets 404
  (and no id of a side it cannot see shows on a page). Their forms (POSTed with the
  session's CSRF token and an empty body): a role that does not see the collective gets 404
  and nothing is appended to the event log; one that sees it reaches the form (the form
  again with its messages, a redirect, or a conflict), never a 404 or a 5xx.

- The organisers' pages (``/o/...``, naming a federation with ``?f=``): anonymous is sent to
  the login page, a researcher or a leader gets 403, the organiser gets her own federation
  (200) and a 404 for the other, an admin gets either; no id of a side the role cannot see
  shows on a page. Their forms (an empty body) append nothing, and reach the form (422) for
  the organiser's own federation and an admin.

Every answer, whatever its status, carries the security headers and ``no-store`` (static
files may be cached).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest

from organize import commands as c
from tests.e2e.auth.conftest import ROLES, Side, World, call, header_problems, max_id
from tests.e2e.auth.support import READS
from tests.integration import support as h
from web.api.commands import COMMAND_ROUTES

pytestmark = pytest.mark.integration

SIDES = ("A", "B")
STATIC = Path(__file__).parents[3] / "web" / "static"


def sees(role: str, side: str) -> bool:
    """Which collective each role reaches: the organiser organises in A's federation only."""
    return role == "admin" or (side == "A" and role in ("leader_a", "organiser")) or (
        side == "B" and role == "leader_b")


ORGANISING = ("leader_a", "leader_b", "organiser", "admin")


# -- what each route is ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    kind: str  # public | account | research | read | list | command | page | page_post | ...
    path: Callable[[World, Side], str] | None = None  # the concrete path (for path parameters)
    via: str = "token"  # how roles authenticate: an API token, or a session (pages)


def fixed(path: str) -> Callable[[World, Side], str]:
    return lambda w, s: path


def _static_file() -> str:
    return "/static/" + sorted(p.name for p in STATIC.iterdir() if p.is_file())[0]


# The leaders' pages: (method, path template) -> the concrete path for one side.
C = "/c/{collective_id:uuid}"
PAGES = {
    C: lambda w, s: f"/c/{s.collective}",
    f"{C}/assessment": lambda w, s: f"/c/{s.collective}/assessment",
    f"{C}/settings": lambda w, s: f"/c/{s.collective}/settings",
    f"{C}/conflicts": lambda w, s: f"/c/{s.collective}/conflicts",  # issue 18
    f"{C}/procedure": lambda w, s: f"/c/{s.collective}/procedure",  # issue 20
    f"{C}/bargaining": lambda w, s: f"/c/{s.collective}/bargaining",  # issue 20
    f"{C}/bargaining/{{bargaining_id:uuid}}": lambda w, s: f"/c/{s.collective}/bargaining/{s.bargaining}",
    f"{C}/organisations/{{organisation_id:uuid}}":
        lambda w, s: f"/c/{s.collective}/organisations/{s.employer}",
    f"{C}/grievances": lambda w, s: f"/c/{s.collective}/grievances",
    f"{C}/grievances/new": lambda w, s: f"/c/{s.collective}/grievances/new",
    f"{C}/grievances/{{grievance_id:uuid}}": lambda w, s: f"/c/{s.collective}/grievances/{s.grievance}",
    f"{C}/meetings": lambda w, s: f"/c/{s.collective}/meetings",
    f"{C}/meetings/new": lambda w, s: f"/c/{s.collective}/meetings/new",
    f"{C}/meetings/{{meeting_id:uuid}}": lambda w, s: f"/c/{s.collective}/meetings/{s.meeting}",
    f"{C}/campaigns": lambda w, s: f"/c/{s.collective}/campaigns",
    f"{C}/campaigns/new": lambda w, s: f"/c/{s.collective}/campaigns/new",
    f"{C}/campaigns/{{campaign_id:uuid}}": lambda w, s: f"/c/{s.collective}/campaigns/{s.campaign}",
    f"{C}/workers": lambda w, s: f"/c/{s.collective}/workers",
    f"{C}/workers/{{worker_id:uuid}}": lambda w, s: f"/c/{s.collective}/workers/{s.worker}",
    f"{C}/workers/{{worker_id:uuid}}/erase": lambda w, s: f"/c/{s.collective}/workers/{s.erasable}/erase",
}
# Their forms; an action each that needs fields, so an empty body changes nothing.
PAGE_FORMS = {
    f"{C}/assessment": lambda w, s: f"/c/{s.collective}/assessment",
    f"{C}/settings/time-zone": lambda w, s: f"/c/{s.collective}/settings/time-zone",
    f"{C}/conflicts/{{conflict_id:uuid}}/resolve":  # issue 18
        lambda w, s: f"/c/{s.collective}/conflicts/{uuid.uuid4()}/resolve",
    f"{C}/organisations/{{organisation_id:uuid}}/{{action:str}}":
        lambda w, s: f"/c/{s.collective}/organisations/{s.employer}/rename",
    f"{C}/grievances/new": lambda w, s: f"/c/{s.collective}/grievances/new",
    f"{C}/grievances/search": lambda w, s: f"/c/{s.collective}/grievances/search",
    f"{C}/meetings/search": lambda w, s: f"/c/{s.collective}/meetings/search",  # issue 16
    f"{C}/procedure": lambda w, s: f"/c/{s.collective}/procedure",  # issue 20
    f"{C}/bargaining": lambda w, s: f"/c/{s.collective}/bargaining",  # issue 20
    f"{C}/bargaining/{{bargaining_id:uuid}}/{{action:str}}":
        lambda w, s: f"/c/{s.collective}/bargaining/{s.bargaining}/adopt-mandate",
    f"{C}/grievances/{{grievance_id:uuid}}/{{action:str}}":
        lambda w, s: f"/c/{s.collective}/grievances/{s.grievance}/evidence",
    f"{C}/meetings/new": lambda w, s: f"/c/{s.collective}/meetings/new",
    f"{C}/meetings/{{meeting_id:uuid}}/{{action:str}}":
        lambda w, s: f"/c/{s.collective}/meetings/{s.meeting}/held",
    f"{C}/campaigns/new": lambda w, s: f"/c/{s.collective}/campaigns/new",
    f"{C}/campaigns/{{campaign_id:uuid}}/{{action:str}}":
        lambda w, s: f"/c/{s.collective}/campaigns/{s.campaign}/demand",
    f"{C}/workers/new": lambda w, s: f"/c/{s.collective}/workers/new",
    f"{C}/workers/{{worker_id:uuid}}/{{action:str}}":
        lambda w, s: f"/c/{s.collective}/workers/{s.worker}/spell",
    f"{C}/workers/{{worker_id:uuid}}/erase": lambda w, s: f"/c/{s.collective}/workers/{s.erasable}/erase",
    f"{C}/invitations/{{campaign_id:uuid}}/{{answer:str}}":
        lambda w, s: f"/c/{s.collective}/invitations/{s.campaign}/accept",
}
# The organisers' pages, each naming the side's federation; and their forms.
ORGANISER_PAGES = {
    path: (lambda p: lambda w, s: f"{p}?f={quote(s.federation)}")(path)
    for path in ("/o", "/o/grievances", "/o/campaigns", "/o/flows")
}
ORGANISER_FORMS = {
    path: (lambda p: lambda w, s: f"{p}?f={quote(s.federation)}")(path)
    for path in ("/o/grievances/launch", "/o/meetings/new")
}
PAGE_FORM_REACHED = (200, 303, 400, 409, 422)

LISTS = ["/api/v1/views/grievances", "/api/v1/views/grievances/count",
         "/api/v1/views/common-grievances?min_grievances=1", "/api/v1/views/campaigns",
         "/api/v1/views/meetings", "/api/v1/views/organisations", "/api/v1/indicators/rubric",
         "/api/v1/views/bargaining"]

LEADER_READS = {
    "/api/v1/views/collectives/{collective_id:uuid}/deadlines":
        lambda w, s: f"/api/v1/views/collectives/{s.collective}/deadlines",
    "/api/v1/views/grievances/{grievance_id:uuid}/deadlines":
        lambda w, s: f"/api/v1/views/grievances/{s.grievance}/deadlines",
    "/api/v1/views/collectives/{collective_id:uuid}/procedures":
        lambda w, s: f"/api/v1/views/collectives/{s.collective}/procedures",
    "/api/v1/views/collectives/{collective_id:uuid}/money":
        lambda w, s: f"/api/v1/views/collectives/{s.collective}/money",
}


def leads(role: str, side: str) -> bool:
    """Which collective's own records a role reads: its leader's, and an admin's."""
    return role == "admin" or (side == "A" and role == "leader_a") or (
        side == "B" and role == "leader_b")


def route_table() -> dict[tuple[str, str], Route]:
    table: dict[tuple[str, str], Route] = {
        ("GET", "/healthz"): Route("public", fixed("/healthz")),
        ("GET", "/schema"): Route("public", fixed("/schema")),
        ("GET", "/schema/openapi.json"): Route("public", fixed("/schema/openapi.json")),
        ("GET", "/schema/swagger"): Route("public", fixed("/schema/swagger")),
        ("GET", "/schema/redoc"): Route("public", fixed("/schema/redoc")),
        ("GET", "/schema/oauth2-redirect.html"): Route("public", fixed("/schema/oauth2-redirect.html")),
        # Serves the schema's other renderings by name; no such one is a 404 for everybody.
        ("GET", "/schema/{path:str}"): Route("public_missing", fixed("/schema/no-such-page")),
        ("GET", "/static/{file_path:path}"): Route("public", lambda w, s: _static_file()),
        ("GET", "/login"): Route("public", fixed("/login"), via="session"),
        ("POST", "/login"): Route("login", fixed("/login"), via="session"),
        ("GET", "/exit"): Route("exit", fixed("/exit"), via="session"),
        ("GET", "/"): Route("start", fixed("/"), via="session"),
        ("GET", "/weather"): Route("public", fixed("/weather"), via="session"),
        ("POST", "/logout"): Route("logout", fixed("/logout"), via="session"),
        ("GET", "/account"): Route("account", fixed("/account"), via="session"),
        ("POST", "/account/tokens"): Route("new_token", fixed("/account/tokens"), via="session"),
        ("POST", "/account/tokens/{token_id:uuid}/revoke"): Route("revoke_token", via="session"),
        ("GET", "/research"): Route("research", fixed("/research"), via="session"),
        # POSTed with the session's CSRF token and an empty body: no dimension chosen, so
        # the form comes back (400) for those who may, and nothing is exported.
        ("POST", "/research/exports"): Route("research_export", fixed("/research/exports"),
                                             via="session"),
        # issue 14: the research API (by path: researchers and admins)
        ("GET", "/api/v1/research/budget"): Route("research_api", fixed("/api/v1/research/budget")),
        ("POST", "/api/v1/research/releases"): Route("research_api_post",
                                                     fixed("/api/v1/research/releases")),
        ("GET", "/lang/{code:str}"): Route("lang", fixed("/lang/en?next=/c"), via="session"),
        ("GET", "/c"): Route("collectives", fixed("/c"), via="session"),
        # issue 18: the offline outbox. Its key and service worker are public; an envelope is
        # JSON, so a form (what the matrix posts) is refused alike for everybody (415).
        ("GET", "/outbox/key"): Route("public", fixed("/outbox/key"), via="session"),
        ("GET", "/sw.js"): Route("public", fixed("/sw.js"), via="session"),
        ("POST", "/outbox"): Route("outbox", fixed("/outbox"), via="session"),
        ("GET", "/api/v1/organisations/{aggregate_id:uuid}"):
            Route("list", lambda w, s: f"/api/v1/organisations/{w.organisation}"),
    }
    for key, path in READS.items():
        table[key] = Route("read", path)
    # issue 21: each record's history is scoped exactly like the record
    for area in ("collectives", "workers", "grievances", "campaigns", "meetings", "assessments"):
        read = READS[("GET", f"/api/v1/{area}/{{aggregate_id:uuid}}")]
        table[("GET", f"/api/v1/{area}/{{aggregate_id:uuid}}/history")] = Route(
            "read", lambda w, s, read=read: read(w, s) + "/history")
    table[("GET", "/api/v1/organisations/{aggregate_id:uuid}/history")] = Route(
        "list", lambda w, s: f"/api/v1/organisations/{w.organisation}/history")
    # issue 20: a collective's deadlines, procedures and exact money are its leaders' alone
    # (and an admin's): the organiser of its federation gets the 404 of an unknown id.
    for template, path in LEADER_READS.items():
        table[("GET", template)] = Route("leader_read", path)
    # ... and the federation's money bands are its organiser's (and an admin's).
    table[("GET", "/api/v1/views/federations/{federation:str}/money-bands")] = Route(
        "organiser_read", lambda w, s: f"/api/v1/views/federations/{quote(s.federation)}/money-bands")
    for path in LISTS:
        table[("GET", path.split("?")[0])] = Route("list", fixed(path))
    for template, path in PAGES.items():
        table[("GET", template)] = Route("page", path, via="session")
    for template, path in PAGE_FORMS.items():
        table[("POST", template)] = Route("page_post", path, via="session")
    # issue 19: importing is for the collective's leaders (and an admin); an organiser's
    # role may not import anywhere, so she gets 403 whichever federation it is.
    table[("GET", f"{C}/import")] = Route("leaders_page", lambda w, s: f"/c/{s.collective}/import",
                                          via="session")
    table[("POST", f"{C}/import")] = Route("leaders_post", lambda w, s: f"/c/{s.collective}/import",
                                           via="session")
    # issue 19: possible duplicates and their merge (and its undo) are the leaders' alike.
    pair = "{survivor_id:uuid}/{absorbed_id:uuid}"
    table[("GET", f"{C}/duplicates")] = Route(
        "leaders_page", lambda w, s: f"/c/{s.collective}/duplicates", via="session")
    for method, template, tail in (("GET", pair, ""), ("POST", pair, ""),
                                   ("POST", f"{pair}/undo", "/undo")):
        table[(method, f"{C}/duplicates/{template}")] = Route(
            "leaders_page" if method == "GET" else "leaders_post",
            lambda w, s, tail=tail: f"/c/{s.collective}/duplicates/{s.worker}/{s.worker2}{tail}",
            via="session")
    for template, path in ORGANISER_PAGES.items():
        table[("GET", template)] = Route("organiser_page", path, via="session")
    for template, path in ORGANISER_FORMS.items():
        table[("POST", template)] = Route("organiser_post", path, via="session")
    for area, action, _command in COMMAND_ROUTES:
        table[("POST", f"/api/v1/{area}/{action}")] = Route("command")
    return table


def app_routes(app) -> set[tuple[str, str]]:
    return {(method, route.path) for route in app.routes
            for method in getattr(route, "methods", ()) if method not in ("OPTIONS", "HEAD")}


# -- command bodies: each names the side's own things --------------------------------------------


def page_expectation(kind: str, role: str) -> int:
    if kind == "public":
        return 200
    if kind == "public_missing":
        return 404
    if kind == "outbox":
        return 415
    if kind in ("exit", "lang", "start"):
        return 303
    if kind in ("research_api", "research_api_post"):  # an API: 401, never a redirect
        if role == "anonymous":
            return 401
        ok = 200 if kind == "research_api" else 400  # the matrix asks with k = 3
        return ok if role in ("researcher", "admin") else 403
    if role == "anonymous":
        return 303 if kind != "login" else 401  # pages send anonymous to the login page
    return {"account": 200, "new_token": 201, "revoke_token": 303, "logout": 303, "login": 200,
            "research": 200 if role in ("researcher", "admin") else 403,
            "research_export": 400 if role in ("researcher", "admin") else 403}[kind]


# -- the test -------------------------------------------------------------------------------------


async def test_every_route_is_classified(client):
    table = route_table()
    found = app_routes(client.app)
    assert found - set(table) == set(), "routes nobody classified in the scope matrix"
    assert set(table) - found == set(), "routes in the matrix that the app no longer has"


async def test_scope_matrix(client, app, accounts, world, people):
    table = route_table()
    failures: list[str] = []
    cells = 0
    for (method, template), route in sorted(table.items()):
        for side in SIDES:
            s = world.side(side)
            for role in ROLES:
                auth = people[role]
                cells += 1
                where = f"{method} {template} [{side}] as {role}"
                if route.kind == "command":
                    # Every command x role x relation is tests/e2e/auth/test_policy.py's.
                    continue
                if route.kind in ("read", "list", "leader_read", "organiser_read"):
                    r = await call(client, method, route.path(world, s), auth)
                    failures += [f"{where}: {p}" for p in header_problems(r)]
                    if role == "anonymous":
                        expect = 401
                    elif role == "researcher":
                        expect = 403
                    elif route.kind == "list":
                        expect = 200
                    elif route.kind == "leader_read":
                        expect = 200 if leads(role, side) else 404
                    elif route.kind == "organiser_read":
                        expect = 200 if role == "admin" or (role, side) == ("organiser", "A") else 404
                    else:
                        expect = 200 if sees(role, side) else 404
                    if r.status_code != expect:
                        failures.append(f"{where}: expected {expect}, got {r.status_code} {r.text[:160]}")
                    elif route.kind == "list" and expect == 200:
                        hidden = [i for x in SIDES if not sees(role, x) for i in world.ids(x)]
                        leaked = [str(i) for i in hidden if str(i) in r.text]
                        if leaked:
                            failures.append(f"{where}: shows ids of the other side: {leaked}")
                    continue
                if route.kind in ("page", "page_post", "collectives", "leaders_page",
                                  "leaders_post"):
                    failure = await _leader_page_cell(client, app, world, side, route, method,
                                                      role, auth)
                elif route.kind in ("organiser_page", "organiser_post"):
                    failure = await _organiser_page_cell(client, app, world, side, route, method,
                                                         role, auth)
                else:
                    failure = await _page_cell(client, accounts, world, s, route, method, role,
                                               auth)
                if failure:
                    failures.append(f"{where}: {failure}")
    assert cells > 600
    assert not failures, f"{len(failures)} of {cells} cells wrong:\n" + "\n".join(failures)


async def _page_cell(client, accounts, world, s, route, method, role, auth) -> str | None:
    from tests.e2e.auth.conftest import Auth

    kind = route.kind
    expect = page_expectation(kind, role)
    if role != "anonymous" and kind in ("logout", "exit", "new_token", "revoke_token"):
        # These end the session or change the account: use a session of their own.
        session = accounts.start_session(auth.account_id)
        auth = Auth(role=role, account_id=auth.account_id, session=session.token,
                    csrf=session.csrf_token)
    if kind == "revoke_token":
        token_id = (accounts.create_token(auth.account_id, "matrix")[0] if role != "anonymous"
                    else uuid.uuid4())
        path = f"/account/tokens/{token_id}/revoke"
    else:
        path = route.path(world, s)
    kwargs = {}
    if kind == "login":
        password = auth.password if role != "anonymous" else "not-the-password"
        kwargs["json"] = {"username": auth.username or "nobody-at-all", "password": password}
    elif kind == "new_token":
        kwargs["json"] = {}
    elif kind == "research_api_post":
        kwargs["json"] = {"k": 3}
    # Logging in ends the session the browser held: log in from a browser with none.
    r = await call(client, method, path, None if kind == "login" else auth, via=route.via, **kwargs)
    if header_problems(r):
        return f"headers: {header_problems(r)}"
    if r.status_code != expect:
        return f"expected {expect}, got {r.status_code} {r.text[:160]}"
    if expect == 303 and kind not in ("exit", "lang") and role == "anonymous" \
            and r.headers["location"] != "/login":
        return f"redirected to {r.headers['location']}, not /login"
    if kind == "exit" and r.headers["location"] != "/weather":
        return f"quick exit went to {r.headers['location']}"
    if kind == "lang" and r.headers["location"] != "/c":
        return f"the language switch went to {r.headers['location']}, not back to /c"
    if kind == "lang" and not any(v.startswith("lang=en;") for v in r.headers.get_list("set-cookie")):
        return "the language switch set no lang cookie"
    return None


def _own_collective(world: World, role: str) -> Side | None:
    """The one collective a leader has, else None (the organiser's federation has A and A2)."""
    return {"leader_a": world.a, "leader_b": world.b}.get(role)


async def _leader_page_cell(client, app, world, side, route, method, role, auth) -> str | None:
    if route.kind in ("leaders_page", "leaders_post"):
        if role == "organiser":
            return await _refused_cell(client, app, world, side, route, method, auth)
        route = replace(route, kind={"leaders_page": "page", "leaders_post": "page_post"}[route.kind])
    s = world.side(side)
    path = route.path(world, s)
    before = max_id(app)
    kwargs = {"data": {}} if route.kind == "page_post" else {}
    r = await call(client, method, path, auth, via=route.via, **kwargs)
    if header_problems(r):
        return f"headers: {header_problems(r)}"
    got = f"got {r.status_code} {r.headers.get('location', '')} {r.text[:160]}"
    if role == "anonymous":
        if r.status_code != 303 or r.headers.get("location") != "/login":
            return f"expected 303 to /login, {got}"
    elif role == "researcher":
        if r.status_code != 403:
            return f"expected 403, {got}"
    elif route.kind == "collectives":
        own = _own_collective(world, role)
        if own is not None:  # one collective: straight to it
            if r.status_code != 303 or r.headers.get("location") != f"/c/{own.collective}":
                return f"expected 303 to /c/{own.collective}, {got}"
        else:
            listed = {x for x in ("A", "A2", "B") if str(world.side(x).collective) in r.text}
            expected = {"A", "A2", "B"} if role == "admin" else {"A", "A2"}
            if r.status_code != 200 or listed != expected:
                return f"expected 200 listing {sorted(expected)}, listed {sorted(listed)}: {got}"
    elif not sees(role, side):
        if r.status_code != 404:
            return f"expected 404, {got}"
    elif route.kind == "page":
        if r.status_code != 200:
            return f"expected 200, {got}"
    elif r.status_code not in PAGE_FORM_REACHED:
        return f"expected the form reached ({PAGE_FORM_REACHED}), {got}"
    elif r.status_code == 303 and r.headers.get("location", "").startswith("/login"):
        return f"sent to the login page, {got}"
    if route.kind == "page_post" and not (role != "anonymous" and sees(role, side)) \
            and max_id(app) != before:
        return "a refused form appended events"
    if r.status_code == 200:
        hidden = [i for x in SIDES if not sees(role, x) for i in world.ids(x)]
        leaked = [str(i) for i in hidden if str(i) in r.text]
        if leaked:
            return f"shows ids of the other side: {leaked}"
    return None


async def _refused_cell(client, app, world, side, route, method, auth) -> str | None:
    """A page or form the role may not use at all: 403 on either side, nothing appended."""
    before = max_id(app)
    kwargs = {"data": {}} if method == "POST" else {}
    r = await call(client, method, route.path(world, world.side(side)), auth, via=route.via,
                   **kwargs)
    if header_problems(r):
        return f"headers: {header_problems(r)}"
    if r.status_code != 403:
        return f"expected 403, got {r.status_code} {r.text[:160]}"
    if max_id(app) != before:
        return "a refused form appended events"
    return None


async def _organiser_page_cell(client, app, world, side, route, method, role, auth) -> str | None:
    path = route.path(world, world.side(side))
    before = max_id(app)
    kwargs = {"data": {}} if route.kind == "organiser_post" else {}
    r = await call(client, method, path, auth, via=route.via, **kwargs)
    if header_problems(r):
        return f"headers: {header_problems(r)}"
    got = f"got {r.status_code} {r.headers.get('location', '')} {r.text[:160]}"
    if max_id(app) != before:
        return "an organiser's page or empty form appended events"
    if role == "anonymous":
        if r.status_code != 303 or r.headers.get("location") != "/login":
            return f"expected 303 to /login, {got}"
        return None
    if role in ("researcher", "leader_a", "leader_b"):
        return None if r.status_code == 403 else f"expected 403, {got}"
    if not sees(role, side):
        return None if r.status_code == 404 else f"expected 404, {got}"
    expect = 200 if route.kind == "organiser_page" else 422
    if r.status_code != expect:
        return f"expected {expect}, {got}"
    hidden = [i for x in SIDES if not sees(role, x) for i in world.ids(x)]
    leaked = [str(i) for i in hidden if str(i) in r.text]
    return f"shows ids of the other side: {leaked}" if leaked else None


async def test_sessions_reach_exactly_what_tokens_reach(client, world, people):
    """The same scope with a session cookie (and its CSRF token) as with an API token."""
    for via in ("session", "token"):
        mine = await call(client, "GET", f"/api/v1/grievances/{world.a.grievance}",
                          people["leader_a"], via=via)
        theirs = await call(client, "GET", f"/api/v1/grievances/{world.b.grievance}",
                            people["leader_a"], via=via)
        assert (mine.status_code, theirs.status_code) == (200, 404), via
        assert theirs.json()["error"] == "not_found"


async def test_out_of_scope_looks_exactly_like_missing(client, world, people):
    leader = people["leader_a"]
    for area, real in (("grievances", world.b.grievance), ("workers", world.b.worker),
                       ("collectives", world.b.collective), ("campaigns", world.b.campaign),
                       ("meetings", world.b.meeting), ("assessments", world.b.assessment)):
        hidden = await call(client, "GET", f"/api/v1/{area}/{real}", leader)
        missing_id = uuid.uuid4()
        missing = await call(client, "GET", f"/api/v1/{area}/{missing_id}", leader)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() | {"message": ""} == missing.json() | {"message": ""}
        assert hidden.json()["message"].replace(str(real), "X") == \
            missing.json()["message"].replace(str(missing_id), "X")


async def test_leader_cannot_raise_a_grievance_in_another_collective(client, app, world, people):
    leader = people["leader_a"]
    cases = [
        # B's collective, B's worker
        {"collective_id": str(world.b.collective), "worker_ids": [str(world.b.worker)]},
        # her own collective, but a worker of B
        {"collective_id": str(world.a.collective), "worker_ids": [str(world.b.worker)]},
        # B's collective, her own worker
        {"collective_id": str(world.b.collective), "worker_ids": [str(world.a.worker)]},
    ]
    for names in cases:
        before = max_id(app)
        r = await call(client, "POST", "/api/v1/grievances/raise", leader, json={
            "command_id": str(uuid.uuid4()), "category": "wages_unpaid_late",
            "sector": "domestic_care", "place": "HK", "stage": "destination",
            "occurred_on": "2025-03-01", "description": "Unpaid.", **names})
        assert r.status_code == 404 and r.json()["error"] == "not_found", r.text
        assert max_id(app) == before, "a refused command appended events"
    ok = await call(client, "POST", "/api/v1/grievances/raise", leader, json={
        "command_id": str(uuid.uuid4()), "category": "wages_unpaid_late", "sector": "domestic_care",
        "place": "HK", "stage": "destination", "occurred_on": "2025-03-01",
        "description": "Unpaid.", "collective_id": str(world.a.collective),
        "worker_ids": [str(world.a.worker)]})
    assert ok.status_code == 201, ok.text


async def test_only_admins_register_workers_outside_every_collective(client, app, people):
    body = {"profile": {"pseudonym": "Esha"}}
    for role in ("leader_a", "organiser"):
        before = max_id(app)
        r = await call(client, "POST", "/api/v1/workers/register", people[role],
                       json={"command_id": str(uuid.uuid4()), **body})
        assert r.status_code == 403 and max_id(app) == before
    r = await call(client, "POST", "/api/v1/workers/register", people["admin"],
                   json={"command_id": str(uuid.uuid4()), **body})
    assert r.status_code == 201


async def test_a_token_cannot_revoke_someone_elses_token(client, accounts, people):
    token_id, _ = accounts.create_token(people["leader_b"].account_id, "hers")
    r = await call(client, "POST", f"/account/tokens/{token_id}/revoke", people["leader_a"],
                   via="session")
    assert r.status_code == 404
    assert token_id in {t.id for t in accounts.list_tokens(people["leader_b"].account_id)}


async def test_each_role_lands_where_it_may_go(client, role_accounts):
    """A form login leads a researcher to the research page (she cannot reach the leaders'
    pages), and every other role somewhere it may reach."""
    from tests.e2e.auth.support import form_login

    for role in ("leader_a", "organiser", "researcher", "admin"):
        auth = role_accounts[role]
        r = await form_login(client, auth.username, auth.password)
        assert r.status_code == 303, (role, r.status_code)
        landing = r.headers["location"]
        if role == "researcher":
            assert landing == "/research"
        session = r.headers["set-cookie"].split("organize_session=")[1].split(";")[0]
        page = await call(client, "GET", landing, replace(auth, session=session), via="session",
                          csrf=False)
        assert page.status_code in (200, 303), (role, landing, page.status_code)
        if role == "organiser":
            assert landing == "/o" and page.status_code == 200  # her federation's overview
        if page.status_code == 303:
            assert page.headers["location"].startswith("/c/"), (role, page.headers["location"])


async def test_organisers_see_pseudonyms_and_codes_never_personal_fields(client, app, world, people):
    """DOMAIN.md: organisers "should not need to know who a given worker is". Through the API
    and the leaders' pages alike, an organiser gets a worker's pseudonym but none of her
    personal fields or status changes, and a grievance's codes but none of its free text;
    the leader of her collective (and an admin) get them."""
    tag = uuid.uuid4().hex[:8]
    worker = app.execute(h.register_worker(world.a.collective, pseudonym=f"Devi {tag}",
                                           phone="+85291234567", legal_name=f"Legal {tag}",
                                           note=f"Note {tag}")).id
    app.execute(c.ChangeStatus(command_id=h.cid(), worker_id=worker, on=date(2025, 6, 1),
                               change=c.StatusChange(status_kind="immigration",
                                                     status=f"Status {tag}")))
    grievance = app.execute(h.raise_grievance(world.a.collective, [worker],
                                              description=f"Story {tag}")).id
    secrets = [f"Legal {tag}", "91234567", f"Note {tag}", f"Status {tag}", f"Story {tag}"]
    pages = [f"/c/{world.a.collective}/workers/{worker}", f"/c/{world.a.collective}/grievances/{grievance}"]
    for role, sees in (("organiser", False), ("leader_a", True), ("admin", True)):
        w = (await call(client, "GET", f"/api/v1/workers/{worker}", people[role])).json()
        g = (await call(client, "GET", f"/api/v1/grievances/{grievance}", people[role])).json()
        assert w["profile"]["pseudonym"] == f"Devi {tag}"
        assert (w["profile"].get("phone") == "+85291234567") is sees
        assert (w["statuses"][0]["change"] is not None) is sees
        assert (g["description"] == f"Story {tag}") is sees
        assert g["category"] == "wages_unpaid_late"
        bodies = [json.dumps(w), json.dumps(g)]
        for path in pages:
            page = await call(client, "GET", path, people[role], via="session")
            assert page.status_code == 200, (role, path, page.status_code)
            bodies.append(page.text)
        if not sees:
            for body in bodies:
                assert not [s for s in secrets if s in body], role
        else:
            assert any("91234567" in b for b in bodies) and any(f"Story {tag}" in b for b in bodies)
