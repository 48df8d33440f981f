"""One organisation, to put right what was entered: its name, its kind (a household entered
as an employer is seen by the federation until it is corrected) or, recorded by mistake,
withdrawn from the lists. Each correction keeps its reason (a code) in the history."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.domain import Organisation
from organize.errors import CommandError, NotFound
from web.i18n import error_message
from web.pages.common import Page, correction_reasons, nav
from web.pages.forms import Form, decode, read_form
from web.pages.history import history_rows

COMMANDS = {
    "rename": c.RenameOrganisation,
    "correct-kind": c.CorrectOrganisationKind,
    "withdraw": c.WithdrawOrganisation,
}


async def _page(
    page: Page,
    collective_id: UUID,
    organisation_id: UUID,
    *,
    posted: dict[str, Form] | None = None,
    status: int = 200,
) -> Response:
    collective = await page.collective(collective_id)
    org = await page.load(Organisation, organisation_id, "organisation_id")
    posted = posted or {}
    forms = {
        key: (posted.get(key) or Form.blank(name=org.name, kind=org.kind)).keyed(key) for key in COMMANDS
    }
    return page.html(
        "pages/organisation.html",
        status=status,
        collective=collective,
        org=org,
        forms=forms,
        # Only its recorder's leaders may correct it (organize.application.policy: RECORDED); others
        # who read it get no forms they could not send.
        may_correct=page.organize.visibility.recorded(org),
        version=org.version,
        reasons=correction_reasons(page),
        open_key=next(iter(posted), None),
        history=await history_rows(page, Organisation, organisation_id, "organisation_id", collective),
        **nav(collective_id, "grievances"),
    )


@get("/{collective_id:uuid}/organisations/{organisation_id:uuid}", name="pages:organisation")
async def organisation(
    collective_id: FromPath[UUID], organisation_id: FromPath[UUID], page: NamedDependency[Page]
) -> Response:
    return await _page(page, collective_id, organisation_id)


@post(
    "/{collective_id:uuid}/organisations/{organisation_id:uuid}/{action:str}",
    name="pages:organisation-action",
    status_code=200,
)
async def organisation_action(
    collective_id: FromPath[UUID],
    organisation_id: FromPath[UUID],
    action: FromPath[str],
    page: NamedDependency[Page],
) -> Response:
    command_type = COMMANDS.get(action)
    if command_type is None:
        raise NotFound("No such action.", code="not_found")
    await page.collective(collective_id)
    await page.load(Organisation, organisation_id, "organisation_id")
    form = await read_form(page.request)
    command = decode(
        command_type, form, page.lang, zone=page.zone, fixed={"organisation_id": organisation_id}
    )
    if command is not None:
        try:
            result = await page.execute(command, form)
        except CommandError:  # stale: changed meanwhile; what she typed stays
            form.message = error_message("stale_version", page.lang)
            form.set("expected_version", None)
            return await _page(page, collective_id, organisation_id, posted={action: form}, status=409)
        if result is not None:
            where = (
                f"/c/{collective_id}/grievances"
                if action == "withdraw"
                else f"/c/{collective_id}/organisations/{organisation_id}"
            )
            return page.go(where, result)
    return await _page(page, collective_id, organisation_id, posted={action: form}, status=422)


ROUTES = [organisation, organisation_action]
