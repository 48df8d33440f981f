"""Templates and static files keep to the CSP and the size budget."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from web.i18n import GROUP_ICONS, LOCALES
from web.i18n.preview import preview

TEMPLATES = resources.files("web").joinpath("templates")
STATIC = resources.files("web").joinpath("static")
ICONS = ("home", "grievance", "meeting", "campaign", "worker", "exit", "language", "money", "clock",
         "passport", "hand", "recruitment", "house", "discrimination", "scale", "plus", "check", "back")


def _templates() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in TEMPLATES.iterdir() if p.name.endswith(".html")}


def _csp_problems(html: str) -> list[str]:
    found = []
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I):
        if "src=" not in match.group(1) or match.group(2).strip():
            found.append(f"inline script: {match.group(0)[:80]}")
    found += [f"event handler: {m}" for m in re.findall(r"<[^>]*\son[a-z]+\s*=", html, re.I)]
    found += [f"style attribute: {m}" for m in re.findall(r"<[^>]*\sstyle\s*=", html, re.I)]
    found += [f"style element: {m}" for m in re.findall(r"<style\b", html, re.I)]
    found += [f"javascript url: {m}" for m in re.findall(r"javascript:", html, re.I)]
    return found


def test_templates_have_no_inline_script_handler_or_style():
    templates = _templates()
    assert {"base.html", "_macros.html", "login.html", "error.html", "weather.html"} <= set(templates)
    for name, text in templates.items():
        assert _csp_problems(text) == [], name


@pytest.mark.parametrize("lang", LOCALES)
def test_rendered_pages_have_no_inline_script_handler_or_style(lang):
    for name, html in preview(lang).items():
        assert _csp_problems(html) == [], (lang, name)
        assert "https://" not in html and "http://" not in html, (lang, name)  # nothing off-site


def test_htmx_is_the_vendored_2x_build():
    text = STATIC.joinpath("htmx.min.js").read_text(encoding="utf-8")
    assert text.startswith("var htmx=function()")
    version = re.search(r'version:"(\d+)\.(\d+)\.(\d+)"', text)
    assert version and version.group(1) == "2"
    assert 40_000 < len(text.encode()) < 70_000
    base = TEMPLATES.joinpath("base.html").read_text(encoding="utf-8")
    assert "static_url('htmx.min.js')" in base


def test_css_is_small_and_uses_logical_properties():
    css = STATIC.joinpath("app.css").read_text(encoding="utf-8")
    assert len(css.encode()) < 12 * 1024
    physical = re.findall(r"(?:margin|padding|border)-(?:left|right)\b|\b(?:left|right)\s*:", css)
    assert physical == []
    assert "min-block-size: var(--tap)" in css and "--tap: 2.75rem" in css  # 44px tap targets


def test_app_js_is_small_and_evaluates_nothing():
    js = STATIC.joinpath("app.js").read_text(encoding="utf-8")
    assert len(js.encode()) < 4096
    assert "eval(" not in js and "new Function" not in js and "innerHTML" not in js


def test_icon_sprite_has_every_icon_the_pages_use():
    sprite = STATIC.joinpath("icons.svg").read_text(encoding="utf-8")
    ids = set(re.findall(r'<symbol id="([a-z_-]+)"', sprite))
    assert set(ICONS) <= ids
    assert set(GROUP_ICONS.values()) <= ids
    used = set()
    for text in _templates().values():
        used |= set(re.findall(r'icon\("([a-z_-]+)"', text))
    for html in preview("en").values():
        used |= set(re.findall(r'icons\.svg#([a-z_-]+)"', html))
    assert used and used <= ids
    assert "<script" not in sprite and "style=" not in sprite


def test_icons_are_referenced_through_the_sprite():
    html = preview("en")["base.html"]
    assert ('<svg class="icon" focusable="false" aria-hidden="true">'
            '<use href="/static/icons.svg#exit"></use></svg>') in html
