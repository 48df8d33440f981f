"""Lists that scale: filters in the URL, keyset pages, and search that keeps names out of it.

A list's filters are GET parameters of codes, opaque ids and dates, so a filtered list
survives a reload, can be bookmarked and works without JavaScript. Each list reads its
parameters here into its view's filter struct (``GrievanceFilter``, ``MeetingFilter``), once;
a value that is not one of the choices (or an id she may not use) is ignored, a date that
cannot be read or lies outside the calendar (``web.pages.forms.calendar_problem``) is
ignored with a message in her language.

Search is different: what she types may be a pseudonym, and a URL lands in the phone's
history (the phone is often shared; see the quick exit). So the search box posts (with the
CSRF token), the server matches the words *in memory* against what this leader may read
(the pseudonyms of her collective's workers, opened with their keys for this request only;
the organisations' names; the category or meeting-kind labels in her language; a
grievance's reference)
and answers with a redirect to the list filtered by the ids and codes it found. No opened
text is stored anywhere: no index, no cache, no log, no URL.

Paging is by keyset (``after``/``before`` a position in the list's order), so the tenth
page costs what the first does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from web.i18n import field_message
from web.i18n.messages import N_
from web.pages.common import Page
from web.pages.forms import calendar_problem, read_form

PAGE_SIZE = 50
MAX_MATCHES = 60  # more than this many workers or organisations: she should type more
MAX_IDS = 60  # ids in one URL parameter, at most
HEX = re.compile(r"^#?([0-9a-f]{4,36})$")

END_BEFORE_START = N_("The end date must be on or after the start date.")
TOO_MANY = N_("Too many match “%(words)s”. Type more of the name.")
NOTHING_FOUND = N_("Nothing matches these words.")


@dataclass
class Query:
    """The list's parameters as read (only those that were valid), for links and the form."""

    values: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return (self.values.get(name) or [""])[0]

    def all(self, name: str) -> list[str]:
        return list(self.values.get(name) or [])

    def keep(self, name: str, value: Any) -> None:
        if value not in (None, "", [], ()):
            self.values[name] = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]

    def url(self, base: str, **change: Any) -> str:
        """``base`` with these parameters, changed (None drops one); paging starts over
        unless the change is a page."""
        values = {k: v for k, v in self.values.items() if k not in ("after", "before")}
        for name, value in change.items():
            values.pop(name, None)
            if value not in (None, ""):
                values[name] = [str(value)]
        pairs = [(k, v) for k, vs in values.items() for v in vs]
        return base + ("?" + urlencode(pairs) if pairs else "")

    def hidden(self, *skip: str) -> list[tuple[str, str]]:
        """The parameters as (name, value) pairs for hidden fields of another form."""
        return [(k, v) for k, vs in self.values.items() if k not in skip
                and k not in ("after", "before") for v in vs]

    @property
    def filtered(self) -> bool:
        return any(k not in ("after", "before") for k in self.values)


def params(page: Page) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in page.request.query_params.multi_items():
        out.setdefault(name, []).append(value)
    return out


def choice(raw: dict[str, list[str]], q: Query, name: str, allowed: Iterable[str]) -> str | None:
    value = (raw.get(name) or [""])[0]
    if value and value in set(allowed):
        q.keep(name, value)
        return value
    return None


def one_id(raw: dict[str, list[str]], q: Query, name: str,
           allowed: set[UUID] | None = None) -> UUID | None:
    found = ids(raw, q, name, allowed)
    if found:
        q.values[name] = [str(found[0])]
    return found[0] if found else None


def ids(raw: dict[str, list[str]], q: Query, name: str,
        allowed: set[UUID] | None = None) -> tuple[UUID, ...]:
    """Opaque ids of one parameter; those she may not use (another collective's worker,
    say) are dropped, so a list never confirms an id it should not know."""
    out = []
    for value in (raw.get(name) or [])[:MAX_IDS]:
        try:
            ident = UUID(value)
        except ValueError:
            continue
        if allowed is None or ident in allowed:
            out.append(ident)
    out = list(dict.fromkeys(out))
    q.keep(name, out)
    return tuple(out)


def dates(page: Page, raw: dict[str, list[str]], q: Query, *, future: bool = False,
          ) -> tuple[date | None, date | None]:
    """The period ``from``..``to``: each a date between EARLIEST and today (a later day
    too when ``future``: planned meetings), the end not before the start."""
    found: dict[str, date | None] = {}
    for name in ("from", "to"):
        found[name] = None
        value = (raw.get(name) or [""])[0].strip()
        if not value:
            continue
        message = check_date(page, value, future=future)
        if message:
            q.errors[name] = message
            q.values[name] = [value[:10]]
            continue
        found[name] = date.fromisoformat(value)
        q.keep(name, value)
    if found["from"] and found["to"] and found["to"] < found["from"]:
        q.errors["to"] = page._(END_BEFORE_START)
        found["to"] = None
    return found["from"], found["to"]


def check_date(page: Page, value: str, *, future: bool = False) -> str | None:
    """Her message for a typed date that cannot be read, or lies outside the calendar (the
    forms' rule: ``web.pages.forms.calendar_problem``)."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return field_message("not_a_date", page.lang)
    problem = calendar_problem(day, "scheduled_for" if future else "occurred_on", page.today)
    return field_message(problem[0], page.lang, **problem[1]) if problem else None


def cursor(raw: dict[str, list[str]], decode: Any) -> tuple[Any, Any]:
    """The keyset position of the page asked for: (after, before), at most one set."""
    after = decode((raw.get("after") or [""])[0])
    before = None if after else decode((raw.get("before") or [""])[0])
    return after, before


@dataclass(frozen=True)
class Pages:
    """Links to the newer and the older page (None at either end)."""

    newer: str | None
    older: str | None


def pages(q: Query, base: str, rows: Sequence[Any], *, more: bool, after: Any, before: Any,
          key: Any) -> Pages:
    """Paging links for ``rows`` (fetched with one more than shown: ``more``)."""
    if not rows:
        return Pages(None, None)
    has_newer = bool(after) or (bool(before) and more)
    has_older = (not before and more) or bool(before)
    return Pages(
        newer=q.url(base, before=key(rows[0]).encode()) if has_newer else None,
        older=q.url(base, after=key(rows[-1]).encode()) if has_older else None)


def page_of(found: list[Any], size: int, before: Any) -> tuple[list[Any], bool]:
    """The page to show from ``size + 1`` rows read, and whether there were more."""
    if len(found) <= size:
        return found, False
    return (found[1:] if before else found[:size]), True


# -- search: the words to ids, in memory ------------------------------------------------------


def words(text: str) -> str:
    return " ".join(text.casefold().split())[:100]


def matching(typed: str, named: Iterable[tuple[Any, str]]) -> list[Any]:
    """The keys whose name contains what she typed (case and spacing aside)."""
    wanted = words(typed)
    return [key for key, name in named if wanted and wanted in words(name)]


def reference(typed: str) -> str | None:
    found = HEX.match(typed.strip().lower())
    return found.group(1) if found else None


@dataclass
class Search:
    """A search posted to a list: her words (folded), as she typed them (kept in the box when
    refused), and the list's own parameters without a former search's result."""

    base: str
    typed: str
    said: str
    kept: list[tuple[str, str]]

    def go(self, page: Page, match: Iterable[tuple[str, str]] | None) -> Any:
        """To the list filtered by the result (``m=1`` and its ids and codes), or, with
        nothing typed (``match`` None), to the list as it was."""
        params = self.kept if match is None else [*self.kept, ("m", "1"), *match]
        return page.go(self.base + ("?" + urlencode(params) if params else ""))


async def search(page: Page, base: str, list_params: Sequence[str],
                 match_params: Sequence[str]) -> Search:
    form = await read_form(page.request)
    kept = [(k, v) for k, vs in form.values.items() if k in list_params and k not in match_params
            for v in vs]
    return Search(base=base, typed=words(form.get("q")), said=(form.get("q") or "")[:100], kept=kept)


def codes_matching(page: Page, typed: str, vocabulary: str) -> list[str]:
    """The codes of ``vocabulary`` whose label in her language (or the code) holds the words."""
    from web.i18n import taxonomy_label

    taxonomy = page.organize.taxonomy
    return matching(typed, (
        (code, f"{taxonomy_label(vocabulary, code, page.lang, taxonomy=taxonomy)} {code}")
        for code in taxonomy.codes(vocabulary)))
