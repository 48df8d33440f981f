"""What routes receive about the account asking, as Litestar dependencies.

- ``principal``: the ``Principal`` (or None on public routes);
- ``reader_scope``: the ``Scope`` read functions filter by (a researcher has none: 403);
- ``organize``: the application as this account may use it (``Authorised``);
- ``accounts``: the ``AccountService``;
- ``csrf_token``: the session's CSRF token for forms (None with a bearer token).
"""

from __future__ import annotations

from litestar import Request
from litestar.di import Provide

from organize.accounts import AccountService, Principal
from organize.application import Organize
from organize.application.access import Authorised
from organize.projections.reads import Scope
from web.auth.errors import ROLE_MESSAGE, AuthRequired, Forbidden


def _principal(request: Request) -> Principal:
    principal = request.scope.get("user")
    if principal is None:
        raise AuthRequired()
    return principal


def provide_principal(request: Request) -> Principal | None:
    return request.scope.get("user")


def provide_reader_scope(request: Request) -> Scope:
    scope = _principal(request).scope
    if scope is None:
        raise Forbidden(ROLE_MESSAGE, code="role")
    return scope


def provide_csrf_token(request: Request) -> str | None:
    principal = request.scope.get("user")
    return None if principal is None else principal.csrf_token


def dependencies(organize: Organize, service: AccountService) -> dict[str, Provide]:
    def provide_organize(request: Request) -> Organize:
        return Authorised(organize, _principal(request))

    return {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "reader_scope": Provide(provide_reader_scope, sync_to_thread=False),
        "organize": Provide(provide_organize, sync_to_thread=False),
        "accounts": Provide(lambda: service, use_cache=True, sync_to_thread=False),
        "csrf_token": Provide(provide_csrf_token, sync_to_thread=False),
    }
