"""The collective's home: how strong it is (the eight indicators, each with its level, its
reasons, its trend and a sparkline drawn on the server, and the collective's own view beside
it), invitations to joint campaigns still to answer, the meetings coming up, the live
campaigns, the agreements due for renewal and the latest grievances."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg
from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from markupsafe import Markup, escape

from organize.projections.indicators.reads import collective_indicators
from organize.projections.reads import Scope, tables
from organize.projections.views.bargaining import due_for_renewal
from organize.projections.views.campaign_board.reads import (
    collective_invitations,
    joined_campaigns,
)
from organize.projections.views.grievance_deadlines import due_deadlines, with_departures
from organize.projections.views.grievance_money import collective_totals
from organize.projections.views.grievance_register import (
    GrievanceFilter,
    grievance_categories,
    list_grievances,
)
from organize.projections.views.meeting_log import list_meetings
from web.i18n import dimension_label, level_label, trend_label
from web.i18n.formatting import format_date
from web.i18n.labels import taxonomy_label
from web.i18n.reasons import reason_texts
from web.i18n.templating import context_lang, template_gettext
from web.pages.common import Page, nav
from web.pages.grievances import AMOUNT_KINDS, DEPARTURE_WORDS, URGENCY_WORDS
from web.pages.invitations import with_forms
from web.pages.meetings import soonest_from
from web.pages.svg import sparkline

HOME_VIEWS = ("grievance_register", "meeting_log", "campaign_board", "indicators",
              "grievance_deadlines", "grievance_money", "bargaining")
RECENT = 6
REASONS = 3
MEETINGS = 4  # the soonest scheduled from today, soonest first


async def collectives_in_scope(conn: asyncpg.Connection, scope: Scope) -> list[dict[str, Any]]:
    t = await tables(conn, "indicators")
    rows = await conn.fetch(f"SELECT id, name, federation, erased FROM {t.collectives} "
                            "ORDER BY name, id")
    return [dict(r) for r in rows if scope.allows(r["id"], r["federation"])]


@get("/", name="pages:collectives")
async def collectives(page: NamedDependency[Page]) -> Response:
    """Which collective: straight to it when the account has one."""
    found = await page.read(collectives_in_scope, page.scope)
    if len(found) == 1:
        return Response("", status_code=303, headers={"Location": f"/c/{found[0]['id']}"})
    return page.html("pages/collectives.html", collectives=found, show_nav=False)


def indicator_rows(found: Any, lang: str) -> list[dict[str, Any]]:
    rows = []
    for d in found.dimensions if found is not None else []:
        trend = trend_label(d.trend.word, lang)
        rows.append({
            "dimension": d.dimension,
            "title": dimension_label(d.dimension, lang, d.title),
            "level": d.level,
            "word": level_label(d.dimension, d.level, lang),
            "risk": d.risk,
            "trend": trend,
            "trend_word": d.trend.word,
            "reasons": reason_texts(d.reasons, lang, REASONS),
            "spark": sparkline([w.level for w in d.sparkline], label=trend, risk=d.risk),
            "self_word": (level_label(d.dimension, d.self_level, lang)
                          if d.self_level is not None else None),
            "differs": d.divergence is not None and abs(d.divergence) >= 2,
        })
    return rows


@get("/{collective_id:uuid}", name="pages:home")
async def home(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    await page.settle(HOME_VIEWS)
    scope, today = page.scope, page.today
    # Read sealed, then opened together: one look-up of the keys for the whole page.
    found, upcoming, campaigns, grievances, invitations, deadlines, renewals, totals = (
        await page.open((
            await page.read_sealed(collective_indicators, scope, collective_id,
                                   rubric=page.rubric),
            await page.read_sealed(list_meetings, scope, collective_id=collective_id,
                                   status="scheduled", period_from=today,
                                   time_zone=str(page.zone), limit=MEETINGS,
                                   before=soonest_from(today, page.zone)),
            await page.read_sealed(joined_campaigns, scope, collective_id, status="active",
                                   limit=4),
            await page.read_sealed(list_grievances, scope, collective_id=collective_id,
                                   limit=RECENT),
            await page.read_sealed(collective_invitations, scope, collective_id,
                                   state="pending"),
            await page.read_sealed(due_deadlines, scope, collective_id, today),
            await page.read_sealed(due_for_renewal, scope, today, collective_id=collective_id),
            await page.read_sealed(collective_totals, scope, collective_id))))
    due = with_departures(deadlines)
    return page.html(
        "pages/home.html", collective=collective, cid=collective_id,
        indicators=indicator_rows(found, page.lang), assessment=found.self_assessment if found else None,
        indicators_updating=found is None or found.updating,
        meetings=list(reversed(upcoming)), campaigns=campaigns, grievances=grievances,
        invitations=with_forms(invitations), renewals=renewals,
        due=due, due_names=await _due_names(page, collective_id, due),
        totals=totals,
        kind_words=AMOUNT_KINDS, urgency_words=URGENCY_WORDS, departure_words=DEPARTURE_WORDS,
        due_row=due_row, due_rows=due_rows,
        **nav(collective_id, "home"))


@pass_context
def due_row(context: Context, d: Any, prefix: Any, names: Mapping[UUID, str]) -> Markup:
    """A grievance's deadline due soon or overdue, as the home lists them (fifty at most):
    what the template drew for it, byte for byte, in one call instead of a dozen. Every
    value is escaped; the words are the catalogue's (``_()`` of the templates)."""
    return _due_li(context, d, escape(prefix), names, {})


@pass_context
def due_rows(context: Context, due: Any, prefix: Any, names: Mapping[UUID, str]) -> Markup:
    """The deadlines due, each as ``due_row`` draws it and a line break after it, in one
    call: the words its rows share (an urgency, a step, a category, a day) are looked up
    once for the list, then forgotten with it."""
    prefix, shared = escape(prefix), {}
    return Markup("").join(_due_li(context, d, prefix, names, shared) + "\n"  # noqa: S704
                           for d in due)


def _due_li(context: Context, d: Any, prefix: Markup, names: Mapping[UUID, str],
            shared: dict[Any, Any]) -> Markup:
    category = names.get(d.grievance_id)
    key = (d.urgency, d.step, d.step_name, category, d.due_on)
    words = shared.get(key)
    if words is None:
        words = shared[key] = _due_words(context, d, category)
    return Markup(  # noqa: S704 - every value in it is escaped
        f"{words[0]}"
        f'<a href="{prefix}/grievances/{escape(d.grievance_id)}#h-deadlines">{words[1]}')


def _due_words(context: Context, d: Any, category: str | None) -> tuple[str, str]:
    lang = context_lang(context)
    urgency = template_gettext(context, URGENCY_WORDS[d.urgency])
    step = (template_gettext(context, DEPARTURE_WORDS) if d.step == "departure"
            else Markup('<span dir="auto">%s</span>') % (d.step_name or d.step))
    named = (" · " + escape(taxonomy_label("categories", category, lang,
                                           taxonomy=context.get("taxonomy")))
             if category else "")
    risk = ' class="risk"' if d.urgency == "overdue" else ""
    return (f"<li{risk}>",
            f'<span class="grow"><strong>{escape(urgency)}</strong> · '
            f'<time datetime="{escape(d.due_on.isoformat())}">'
            f"{escape(format_date(d.due_on, lang))}</time><br>\n"
            f'<span class="meta">{escape(step)}{named}</span></span></a></li>')


async def _due_names(page: Page, collective_id: UUID, due: list) -> dict[UUID, str]:
    """Each due grievance by its kind, as the list of grievances names it."""
    ids = {d.grievance_id for d in due}
    if not ids:
        return {}
    return await page.read(grievance_categories, page.scope,
                           GrievanceFilter(collective_id=collective_id), ids)


ROUTES = [collectives, home]
