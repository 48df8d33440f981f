"""Invitations to joint campaigns, as a collective's leaders see them: on the collective's
home and its campaigns page, each invitation with what the campaign is about (its issue,
demands, sectors, the collectives already in it and those invited), and two answers:
accept (the collective joins the campaign) or decline (with a reason, if she wants to give
one). An organiser launched the campaign from a grievance common to several collectives;
nobody joins a collective to anything without its leaders' say.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.errors import NotFound
from organize.projections.views.campaign_board import collective_invitations
from web.pages.common import Page
from web.pages.forms import Form, decode, execute, read_form

INVITATION_VIEWS = ("campaign_board",)
ANSWERS: dict[str, type[c.Command]] = {
    "accept": c.AcceptCampaignInvitation,
    "decline": c.DeclineCampaignInvitation,
}


async def pending(page: Page, collective_id: UUID, *,
                  posted: tuple[UUID, str, Form] | None = None) -> list[dict[str, Any]]:
    """The collective's invitations still to answer, each with its two forms."""
    found = await page.read(collective_invitations, page.scope, collective_id, state="pending")
    out = []
    for inv in found or []:
        forms = {}
        for answer in ANSWERS:
            if posted is not None and posted[0] == inv.campaign_id and posted[1] == answer:
                form = posted[2]
            else:
                form = Form.blank()
            forms[answer] = form.keyed(f"{answer}-{inv.campaign_id.hex[:8]}")
        out.append({"inv": inv, "forms": forms,
                    "open": posted is not None and posted[0] == inv.campaign_id})
    return out


@post("/{collective_id:uuid}/invitations/{campaign_id:uuid}/{answer:str}",
      name="pages:invitation-answer", status_code=200)
async def answer(collective_id: FromPath[UUID], campaign_id: FromPath[UUID], answer: FromPath[str],
                 page: NamedDependency[Page]) -> Response:
    if answer not in ANSWERS:
        raise NotFound("No such answer.", code="not_found")
    collective = await page.collective(collective_id)
    form = await read_form(page.request)
    command = decode(ANSWERS[answer], form, page.lang, fixed={
        "campaign_id": campaign_id, "collective_id": collective_id, "on": page.today})
    if command is not None:
        result = await execute(page.organize, command, form, page.lang)
        if result is not None:
            where = (f"/c/{collective_id}/campaigns/{campaign_id}" if answer == "accept"
                     else f"/c/{collective_id}/campaigns")
            return page.go(where, result)
    from web.pages.campaigns import campaigns_page

    return await campaigns_page(page, collective, posted=(campaign_id, answer, form), status=422)


ROUTES = [answer]
