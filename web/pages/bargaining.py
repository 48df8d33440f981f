"""Bargaining: the collective's rounds with employers, employers' associations, agencies and
labour offices, and one round from the mandate to the agreement in force.

The round's page shows where it stands (mandate, sessions, tentative agreement, the vote,
the agreement in force and its expiry), each clause with its proposals and the breaches
grievances cite, and a form for each step that applies now. Only leaders (and admins) read
the words and see the forms; an organiser of the federation sees stages and counts.
Every form is a plain POST; what she typed stays when a step is refused.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.domain import Bargaining
from organize.errors import CommandError, NotFound
from organize.projections.views.bargaining import list_rounds, one_round
from organize.projections.views.meeting_log import MeetingFilter, list_meetings
from organize.projections.views.organisations import list_organisations
from web.i18n import error_message
from web.pages.common import Page, Unavailable, nav
from web.pages.forms import Form, decode, read_form
from web.pages.grievances import members

VIEWS = ("bargaining",)
COUNTERPART_KINDS = ("employer", "employers_association", "recruiter", "labour_office")
COUNTERPART_LIMIT = 5_000
# action -> (command, list fields typed a line each)
STEPS: dict[str, tuple[type[c.Command], tuple[str, ...]]] = {
    "adopt-mandate": (c.AdoptMandate, ("demands",)),
    "table-clause": (c.TableClause, ()),
    "record-session": (c.RecordBargainingSession, ("their_attendees",)),
    "propose": (c.ProposeClause, ()),
    "reach-tentative": (c.ReachTentativeAgreement, ()),
    "ratify": (c.RatifyAgreement, ()),
    "bring-into-force": (c.BringAgreementIntoForce, ()),
    "end": (c.EndAgreement, ()),
}
# Which steps a round at each stage offers.
OFFERED = {
    "open": ("adopt-mandate", "table-clause", "record-session", "propose", "reach-tentative"),
    "tentative": ("record-session", "ratify"),
    "ratified": ("bring-into-force",),
    "in_force": ("end",),
    "ended": (),
}


async def _choices(page: Page, collective_id: UUID) -> dict[str, Any]:
    people = [m for m in await members(page, collective_id) if m.current]
    held = await page.read(list_meetings, page.scope,
                           MeetingFilter(collective_id=collective_id, status="held"), limit=50)
    return {
        "people": [(m.id, m.pseudonym) for m in people],
        "meetings": [(mt.id, f"{mt.held_at.astimezone(page.zone).date().isoformat()} · "
                      f"{len(mt.attendee_ids)}") for mt in held if mt.held_at],
    }


@get("/{collective_id:uuid}/bargaining", name="pages:bargaining")
async def round_list(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    await page.settle(VIEWS)
    return await _list_page(page, collective, Form.blank(opened_on=page.today.isoformat()))


async def _list_page(page: Page, collective: Any, form: Form, status: int = 200) -> Response:
    rounds = await page.read(list_rounds, page.scope, collective_id=collective.id)
    # Every organisation of a kind one bargains with (the picker searches them on the phone),
    # not the first page of all organisations, which a registry of hundreds would overflow.
    counterparts = await page.read(list_organisations, page.scope, kinds=COUNTERPART_KINDS,
                                   limit=COUNTERPART_LIMIT)
    people = [m for m in await members(page, collective.id) if m.current]
    return page.html("pages/bargaining_list.html", status=status, collective=collective,
                     rounds=rounds, form=form, counterparts=counterparts,
                     people=[(m.id, m.pseudonym) for m in people],
                     may_act=page.organize.reads_personal_data,
                     **nav(collective.id, "campaigns"))


@post("/{collective_id:uuid}/bargaining", name="pages:bargaining-open", status_code=200)
async def open_round(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    form = await read_form(page.request)
    command = decode(c.OpenBargaining, form, page.lang, zone=page.zone,
                     fixed={"collective_id": collective_id})
    if command is not None:
        result = await page.execute(command, form)
        if result is not None:
            return page.go(f"/c/{collective_id}/bargaining/{result.id}", result)
    return await _list_page(page, collective, form, status=422)


async def _round_page(page: Page, collective_id: UUID, bargaining_id: UUID, *,
                      posted: dict[str, Form] | None = None, status: int = 200) -> Response:
    collective = await page.collective(collective_id)
    words = page.organize.reads_personal_data
    agg = await page.load(Bargaining, bargaining_id, "bargaining_id")  # 404 out of scope
    if agg.collective_id != collective_id:
        raise NotFound("No such round.", code="not_found")
    found = await page.read(one_round, page.scope, bargaining_id, words=words)
    if found is None:  # recorded, not in the view yet
        raise Unavailable()
    version = agg.version
    posted = posted or {}
    offered = OFFERED[found.round.status] if words else ()
    if found.round.mandate_on is None:
        offered = tuple(s for s in offered if s == "adopt-mandate")
    today = page.today.isoformat()
    forms = {key: (posted.get(key) or Form.blank(
        on=today, held_on=today, starts_on=today, rule="simple_majority", side="ours",
        clause_ids=[x.clause_id for x in found.clauses])).keyed(key) for key in offered}
    return page.html("pages/bargaining.html", status=status, collective=collective,
                     r=found.round, clauses=found.clauses, sessions=found.sessions,
                     clause_words={x.clause_id: x.wording for x in found.clauses},
                     clause_choices=[(x.clause_id, x.wording or str(i + 1))
                                     for i, x in enumerate(found.clauses)],
                     forms=forms, version=version, words=words,
                     open_key=next(iter(posted), None), **(await _choices(page, collective_id)),
                     **nav(collective_id, "campaigns"))


@get("/{collective_id:uuid}/bargaining/{bargaining_id:uuid}", name="pages:bargaining-round")
async def one(collective_id: FromPath[UUID], bargaining_id: FromPath[UUID],
              page: NamedDependency[Page]) -> Response:
    await page.settle(VIEWS)
    return await _round_page(page, collective_id, bargaining_id)


@post("/{collective_id:uuid}/bargaining/{bargaining_id:uuid}/{action:str}",
      name="pages:bargaining-step", status_code=200)
async def step(collective_id: FromPath[UUID], bargaining_id: FromPath[UUID],
               action: FromPath[str], page: NamedDependency[Page]) -> Response:
    if action not in STEPS:
        raise NotFound("No such action.", code="not_found")
    command_type, lines = STEPS[action]
    await page.collective(collective_id)
    form = await read_form(page.request)
    fixed: dict[str, Any] = {"bargaining_id": bargaining_id}
    if command_type is c.RecordBargainingSession:  # a note per clause: note-<clause id>
        fixed["notes"] = tuple(
            c.ClauseNote(clause_id=UUID(name[5:]), note=value[0].strip()[:2000])
            for name, value in form.values.items()
            if name.startswith("note-") and value and value[0].strip() and _is_id(name[5:]))
    command = decode(command_type, form, page.lang, zone=page.zone, fixed=fixed, lines=lines)
    if command is not None:
        try:
            result = await page.execute(command, form)
        except CommandError:  # changed meanwhile: what she typed stays
            form.message = error_message("stale_version", page.lang)
            form.set("expected_version", None)
            return await _round_page(page, collective_id, bargaining_id, posted={action: form},
                                     status=409)
        if result is not None:
            return page.go(f"/c/{collective_id}/bargaining/{bargaining_id}", result)
    return await _round_page(page, collective_id, bargaining_id, posted={action: form},
                             status=422)


def _is_id(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


ROUTES = [round_list, open_round, one, step]
