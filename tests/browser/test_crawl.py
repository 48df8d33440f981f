"""A crawler over the demo data: as every demo account, in each of en, ne, bn and ar, it
follows every link and submits every GET form it reaches (filters with each of their
choices, paging, dates) and the list's search, over real HTTP. It finds no response >= 500,
no page over 60 KB on the wire, and no UI string left in English where the catalogue has a translation;
then Chromium opens one page of every kind in each language at 360 px and finds none wider
than the screen.

Links that would end the session (the quick exit, the language switch) are not followed;
a page of one kind (the same route, with the same parameters) is visited a few times, not
for every record, so the crawl stays a couple of minutes on the demo's thousands of records.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx
import pytest

from organize.demo.accounts import DEMO_ACCOUNTS
from tests.browser.support import PHONE, demo_server
from web.i18n import LOCALES, get_translations
from web.i18n.catalog import read_catalogue

PER_KIND = 2  # visits of one kind of page (route and parameter names), per account and language
MAX_BYTES = 60 * 1024
SKIP = ("/exit", "/lang/", "/static/", "/logout", "/schema", "/api/", "/healthz")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Parsed(HTMLParser):
    """Links, forms and the words a reader sees (text and the attributes read aloud)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self.texts: list[str] = []
        self._skip = 0  # inside script, style, code or text marked as English on purpose
        self._stack: list[tuple[str, bool]] = []
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        marked = tag in ("script", "style", "code", "time") or a.get("lang") == "en" \
            or a.get("translate") == "no"
        if tag not in ("input", "br", "img", "meta", "link", "hr", "use", "option"):
            self._stack.append((tag, marked))
            self._skip += marked
        for name in ("aria-label", "title", "placeholder", "alt"):
            if a.get(name) and not self._skip:
                self.texts.append(a[name])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(),
                               "action": a.get("action") or "", "role": a.get("role"),
                               "fields": [], "selects": {}})
        elif tag == "input" and self.forms:
            self.forms[-1]["fields"].append((a.get("name"), a.get("type") or "text",
                                             a.get("value") or "", "checked" in a))
        elif tag == "select" and self.forms:
            self._select = {"name": a.get("name"), "options": []}
            self.forms[-1]["selects"][a.get("name")] = self._select
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        while self._stack:
            name, marked = self._stack.pop()
            self._skip -= marked
            if name == tag:
                break

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data.strip())


# What sticks out of the screen: the outermost elements wider than it, to name in a failure.
WIDEST = """() => { const w = document.documentElement.clientWidth; const out = [];
  for (const e of document.querySelectorAll('body *')) { const r = e.getBoundingClientRect();
    if ((r.right > w + 1 || r.left < -1) && !out.some(o => o.contains(e))) out.push(e); }
  return out.slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + (e.getAttribute('name') || '')
    + ' ' + Math.round(e.getBoundingClientRect().width)); }"""


def english_left(lang: str) -> set[str]:
    """The catalogue's English UI strings that have another text in ``lang``: one of these
    shown whole on a page in ``lang`` is a string left untranslated."""
    translations = get_translations(lang)
    out = set()
    for message in read_catalogue("en"):
        if isinstance(message.id, str) and len(message.id) > 2 and "%(" not in message.id \
                and translations.gettext(message.id) != message.id:
            out.add(message.id)
    return out


def kind_of(url: str) -> str:
    parts = urlsplit(url)
    return UUID.sub("{id}", parts.path) + "?" + ",".join(sorted({k for k, _ in parse_qsl(parts.query)}))


@pytest.fixture(scope="module")
def demo(runtime, app):
    with demo_server(runtime, app, "crawl") as base:
        yield base


def log_in(base: str, username: str, password: str, lang: str) -> httpx.Client:
    client = httpx.Client(base_url=base, headers={"Accept-Language": lang, "Accept": "text/html"},
                          timeout=60)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = client.post("/login", data={"username": username, "password": password,
                                    "csrf_token": token})
    assert r.status_code == 303, (username, r.status_code)
    return client


def submissions(page_url: str, form: dict) -> list[str]:
    """A GET form's URLs: as it stands, then with each choice of each of its lists."""
    action = urljoin(page_url, form["action"] or page_url)
    base = [(n, v) for n, t, v, checked in form["fields"]
            if n and t not in ("submit", "button", "checkbox", "radio") or (n and checked)]
    base += [(n, "") for n in form["selects"]]
    out = [f"{action}?{urlencode(base)}"]
    for name, select in form["selects"].items():
        for value in select["options"]:
            pairs = [(n, value if n == name else v) for n, v in base]
            out.append(f"{action}?{urlencode(pairs)}")
    return out


def crawl(client: httpx.Client, start: str, lang: str, findings: dict, pages: dict,
          who: str) -> int:
    left = english_left(lang) if lang != "en" else set()
    queue, seen, kinds = [start], set(), defaultdict(int)
    visited = 0
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or path.startswith(SKIP) or not path.startswith("/"):
            continue
        seen.add(url)
        kind = kind_of(url)
        if kinds[kind] >= PER_KIND:
            continue
        kinds[kind] += 1
        r = client.get(url)
        visited += 1
        if r.status_code >= 500:
            findings["5xx"].append((lang, url, r.status_code))
        if r.status_code in (301, 302, 303, 307):
            queue.insert(0, r.headers["location"])
            continue
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        if r.num_bytes_downloaded > MAX_BYTES:  # on the wire, compressed (as test_weight)
            findings["heavy"].append((lang, url, r.num_bytes_downloaded))
        pages.setdefault((kind, lang), (url, who))
        parsed = Parsed()
        parsed.feed(r.text)
        english = sorted({t for t in parsed.texts if t in left})
        if english:
            findings["english"].append((lang, url, english))
        for href in parsed.links:
            queue.append(urljoin(url, href).replace(str(client.base_url), ""))
        for form in parsed.forms:
            if form["method"] == "get":
                queue.extend(u.replace(str(client.base_url), "") for u in submissions(url, form))
            elif form["role"] == "search":  # the list's search posts, then lands on a GET
                token = next(v for n, _, v, _ in form["fields"] if n == "csrf_token")
                s = client.post(urljoin(url, form["action"]), data={"csrf_token": token, "q": "ma"})
                if s.status_code >= 500:
                    findings["5xx"].append((lang, f"POST {form['action']}", s.status_code))
                if s.status_code == 303:
                    queue.append(s.headers["location"])
    return visited


def test_every_role_every_language_every_link(demo, browser):
    findings: dict[str, list] = defaultdict(list)
    pages: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, language): (url, who found it)
    sessions: dict[str, dict[str, httpx.Client]] = defaultdict(dict)
    started, visited = time.monotonic(), 0
    for account in DEMO_ACCOUNTS:
        for lang in LOCALES:
            client = log_in(demo, account.username, account.password, lang)
            sessions[lang].setdefault(account.username, client)
            visited += crawl(client, "/", lang, findings, pages, account.username)
    print(f"\n[crawl] {visited} pages in {time.monotonic() - started:.0f}s, "
          f"{len({k for k, _ in pages})} kinds")
    assert visited > 500
    assert findings["5xx"] == [], findings["5xx"][:20]
    assert findings["heavy"] == [], findings["heavy"][:20]
    assert findings["english"] == [], findings["english"][:20]

    # One page of each kind, in each language, in Chromium at 360 px: nothing wider.
    overflowing = []
    for lang in LOCALES:
        context = browser.new_context(viewport=PHONE, base_url=demo, locale=lang,
                                      extra_http_headers={"Accept-Language": lang})
        for account in DEMO_ACCOUNTS:
            cookies = sessions[lang][account.username].cookies
            context.clear_cookies()
            context.add_cookies([{"name": c.name, "value": c.value, "url": demo}
                                 for c in cookies.jar])
            page = context.new_page()
            for (_kind, page_lang), (url, who) in sorted(pages.items()):
                if page_lang != lang or who != account.username:
                    continue
                page.goto(url)
                wide = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if wide > 0:
                    overflowing.append((lang, account.username, url, wide, page.evaluate(WIDEST)))
            page.close()
        context.close()
    assert overflowing == [], overflowing[:20]

