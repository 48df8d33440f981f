"""The researchers' page and the releases it hands out.

- ``GET /research``: what a release is, the caveat, how far the research base has come,
  her privacy budget (what is left of it), and the form.
- ``POST /research/exports``: the release as a ``.zip`` (the table, ``manifest.json`` and
  ``README.md`` with the caveat). When her dates do not fall on whole closed periods, the
  page comes back first (200) with the adjusted dates in the form and, in her language,
  why each was moved; submitting again downloads. A refusal (a field wrong, epsilon above
  the cap, a budget too small, no closed period) brings the form back (400) with the reason
  on its field, in her language.

Both are for researchers and admins only (``RESEARCH``); a researcher reaches nothing else.
They read nothing but the research base (``research_grievances``) and the stored releases,
which hold codes and counts, no name, pseudonym or free text. A noisy release is paid for
with the ``SpendPrivacyBudget`` command under its access rule (``organize.application.RULES``:
a researcher spends only her own budget).

A release is made in a worker thread, on a connection of its own, so a big table does not
stall the other pages; at most ``PARALLEL_EXPORTS`` run at once in a process, the others
wait their turn. It is zipped in memory and stored (``organize.exports.releases``): nothing
is left on disk, and a refused release leaves nothing half-written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import anyio
import asyncpg
from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency

from organize import commands as c
from organize.accounts import Principal
from organize.application.access import authorise
from organize.exports.budget import budget_state, spender
from organize.exports.releases import Release, ReleaseRequest, obtain, snap
from organize.exports.trends import ExportError
from organize.projections.disclosure import MIN_K
from organize.projections.reads import EVENTS_TABLE
from organize.projections.views.research_grievances import position
from web.auth.access import ACCESS, RESEARCH
from web.i18n import error_message, format_number, locale_from_request
from web.i18n.messages import N_
from web.i18n.templating import default_environment
from web.pages.forms import Form, read_form
from web.research import form as forms

PAGE = "/research"
EXPORTS = "/research/exports"
PARALLEL_EXPORTS = 2
NO_STORE = {"Cache-Control": "no-store"}

# The caveat shipped in every package (organize.exports.package.CAVEAT), here to be
# translated; a test keeps the two the same.
CAVEAT_TEXT = N_(
    "Low counts do not mean little abuse. Most grievances are never reported: workers fear "
    "retaliation, counter-charges, losing their visa or being deported, and many cannot reach "
    "a collective at all. These tables count only grievances recorded by collectives, and only "
    "of workers who consented to research; small counts are hidden. Read a rise as more women "
    "daring to speak or more organising reaching them, as much as more abuse; read a fall or "
    "a gap with the same care."
)

DbPool = NamedDependency[asyncpg.Pool]
Csrf = NamedDependency[str | None]
Who = NamedDependency[Principal | None]


async def progress_of_base(pool: asyncpg.Pool) -> dict[str, int]:
    """The research base's position and the event log's head."""
    async with pool.acquire() as conn:
        base = await position(conn)
        head = await conn.fetchval(f"SELECT max(notification_id) FROM {EVENTS_TABLE}") or 0
    return {"position": base, "head": head, "behind": max(0, head - base)}


async def budget_of(state: State, principal: Principal) -> dict[str, float]:
    return await anyio.to_thread.run_sync(budget_state, state.runtime.app, principal.account_id)


def _page(request: Request, form: Form, base: dict[str, int], csrf: str | None,
          budget: dict[str, float], *, status: int = 200, notes: list[str] | None = None
          ) -> Response:
    lang = locale_from_request(request)
    body = default_environment().get_template("research/index.html").render(
        request=request, lang=lang, csrf_token=csrf or "", form=form, base=base, min_k=MIN_K,
        max_k=forms.MAX_K, caveat=forms.translate(lang, CAVEAT_TEXT), show_nav=False,
        epsilon_min=forms.epsilon_bounds(lang)["min"], epsilon_max=forms.epsilon_bounds(lang)["max"],
        budget={k: format_number(v, lang) for k, v in budget.items()}, budget_left=budget["left"],
        notes=notes or [],
        **forms.choices(lang))
    return Response(body, status_code=status, media_type=MediaType.HTML, headers=NO_STORE)


@get(PAGE, opt={ACCESS: RESEARCH}, include_in_schema=False)
async def research_page(request: Request, state: State, db_pool: DbPool, csrf_token: Csrf,
                        principal: Who) -> Response:
    return _page(request, forms.blank(), await progress_of_base(db_pool), csrf_token,
                 await budget_of(state, principal))


def _limiter(state: State) -> anyio.CapacityLimiter:
    limiter = state.get("research_limiter")
    if limiter is None:
        limiter = state["research_limiter"] = anyio.CapacityLimiter(PARALLEL_EXPORTS)
    return limiter


def execute_as(app: Any, principal: Principal) -> Callable[[c.Command], c.CommandResult]:
    """Run a budget command under its access rule (``organize.application.RULES``) for this
    account: ``authorise`` checks the role and the rule, then the application runs it."""
    def run(command: c.Command) -> c.CommandResult:
        authorise(app, principal, command)
        return app.execute(command)
    return run


def release_for(runtime: Any, principal: Principal, request: ReleaseRequest) -> Release:
    """One release (in a worker thread: its own event loop and connection)."""
    app = runtime.app

    async def run() -> Release:
        conn = await asyncpg.connect(runtime.database.asyncpg_dsn())
        try:
            return await obtain(
                conn, request, taxonomy=runtime.taxonomy, researcher=str(principal.account_id),
                spend=spender(app, principal.account_id, execute_as(app, principal)),
                budget=lambda: budget_state(app, principal.account_id))
        finally:
            await conn.close()

    return asyncio.run(run())


async def run_release(state: State, principal: Principal, request: ReleaseRequest) -> Release:
    return await anyio.to_thread.run_sync(partial(release_for, state.runtime, principal, request),
                                          limiter=_limiter(state))


def zip_response(release: Release) -> Response:
    at = int(release.manifest["position"]["notification_id"])
    return Response(release.body, status_code=200, media_type="application/zip", headers={
        **NO_STORE,
        "Content-Disposition": f'attachment; filename="grievance-trends-{at}-{release.key[:8]}.zip"',
    })


@post(EXPORTS, opt={ACCESS: RESEARCH}, include_in_schema=False, status_code=200)
async def make_export(request: Request, state: State, db_pool: DbPool, csrf_token: Csrf,
                      principal: Who) -> Response:
    lang = locale_from_request(request)
    form = forms.keep_only_ours(await read_form(request))
    asked = forms.parse(form, lang)

    async def again(status: int, notes: list[str] | None = None) -> Response:
        return _page(request, form, await progress_of_base(db_pool), csrf_token,
                     await budget_of(state, principal), status=status, notes=notes)

    if asked is None:
        return await again(400)
    try:
        snapped, _window, notes = snap(asked.spec, datetime.now(UTC).date())
    except ExportError as e:
        forms.refuse(form, e, lang)
        return await again(400)
    if notes:  # say why, show the adjusted request, and let her download it as it now is
        form.set("by", list(snapped.by))
        form.set("since", snapped.since.isoformat())
        form.set("until", snapped.until.isoformat())
        return await again(200, forms.explain(lang, notes))
    try:
        release = await run_release(state, principal, snapped)
    except ExportError as e:
        extra = {}
        if e.code == "over_budget":
            left = (await budget_of(state, principal))["left"]
            extra = {"need": format_number(snapped.epsilon, lang),
                     "left": format_number(left, lang)}
        forms.refuse(form, e, lang, **extra)
        return await again(400)
    except asyncpg.UndefinedTableError:  # the research base is still being built
        form.message = error_message("unavailable", lang)
        return await again(503)
    return zip_response(release)


ROUTES = [research_page, make_export]
