"""The routes of the auth layer: logging in and out, quick exit and the neutral page it
lands on and the account page (roles and API tokens). The research page is
``web.research``.

Login answers a form (a redirect, or the form again with a message) or JSON (the account's
role and the session's CSRF token, for scripts and htmx). A login form carries a CSRF token
of its own (a short-lived cookie and a hidden field), since there is no session yet; JSON
logins need none, because a cross-site form cannot send JSON. Every refusal says the same
thing whatever was wrong, and never repeats what was typed.
"""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID

import anyio
import msgspec
from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from organize.accounts import AccountService, LoginRefused, LoginThrottled, Principal, same_secret
from web.api.errors import ErrorBody
from web.auth import pages
from web.auth.access import ACCESS, ACCOUNT, PUBLIC
from web.auth.errors import CSRF_MESSAGE, Forbidden
from web.auth.middleware import LOGIN_COOKIE, SESSION_COOKIE, cleared_cookie, session_cookie
from web.auth.pages import login_cookie, login_html, secure
from web.i18n.locales import locale_from_request
from web.i18n.messages import error_message
from web.outbox import cleared_device_cookie, device_cookie, outbox_of

# Where a form login leads: ``web.auth.pages.home_of``.
NEUTRAL = "/weather"  # where quick exit lands: nothing on it points back here
Accounts = NamedDependency[AccountService]
Me = NamedDependency[Principal]
Csrf = NamedDependency[str | None]
CLEAR_SITE_DATA = {"Clear-Site-Data": '"cookies", "storage"'}
LOGIN_REFUSED = "The username or password is not right."


class LoginBody(msgspec.Struct):
    username: str
    password: str


class LoginOut(msgspec.Struct, kw_only=True):
    username: str
    role: str | None
    csrf_token: str


class NewToken(msgspec.Struct, kw_only=True):
    id: UUID
    token: str


def _json_request(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("application/json")


def _wants_json(request: Request) -> bool:
    return _json_request(request) or "application/json" in request.headers.get("accept", "")


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(ErrorBody(error=error, message=message, status_code=status),
                    status_code=status, media_type=MediaType.JSON, headers=headers)


def _login_form(request: Request, *, status_code: int = 200, error_code: str | None = None,
                headers: dict[str, str] | None = None, kept: list[tuple[str, str]] | None = None,
                resume: str | None = None) -> Response:
    """The login page, in the reader's language (the first page a leader sees). A refused
    login does not echo the username back: on a shared phone the next person would see it.
    What she had typed before her session ended (``kept``) rides along in the page only."""
    token, cookie = login_cookie(request)
    html = login_html(request, token, error_code=error_code, kept=kept, resume=resume)
    return Response(html, status_code=status_code, media_type=MediaType.HTML, headers=headers,
                    cookies=[cookie])


@get("/login", opt={ACCESS: PUBLIC}, include_in_schema=False)
async def login_page(request: Request) -> Response:
    return _login_form(request)


@post("/login", opt={ACCESS: PUBLIC}, include_in_schema=False, status_code=200)
async def login(request: Request, accounts: Accounts) -> Response:
    as_json = _json_request(request)
    kept: list[tuple[str, str]] = []
    resume: str | None = None
    if as_json:
        try:
            body = msgspec.json.decode(await request.body(), type=LoginBody)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return _error(400, "invalid_input", "Send a JSON object with a username and a password.")
        username, password = body.username, body.password
    else:
        form = await request.form()
        if not same_secret(_text(form.get("csrf_token")), request.cookies.get(LOGIN_COOKIE)):
            raise Forbidden(CSRF_MESSAGE, code="csrf")
        username, password = _text(form.get("username")), _text(form.get("password"))
        kept, resume = pages.kept_through_login(form)
    address = request.client.host if request.client else "unknown"
    # An address with many failures is slowed down, never locked out (organize.accounts).
    delay = await anyio.to_thread.run_sync(accounts.address_delay, address)
    if delay:
        await anyio.sleep(delay)
    try:
        session, principal = await anyio.to_thread.run_sync(accounts.login, username or "",
                                                            password or "", address)
    except LoginThrottled as e:
        minutes = max(1, math.ceil(e.retry_after / 60))
        message = (f"Too many failed logins. Wait {minutes} minute{'s' if minutes > 1 else ''}, "
                   "then try again.")
        headers = {"Retry-After": str(e.retry_after)}
        if as_json:
            return _error(429, "too_many_attempts", message, headers)
        return _login_form(request, status_code=429, error_code="throttled",
                           headers=headers, kept=kept, resume=resume)
    except LoginRefused:
        if as_json:
            return _error(401, "login_failed", LOGIN_REFUSED)
        return _login_form(request, status_code=401, error_code="login_failed", kept=kept,
                           resume=resume)
    # A new session id at every login; the one the browser held (if any) ends.
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await anyio.to_thread.run_sync(accounts.end_session, old)
        if outbox_of(request) is not None:
            await anyio.to_thread.run_sync(outbox_of(request).devices.revoke_session, old)
    cookies = [session_cookie(session.token, secure=secure(request)),
               Cookie(key=LOGIN_COOKIE, value="", path="/login", max_age=0, httponly=True,
                      samesite="strict", secure=secure(request))]
    box = outbox_of(request)
    if box is not None:  # what she queues offline is sent later under this device token
        cookies.append(await anyio.to_thread.run_sync(
            lambda: device_cookie(box, principal.account_id, session.token,
                                  secure=secure(request))))
    if as_json:
        return Response(LoginOut(username=principal.username, role=principal.role,
                                 csrf_token=session.csrf_token), cookies=cookies)
    if resume:  # her session had ended while she typed: her words, to send again
        return pages.page("resume.html", request, cookies=cookies, kept=kept, action=resume,
                          csrf_token=session.csrf_token, principal=principal, show_nav=False,
                          message=error_message("logged_in_again", locale_from_request(request)))
    return Redirect(path=pages.home_of(principal), status_code=303, cookies=cookies)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


async def _end(request: Request, accounts: Accounts) -> list[Cookie]:
    token = request.cookies.get(SESSION_COOKIE)
    box = outbox_of(request)
    if token:
        await anyio.to_thread.run_sync(accounts.end_session, token)
        if box is not None:  # the device tokens issued with this session end with it
            await anyio.to_thread.run_sync(box.devices.revoke_session, token)
    return [cleared_cookie(secure=secure(request)), cleared_device_cookie(secure=secure(request))]


@post("/logout", opt={ACCESS: ACCOUNT}, include_in_schema=False, status_code=200)
async def logout(request: Request, accounts: Accounts) -> Response:
    cookies = await _end(request, accounts)
    if _wants_json(request):
        return Response({"logged_out": True}, cookies=cookies, headers=CLEAR_SITE_DATA)
    return Redirect(path="/login", status_code=303, cookies=cookies, headers=CLEAR_SITE_DATA)


@get("/exit", opt={ACCESS: PUBLIC}, include_in_schema=False)
async def quick_exit(request: Request, accounts: Accounts) -> Response:
    """Quick exit: end the session and leave at once for a neutral page (no JavaScript)."""
    cookies = await _end(request, accounts)
    return Redirect(path=NEUTRAL, status_code=303, cookies=cookies, headers=CLEAR_SITE_DATA)


@get(NEUTRAL, opt={ACCESS: PUBLIC}, include_in_schema=False)
async def weather(request: Request) -> Response:
    return pages.page("weather.html", request)


def _reach(accounts: Accounts, principal: Me) -> str | None:
    if principal.collective_ids:
        return ", ".join(accounts.collective_names(principal.collective_ids))
    return principal.federation


async def _account_page(request: Request, principal: Me, accounts: Accounts,
                        csrf_token: str | None, new_token: str | None = None,
                        status_code: int = 200) -> Response:
    def gather():
        return accounts.list_tokens(principal.account_id), _reach(accounts, principal)

    tokens, reach = await anyio.to_thread.run_sync(gather)
    return pages.page("account.html", request, status_code=status_code, principal=principal,
                      reach=reach, tokens=tokens, csrf_token=csrf_token, new_token=new_token,
                      home=pages.home_of(principal), show_nav=False)


@get("/account", opt={ACCESS: ACCOUNT}, include_in_schema=False)
async def account(request: Request, principal: Me, accounts: Accounts,
                  csrf_token: Csrf) -> Response:
    return await _account_page(request, principal, accounts, csrf_token)


TOKEN_MESSAGE = "An API token cannot create or revoke tokens. Log in and use the account page."  # noqa: S105


def _by_session(principal: Principal) -> None:
    # A stolen token must not be able to make itself permanent or lock its owner out.
    if principal.via != "session":
        raise Forbidden(TOKEN_MESSAGE, code="role")


@post("/account/tokens", opt={ACCESS: ACCOUNT}, include_in_schema=False, status_code=200)
async def create_token(request: Request, principal: Me, accounts: Accounts,
                       csrf_token: Csrf) -> Response:
    _by_session(principal)
    label = None if _json_request(request) else _text((await request.form()).get("label"))
    token_id, token = await anyio.to_thread.run_sync(accounts.create_token, principal.account_id,
                                                     label)
    if _wants_json(request):
        return Response(NewToken(id=token_id, token=token), status_code=201)
    return await _account_page(request, principal, accounts, csrf_token, new_token=token,
                               status_code=201)


@post("/account/tokens/{token_id:uuid}/revoke", opt={ACCESS: ACCOUNT}, include_in_schema=False,
      status_code=303)
async def revoke_token(request: Request, token_id: FromPath[UUID], principal: Me,
                       accounts: Accounts) -> Response:
    _by_session(principal)
    revoked = await anyio.to_thread.run_sync(accounts.revoke_token, principal.account_id, token_id)
    if not revoked:
        return pages.error_page(request, 404, "not_found")
    return Redirect(path="/account", status_code=303)


@get("/", opt={ACCESS: PUBLIC}, include_in_schema=False)
async def start(request: Request) -> Response:
    """The address alone: a browser goes to its home, or to the login page."""
    return Redirect(path=pages.home_of(request.scope.get("user")), status_code=303)


ROUTES = [login_page, login, logout, quick_exit, weather, account, create_token, revoke_token,
          start]
