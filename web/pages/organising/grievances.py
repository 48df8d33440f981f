"""Common grievances: the same category against the same employer or recruiter, or at the
same place, raised in several collectives or sectors (DOMAIN.md, lessons 2 and 3). From a
cluster, an organiser launches a joint campaign in one step: the cluster's grievances are
linked to it and the collectives behind them are invited (she may invite others of her
federation too). No collective is in the campaign until its leaders accept.

A cluster travels in the form by its key (category, kind of key, the organisation or the
place), never by its grievances: the server finds the cluster again, within her scope, when
the form comes back. Only counts, sectors, places and collectives are shown: never a
grievance's text or who raised it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency

from organize import commands as c
from organize.projections.reads import Scope
from organize.projections.views.campaign_board.reads import list_campaigns
from organize.projections.views.common_grievances import Cluster, list_common_grievances
from web.i18n import group_icon, taxonomy_label
from web.i18n.labels import place_label
from web.pages.common import Page, today
from web.pages.forms import Form, decode, read_form
from web.pages.organising.common import (
    Federation,
    chosen_federation,
    collective_names,
    organisation_names,
)

CLUSTER_VIEWS = ("common_grievances", "campaign_board")
ACROSS = ("any", "collectives", "sectors")  # which clusters: across either, or one of them
LIMIT = 100
KEY_FIELDS = ("category", "key_kind", "key")


def cluster_key(cl: Cluster) -> str:
    return str(cl.organisation_id) if cl.key_kind == "organisation" else (cl.place or "")


def _across(cl: Cluster, across: str) -> bool:
    crosses_collectives, crosses_sectors = cl.collectives > 1, len(cl.sectors) > 1
    return {"collectives": crosses_collectives, "sectors": crosses_sectors}.get(
        across, crosses_collectives or crosses_sectors)


async def _clusters(page: Page, fed: Federation) -> list[Cluster]:
    # Through her scope (her federation): an admin's "everything" is narrowed to the one she picked.
    scope = page.scope if page.scope.federation is not None else Scope(federation=fed.name)
    return await page.read(list_common_grievances, scope, min_grievances=2, limit=LIMIT)


def _issue(page: Page, cl: Cluster, where: str) -> str:
    category = taxonomy_label("categories", cl.category, page.lang)
    return page._("%(category)s: %(where)s", category=category, where=where)[:300]


async def clusters_page(page: Page, fed: Federation, *, posted: tuple[str, Form] | None = None,
                        status: int = 200, message: str | None = None) -> Response:
    across = page.request.query_params.get("across", "any")
    across = across if across in ACROSS else "any"
    found = await _clusters(page, fed)
    # Those that cross both collectives and sectors first; the view's order (the largest
    # first) within each.
    shown = sorted((cl for cl in found if _across(cl, across)),
                   key=lambda cl: -((cl.collectives > 1) * 2 + (len(cl.sectors) > 1)))
    names = await page.read(collective_names, fed.name)
    orgs = await page.read(organisation_names, sorted({cl.organisation_id for cl in shown
                                                       if cl.organisation_id}))
    campaigns = await page.read(list_campaigns, page.scope)
    items = []
    for n, cl in enumerate(shown):
        key = cluster_key(cl)
        where = (orgs.get(cl.organisation_id, "…") if cl.key_kind == "organisation"
                 else place_label(key, page.lang))
        prefix = f"k{n}"
        launched = [p for p in campaigns if set(cl.grievance_ids) <= set(p.grievance_ids)]
        if posted is not None and posted[0] == f"{cl.category}|{cl.key_kind}|{key}":
            form = posted[1].keyed(prefix)
        else:
            form = Form.blank(category=cl.category, key_kind=cl.key_kind, key=key,
                              issue=_issue(page, cl, where),
                              launched_on=today().isoformat()).keyed(prefix)
        items.append({
            "cl": cl, "where": where, "form": form, "open": posted is not None and form is posted[1],
            "collectives": [names.get(i, "…") for i in cl.collective_ids],
            "others": [(i, name) for i, name in names.items() if i not in cl.collective_ids],
            "launched": launched, "icon": _icon(page, cl.category),
        })
    return page.html("organising/grievances.html", status=status, items=items, across=across,
                     total=len(found), message=message, **fed.nav("grievances"))


@get("/grievances", name="organising:grievances")
async def clusters(page: NamedDependency[Page]) -> Response:
    fed = await chosen_federation(page)
    await page.settle(CLUSTER_VIEWS)
    return await clusters_page(page, fed)


@post("/grievances/launch", name="organising:launch", status_code=200)
async def launch(page: NamedDependency[Page]) -> Response:
    """Launch a joint campaign from one cluster: its grievances linked, its collectives
    invited, in one command."""
    fed = await chosen_federation(page)
    form = await read_form(page.request)
    wanted = tuple(form.get(k) for k in KEY_FIELDS)
    cluster = next((cl for cl in await _clusters(page, fed)
                    if (cl.category, cl.key_kind, cluster_key(cl)) == wanted), None)
    if cluster is None:  # gone from her view since the page was made, or a broken form
        form.message = page._("This common grievance is not on the list any more. Look at the "
                              "list again.")
        return await clusters_page(page, fed, status=422, message=form.message)
    names = await page.read(collective_names, fed.name)
    # Only her federation's collectives may be invited besides the cluster's own.
    extra = [i for i in form.all("invite_collective_ids") if _uuid(i) in names]
    form.set("invite_collective_ids", extra)
    command = decode(c.LaunchJointCampaign, form, page.lang, zone=page.zone, lines=("demands",),
                     fixed={"grievance_ids": tuple(cluster.grievance_ids)})
    if command is not None:
        result = await page.execute(command, form)
        if result is not None:
            return page.go(fed.url("/campaigns"), result)
    return await clusters_page(page, fed, posted=("|".join(wanted), form), status=422)


def _icon(page: Page, category: str) -> str:
    try:
        return group_icon(page.organize.taxonomy.category_group(category))
    except KeyError:
        return "grievance"


def _uuid(value: str) -> Any:
    try:
        return UUID(value)
    except ValueError:
        return None


ROUTES = [clusters, launch]
