"""Security headers on every response the app sends, errors and 404s included.

Nothing is cached (``no-store``): pages and JSON hold pseudonyms and grievances, and a
phone may be inspected. Static files (``/static/``) are the one exception, so that a page
costs little on prepaid data once its styles and scripts are cached.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
STATIC_PREFIX = "/static/"
STATIC_CACHE = "public, max-age=86400"


async def security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    static = scope.get("path", "").startswith(STATIC_PREFIX) and message.get("status", 200) < 400
    headers["Cache-Control"] = STATIC_CACHE if static else "no-store"
