"""Authentication: who sent this request, resolved once per request.

An ``Authorization: Bearer`` header wins; otherwise the session cookie. The principal (or
None) goes into the ASGI scope as ``user``, where the access guard, the dependencies and
the handlers find it. A session cookie that no longer matches a live session is cleared on
the response, so a shared phone does not keep a dead cookie around.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import anyio
import asyncpg
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from organize.accounts import AccountService, Principal

SESSION_COOKIE = "organize_session"
INTERNAL_PRINCIPAL = "organize.outbox.principal"  # set only by web/outbox.py, never by a client
LOGIN_COOKIE = "organize_login"  # the login form's CSRF token, before there is a session


@dataclass(frozen=True)
class AuthInfo:
    session_token: str | None  # the cookie's value, when it names a live session
    stale_cookie: bool  # a session cookie was sent that names no live session


def session_cookie(value: str, *, secure: bool) -> Cookie:
    # No max-age: the cookie dies with the browser; the server ends it sooner when idle.
    return Cookie(key=SESSION_COOKIE, value=value, path="/", httponly=True, samesite="strict",
                  secure=secure)


def cleared_cookie(key: str = SESSION_COOKIE, *, secure: bool = False) -> Cookie:
    return Cookie(key=key, value="", path="/", httponly=True, samesite="strict", secure=secure,
                  max_age=0)


async def authenticate(service: AccountService, scope: Scope,
                       pool: asyncpg.Pool | None = None) -> tuple[Principal | None, AuthInfo]:
    """``pool``: the web's asyncpg pool on the primary, where a session is looked up without
    a thread (before the app has one, in a thread on the application's own connection)."""
    internal = scope.get(INTERNAL_PRINCIPAL)  # type: ignore[misc]
    if internal is not None:  # a form from the outbox, run inside the app (web/outbox.py)
        return internal, AuthInfo(session_token=None, stale_cookie=False)
    connection = ASGIConnection(scope)
    authorization = connection.headers.get("authorization")
    if authorization is not None:
        kind, _, token = authorization.partition(" ")
        principal = None
        if kind.lower() == "bearer" and token.strip():
            principal = await anyio.to_thread.run_sync(service.token_principal, token.strip())
        return principal, AuthInfo(session_token=None, stale_cookie=False)
    token = connection.cookies.get(SESSION_COOKIE)
    if not token:
        return None, AuthInfo(session_token=None, stale_cookie=False)
    if pool is not None:
        principal = await service.session_principal_on(pool, token)
    else:
        principal = await anyio.to_thread.run_sync(service.session_principal, token)
    if principal is None:
        return None, AuthInfo(session_token=None, stale_cookie=True)
    return principal, AuthInfo(session_token=token, stale_cookie=False)


def authentication(service: AccountService,
                   pool: Callable[[], asyncpg.Pool | None] = lambda: None):
    """Litestar middleware factory: sets ``scope["user"]`` and ``scope["auth"]``. ``pool``
    gives the web's pool on the primary once it is open (``authenticate``)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            principal, info = await authenticate(service, scope, pool())
            scope["user"] = principal
            scope["auth"] = info
            if not info.stale_cookie:
                await app(scope, receive, send)
                return

            async def clearing(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableScopeHeaders.from_message(message)
                    if not any(v.startswith(f"{SESSION_COOKIE}=")
                               for v in headers.getall("set-cookie", [])):
                        secure = scope.get("scheme") == "https"
                        headers.add("set-cookie", cleared_cookie(secure=secure).to_header(header=""))
                await send(message)

            await app(scope, receive, clearing)

        return middleware

    return factory
