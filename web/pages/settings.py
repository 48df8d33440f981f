"""The collective's settings: its time zone, in which meeting times are typed and shown and
by which "today" is counted. The zones of the collective's own countries come first in the
picker; a zone given by the upgrade (``default``: UTC, no country settled it) is flagged so
that a leader chooses one."""

from __future__ import annotations

from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.errors import CommandError
from organize.time_zones import all_zones, suggested_zones, zone_name
from web.i18n import error_message
from web.i18n.formatting import zone_name as zone_label
from web.pages.common import Page, nav
from web.pages.forms import Form, decode, read_form


async def _page(page: Page, collective_id: UUID, form: Form, *, status: int = 200) -> Response:
    collective = await page.collective(collective_id)
    first = suggested_zones(tuple(collective.places))
    rest = [z for z in all_zones() if z not in first]
    suggested = [(z, f"{zone_label(ZoneInfo(z), page.lang)} · {z}") for z in first]
    return page.html(
        "pages/settings.html",
        status=status,
        collective=collective,
        form=form,
        suggested=suggested,
        zones=rest,
        version=collective.version,
        unsure=getattr(collective, "time_zone_source", None) in (None, "default"),
        **nav(collective_id, "home"),
    )


@get("/{collective_id:uuid}/settings", name="pages:settings")
async def settings(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    return await _page(page, collective_id, Form.blank(time_zone=zone_name(collective)))


@post("/{collective_id:uuid}/settings/time-zone", name="pages:settings-time-zone", status_code=200)
async def set_time_zone(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    await page.collective(collective_id)
    form = await read_form(page.request)
    command = decode(
        c.SetCollectiveTimeZone, form, page.lang, zone=page.zone, fixed={"collective_id": collective_id}
    )
    if command is not None:
        try:
            result = await page.execute(command, form, fields=("time_zone",))
        except CommandError:  # stale: changed meanwhile; her choice stays, at the new version
            form.message = error_message("stale_version", page.lang)
            form.set("expected_version", None)
            return await _page(page, collective_id, form, status=409)
        if result is not None:
            return page.go(f"/c/{collective_id}/settings", result)
    return await _page(page, collective_id, form, status=422)


ROUTES = [settings, set_time_zone]
