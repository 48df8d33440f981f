"""The import page: a leader (or an admin) uploads Kobo / ODK Central submissions or a
spreadsheet with its mapping file (and the XLSForm), checks it (a dry run: new, updated,
unchanged, quarantined and duplicate-suspect rows with the reasons), then imports it.

Files are read in memory: the route refuses a body over ``MAX_UPLOAD`` (Litestar keeps an
upload of that size in memory, never in a temporary file), and nothing of them is kept
once the page is rendered. Bigger files go through ``organize import`` on the server.
Organisers are refused before anything is read: a dry run would tell them who is already
recorded.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize.application.policy import ROLE_MESSAGE
from organize.domain.account import ADMIN, LEADER
from organize.errors import Forbidden
from organize.imports import service
from organize.imports.plan import known_workers
from organize.projections.views.worker_directory import list_workers
from web.i18n import error_message
from web.pages.common import Page, nav

MAX_UPLOAD = 1024 * 1024  # Litestar's in-memory spool size: nothing spills to disk
FIELDS = ("data", "mapping", "form", "repeat")


def _leaders_only(page: Page) -> None:
    if getattr(page.organize.principal, "role", None) not in (LEADER, ADMIN):
        raise Forbidden(ROLE_MESSAGE, code="role")


def _said(page: Page, why) -> str:
    """A row's reason in her language: its template translated, or an error code's sentence."""
    if why.code is not None:
        return error_message(why.code, page.lang)
    return page._(why.template, **why.params)


def _notes(page: Page, report) -> list[tuple[int, str]]:
    if report is None:
        return []
    return [(row.line, _said(page, why)) for row in report.rows
            for why in (row.why, row.why_suspect) if why is not None]


def _render(page: Page, collective_id: UUID, *, status: int = 200, report=None,
            message: str | None = None, committed: bool = False) -> Response:
    return page.html("pages/import.html", status=status, report=report, message=message,
                     notes=_notes(page, report), committed=committed,
                     max_kb=MAX_UPLOAD // 1024, **nav(collective_id, "workers"))


@get("/{collective_id:uuid}/import", name="pages:import")
async def import_page(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    _leaders_only(page)
    await page.collective(collective_id)
    return _render(page, collective_id)


async def _files(page: Page) -> dict[str, list[tuple[str, bytes]]]:
    form = await page.request.form()
    files: dict[str, list[tuple[str, bytes]]] = {}
    for name, value in form.multi_items():
        if name in FIELDS and isinstance(value, UploadFile) and value.filename:
            data = await value.read()
            await value.close()
            if data:
                files.setdefault(name, []).append((value.filename, data))
    files["action"] = [(str(form.get("action", "check")), b"")]
    return files


@post("/{collective_id:uuid}/import", name="pages:import-run", status_code=200,
      request_max_body_size=MAX_UPLOAD)
async def import_run(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    _leaders_only(page)
    await page.collective(collective_id)
    files = await _files(page)
    commit = files.pop("action")[0][0] == "import"
    if not files.get("data") or not files.get("mapping"):
        return _render(page, collective_id, status=422,
                       message=page._("Choose the submissions file and its mapping file."))
    try:
        prepared = await page.call(
            service.prepare, page.organize, data=files["data"][0], mapping=files["mapping"][0],
            form=(files.get("form") or [None])[0], extra=files.get("repeat", []))
    except service.ImportFailed as e:
        return _render(page, collective_id, status=422, message=_failure(page, e))
    members = await page.read(list_workers, page.scope, collective_id) or []
    known = await page.call(known_workers, page.organize, [m.id for m in members],
                              collective_id=collective_id)
    report = await page.write(service.run, page.organize, prepared, collective_id,
                              dry_run=not commit, known=known)
    return _render(page, collective_id, report=report, committed=commit)


def _failure(page: Page, e: service.ImportFailed) -> str:
    """The reason in her language where it is a known one; the detail (which names a
    question or a code of the files, never a person) follows as written."""
    lead = {"form": page._("The form could not be read."),
            "mapping": page._("The mapping file does not fit this form."),
            "format": page._("Choose a .csv, .xlsx or .json file."),
            "encoding": page._("The file is not UTF-8 text."),
            "size": page._("The file is too big for this page.")}.get(
        e.code, page._("The file could not be read."))
    return f"{lead} {e.message}"


ROUTES = [import_page, import_run]
