"""Refusals of the auth layer, and how each is answered: JSON in the error shape of
``web.api.errors`` under ``/api/``, a redirect to the login page or a page in the
reader's language elsewhere (``web.auth.pages``). Messages never name the account, the
username or anything that was sent."""

from __future__ import annotations

import asyncpg
import psycopg
import structlog
from eventsourcing import persistence as es
from litestar import MediaType, Request, Response
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect

from web.api import errors as api_errors
from web.api.errors import ErrorBody
from web.auth import pages

LOGIN_PATH = "/login"
RETRY_AFTER = "5"  # seconds: a restart or a fail-over of PostgreSQL takes a few

log = structlog.get_logger("web.errors")


class AuthRequired(NotAuthorizedException):
    """No session and no API token (or an expired or unknown one)."""

    def __init__(self, message: str = "Log in, or send an API token as 'Authorization: Bearer <token>'."):
        super().__init__(detail=message)
        self.message = message


class Forbidden(PermissionDeniedException):
    """Authenticated, but this account may not do this (its role, or a missing CSRF token)."""

    def __init__(self, message: str, code: str = "forbidden"):
        super().__init__(detail=message)
        self.message = message
        self.code = code


CSRF_MESSAGE = ("This form has expired or did not come from this site. Reload the page and try "
                "again.")
ROLE_MESSAGE = "Your account's role does not reach this."


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _json(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = ErrorBody(error=error, message=message, field=None, status_code=status)
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def auth_required(request: Request, exc: AuthRequired) -> Response:
    if is_api(request):
        return _json(401, "unauthorized", exc.message, {"WWW-Authenticate": 'Bearer realm="organize"'})
    if pages.wants_kept(request):  # her session ended as she typed: log in, keep her words
        token, cookie = pages.login_cookie(request)
        return pages.keeping(request, 401, lambda kept: pages.login_html(
            request, token, error_code="session_ended", kept=kept, resume=request.url.path),
            cookies=[cookie])
    return Redirect(path=LOGIN_PATH, status_code=303)


def forbidden(request: Request, exc: Forbidden) -> Response:
    if is_api(request):
        return _json(403, exc.code, exc.message)
    if exc.code == "csrf" and request.scope.get("user") is not None and pages.wants_kept(request):
        return pages.resend_page(request, "form_too_old_kept")
    return pages.error_page(request, 403, exc.code)


def not_found(request: Request, exc: NotFoundException) -> Response:
    """An unknown address: JSON under ``/api/`` (and to a client asking for JSON only), a
    page in her language for a browser."""
    if is_api(request) or ("application/json" in request.headers.get("accept", "")
                           and "text/html" not in request.headers.get("accept", "")):
        return api_errors.http_error(request, exc)
    return pages.error_page(request, 404, "not_found")


def database_unavailable(request: Request, exc: Exception) -> Response:
    """PostgreSQL cannot be reached (down, restarting, failing over, out of connections): a
    503 with ``Retry-After`` that clients retry, never a 500. Nothing was written (a command
    commits whole or not at all); a posted form comes back with what she typed."""
    log.warning("database_unavailable", error=type(exc).__name__, path=request.url.path)
    headers = {"Retry-After": RETRY_AFTER}
    if is_api(request) or "text/html" not in request.headers.get("accept", "text/html"):
        from web.i18n import error_message

        return _json(503, "database_unavailable", error_message("database_unavailable", "en"),
                     headers)
    if pages.wants_kept(request):
        return pages.resend_page(request, "database_unavailable_kept", 503, headers)
    return pages.error_page(request, 503, "database_unavailable", headers=headers)


# What a lost or refused database connection raises, from each driver and from the event
# store's own wrappers (a pool that cannot hand out a connection in time is one of these).
DATABASE_DOWN: tuple[type[Exception], ...] = (
    psycopg.OperationalError, psycopg.InterfaceError,
    asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full
    es.OperationalError, es.InterfaceError,
    ConnectionError, TimeoutError,
)

HANDLERS = {AuthRequired: auth_required, Forbidden: forbidden, NotFoundException: not_found,
            **dict.fromkeys(DATABASE_DOWN, database_unavailable)}

AUTH_RESPONSES = {
    401: ResponseSpec(data_container=ErrorBody, description="No session and no valid API token."),
    403: ResponseSpec(data_container=ErrorBody,
                      description="The account's role does not reach this, or a CSRF token is missing."),
}
