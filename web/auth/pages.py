"""The auth layer's pages (the login form, the account, a refusal, "not found" and the
neutral page the quick exit lands on), rendered from the translated templates in ``web/templates`` in the
reader's language: one render path with the leaders' pages, and the same templates the
catalogue tests check.

No inline script or style (the CSP forbids both), every form a plain POST carrying
``csrf_token``, a quick exit on every page but the neutral one. Error pages never repeat
what was sent: their sentence comes from the error code's catalogue entry.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar import MediaType, Request, Response
from litestar.datastructures import Cookie

from web.auth.middleware import LOGIN_COOKIE
from web.i18n import error_message, locale_from_request
from web.i18n.templating import default_environment
from web.i18n.templating import render as render_page


def render(name: str, request: Request, **context: Any) -> str:
    context.setdefault("shown", shown)
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


# -- nothing typed is lost ---------------------------------------------------------------------
#
# A form posted after her session ended, or with a token gone stale, saves nothing; but what
# she typed comes back in the answer's page and nowhere else (no store, no cookie, no log,
# no URL): the login page carries it in hidden fields (``kept.<name>``) together with the
# path it was posted to (``resume``); after logging in, a page shows it in a form that posts
# it there again with the new session's token. The form's ``command_id`` travels too, so
# sending it twice still does the thing once.

KEPT = "kept."
RESUME = "resume"
NOT_KEPT = frozenset({"csrf_token", "username", "password", RESUME})
MAX_KEPT = 400  # values: a form of the pages has far fewer
_PATH = re.compile(r"^/(?:c|o)/[A-Za-z0-9/_.-]{1,400}$")  # the pages' own forms only


_OPAQUE = re.compile(r"^(?:[0-9a-f-]{36}|\d{4}-\d\d-\d\d(?:T[\d:]+)?|[a-z0-9_:.-]{1,40}|[\d.,]+)$")
_RIDING = frozenset({"command_id", "expected_version", "step", "go", "started"})


def shown(name: str, value: str) -> bool:
    """Whether a kept value is words she typed (shown, to check and change) rather than an
    id, a code, a date or a choice (carried hidden)."""
    return name not in _RIDING and bool(value.strip()) and not _OPAQUE.match(value.strip())


def resumable(path: str | None) -> str | None:
    """The path a kept form goes back to: one of the pages' own, never another site."""
    return path if path and _PATH.match(path) and "//" not in path and ".." not in path else None


def kept_pairs(form: Any, prefix: str = "") -> list[tuple[str, str]]:
    """The typed (name, value) pairs of a posted form, those under ``prefix`` only (with
    it taken off); never the password, the username or a token."""
    out = []
    for name, value in form.multi_items():
        if isinstance(value, str) and name.startswith(prefix):
            name = name[len(prefix):]
            if name and name not in NOT_KEPT:
                out.append((name, value))
    return out[:MAX_KEPT]


def kept_through_login(form: Any) -> tuple[list[tuple[str, str]], str | None]:
    """What a login form carried of a form she had typed, and where it goes back to."""
    resume = resumable(form.get(RESUME) if isinstance(form.get(RESUME), str) else None)
    return (kept_pairs(form, KEPT) if resume else []), resume


def wants_kept(request: Request) -> bool:
    """A browser's form posted to one of the pages (not the API, not the login itself)."""
    return (request.method == "POST" and resumable(request.url.path) is not None
            and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")))


class _Keeping(Response):
    """A page rendered from the posted form. An exception handler cannot wait for the body,
    so the body is read when the answer is sent, before its first byte (a streamed answer
    would race its own wait for a disconnect to the body)."""

    def __init__(self, request: Request, status_code: int, render_page: Any,
                 cookies: list | None, headers: dict[str, str] | None = None) -> None:
        super().__init__(b"", status_code=status_code, media_type=MediaType.HTML, cookies=cookies,
                         headers=headers)
        self._request, self._render, self._headers = request, render_page, headers

    def to_asgi_response(self, app: Any, request: Request, **kwargs: Any) -> Any:
        outer = self

        async def answer(scope: Any, receive: Any, send: Any) -> None:
            form = await outer._request.form()
            page = Response(outer._render(kept_pairs(form)), status_code=outer.status_code,
                            media_type=MediaType.HTML, cookies=outer.cookies,
                            headers=outer._headers)
            await page.to_asgi_response(app, request, **kwargs)(scope, receive, send)

        return answer


def keeping(request: Request, status_code: int, render_page: Any,
            cookies: list | None = None, headers: dict[str, str] | None = None) -> Response:
    """An answer rendered by ``render_page(pairs)`` from the form that was posted."""
    return _Keeping(request, status_code, render_page, cookies, headers)


def resend_page(request: Request, code: str, status_code: int = 403,
                headers: dict[str, str] | None = None) -> Response:
    """Nothing was saved (her form's token was stale, or the database could not be reached):
    what she typed, to send again."""
    lang = locale_from_request(request)
    return keeping(request, status_code, lambda kept: render(
        "resume.html", request, kept=kept, action=request.url.path, show_nav=False,
        message=error_message(code, lang)), headers=headers)


# -- the login form (the page, and the cookie its token must match) ---------------------------


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def login_cookie(request: Request) -> tuple[str, Cookie]:
    """A fresh token for the login form, and the cookie that must match it."""
    token = secrets.token_urlsafe(32)
    return token, Cookie(key=LOGIN_COOKIE, value=token, path="/login", httponly=True,
                         samesite="strict", secure=secure(request), max_age=3600)


def login_html(request: Request, token: str, *, error_code: str | None = None,
                kept: list[tuple[str, str]] | None = None, resume: str | None = None) -> str:
    lang = locale_from_request(request)
    return render_page("login.html", lang, csrf_token=token, kept=kept or [], resume=resume,
                       form_error=error_message(error_code, lang) if error_code else None)
