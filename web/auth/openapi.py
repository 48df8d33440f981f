"""The OpenAPI schema says what auth the API needs: a bearer token (or a session), with 401
and 403 among every ``/api/v1/`` operation's responses."""

from __future__ import annotations

from litestar import Litestar
from litestar.openapi.spec import Components, SecurityScheme

from web.auth.errors import AUTH_RESPONSES

BEARER = "bearer"
COMPONENTS = Components(security_schemes={
    BEARER: SecurityScheme(type="http", scheme="bearer",
                           description="A per-account API token (`organize token create`, or the "
                                       "account page), scoped exactly like the account."),
})


def document_auth(app: Litestar) -> None:
    """Add the bearer requirement and the 401/403 responses to every API operation (the
    schema is built lazily, on its first request, so this runs before it is)."""
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        for handler in getattr(route, "route_handlers", ()):
            handler.responses = {**(handler.responses or {}), **AUTH_RESPONSES}
            handler.security = [{BEARER: []}]
