"""What every organiser's page shares: whose federation it is, the "as of" and "compare
with" dates, the bottom navigation, and the refusal a leader gets.

Pages live under ``/o``. An organiser sees her own federation, named by her account, so
her addresses carry no name at all (``/o/campaigns``). An admin organises no federation of
her own: she picks one, and it travels as ``?f=<federation>`` on every link. A federation
other than the organiser's answers the same 404 page as one that does not exist. Leaders
keep their collective's pages under ``/c`` and get a refusal here (the role does not reach
this), as a researcher does on the leaders' pages.

These pages show collectives, campaigns and aggregates only: never a worker's pseudonym or
any other personal field, and never a membership count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import asyncpg

from organize.accounts import Principal
from organize.errors import NotFound
from organize.projections.reads import tables
from web.auth.errors import ROLE_MESSAGE, Forbidden
from web.i18n import field_message
from web.pages.common import Page, today

PREFIX = "/o"
FEDERATION_PARAM = "f"
AS_OF, COMPARE = "as_of", "compare"
EARLIEST = date(2000, 1, 1)  # a date control further back than any record is a slip


def principal_of(page: Page) -> Principal | None:
    return page.request.scope.get("user")


async def federations_in_scope(conn: asyncpg.Connection) -> list[str]:
    t = await tables(conn, "indicators")
    rows = await conn.fetch(f"SELECT DISTINCT federation FROM {t.collectives} "
                            "WHERE federation IS NOT NULL ORDER BY federation")
    return [r["federation"] for r in rows]


@dataclass(frozen=True)
class Dates:
    """The "as of" date of a page (None: today) and, for the compare view, a second date;
    with a message when a typed date could not be read (the page then shows today)."""

    as_of: date | None
    compare: date | None
    error: str | None = None

    @property
    def shown(self) -> date:
        return self.as_of or today()


def read_dates(page: Page) -> Dates:
    values: dict[str, date | None] = {}
    error = None
    for name in (AS_OF, COMPARE):
        raw = (page.request.query_params.get(name) or "").strip()
        values[name] = None
        if not raw:
            continue
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            error = field_message("not_a_date", page.lang)
            continue
        if day < EARLIEST or day > today():
            error = page._("Choose a date between %(first)s and today.", first=EARLIEST.year)
            continue
        values[name] = day
    return Dates(as_of=values[AS_OF], compare=values[COMPARE], error=error)


@dataclass(frozen=True)
class Federation:
    """The federation a page is about, and how its links are made."""

    name: str
    admin: bool  # an admin picked it (``?f=``): links carry it

    def url(self, path: str = "", **params: Any) -> str:
        query = {FEDERATION_PARAM: self.name} if self.admin else {}
        query.update({k: v for k, v in params.items() if v not in (None, "")})
        return PREFIX + path + (("?" + urlencode(query)) if query else "")

    def nav(self, active: str) -> dict[str, Any]:
        return {"fed": self, "nav_active": active, "show_nav": True}


async def federation(page: Page) -> Federation | None:
    """The federation this page is about; None when an admin has not picked one yet.
    A leader is refused (403); a federation not hers, or unknown, is a 404."""
    principal = principal_of(page)
    asked = (page.request.query_params.get(FEDERATION_PARAM) or "").strip() or None
    if principal is None or principal.role not in ("organiser", "admin"):
        raise Forbidden(ROLE_MESSAGE, code="role")
    if principal.role == "organiser":
        if not principal.federation or (asked is not None and asked != principal.federation):
            raise NotFound("No such federation.", code="not_found")
        return Federation(name=principal.federation, admin=False)
    if asked is None:
        return None
    if asked not in await page.read(federations_in_scope):
        raise NotFound("No such federation.", code="not_found")
    return Federation(name=asked, admin=True)


async def chosen_federation(page: Page) -> Federation:
    """``federation``, for the pages that need one: 404 until an admin has picked it."""
    fed = await federation(page)
    if fed is None:
        raise NotFound("Choose a federation first.", code="not_found")
    return fed


async def collective_names(conn: asyncpg.Connection, federation_name: str) -> dict[Any, str]:
    """The federation's collectives, id -> name, in order of name."""
    t = await tables(conn, "indicators")
    rows = await conn.fetch(f"SELECT id, name FROM {t.collectives} WHERE federation = $1 "
                            "ORDER BY name, id", federation_name)
    return {r["id"]: r["name"] for r in rows}


async def organisation_names(conn: asyncpg.Connection, ids: list[Any]) -> dict[Any, str]:
    """Names of organisations (shared reference data), by id."""
    if not ids:
        return {}
    t = await tables(conn, "organisations")
    rows = await conn.fetch(f"SELECT id, name FROM {t.orgs} WHERE id = ANY($1::uuid[])", ids)
    return {r["id"]: r["name"] for r in rows}
