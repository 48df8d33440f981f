"""Possible duplicates: the same woman recorded twice in a collective (an import and a form,
two offline phones). Her leaders (or an admin) see the suggested pairs by pseudonym with the
reason, never the values compared; merge one pair after a confirmation that says which
record stays and what happens; and undo it from the surviving worker's page.

A merge is two events (``MergeWorkers``): both records and both histories stay, the absorbed
one is listed under the survivor's line, and an undo (``UndoWorkerMerge``) makes them two
again. Organisers are refused before anything is read: a pair tells who is recorded twice.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.application.duplicates import suggest
from organize.application.workers import unmergeable
from organize.errors import CommandError
from organize.projections.views.grievance_register import grievance_workers
from organize.projections.views.worker_directory import list_workers
from web.i18n.messages import N_
from web.pages.common import Page, nav, stale_notice
from web.pages.forms import Form, decode, execute, read_form, refusal
from web.pages.imports import _leaders_only
from web.pages.workers import WORKER_VIEWS, _worker, worker_page

# The reasons ``suggest`` gives, in her language.
REASONS = {"same phone": N_("Same phone number"),
           "similar pseudonym": N_("Similar pseudonym"),
           "shared grievances": N_("Named together on the same grievance")}


@get("/{collective_id:uuid}/duplicates", name="pages:duplicates")
async def duplicates(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    _leaders_only(page)
    collective = await page.collective(collective_id)
    await page.settle((*WORKER_VIEWS, "grievance_register"))
    rows = await page.read(list_workers, page.scope, collective_id) or []
    members = [r.id for r in rows if not r.erased and r.merged_into is None and any(
        m.collective_id == collective_id and m.left_on is None for m in r.memberships)]
    grievances = await page.read(grievance_workers, page.scope, collective_id)
    found = await page.call(suggest, page.organize, collective_id, members, grievances)
    names = await page.pseudonyms(i for s in found for i in s.worker_ids)
    pairs = [{"ids": s.worker_ids, "names": [names.get(i, "…") for i in s.worker_ids],
              "reasons": [page._(REASONS[r]) for r in s.reasons if r in REASONS]}
             for s in found]
    return page.html("pages/duplicates.html", collective=collective, pairs=pairs,
                     **nav(collective_id, "workers"))


async def _confirm(page: Page, collective_id: UUID, survivor_id: UUID, absorbed_id: UUID,
                   form: Form, status: int = 200) -> Response:
    collective = await page.collective(collective_id)
    survivor = await _worker(page, collective_id, survivor_id)
    absorbed = await _worker(page, collective_id, absorbed_id)
    refused = unmergeable(survivor, absorbed) if form.ok else None
    if refused is not None:  # the very refusal (and status) the post would answer
        refusal(form, refused, page.lang)
        status = 422
    names = await page.pseudonyms([survivor.id, absorbed.id])
    return page.html("pages/merge.html", status=status, collective=collective, form=form,
                     survivor_id=survivor.id, absorbed_id=absorbed.id,
                     survivor=names.get(survivor.id, "…"), absorbed=names.get(absorbed.id, "…"),
                     **nav(collective_id, "workers"))


@get("/{collective_id:uuid}/duplicates/{survivor_id:uuid}/{absorbed_id:uuid}",
     name="pages:merge")
async def merge(collective_id: FromPath[UUID], survivor_id: FromPath[UUID],
                absorbed_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    _leaders_only(page)
    return await _confirm(page, collective_id, survivor_id, absorbed_id, Form.blank())


async def _run(page: Page, collective_id: UUID, survivor_id: UUID, absorbed_id: UUID,
               command_type: type[c.Command]) -> tuple[Form, object | None]:
    """Both records checked to be this collective's (a 404 otherwise, before anything is
    written), then the command; the form carries any refusal."""
    _leaders_only(page)
    await page.collective(collective_id)
    for worker_id in (survivor_id, absorbed_id):
        await _worker(page, collective_id, worker_id)
    form = await read_form(page.request)
    command = decode(command_type, form, page.lang, zone=page.zone,
                     fixed={"survivor_id": survivor_id, "absorbed_id": absorbed_id})
    if command is None:
        return form, None
    try:
        return form, await execute(page.organize, command, form, page.lang)
    except CommandError:  # stale
        form.message = stale_notice(page)
        return form, None


@post("/{collective_id:uuid}/duplicates/{survivor_id:uuid}/{absorbed_id:uuid}",
      name="pages:merged", status_code=200)
async def merge_post(collective_id: FromPath[UUID], survivor_id: FromPath[UUID],
                     absorbed_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    form, result = await _run(page, collective_id, survivor_id, absorbed_id, c.MergeWorkers)
    if result is not None:
        return page.go(f"/c/{collective_id}/workers/{survivor_id}", result)
    return await _confirm(page, collective_id, survivor_id, absorbed_id, form, status=422)


@post("/{collective_id:uuid}/duplicates/{survivor_id:uuid}/{absorbed_id:uuid}/undo",
      name="pages:merge-undone", status_code=200)
async def undo_post(collective_id: FromPath[UUID], survivor_id: FromPath[UUID],
                    absorbed_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    form, result = await _run(page, collective_id, survivor_id, absorbed_id, c.UndoWorkerMerge)
    if result is not None:
        return page.go(f"/c/{collective_id}/workers/{survivor_id}", result)
    return await worker_page(page, collective_id, survivor_id, status=422,
                             notice=form.message or page._("Nothing was changed."))


ROUTES = [duplicates, merge, merge_post, undo_post]
