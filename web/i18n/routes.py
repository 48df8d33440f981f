"""The routes of the page skeleton: the language switch, the neutral page the quick exit
lands on, and the static files (CSS, the icon sprite, htmx and app.js).

The app factory mounts them with ``*skeleton_routes()`` and sets
``template_config=web.i18n.template_config()``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

from litestar import Request, Router, get
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router

from web.i18n.locales import LANG_COOKIE, LANG_COOKIE_MAX_AGE, safe_next, supported

NO_STORE = {"Cache-Control": "no-store"}
STATIC_MAX_AGE = 24 * 3600  # a day: app.css and app.js are versioned by content anyway


# Public (``web.auth.access``'s ACCESS/PUBLIC, spelled out so this package needs no web.auth).
@get("/lang/{code:str}", include_in_schema=False, sync_to_thread=False, name="set_language",
     opt={"access": "public"})
def set_language(request: Request, code: FromPath[str],
                 next_path: Annotated[str | None, QueryParameter(name="next")] = None
                 ) -> Redirect:
    """Remember the chosen language in the ``lang`` cookie and go back to ``next`` (a path
    on this site only; anything else goes to ``/``). An unknown code changes nothing."""
    target = safe_next(next_path)
    lang = supported(code)
    cookies = []
    if lang and lang == code.lower():
        cookies.append(Cookie(key=LANG_COOKIE, value=lang, max_age=LANG_COOKIE_MAX_AGE, path="/",
                              httponly=True, samesite="lax", secure=request.url.scheme == "https"))
    return Redirect(path=target, status_code=303, cookies=cookies, headers=NO_STORE)


@get("/weather", include_in_schema=False, sync_to_thread=False, name="neutral_page")
def neutral_page() -> Template:
    """Where the quick exit ends up: weather and a recipe, nothing of the app."""
    return Template(template_name="weather.html", headers=NO_STORE)


def static_directory() -> Path:
    return Path(str(resources.files("web").joinpath("static")))


def static_router(path: str = "/static") -> Router:
    return create_static_files_router(
        path=path, directories=[static_directory()], name="static",
        cache_control=CacheControlHeader(max_age=STATIC_MAX_AGE, public=True),
        include_in_schema=False,
    )


def skeleton_routes() -> list:
    """Everything this package serves, for ``Litestar(route_handlers=[...])``."""
    return [set_language, neutral_page, static_router()]
