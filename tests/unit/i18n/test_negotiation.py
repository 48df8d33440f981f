"""Which language a request gets, and the language switch."""

from __future__ import annotations

import pytest
from litestar import Litestar, get
from litestar.response import Template
from litestar.testing import TestClient

from web.i18n import LANG_COOKIE, negotiate, parse_accept_language, safe_next, template_config
from web.i18n.locales import locale_from_request
from web.i18n.routes import skeleton_routes


def test_accept_language_is_ranked_by_quality():
    assert parse_accept_language("en;q=0.5, ar-SA, bn;q=0.8") == ["ar-SA", "bn", "en"]
    assert parse_accept_language("*;q=0.1, fr;q=0") == []
    assert parse_accept_language("ne;q=oops, en") == ["en"]
    assert parse_accept_language(None) == []
    assert parse_accept_language("x" * 2000) == []


@pytest.mark.parametrize(("header", "cookie", "expected"), [
    ("ar-SA,ar;q=0.9,en;q=0.8", None, "ar"),
    ("bn-BD", None, "bn"),
    ("ne-NP, en;q=0.5", None, "ne"),
    ("fr-FR, de;q=0.9", None, "en"),          # nothing we speak: English
    ("fr-FR, bn;q=0.3", None, "bn"),          # the first we speak, however far down
    ("ar", "ne", "ne"),                        # an explicit choice wins over the browser
    ("ar", "xx", "ar"),                        # an unsupported cookie is ignored
    (None, None, "en"),
    ("", "../../etc", "en"),
])
def test_negotiate(header, cookie, expected):
    assert negotiate(header, cookie) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("/grievances", "/grievances"),
    ("/c/abc/meetings?page=2", "/c/abc/meetings?page=2"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("grievances", "/"),
    ("/ok\r\nSet-Cookie: x=1", "/"),
    ("/a b", "/"),
    ("", "/"),
    (None, "/"),
])
def test_next_must_be_a_relative_path(value, expected):
    assert safe_next(value) == expected


@get("/page", sync_to_thread=False)
def _page() -> Template:
    return Template(template_name="base.html", context={"nav_active": "home"})


@pytest.fixture(scope="module")
def client():
    app = Litestar(route_handlers=[*skeleton_routes(), _page], template_config=template_config())
    with TestClient(app) as c:
        yield c


def test_lang_route_sets_the_cookie_and_goes_back(client):
    r = client.get("/lang/ne", params={"next": "/grievances?x=1"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/grievances?x=1"
    assert r.cookies.get(LANG_COOKIE) == "ne"
    assert "httponly" in r.headers["set-cookie"].lower()
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example", "/\\evil.example"])
def test_lang_route_refuses_to_leave_the_site(client, target):
    r = client.get("/lang/ar", params={"next": target}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/"


def test_lang_route_ignores_unknown_languages(client):
    r = client.get("/lang/fr", params={"next": "/page"}, follow_redirects=False)
    assert r.status_code == 303
    assert LANG_COOKIE not in r.cookies


def test_pages_follow_the_browser_then_the_cookie(client):
    client.cookies.clear()
    page = client.get("/page", headers={"Accept-Language": "bn-BD,bn;q=0.9"}).text
    assert 'lang="bn" dir="ltr"' in page and "বের হন" in page
    client.cookies.set(LANG_COOKIE, "ar")
    page = client.get("/page", headers={"Accept-Language": "bn-BD,bn;q=0.9"}).text
    assert 'lang="ar" dir="rtl"' in page and "خروج" in page
    # The switcher links come back to this page.
    assert 'href="/lang/ne?next=%2Fpage"' in page
    client.cookies.clear()
    page = client.get("/page", headers={"Accept-Language": "fr"}).text
    assert 'lang="en" dir="ltr"' in page


def test_neutral_page_and_static_files_are_served(client):
    r = client.get("/weather", headers={"Accept-Language": "ne"})
    assert r.status_code == 200 and "quick-exit" not in r.text and "<script" not in r.text
    assert "मसुरको दालको सुप" in r.text
    assert r.headers["cache-control"] == "no-store"
    for name in ("app.css", "app.js", "htmx.min.js", "icons.svg"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200, name
        assert "max-age" in r.headers["cache-control"]


class _Request:
    def __init__(self, header=None, cookie=None):
        self.headers = {"accept-language": header} if header else {}
        self.cookies = {LANG_COOKIE: cookie} if cookie else {}
        self.scope = {"state": {}}


def test_locale_from_request_is_cached_per_request():
    request = _Request("ar")
    assert locale_from_request(request) == "ar"
    request.headers = {"accept-language": "bn"}
    assert locale_from_request(request) == "ar"
    assert locale_from_request(_Request("fr", "bn")) == "bn"
