"""The auth layer's pages (the account, a refusal, "not found" and the neutral page the
quick exit lands on), rendered from the translated templates in ``web/templates`` in the
reader's language: one render path with the leaders' pages, and the same templates the
catalogue tests check.

No inline script or style (the CSP forbids both), every form a plain POST carrying
``csrf_token``, a quick exit on every page but the neutral one. Error pages never repeat
what was sent: their sentence comes from the error code's catalogue entry.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response

from web.i18n import error_message, locale_from_request
from web.i18n.templating import default_environment


def render(name: str, request: Request, **context: Any) -> str:
    principal = context.setdefault("principal", request.scope.get("user"))
    context.setdefault("csrf_token", getattr(principal, "csrf_token", None) or "")
    return default_environment().get_template(name).render(
        request=request, lang=locale_from_request(request), **context)


def page(name: str, request: Request, *, status_code: int = 200,
         headers: dict[str, str] | None = None, cookies: list | None = None,
         **context: Any) -> Response:
    return Response(render(name, request, **context), status_code=status_code,
                    media_type=MediaType.HTML, headers=headers, cookies=cookies)


def home_of(principal: Any) -> str:
    """Where an account starts (after logging in, and at ``/``): an organiser at her
    federation's overview, a researcher who organises nothing at the research page, every
    other account at its collectives; nobody logged in at the login page."""
    if principal is None:
        return "/login"
    if principal.role == "organiser" and principal.federation:
        return "/o"
    return "/c" if principal.organises or not principal.researches else "/research"


def error_page(request: Request, status_code: int, code: str, *,
               headers: dict[str, str] | None = None) -> Response:
    """An error page in her language: its sentence is the catalogue's for ``code``."""
    lang = locale_from_request(request)
    principal = request.scope.get("user")
    collective_id = (request.scope.get("path_params") or {}).get("collective_id")
    path = request.scope.get("path", "")
    prefix = (f"/c/{collective_id}" if collective_id else "/o" if path.startswith("/o") else
              "/c" if path.startswith("/c") else "")
    return Response(render("error.html", request, status_code=status_code,
                           message=error_message(code, lang), nav_prefix=prefix,
                           home=prefix + "/" if prefix else home_of(principal),
                           show_nav=collective_id is not None),
                    status_code=status_code, media_type=MediaType.HTML, headers=headers)
