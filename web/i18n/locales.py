"""Which languages the app speaks, which way each one is written, and which one a request
gets.

The order of choice: an explicit choice stored in the ``lang`` cookie (set by
``GET /lang/{code}``), then the browser's ``Accept-Language``, then English. Only a
supported code is ever returned, so the result is safe to put in a path or an attribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import urlsplit

DEFAULT_LOCALE = "en"
# English, Nepali, Bengali, Arabic. The order is the order of the language switcher.
LOCALES: tuple[str, ...] = ("en", "ne", "bn", "ar")
# Each language named in itself (an endonym), so a leader finds her own language whatever
# the page is in. These are never translated.
LOCALE_NAMES: Mapping[str, str] = MappingProxyType(
    {"en": "English", "ne": "नेपाली", "bn": "বাংলা", "ar": "العربية"}
)
RTL_LOCALES = frozenset({"ar"})
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

_HEADER_MAX = 512  # a real Accept-Language is far shorter; longer ones are not parsed at all
_NEXT_MAX = 512


class _HasCookiesAndHeaders(Protocol):
    @property
    def cookies(self) -> Mapping[str, str]: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


def text_direction(lang: str) -> str:
    """``"rtl"`` for right-to-left languages (Arabic), else ``"ltr"``."""
    return "rtl" if lang in RTL_LOCALES else "ltr"


def supported(lang: object) -> str | None:
    """``lang`` (or its primary subtag: ``ar-SA`` gives ``ar``) if we speak it, else None."""
    if not isinstance(lang, str) or not lang or len(lang) > 35:
        return None
    primary = lang.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LOCALES else None


def parse_accept_language(header: str | None) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most wanted first; tags with
    ``q=0`` and the wildcard are dropped. Malformed parts are skipped, never raised."""
    if not header or len(header) > _HEADER_MAX:
        return []
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(accept_language: str | None = None, cookie: str | None = None) -> str:
    """The locale for a request: the cookie's explicit choice if supported, else the first
    supported language the browser asks for, else English."""
    chosen = supported(cookie)
    if chosen:
        return chosen
    for tag in parse_accept_language(accept_language):
        chosen = supported(tag)
        if chosen:
            return chosen
    return DEFAULT_LOCALE


def locale_from_request(request: _HasCookiesAndHeaders | Any) -> str:
    """The negotiated locale of a Litestar request (or anything with ``cookies`` and
    ``headers``). Cached in the ASGI scope's state so a page negotiates once."""
    scope = getattr(request, "scope", None)
    state = scope.get("state") if isinstance(scope, dict) else None
    if isinstance(state, dict) and state.get("organize.lang") in LOCALES:
        return state["organize.lang"]
    lang = negotiate(request.headers.get("accept-language"), request.cookies.get(LANG_COOKIE))
    if isinstance(state, dict):
        state["organize.lang"] = lang
    return lang


def safe_next(value: object, default: str = "/") -> str:
    """``value`` if it is a path on this site (``/...``), else ``default``.

    Refuses absolute URLs, scheme-relative ``//host`` and ``/\\host`` (which browsers treat
    as another host), backslashes, whitespace and control characters: an open redirect
    would let anyone dress a link to a fake login page up as ours.
    """
    if not isinstance(value, str) or not value or len(value) > _NEXT_MAX:
        return default
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
