"""The campaign coordination board: every campaign of the federation's collectives, with
its stage, the demands won, what comes next, the sectors and collectives taking part, and
where each invitation stands. As of a date, or two dates side by side. Collectives of other
federations in a campaign are counted, not named: her scope is her own federation.

And a cross-sector coordination meeting to schedule across collectives (the meeting kind
``cross_sector``), with campaigns on its agenda; the leaders see it among their meetings.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Response, get, post
from litestar.di import NamedDependency

from organize import commands as c
from organize.domain import Collective
from organize.errors import NotFound
from organize.projections.views.campaign_board.reads import federation_board
from organize.projections.views.meeting_log import list_meetings
from organize.time_zones import today_in, zone_of
from web.i18n import LOCALE_NAMES, LOCALES, field_message
from web.i18n.formatting import zone_name
from web.pages.common import Page, today
from web.pages.forms import Form, decode, read_form
from web.pages.organising.common import Federation, chosen_federation, collective_names, read_dates

BOARD_VIEWS = ("campaign_board", "meeting_log")
MEETING_KIND = "cross_sector"
MEETINGS_SHOWN = 10


async def _board(page: Page, fed: Federation, as_of: date | None) -> Any:
    found = await page.read(federation_board, page.scope, fed.name, as_of)
    if found is None:
        raise NotFound("No such federation.", code="not_found")
    return found


async def _zones(page: Page, names: dict[Any, str]) -> dict[Any, tzinfo]:
    """Each of the federation's collectives' time zone, as its leaders' pages use it."""
    return {cid: zone_of(await page.load(Collective, cid, "collective_id")) for cid in names}


def _zone_choices(zones: dict[Any, tzinfo], lang: str) -> list[tuple[str, str]]:
    """The zones the collectives are in, once each, in the order of their names."""
    keys = list(dict.fromkeys(str(z) for z in zones.values())) or ["UTC"]
    return [(k, f"{zone_name(ZoneInfo(k), lang)} ({k})") for k in keys]


async def _coordination(page: Page, names: dict[Any, str],
                        zones: dict[Any, tzinfo]) -> list[dict[str, Any]]:
    """Cross-sector coordination meetings to come, among the federation's collectives, with
    the time in each of their collectives' zones (the clock each leader reads)."""
    found = await page.read(list_meetings, page.scope, status="scheduled", period_from=today(),
                            limit=200)
    out = []
    for mt in reversed(found):  # soonest first
        ours = [names[i] for i in mt.collective_ids if i in names]
        if mt.kind == MEETING_KIND and ours:
            seen = [zones[i] for i in mt.collective_ids if i in zones]
            out.append({"when": mt.scheduled_for, "collectives": ours,
                        "zones": list({str(z): z for z in seen}.values()),
                        "campaigns": mt.agenda_campaign_ids})
    return out[:MEETINGS_SHOWN]


async def board_page(page: Page, fed: Federation, *, form: Form | None = None,
                     status: int = 200) -> Response:
    dates = read_dates(page)
    boards = [await _board(page, fed, dates.as_of)]
    if dates.compare:
        boards.append(await _board(page, fed, dates.compare))
        boards.sort(key=lambda b: b.as_of or today())
    names = await page.read(collective_names, fed.name)
    zones = await _zones(page, names)
    choices = _zone_choices(zones, page.lang)
    now = boards[-1]
    live = [(p.id, p.issue) for p in now.campaigns if p.status == "active"]
    if form is None:  # 10:00 a week from now, in the first collective's zone
        first = ZoneInfo(choices[0][0])
        soon = datetime.combine(today_in(first) + timedelta(days=7), datetime.min.time())
        form = Form.blank(scheduled_for=soon.replace(hour=10).strftime("%Y-%m-%dT%H:%M"),
                          language=page.lang, time_zone=choices[0][0])
    return page.html(
        "organising/board.html", status=status, dates=dates, today=today(), boards=boards,
        issues={p.id: p.issue for b in boards for p in b.campaigns},
        meetings=await _coordination(page, names, zones), form=form.keyed("mt"),
        zone_choices=choices,
        collectives=list(names.items()), live=live, ours=set(names),
        languages=[(code, LOCALE_NAMES.get(code, code)) for code in LOCALES],
        **fed.nav("campaigns"))


@get("/campaigns", name="organising:board")
async def board(page: NamedDependency[Page]) -> Response:
    fed = await chosen_federation(page)
    await page.settle(BOARD_VIEWS)
    return await board_page(page, fed)


@post("/meetings/new", name="organising:meeting", status_code=200)
async def schedule(page: NamedDependency[Page]) -> Response:
    """Schedule a cross-sector coordination meeting across collectives."""
    fed = await chosen_federation(page)
    form = await read_form(page.request)
    # The time is typed on the clock of the zone she chose among the collectives' zones
    # (named beside the field), never silently in UTC.
    chosen = form.get("time_zone")
    names = await page.read(collective_names, fed.name)
    allowed = {k for k, _ in _zone_choices(await _zones(page, names), page.lang)}
    zone = ZoneInfo(chosen) if chosen in allowed else None
    command = decode(c.ScheduleMeeting, form, page.lang, zone=zone or ZoneInfo("UTC"),
                     fixed={"kind": MEETING_KIND})
    if zone is None:
        form.errors["time_zone"] = field_message("required" if not chosen else "unknown_choice", page.lang)
        command = None
    if command is not None:
        result = await page.execute(command, form)
        if result is not None:
            return page.go(fed.url("/campaigns"), result)
    return await board_page(page, fed, form=form, status=422)


ROUTES = [board, schedule]
