"""The skeleton in real Chromium at phone size: Arabic runs right to left and mirrors the
layout, the quick exit is visible and first in the tab order, nothing overflows sideways,
and the strict CSP blocks nothing (no inline script or style anywhere)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

import pytest

from tests.support import BROWSER_ARGS, CHROMIUM
from web.i18n import LOCALES
from web.i18n.preview import preview

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}

@pytest.fixture(scope="module")
def server():
    pages = {f"/{lang}/{name}": html.encode() for lang in LOCALES for name, html in preview(lang).items()}
    static = resources.files("web").joinpath("static")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server convention
            path = self.path.split("?", 1)[0]
            if path in pages:
                body, kind = pages[path], "text/html; charset=utf-8"
            elif path.startswith("/static/") and "/" not in path[8:] and static.joinpath(path[8:]).is_file():
                body = static.joinpath(path[8:]).read_bytes()
                kind = TYPES.get(path[path.rfind("."):], "application/octet-stream")
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Security-Policy", CSP)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()


LAYOUT = """() => {
  const exit = document.querySelector('a.quick-exit').getBoundingClientRect();
  const nav = document.querySelector('.bottom-nav a').getBoundingClientRect();
  return {
    direction: getComputedStyle(document.documentElement).direction,
    exitLeft: exit.left, exitRight: exit.right, exitTop: exit.top, exitHeight: exit.height,
    exitWidth: exit.width, navHeight: nav.height, navBottom: nav.bottom,
    scrollWidth: document.documentElement.scrollWidth,
    htmx: typeof htmx !== 'undefined' ? htmx.version : null,
    iconWidth: document.querySelector('a.quick-exit svg').getBoundingClientRect().width,
  };
}"""


@pytest.mark.parametrize("lang", LOCALES)
def test_phone_layout_and_direction(server, browser, lang):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    violations, errors = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => (window.__csp ="
                         " window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI))")
    page.goto(f"{server}/{lang}/sample.html", wait_until="load")
    page.wait_for_function("typeof htmx !== 'undefined'")
    got = page.evaluate(LAYOUT)
    violations = page.evaluate("window.__csp || []")

    assert got["direction"] == ("rtl" if lang == "ar" else "ltr")
    # The quick exit is on screen, big enough to tap, and starts the line: left in
    # left-to-right languages, right in Arabic (the layout mirrors).
    assert page.locator("a.quick-exit").is_visible()
    assert got["exitTop"] >= 0 and got["exitHeight"] >= 44 and got["exitWidth"] >= 44
    if lang == "ar":
        assert got["exitRight"] > 300
    else:
        assert got["exitLeft"] < 60
    assert got["iconWidth"] > 10  # the sprite's icon is laid out
    # The bottom nav sits at the bottom of the screen with tall tap targets.
    assert got["navHeight"] >= 44 and abs(got["navBottom"] - 740) <= 1
    assert got["scrollWidth"] <= 360  # nothing overflows sideways on a small phone
    assert got["htmx"].startswith("2.")
    assert violations == [] and errors == []

    # The quick exit is the first thing the keyboard reaches.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('quick-exit')")

    # After scrolling to the end, the quick exit is still on screen.
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(50)
    assert page.locator("a.quick-exit").is_visible()
    box = page.locator("a.quick-exit").bounding_box()
    assert box and 0 <= box["y"] < 740
    context.close()


def test_login_page_renders_without_violations(server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "(window.__csp = window.__csp || []).push(e.violatedDirective))")
    page.goto(f"{server}/ar/login.html", wait_until="load")
    assert page.evaluate("window.__csp || []") == []
    field = page.locator("#f-username")
    assert field.input_value() == "sita"
    assert field.bounding_box()["height"] >= 44
    assert page.locator("#f-password-error").is_visible()
    context.close()
