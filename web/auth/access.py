"""Who may reach which route, and CSRF: one guard on the whole app.

Every route has an access level. Routes of the auth layer declare theirs in ``opt``; any
other route is classified by its path: ``/healthz`` and ``/schema`` are public, the
research area is for researchers (and admins), and everything else, the whole organising
API and every page to come, needs a leader, an organiser or an admin. So a new route is
closed until someone opens it.

Scope (which collectives) is a second, finer check: ``organize.application.policy`` for commands and
aggregate reads, the ``reader_scope`` dependency for the views.

CSRF: a request authenticated by the session cookie that is not a safe method must carry
the session's token, in the ``X-CSRF-Token`` header (htmx sends it) or the ``csrf_token``
form field. Bearer-token requests carry no cookie, so they need none.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from organize.accounts import Principal, same_secret
from web.auth.errors import CSRF_MESSAGE, ROLE_MESSAGE, AuthRequired, Forbidden

ACCESS = "access"  # the opt key a route handler declares its access level under
PUBLIC = "public"  # anyone, logged in or not
ACCOUNT = "account"  # any logged-in account, whatever its role (its own account page)
RESEARCH = "research"  # researchers and admins: anonymised exports only
ORGANISING = "organising"  # leaders, organisers and admins, each within its scope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def access_of(handler: BaseRouteHandler, path: str) -> str:
    declared = (handler.opt or {}).get(ACCESS)
    if declared:
        return declared
    if path == "/healthz" or _under(path, "/schema"):
        return PUBLIC
    if _under(path, "/api/v1/research"):
        return RESEARCH
    return ORGANISING


def allowed(access: str, principal: Principal | None) -> bool:
    if access == PUBLIC:
        return True
    if principal is None:
        return False
    if access == ACCOUNT:
        return True
    if access == RESEARCH:
        return principal.researches
    return principal.organises


async def enforce_access(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    access = access_of(handler, connection.scope["path"])
    if access == PUBLIC:
        return
    principal: Principal | None = connection.scope.get("user")
    if principal is None:
        raise AuthRequired()
    if not allowed(access, principal):
        raise Forbidden(ROLE_MESSAGE, code="role")
    if principal.via == "session" and connection.scope.get("method") not in SAFE_METHODS:
        await check_csrf(connection, principal.csrf_token)


async def check_csrf(connection: ASGIConnection, expected: str | None) -> None:
    sent = connection.headers.get(CSRF_HEADER)
    if sent is None and connection.headers.get("content-type", "").startswith(_FORMS):
        form = await connection.form()  # type: ignore[attr-defined]  # cached for the handler
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not same_secret(sent, expected):
        raise Forbidden(CSRF_MESSAGE, code="csrf")
