"""Issue campaigns: the collective's campaigns, and one campaign with its demands and what
came of each, its actions and who took part, and its agreements clause by clause; with
forms to start one, add a demand, record an action, record a demand's result and record an
agreement signed. The invitations to joint campaigns the collective has still to answer head
the list (``web.pages.invitations``); answering one is an action here."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.application.reading import campaign_view
from organize.domain import Campaign
from organize.errors import CommandError, NotFound
from organize.projections.views.bargaining import list_rounds
from organize.projections.views.campaign_board.reads import list_campaigns
from organize.projections.views.grievance_register import (
    REFERENCE_LENGTH,
    GrievanceFilter,
    list_grievances,
)
from web.i18n import taxonomy_label
from web.i18n.formatting import format_date
from web.pages.common import Page, correction_reasons, nav, stale_edit, stale_notice
from web.pages.forms import Form, decode, read_form
from web.pages.grievances import members, organisations
from web.pages.history import history_rows
from web.pages.invitations import ANSWERS, pending

CAMPAIGN_VIEWS = ("campaign_board", "bargaining")


async def campaigns_page(page: Page, collective: Any, *, posted: Any = None,
                         status: int = 200) -> Response:
    """The collective's campaigns, with the invitations to joint campaigns it has still to
    answer (``posted``: an answer that came back refused, to show with its message)."""
    found = [p for p in await page.read(list_campaigns, page.scope)
             if collective.id in p.collective_ids]
    live = [p for p in found if p.status == "active"]
    closed = [p for p in found if p.status != "active"]
    invitations = await pending(page, collective.id, posted=posted)
    # An answer to an invitation that is no longer open (answered already, or never hers):
    # its message heads the page, since there is no form left to put it on.
    refusal = None
    if posted is not None and not any(i["open"] for i in invitations):
        form = posted[2]
        refusal = form.message or next(iter(form.errors.values()), None)
    return page.html("pages/campaigns.html", status=status, collective=collective, live=live,
                     closed=closed, invitations=invitations, refusal=refusal,
                     **nav(collective.id, "campaigns"))


@get("/{collective_id:uuid}/campaigns", name="pages:campaigns")
async def campaign_list(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    await page.settle(CAMPAIGN_VIEWS)
    return await campaigns_page(page, collective)


def _launch_page(page: Page, collective: Any, form: Form, status: int = 200) -> Response:
    return page.html("pages/campaign_new.html", status=status, collective=collective, form=form,
                     **nav(collective.id, "campaigns"))


@get("/{collective_id:uuid}/campaigns/new", name="pages:campaign-new")
async def launch(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    return _launch_page(page, collective, Form.blank(launched_on=page.today.isoformat()))


@post("/{collective_id:uuid}/campaigns/new", name="pages:campaign-launch", status_code=200)
async def launch_post(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    form = await read_form(page.request)
    command = decode(c.LaunchCampaign, form, page.lang, zone=page.zone,
                     fixed={"collective_ids": (collective_id,)},
                     lines=("demands",))
    if command is not None:
        result = await page.execute(command, form)
        if result is not None:
            return page.go(f"/c/{collective_id}/campaigns/{result.id}", result)
    return _launch_page(page, collective, form, status=422)


async def _campaign(page: Page, collective_id: UUID, campaign_id: UUID) -> Campaign:
    agg = await page.load(Campaign, campaign_id, "campaign_id")
    if collective_id not in agg.collective_ids:
        raise NotFound("No campaign with this id in this collective.", code="not_found")
    return agg


# action in the path -> (command, the list fields typed a line each)
COMMANDS: dict[str, tuple[type[c.Command], tuple[str, ...]]] = {
    "demand": (c.AddDemand, ()),
    "action": (c.TakeAction, ()),
    "resolve": (c.ResolveDemand, ()),
    "agreement": (c.SignAgreement, ("clauses",)),
    "link": (c.LinkGrievance, ()),
    "close": (c.CloseCampaign, ()),
    "correct-demand": (c.CorrectDemand, ()),
    "withdraw-demand": (c.WithdrawDemand, ()),
}
LINKABLE = 100  # the collective's latest open grievances offered to link


async def campaign_page(page: Page, collective_id: UUID, campaign_id: UUID, *,
                        posted: dict[str, Form] | None = None, status: int = 200,
                        changes: list | None = None, notice: str | None = None) -> Response:
    collective = await page.collective(collective_id)
    agg = await _campaign(page, collective_id, campaign_id)
    view = campaign_view(page.organize, agg)
    people = await members(page, collective_id)
    ours = {m.id: m.pseudonym for m in people}
    orgs = await organisations(page)
    actions = []
    for a in sorted(view.actions, key=lambda a: a.taken_on):
        here = [ours[w] for w in a.participant_ids if w in ours]
        actions.append({"action": a, "names": here, "others": len(a.participant_ids) - len(here)})
    forms = {key: ((posted or {}).get(key) or Form.blank(
        taken_on=page.today.isoformat(), on=page.today.isoformat(), signed_on=page.today.isoformat())
    ).keyed(key) for key in COMMANDS}
    open_ones = await page.read(list_grievances, page.scope, GrievanceFilter(
        collective_id=collective_id, status="open"), limit=LINKABLE)
    linkable = [(g.id, f"{taxonomy_label('categories', g.category, page.lang)} · "
                       f"{format_date(g.occurred_on, page.lang)} · #{str(g.id)[:REFERENCE_LENGTH]}")
                for g in open_ones if g.id not in view.grievance_ids]
    return page.html(
        "pages/campaign.html", status=status, collective=collective, p=view, actions=actions,
        people=[m for m in people if m.current], organisations=orgs,
        org_names={o.id: o.name for o in orgs}, forms=forms, version=agg.version,
        open_demands=[(d.demand_id, d.text) for d in view.demands if d.result is None],
        all_demands=[(d.demand_id, d.text) for d in view.demands],
        reasons=correction_reasons(page),
        linkable=linkable,
        # The bargaining it grew into (organize.domain.bargaining): a campaign can end in an
        # agreement; each round in the reader's scope, by its stage.
        rounds=await page.read(list_rounds, page.scope, campaign_id=campaign_id),
        history=await history_rows(page, Campaign, campaign_id, "campaign_id", collective),
        open_key=next(iter(posted), None) if posted else None, changes=changes, notice=notice,
        **nav(collective_id, "campaigns"))


@get("/{collective_id:uuid}/campaigns/{campaign_id:uuid}", name="pages:campaign")
async def campaign(collective_id: FromPath[UUID], campaign_id: FromPath[UUID],
                   page: NamedDependency[Page]) -> Response:
    await page.settle(CAMPAIGN_VIEWS)
    return await campaign_page(page, collective_id, campaign_id)


@post("/{collective_id:uuid}/campaigns/{campaign_id:uuid}/{action:str}",
      name="pages:campaign-action", status_code=200)
async def campaign_action(collective_id: FromPath[UUID], campaign_id: FromPath[UUID],
                          action: FromPath[str], page: NamedDependency[Page]) -> Response:
    if action not in COMMANDS:
        raise NotFound("No such action.", code="not_found")
    command_type, lines = COMMANDS[action]
    await page.collective(collective_id)  # its today, for the date checks
    await _campaign(page, collective_id, campaign_id)
    form = await read_form(page.request)
    fixed: dict[str, Any] = {"campaign_id": campaign_id}
    if action == "action":
        fixed["collective_ids"] = (collective_id,)
    command = decode(command_type, form, page.lang, zone=page.zone, fixed=fixed, lines=lines)
    if command is not None:
        try:
            result = await page.execute(command, form)
        except CommandError:  # stale
            changes, _ = await stale_edit(page, campaign_id, form)
            return await campaign_page(page, collective_id, campaign_id, posted={action: form},
                                       status=409, changes=changes, notice=stale_notice(page))
        if result is not None:
            return page.go(f"/c/{collective_id}/campaigns/{campaign_id}", result)
    return await campaign_page(page, collective_id, campaign_id, posted={action: form}, status=422)


# -- answering an invitation ------------------------------------------------------------------


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
        result = await page.execute(command, form)
        if result is not None:
            where = (f"/c/{collective_id}/campaigns/{campaign_id}" if answer == "accept"
                     else f"/c/{collective_id}/campaigns")
            return page.go(where, result)
    return await campaigns_page(page, collective, posted=(campaign_id, answer, form), status=422)


ROUTES = [campaign_list, launch, launch_post, campaign, campaign_action, answer]
