"""The researchers' page and the download it offers.

- ``GET /research``: what the exports are, the caveat, how far the research base has come,
  and the form.
- ``POST /research/exports``: the export as a ``.zip`` (the table, ``manifest.json`` and
  ``README.md`` with the caveat), or the form again (400) with a message on each field.

Both are for researchers and admins only (``RESEARCH``); a researcher reaches nothing else.
They read nothing but the research base (``research_grievances``), which holds codes and
counts, no name, pseudonym or free text; these routes take neither ``organize`` nor
``reader_scope`` (a researcher has no scope).

The export is computed in a worker thread, on a connection of its own, so a big table does
not stall the other pages; at most ``PARALLEL_EXPORTS`` run at once in a process, the others
wait their turn. It is written to a temporary directory, zipped in memory, and the directory
is removed before the answer leaves: nothing is left on disk, and a refused or failed export
leaves nothing half-written.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import zipfile
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import asyncpg
from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency

from organize.exports.disclosure import MIN_K
from organize.exports.trend_export import export_trends
from organize.exports.trends import ExportError
from organize.projections.reads import EVENTS_TABLE
from organize.projections.views.research_grievances import position
from web.auth.access import ACCESS, RESEARCH
from web.i18n import error_message, locale_from_request
from web.i18n.messages import N_
from web.i18n.templating import default_environment
from web.pages.forms import Form, read_form
from web.research import form as forms

PAGE = "/research"
EXPORTS = "/research/exports"
PARALLEL_EXPORTS = 2
NO_STORE = {"Cache-Control": "no-store"}
TEMP_PREFIX = "organize-research-"

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


async def progress_of_base(pool: asyncpg.Pool) -> dict[str, int]:
    """The research base's position and the event log's head."""
    async with pool.acquire() as conn:
        base = await position(conn)
        head = await conn.fetchval(f"SELECT max(notification_id) FROM {EVENTS_TABLE}") or 0
    return {"position": base, "head": head, "behind": max(0, head - base)}


def _page(request: Request, form: Form, base: dict[str, int], csrf: str | None, *,
          status: int = 200) -> Response:
    lang = locale_from_request(request)
    body = default_environment().get_template("research/index.html").render(
        request=request, lang=lang, csrf_token=csrf or "", form=form, base=base, min_k=MIN_K,
        max_k=forms.MAX_K, caveat=forms.translate(lang, CAVEAT_TEXT), show_nav=False,
        epsilon_min=forms.epsilon_bounds(lang)["min"], epsilon_max=forms.epsilon_bounds(lang)["max"],
        **forms.choices(lang))
    return Response(body, status_code=status, media_type=MediaType.HTML, headers=NO_STORE)


@get(PAGE, opt={ACCESS: RESEARCH}, include_in_schema=False)
async def research_page(request: Request, db_pool: DbPool, csrf_token: Csrf) -> Response:
    return _page(request, forms.blank(), await progress_of_base(db_pool), csrf_token)


def _limiter(state: State) -> anyio.CapacityLimiter:
    limiter = state.get("research_limiter")
    if limiter is None:
        limiter = state["research_limiter"] = anyio.CapacityLimiter(PARALLEL_EXPORTS)
    return limiter


def export_zip(dsn: str, spec: Any, fmt: str, taxonomy: Any) -> tuple[dict[str, Any], bytes]:
    """Run one export (in a worker thread: its own event loop and connection) into a
    temporary directory; return its manifest and the zip of its files. The directory is
    gone when this returns, whether the export was made, refused or failed."""

    async def run(out: Path) -> dict[str, Any]:
        conn = await asyncpg.connect(dsn)
        try:
            return await export_trends(conn, spec, out, fmt, taxonomy=taxonomy)
        finally:
            await conn.close()

    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        out = Path(tmp) / "export"
        manifest = asyncio.run(run(out))
        return manifest, zip_directory(out)


def zip_directory(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(directory.iterdir()):
            if path.is_file():
                z.write(path, arcname=path.name)
    return buffer.getvalue()


@post(EXPORTS, opt={ACCESS: RESEARCH}, include_in_schema=False, status_code=200)
async def make_export(request: Request, state: State, db_pool: DbPool,
                      csrf_token: Csrf) -> Response:
    lang = locale_from_request(request)
    form = forms.keep_only_ours(await read_form(request))
    asked = forms.parse(form, lang)
    if asked is None:
        return _page(request, form, await progress_of_base(db_pool), csrf_token, status=400)
    runtime = state.runtime
    try:
        manifest, body = await anyio.to_thread.run_sync(
            partial(export_zip, runtime.database.asyncpg_dsn(), asked.spec, asked.fmt,
                    runtime.taxonomy),
            limiter=_limiter(state))
    except ExportError as e:
        forms.refuse(form, e, lang)
        return _page(request, form, await progress_of_base(db_pool), csrf_token, status=400)
    except asyncpg.UndefinedTableError:  # the research base is still being built
        form.message = error_message("unavailable", lang)
        return _page(request, form, await progress_of_base(db_pool), csrf_token, status=503)
    at = int(manifest["position"]["notification_id"])
    return Response(body, status_code=200, media_type="application/zip", headers={
        **NO_STORE,
        "Content-Disposition": f'attachment; filename="grievance-trends-{at}.zip"',
    })


ROUTES = [research_page, make_export]
