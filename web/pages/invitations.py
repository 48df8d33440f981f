"""Invitations to joint campaigns, as a collective's leaders see them: on the collective's
home and its campaigns page, each invitation with what the campaign is about (its issue,
demands, sectors, the collectives already in it and those invited), and the forms of its two
answers: accept (the collective joins the campaign) or decline (with a reason, if she wants
to give one); the answer itself is a campaigns action (``web.pages.campaigns.answer``). An
organiser launched the campaign from a grievance common to several collectives; nobody
joins a collective to anything without its leaders' say.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from organize import commands as c
from organize.projections.views.campaign_board.reads import collective_invitations
from web.pages.common import Page
from web.pages.forms import Form

INVITATION_VIEWS = ("campaign_board",)
ANSWERS: dict[str, type[c.Command]] = {
    "accept": c.AcceptCampaignInvitation,
    "decline": c.DeclineCampaignInvitation,
}


async def pending(page: Page, collective_id: UUID, *,
                  posted: tuple[UUID, str, Form] | None = None) -> list[dict[str, Any]]:
    """The collective's invitations still to answer, each with its two forms."""
    return with_forms(await page.read(collective_invitations, page.scope, collective_id,
                                      state="pending"), posted=posted)


def with_forms(found: list | None, *,
               posted: tuple[UUID, str, Form] | None = None) -> list[dict[str, Any]]:
    """Invitations (``collective_invitations``, opened), each with its two forms."""
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
