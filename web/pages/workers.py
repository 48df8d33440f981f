"""Workers: the collective's workers by pseudonym; one worker's consents (given and
withdrawn item by item, recipient by recipient), her work over time as a timeline whose
overlapping spells sit side by side, and erasure, which asks first on a page of its own
(type the word shown) and then destroys her key."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from markupsafe import Markup, escape

from organize import commands as c
from organize.application.history import record_history
from organize.application.reading import ERASED, worker_view
from organize.domain import Worker
from organize.domain.account import ADMIN, LEADER
from organize.errors import CommandError, NotFound
from organize.projections.views.worker_directory import list_workers, overlapping_pairs
from web.i18n import format_date, taxonomy_label
from web.i18n.locales import text_direction
from web.i18n.messages import N_
from web.pages.common import Page, correction_reasons, nav, stale_edit, stale_notice
from web.pages.forms import Form, decode, read_form
from web.pages.grievances import organisations
from web.pages.history import history_words
from web.pages.svg import Bar, timeline

WORKER_VIEWS = ("worker_directory",)
REFERRAL = "referral:"
# The word to type before erasing, in her language (English is accepted too).
# Translators: one short word she types to confirm that a worker is erased for good.
ERASE_WORD = N_("erase")


@get("/{collective_id:uuid}/workers", name="pages:workers")
async def worker_list(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    await page.settle(WORKER_VIEWS)
    return await _list_page(page, collective, Form.blank(joined_on=page.today.isoformat()))


async def _list_page(page: Page, collective: Any, form: Form, status: int = 200) -> Response:
    rows = await page.read(list_workers, page.scope, collective.id) or []
    names = await page.reveal([(r.id, r.sealed_profile) for r in rows])
    now, before = [], []
    for r in rows:
        if r.erased or r.merged_into is not None:  # nothing left to show / on her survivor's line
            continue
        current = any(m.collective_id == collective.id and m.left_on is None for m in r.memberships)
        entry = {"id": r.id, "name": names.get(r.id, ERASED), "erased": r.erased,
                 "consents": {x.purpose for x in r.consents}}
        (now if current else before).append(entry)
    key = lambda w: w["name"].casefold()  # noqa: E731
    return page.html("pages/workers.html", status=status, collective=collective, form=form,
                     now=sorted(now, key=key), before=sorted(before, key=key),
                     **nav(collective.id, "workers"))


@post("/{collective_id:uuid}/workers/new", name="pages:worker-add", status_code=200)
async def worker_add(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    form = await read_form(page.request)
    command = decode(c.RegisterWorker, form, page.lang, zone=page.zone,
                     fixed={"collective_id": collective_id})
    if command is not None:
        result = await page.execute(command, form)
        if result is not None:
            return page.go(f"/c/{collective_id}/workers/{result.id}", result)
    return await _list_page(page, collective, form, status=422)


async def _worker(page: Page, collective_id: UUID, worker_id: UUID,
                  events: list | None = None) -> Worker:
    agg = await page.load(Worker, worker_id, "worker_id", events)
    _check_member(agg, collective_id)
    return agg


def _check_member(agg: Worker, collective_id: UUID) -> None:
    if not any(m.collective_id == collective_id for m in agg.memberships):
        raise NotFound("No worker with this id in this collective.", code="not_found")


def _bars(page: Page, spells: Any, org_names: dict[UUID, str]) -> list[Bar]:
    taxonomy = page.organize.taxonomy
    bars = []
    for s in spells:
        sector = taxonomy_label("sectors", s.sector, page.lang, taxonomy=taxonomy)
        until = format_date(s.ended_on, page.lang) if s.ended_on else page._("Until now")
        where = ", ".join(x for x in (s.occupation, s.place, org_names.get(s.employer_id, "")) if x)
        title = f"{sector}: {where} ({format_date(s.started_on, page.lang)} – {until})"
        bars.append(Bar(key=str(s.spell_id), label=sector, title=title, start=s.started_on,
                        end=s.ended_on, paid=s.paid))
    return bars


async def worker_page(page: Page, collective_id: UUID, worker_id: UUID, *,
                      posted: dict[str, Form] | None = None, status: int = 200,
                      changes: list | None = None, notice: str | None = None) -> Response:
    collective = await page.collective(collective_id)
    agg, view, history, merged = await page.call(_record, page.organize, collective_id,
                                                 worker_id, collective)
    orgs = await organisations(page)
    org_names = {o.id: o.name for o in orgs}
    bars = _bars(page, view.spells, org_names)
    overlaps = overlapping_pairs([(s.spell_id, s.started_on, s.ended_on) for s in view.spells])
    overlapping = {i for pair in overlaps for i in pair}
    referrals = [(p, org_names.get(_org(p), "…")) for p in sorted(view.consents)
                 if p.startswith(REFERRAL)]
    posted = posted or {}
    consent_forms = {p: Form.blank() for p in ("contact", "research", "new-referral",
                                                 *(p for p, _ in referrals))}
    consent_forms["new-referral"].keyed("referral")
    if "consent" in posted:
        sent = posted["consent"]
        if sent.get("organisation_id"):
            consent_forms["new-referral"] = sent.keyed("referral")
        else:
            consent_forms[sent.get("purpose")] = sent
    open_key = next(iter(posted), None)
    spell = (posted.get("spell") or Form.blank(started_on=page.today.isoformat(), paid="on"))
    ending = {s.spell_id: Form.blank(ended_on=page.today.isoformat()).keyed(f"end-{i}")
              for i, s in enumerate(view.spells) if s.ended_on is None}
    sent = posted.get("end-spell")
    if sent is not None and sent.get("spell_id") in {str(k) for k in ending}:
        key = UUID(sent.get("spell_id"))
        ending[key] = sent.keyed(ending[key].prefix)
    fixing = {s.spell_id: Form.blank(sector=s.sector, place=s.place,
                                     started_on=s.started_on.isoformat(),
                                     ended_on=s.ended_on.isoformat() if s.ended_on else None
                                     ).keyed(f"fix-{i}") for i, s in enumerate(view.spells)}
    withdrawing = {s.spell_id: Form.blank().keyed(f"out-{i}") for i, s in enumerate(view.spells)}
    for action, kept in (("correct-spell", fixing), ("withdraw-spell", withdrawing)):
        sent = posted.get(action)
        if sent is not None and sent.get("spell_id") in {str(k) for k in kept}:
            key = UUID(sent.get("spell_id"))
            kept[key] = sent.keyed(kept[key].prefix)
            open_key = fixing[key].prefix
    forms = {"spell": spell.keyed("spell"),
             "departure": (posted.get("departure") or Form.blank(
                 leaves_on=view.departure_on.isoformat() if view.departure_on else None)
                 ).keyed("departure")}
    return page.html(
        "pages/worker.html", status=status, collective=collective, w=view, version=agg.version,
        left=not page.organize.visibility.member(agg),
        picture=timeline(bars, today=page.today, label=page._("Her work over time"),
                         rtl=text_direction(page.lang) == "rtl"),
        bars=bars, spells=view.spells, overlapping=overlapping, referrals=referrals,
        organisations=orgs, org_names=org_names, forms=forms, consent_forms=consent_forms,
        ending=ending, fixing=fixing, withdrawing=withdrawing, reasons=correction_reasons(page),
        departure_on=view.departure_on,
        open_key=open_key,
        history=history_words(page, history),
        changes=changes, notice=notice, **await _merges(page, merged), **nav(collective_id, "workers"))


def _record(app: Any, collective_id: UUID, worker_id: UUID, collective: Any) -> tuple[Any, ...]:
    """Her record (if this account may see it, in this collective), its view and history,
    and her merges as this account may know them: one trip off the event loop, not three."""
    events: list = []
    agg = app.load(Worker, worker_id, field="worker_id", events=events)
    _check_member(agg, collective_id)
    return (agg, *_read(app, agg, events, collective), _merged_in_scope(app, agg))


def _read(app: Any, agg: Worker, events: list, collective: Any) -> tuple[Any, list]:
    """Her record and its history, from the events her record was loaded from and with her
    key fetched once: one trip off the event loop."""
    key = app.keys.get(agg.id)
    return (worker_view(app, agg, key=key),
            record_history(app, Worker, agg.id, field="worker_id", collective=collective,
                           loaded=agg, events=events, key=key))


def _merged_in_scope(app: Any, agg: Worker) -> tuple[list[UUID], UUID | None]:
    """Her merges as a reader who holds her file now may know them (each record loaded)."""
    seen = app.visibility
    if not seen.member(agg):
        return [], None
    into = agg.merged_into
    return ([i for i in agg.absorbed if seen.knows_worker(i)],
            into if into is not None and seen.knows_worker(into) else None)


async def _merges(page: Page, merged: tuple[list[UUID], UUID | None]) -> dict[str, Any]:
    """The records merged into hers (each with an undo for her leaders), or the one hers was
    merged into (``_merged_in_scope``). A collective she left reads neither: a merge since is
    none of its business, and the other record may be one it never held."""
    absorbed, into = merged
    names = await page.pseudonyms([*absorbed, *filter(None, [into])])
    return {"absorbed": [(i, names.get(i, "…"), Form.blank()) for i in absorbed],
            "merged_into": (into, names.get(into, "…")) if into else None,
            "leads": getattr(page.organize.principal, "role", None) in (LEADER, ADMIN)}


def _org(purpose: str) -> UUID | None:
    try:
        return UUID(purpose.removeprefix(REFERRAL))
    except ValueError:
        return None


@get("/{collective_id:uuid}/workers/{worker_id:uuid}", name="pages:worker")
async def worker(collective_id: FromPath[UUID], worker_id: FromPath[UUID],
                 page: NamedDependency[Page]) -> Response:
    await page.settle(WORKER_VIEWS)
    return await worker_page(page, collective_id, worker_id)


@post("/{collective_id:uuid}/workers/{worker_id:uuid}/{action:str}",
      name="pages:worker-action", status_code=200)
async def worker_action(collective_id: FromPath[UUID], worker_id: FromPath[UUID],
                        action: FromPath[str], page: NamedDependency[Page]) -> Response:
    await page.collective(collective_id)  # its today, for the date checks
    await _worker(page, collective_id, worker_id)
    form = await read_form(page.request)
    if action == "consent":
        if form.get("organisation_id"):
            form.set("purpose", REFERRAL + form.get("organisation_id"))
        command_type: type[c.Command] = (
            c.GiveConsent if form.get("give") == "1" else c.WithdrawConsent)
    elif action == "spell":
        command_type = c.StartSpell
    elif action == "end-spell":
        command_type = c.EndSpell
    elif action == "correct-spell":
        command_type = c.CorrectSpell
    elif action == "withdraw-spell":
        command_type = c.WithdrawSpell
    elif action == "departure":  # her planned departure: a deadline of her grievances
        command_type = c.PlanDeparture
    else:
        raise NotFound("No such action.", code="not_found")
    command = decode(command_type, form, page.lang, zone=page.zone, fixed={"worker_id": worker_id})
    if command is not None:
        try:
            result = await page.execute(command, form)
        except CommandError:  # stale
            return await _stale(page, collective_id, worker_id, action, form)
        if result is not None:
            return page.go(f"/c/{collective_id}/workers/{worker_id}", result)
    return await worker_page(page, collective_id, worker_id, posted={action: form}, status=422)


async def _stale(page: Page, collective_id: UUID, worker_id: UUID, action: str,
                 form: Form) -> Response:
    changes, _ = await stale_edit(page, worker_id, form)
    return await worker_page(page, collective_id, worker_id, posted={action: form}, status=409,
                             changes=changes, notice=stale_notice(page))


# -- erasure, asked first --------------------------------------------------------------------


def _words(page: Page) -> tuple[str, set[str]]:
    shown = page._(ERASE_WORD)
    return shown, {shown.casefold(), ERASE_WORD}


async def _erase_page(page: Page, collective_id: UUID, worker_id: UUID, form: Form,
                      status: int = 200) -> Response:
    collective = await page.collective(collective_id)
    agg = await _worker(page, collective_id, worker_id)
    view = await page.call(worker_view, page.organize, agg)
    word = Markup('<strong class="word">') + escape(_words(page)[0]) + Markup("</strong>")
    return page.html("pages/erase.html", status=status, collective=collective, w=view,
                     word=word, form=form, version=agg.version,
                     **nav(collective_id, "workers"))


@get("/{collective_id:uuid}/workers/{worker_id:uuid}/erase", name="pages:worker-erase")
async def erase(collective_id: FromPath[UUID], worker_id: FromPath[UUID],
                page: NamedDependency[Page]) -> Response:
    return await _erase_page(page, collective_id, worker_id, Form.blank())


@post("/{collective_id:uuid}/workers/{worker_id:uuid}/erase", name="pages:worker-erased",
      status_code=200)
async def erase_post(collective_id: FromPath[UUID], worker_id: FromPath[UUID],
                     page: NamedDependency[Page]) -> Response:
    await _worker(page, collective_id, worker_id)
    form = await read_form(page.request)
    shown, accepted = _words(page)
    if form.get("word").strip().casefold() not in accepted:
        form.errors["word"] = page._("Type the word %(word)s to confirm.", word=shown)
        return await _erase_page(page, collective_id, worker_id, form, status=422)
    command = decode(c.EraseWorker, form, page.lang, zone=page.zone, fixed={"worker_id": worker_id})
    if command is not None:
        try:
            result = await page.execute(command, form)
        except CommandError:  # stale: she sees the worker as she is now, and is asked again
            form.set("expected_version", None)
            form.errors["word"] = stale_notice(page)
            return await _erase_page(page, collective_id, worker_id, form, status=409)
        if result is not None:
            return page.go(f"/c/{collective_id}/workers", result)
    return await _erase_page(page, collective_id, worker_id, form, status=422)


ROUTES = [worker_list, worker_add, worker, worker_action, erase, erase_post]
