"""Grievances: the list, the record flow and the grievance page.

Recording one is four short steps on a phone (who, what, where and when, consent). The
steps are plain POSTs: everything chosen so far travels in hidden fields of the form (never
in the URL, so a new worker's pseudonym is only ever in a POST body), and htmx, when it
runs, swaps just the form. The ``command_id`` is made when the flow starts; the final
submit derives the ids of the new workers and consents from it, so sending it twice records
everything once and lands on the same grievance.

The grievance page shows what happened so far (its events, with the description and notes
opened with the grievance's key: the page is for the collective's leaders only) and the
actions that apply now, each a small form carrying the version it was made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.application.grievances import GrievanceRecord, NewWorker, record_grievance
from organize.application.reading import ERASED, grievance_timeline, grievance_view
from organize.domain import Grievance
from organize.errors import CommandError, NotFound
from organize.projections.views.bargaining import list_rounds, one_round
from organize.projections.views.grievance_deadlines import (
    collective_procedures,
    grievance_deadlines,
    with_departures,
)
from organize.projections.views.grievance_register import (
    STATUSES,
    Cursor,
    GrievanceFilter,
    Match,
    list_grievances,
)
from organize.projections.views.organisations import list_organisations
from organize.projections.views.worker_directory import list_workers
from web.i18n import error_message, field_message, taxonomy_label
from web.i18n.messages import N_
from web.pages import listing
from web.pages.common import (
    EVENT_WORDS,
    Page,
    correction_reasons,
    nav,
    stale_edit,
    stale_notice,
    today,
)
from web.pages.forms import Form, decode, read_form, refusal
from web.pages.history import history_rows

GRIEVANCE_VIEWS = ("grievance_register", "worker_directory", "grievance_deadlines")
STEPS = 4
# Everything the record flow carries from step to step.
FLOW = ("command_id", "started", "worker_ids", "new_pseudonym", "new_phone", "category",
        "description", "place", "occurred_on", "stage", "sector", "organisation_ids",
        "consent_contact", "consent_research")
SHOWN = {1: ("worker_ids",), 2: ("category", "description"),
         3: ("place", "occurred_on", "stage", "sector", "organisation_ids"),
         4: ("consent_contact", "consent_research")}
CHOOSE_WORKER = N_("Choose at least one worker, or add a new one.")
# The list's URL parameters; a search's own (its result) are replaced by a new search.
MATCH_PARAMS = ("m", "mw", "mo", "mc", "ref")
LIST_PARAMS = ("status", "group", "category", "stage", "sector", "worker", "organisation",
               "from", "to", *MATCH_PARAMS)


# -- who is in the collective ----------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    id: UUID
    pseudonym: str
    consents: frozenset[str]
    current: bool  # a member now (not only before)


async def members(page: Page, collective_id: UUID) -> list[Member]:
    """The collective's workers (members now or before, not erased), by pseudonym."""
    rows = await page.read(list_workers, page.scope, collective_id) or []
    rows = [r for r in rows if not r.erased]
    names = await page.reveal([(r.id, r.sealed_profile) for r in rows])
    out = [Member(id=r.id, pseudonym=names.get(r.id, ERASED),
                  consents=frozenset(x.purpose for x in r.consents),
                  current=any(m.collective_id == collective_id and m.left_on is None
                              for m in r.memberships))
           for r in rows]
    return sorted(out, key=lambda m: (m.pseudonym.casefold(), str(m.id)))


async def organisations(page: Page) -> list[Any]:
    return await page.read(list_organisations, page.scope, limit=1000)


def _category_groups(page: Page) -> list[dict[str, Any]]:
    from web.i18n import group_icon, taxonomy_label

    taxonomy = page.organize.taxonomy
    groups = []
    for group in taxonomy.entries("category_groups"):
        groups.append({
            "code": group.code, "icon": group_icon(group.code),
            "label": taxonomy_label("category_groups", group.code, page.lang, taxonomy=taxonomy),
            "categories": [(code, taxonomy_label("categories", code, page.lang, taxonomy=taxonomy))
                           for code in taxonomy.categories_in_group(group.code)],
        })
    return groups


# -- the list ------------------------------------------------------------------------------------


@get("/{collective_id:uuid}/grievances", name="pages:grievances")
async def grievance_list(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    await page.settle(GRIEVANCE_VIEWS)
    return await _list_page(page, collective)


@post("/{collective_id:uuid}/grievances/search", name="pages:grievance-search", status_code=200)
async def grievance_search(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    """Her words to the ids and codes they name (in memory, over what she may read), then
    to the list filtered by those: the words never reach a URL."""
    collective = await page.collective(collective_id)
    s = await listing.search(page, f"/c/{collective_id}/grievances", LIST_PARAMS, MATCH_PARAMS)
    if not s.typed:
        return s.go(page, None)
    workers = listing.matching(s.typed, ((m.id, m.pseudonym) for m in await members(page, collective_id)))
    found_orgs = listing.matching(s.typed, ((o.id, o.name) for o in await organisations(page)))
    if len(workers) > listing.MAX_MATCHES or len(found_orgs) > listing.MAX_MATCHES:
        return await _list_page(page, collective, status=422, search=s.said,
                                search_error=page._(listing.TOO_MANY, words=s.typed))
    ref = listing.reference(s.typed)
    return s.go(page, [*(("mw", str(w)) for w in workers), *(("mo", str(o)) for o in found_orgs),
                       *(("mc", code) for code in listing.codes_matching(page, s.typed, "categories")),
                       *((("ref", ref),) if ref else ())])


async def _list_page(page: Page, collective: Any, *, status: int = 200, search: str = "",
                     search_error: str | None = None) -> Response:
    raw = listing.params(page)
    q = listing.Query()
    taxonomy = page.organize.taxonomy
    # The members' ids check the filter; only the names the page shows are opened. Both
    # lists are read only when the address names a worker or an organisation to check.
    member_ids: set[UUID] = set()
    if raw.get("worker") or raw.get("mw"):
        rows = await page.read(list_workers, page.scope, collective.id) or []
        member_ids = {r.id for r in rows if not r.erased}
    org_names: dict[UUID, str] = {}
    if raw.get("organisation") or raw.get("mo"):
        org_names = {o.id: o.name for o in await organisations(page)}
    period_from, period_to = listing.dates(page, raw, q)
    f = GrievanceFilter(
        collective_id=collective.id,
        status=listing.choice(raw, q, "status", STATUSES),
        group=listing.choice(raw, q, "group", taxonomy.codes("category_groups")),
        category=listing.choice(raw, q, "category", taxonomy.codes("categories")),
        stage=listing.choice(raw, q, "stage", taxonomy.codes("stages")),
        sector=listing.choice(raw, q, "sector", taxonomy.codes("sectors")),
        worker_id=listing.one_id(raw, q, "worker", member_ids),
        organisation_id=listing.one_id(raw, q, "organisation", set(org_names)),
        period_from=period_from, period_to=period_to)
    if raw.get("m"):
        q.keep("m", "1")
        f = msgspec.structs.replace(f, match=Match(
            worker_ids=listing.ids(raw, q, "mw", member_ids),
            organisation_ids=listing.ids(raw, q, "mo", set(org_names)),
            categories=tuple(c for c in raw.get("mc", [])[:listing.MAX_IDS]
                             if taxonomy.has("categories", c)),
            reference=listing.reference((raw.get("ref") or [""])[0])))
        q.keep("mc", list(f.match.categories))
        q.keep("ref", f.match.reference)
    after, before = listing.cursor(raw, Cursor.decode)
    found = await page.read(list_grievances, page.scope, f, limit=listing.PAGE_SIZE + 1,
                            after=after, before=before)
    shown, more = listing.page_of(found, listing.PAGE_SIZE, before)
    base = f"/c/{collective.id}/grievances"
    paging = listing.pages(q, base, shown, more=more, after=after, before=before,
                           key=lambda g: Cursor(g.occurred_on, g.raised_nid))
    names = await page.pseudonyms([*filter(None, (f.worker_id,)),
                                   *(f.match.worker_ids if f.match else ())])
    chips = _chips(page, q, f, base, names, org_names)
    return page.html(
        "pages/grievances.html", status=status, collective=collective, grievances=shown,
        chosen_status=f.status, statuses=STATUSES, q=q, base=base, paging=paging, chips=chips,
        groups=_category_groups(page), search=search, search_error=search_error,
        nothing_found=bool(f.match) and not any((f.match.worker_ids, f.match.organisation_ids,
                                                f.match.categories, f.match.reference)),
        stages=[(s, taxonomy_label("stages", s, page.lang, taxonomy=taxonomy))
                for s in taxonomy.codes("stages")],
        sectors=[(s, taxonomy_label("sectors", s, page.lang, taxonomy=taxonomy))
                 for s in collective.sectors or taxonomy.codes("sectors")],
        **nav(collective.id, "grievances"))


def _chips(page: Page, q: listing.Query, f: GrievanceFilter, base: str,
           names: dict[UUID, str], org_names: dict[UUID, str]) -> list[tuple[str, str]]:
    """What the list is narrowed to by a person, an organisation or a search, each with
    the link that drops it (names opened for this page only)."""
    chips = []
    if f.worker_id:
        chips.append((names.get(f.worker_id, ERASED), q.url(base, worker=None)))
    if f.organisation_id:
        chips.append((org_names.get(f.organisation_id, "…"), q.url(base, organisation=None)))
    if f.match is not None:
        drop = q.url(base, m=None, mw=None, mo=None, mc=None, ref=None)
        found = [*(names.get(w, ERASED) for w in f.match.worker_ids),
                 *(org_names.get(o, "…") for o in f.match.organisation_ids),
                 *(taxonomy_label("categories", c, page.lang) for c in f.match.categories),
                 *((f"#{f.match.reference}",) if f.match.reference else ())]
        chips.append((", ".join(found[:8]) + (" …" if len(found) > 8 else ""), drop))
    return chips


# -- recording one: four steps -------------------------------------------------------------------


@get("/{collective_id:uuid}/grievances/new", name="pages:record")
async def record_start(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    form = Form.blank(started=today().isoformat(), occurred_on=today().isoformat(),
                      place=collective.places[0] if collective.places else None,
                      sector=collective.sectors[0] if collective.sectors else None)
    # ?all=1 (set by the script): every step in the one form, so she can finish it offline;
    # without JavaScript it is one long form that posts like the last step.
    return await _flow(page, collective, form, 1, every=page.request.query_params.get("all") == "1")


@post("/{collective_id:uuid}/grievances/new", name="pages:record-step", status_code=200)
async def record_step(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    form = await read_form(page.request)
    try:
        step = min(STEPS, max(1, int(form.get("step") or 1)))
    except ValueError:
        step = 1
    go = form.get("go") or "next"
    people = await members(page, collective_id)
    if go == "add_worker":
        _add_worker(page, form)
        step = 1
    elif go.startswith("remove:"):
        _remove_worker(form, go.split(":", 1)[1])
        step = 1
    elif go == "back":
        step = max(1, step - 1)
    elif go == "find":  # a picker's search: the same step, its list narrowed
        pass
    elif go == "submit":
        failing = next((s for s in range(1, STEPS + 1) if not _check(page, form, s, people)), None)
        if failing is not None:
            step = failing
        else:
            result = await _record(page, collective_id, form, people)
            if result is not None:
                return page.go(f"/c/{collective_id}/grievances/{result.id}", result)
            step = next((s for s, names in SHOWN.items() if set(form.errors) & set(names)), STEPS)
    elif _check(page, form, step, people):
        step = min(STEPS, step + 1)
    status = 200 if form.ok or page.htmx else 422
    return await _flow(page, collective, form, step, people, status=status)


def _add_worker(page: Page, form: Form) -> None:
    pseudonym, phone = form.get("add_pseudonym").strip(), form.get("add_phone").strip()
    profile = Form(values={"profile.pseudonym": [pseudonym], "profile.phone": [phone]})
    decode(c.RegisterWorker, profile, page.lang, zone=page.zone, only={"profile.pseudonym", "profile.phone"})
    if not pseudonym:
        profile.errors["profile.pseudonym"] = field_message("required", page.lang)
    if len(form.all("new_pseudonym")) + len(form.all("worker_ids")) >= 50:
        profile.errors["profile.pseudonym"] = error_message("too_many", page.lang)
    for name, message in profile.errors.items():
        form.errors["add_" + name.split(".")[1]] = message
    if profile.errors:
        return
    form.set("new_pseudonym", [*form.all("new_pseudonym"), pseudonym])
    form.set("new_phone", [*form.all("new_phone"), phone])
    form.set("add_pseudonym", None)
    form.set("add_phone", None)


def _remove_worker(form: Form, index: str) -> None:
    names, phones = form.all("new_pseudonym"), form.all("new_phone")
    phones += [""] * (len(names) - len(phones))
    if index.isdigit() and int(index) < len(names):
        del names[int(index)], phones[int(index)]
    form.set("new_pseudonym", names)
    form.set("new_phone", phones[:len(names)])
    # Consents were given per person: keys of new workers after her move down by one.
    for field in ("consent_contact", "consent_research"):
        form.set(field, [k for k in form.all(field) if not k.startswith("new:")])


def _keys(form: Form) -> list[str]:
    return [*form.all("worker_ids"), *(f"new:{i}" for i in range(len(form.all("new_pseudonym"))))]


def _check(page: Page, form: Form, step: int, people: list[Member]) -> bool:
    """Check one step's fields; their messages go on the form. True when the step is fine."""
    before = set(form.errors)
    taxonomy = page.organize.taxonomy
    if step == 1:
        known = {str(m.id) for m in people if m.current}
        chosen = form.all("worker_ids")
        if any(w not in known for w in chosen):
            form.errors["workers"] = field_message("unknown_choice", page.lang)
        elif not chosen and not form.all("new_pseudonym"):
            form.errors["workers"] = page._(CHOOSE_WORKER)
        elif len(chosen) + len(form.all("new_pseudonym")) > 50:
            form.errors["workers"] = error_message("too_many", page.lang)
    elif step == 2:
        decode(c.RaiseGrievance, form, page.lang, zone=page.zone, only=SHOWN[2])
        if form.get("category") and not taxonomy.has("categories", form.get("category")):
            form.errors["category"] = field_message("unknown_choice", page.lang)
    elif step == 3:
        decode(c.RaiseGrievance, form, page.lang, zone=page.zone, only=SHOWN[3])
        for name, vocabulary in (("stage", "stages"), ("sector", "sectors")):
            if form.get(name) and not taxonomy.has(vocabulary, form.get(name)):
                form.errors[name] = field_message("unknown_choice", page.lang)
    elif step == 4:
        keys = set(_keys(form))
        for name in SHOWN[4]:
            if any(k not in keys for k in form.all(name)):
                form.errors[name] = field_message("unknown_choice", page.lang)
    return set(form.errors) == before


async def _record(page: Page, collective_id: UUID, form: Form, people: list[Member]) -> Any:
    """The form to ``record_grievance``: new workers, their consents and the grievance, every
    id derived from the form's command_id, so a second submit replays the first."""
    try:
        command_id = UUID(form.get("command_id"))
        started = date.fromisoformat(form.get("started"))
    except ValueError:
        form.message = error_message("csrf", page.lang)
        return None
    phones = form.all("new_phone")
    record = GrievanceRecord(
        command_id=command_id, collective_id=collective_id, joined_on=started,
        new_workers=tuple(
            NewWorker(pseudonym.strip(),
                      phones[i].strip() if i < len(phones) and phones[i].strip() else None)
            for i, pseudonym in enumerate(form.all("new_pseudonym"))),
        worker_ids=tuple(UUID(w) for w in form.all("worker_ids")))
    command = decode(c.RaiseGrievance, form, page.lang, zone=page.zone,
                     fixed={"collective_id": collective_id,
                            "worker_ids": tuple(record.by_key().values())})
    if command is None:
        return None
    consents = record.consents(
        {purpose: form.all(f"consent_{purpose}") for purpose in ("contact", "research")},
        {m.id: m.consents for m in people})
    try:
        return await page.write(record_grievance, page.organize, record, command, consents)
    except CommandError as e:
        refusal(form, e, page.lang, fields=FLOW)
        return None


async def _flow(page: Page, collective: Any, form: Form, step: int,
                people: list[Member] | None = None, *, status: int = 200,
                every: bool = False) -> Response:
    people = people if people is not None else await members(page, collective.id)
    names = {str(m.id): m.pseudonym for m in people}
    consents = {str(m.id): m.consents for m in people}
    chosen = [{"key": w, "name": names.get(w, ERASED), "given": consents.get(w, frozenset())}
              for w in form.all("worker_ids")]
    chosen += [{"key": f"new:{i}", "name": p, "given": frozenset()}
               for i, p in enumerate(form.all("new_pseudonym"))]
    shown = set(SHOWN[step]) if not every else {n for names in SHOWN.values() for n in names}
    context = dict(
        collective=collective, form=form, step=STEPS if every else step, steps=STEPS,
        shown_steps=range(1, STEPS + 1) if every else [step], every=every,
        choose_worker=page._(CHOOSE_WORKER), required=field_message("required", page.lang),
        hidden=form.hidden(*(n for n in FLOW if n not in shown and n != "command_id")),
        people=_narrowed([m for m in people if m.current], form.get("find_worker"),
                         set(form.all("worker_ids")), lambda m: m.pseudonym),
        chosen=chosen, new_workers=list(enumerate(form.all("new_pseudonym"))),
        groups=_category_groups(page) if step == 2 or every else [],
        organisations=_narrowed(await organisations(page), form.get("find_org"),
                                set(form.all("organisation_ids")),
                                lambda o: o.name) if step == 3 or every else [],
        places=collective.places, action=f"/c/{collective.id}/grievances/new",
        **nav(collective.id, "grievances"))
    template = "pages/_record_form.html" if page.htmx else "pages/record.html"
    return page.html(template, status=status, **context)


def _narrowed(items: list[Any], typed: str, chosen: set[str], name: Any) -> list[Any]:
    """A picker's list narrowed to what matches her words, keeping what she chose."""
    if not listing.words(typed or ""):
        return items
    found = set(listing.matching(typed, ((str(i.id), name(i)) for i in items)))
    return [i for i in items if str(i.id) in found or str(i.id) in chosen]


# -- the grievance page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    command: type[c.Command]
    icon: str
    text: str
    when: tuple[str, ...]  # the statuses it applies in


OPEN, RESOLVED, WITHDRAWN = "open", "resolved", "withdrawn"
ACTIONS: dict[str, Action] = {
    "join": Action(c.JoinGrievance, "plus", N_("Join"), (OPEN,)),
    "evidence": Action(c.NoteEvidence, "note", N_("Note evidence"), (OPEN,)),
    "refer": Action(c.ReferGrievance, "refer", N_("Refer"), (OPEN,)),
    "escalate": Action(c.EscalateGrievance, "escalate", N_("Escalate"), (OPEN,)),
    "negotiation": Action(c.RecordNegotiation, "handshake", N_("Record a negotiation"), (OPEN,)),
    "outcome": Action(c.RecordOutcome, "flag", N_("Record the outcome"), (OPEN,)),
    "retaliation": Action(c.ReportRetaliation, "alert", N_("Report retaliation"),
                          (OPEN, RESOLVED, WITHDRAWN)),
    "withdraw": Action(c.WithdrawGrievance, "withdraw", N_("Withdraw"), (OPEN,)),
    "reopen": Action(c.ReopenGrievance, "reopen", N_("Reopen"), (RESOLVED, WITHDRAWN)),
    "correct": Action(c.CorrectGrievance, "note", N_("Correct a mistake"),
                      (OPEN, RESOLVED, WITHDRAWN)),
    # money and deadlines (organize.domain.money, organize.domain.deadlines)
    "amount": Action(c.StateAmount, "money", N_("Record an amount"), (OPEN, RESOLVED, WITHDRAWN)),
    "correct_amount": Action(c.CorrectAmount, "note", N_("Correct an amount"),
                             (OPEN, RESOLVED, WITHDRAWN)),
    "knowledge": Action(c.RecordKnowledge, "clock", N_("When she learned of it"), (OPEN,)),
    "step": Action(c.TakeStep, "check", N_("Record a step taken"), (OPEN,)),
    "breach": Action(c.CiteBreach, "flag", N_("Cite a breached clause"), (OPEN, RESOLVED)),
}
AMOUNT_KINDS = {"owed": N_("Owed"), "claimed": N_("Claimed"), "offered": N_("Offered"),
                "recovered": N_("Recovered")}
URGENCY_WORDS = {"overdue": N_("Overdue"), "due_soon": N_("Due soon")}
DEPARTURE_WORDS = N_("Her planned departure")
DATE_FIELDS = ("on", "held_on")


def _read(organize: Any, agg: Grievance) -> tuple[Any, list[dict[str, Any]]]:
    """The grievance with its texts opened, and its events in order (application reads)."""
    return grievance_view(organize, agg), grievance_timeline(organize, agg)


async def _grievance(page: Page, collective_id: UUID, grievance_id: UUID) -> Grievance:
    agg = await page.load(Grievance, grievance_id, "grievance_id")
    if agg.collective_id != collective_id:
        raise NotFound("No grievance with this id in this collective.", code="not_found")
    return agg


async def grievance_page(page: Page, collective_id: UUID, grievance_id: UUID, *,
                         posted: dict[str, Form] | None = None, open_key: str | None = None,
                         status: int = 200, changes: list | None = None,
                         since: int | None = None, notice: str | None = None) -> Response:
    collective = await page.collective(collective_id)
    agg = await _grievance(page, collective_id, grievance_id)
    view, timeline = await page.call(_read, page.organize, agg)
    people = await members(page, collective_id)
    orgs = await organisations(page)
    org_names = {o.id: o.name for o in orgs}
    everyone = {w for item in timeline for w in item["workers"]} | set(view.worker_ids)
    names = {m.id: m.pseudonym for m in people}
    missing = [w for w in everyone if w not in names]
    if missing:
        names.update(await page.pseudonyms(missing))
    consents = {m.id: m.consents for m in people}
    referral = []  # organisations some party agreed to be referred to, and who
    for org in orgs:
        agreed = [w for w in view.worker_ids if f"referral:{org.id}" in consents.get(w, ())]
        if agreed:
            referral.append({"org": org, "names": [names.get(w, ERASED) for w in agreed]})
    forms = {}
    for key, spec in ACTIONS.items():
        if view.status in spec.when:
            start = ({"category": view.category, "sector": view.sector, "place": view.place,
                      "stage": view.stage, "occurred_on": view.occurred_on.isoformat()}
                     if key == "correct" else
                     {"on": page.today.isoformat(), "held_on": page.today.isoformat()})
            forms[key] = ((posted or {}).get(key) or Form.blank(**start)).keyed(key)
    cited = getattr(agg, "breaches", ())
    clauses = (await agreed_clauses(page, collective_id)
               if "breach" in forms or cited else [])
    if not clauses:  # no agreement in force, or ever: nothing to cite
        forms.pop("breach", None)
    words = dict(clauses)
    try:
        group = page.organize.taxonomy.category_group(view.category)
    except KeyError:
        group = "unknown"
    steps = await _procedure_steps(page, collective_id, agg.procedure_id)
    return page.html(
        "pages/grievance.html", status=status, collective=collective, g=view, timeline=timeline,
        group=group, event_words=EVENT_WORDS,
        history=await history_rows(page, Grievance, grievance_id, "grievance_id", collective),
        names=names, org_names=org_names, organisations=orgs, forms=forms, actions=ACTIONS,
        open_key=open_key, referral=referral, changes=changes, since=since,
        joinable=[m for m in people if m.current and m.id not in view.worker_ids],
        parties=[(w, names.get(w, ERASED)) for w in view.worker_ids],
        needs_amount=[code for code in page.organize.taxonomy.codes("outcomes")
                      if page.organize.taxonomy.outcome_needs_amount(code)],
        reasons=correction_reasons(page), clauses=clauses,
        cited=[(b, words.get(f"{b}:{x}")) for b, x in cited],
        amounts=[(k, page._(AMOUNT_KINDS[k]), agg.amounts[k]) for k in AMOUNT_KINDS
                 if k in agg.amounts],
        amount_kinds=[(k, page._(w)) for k, w in AMOUNT_KINDS.items()],
        deadlines=with_departures(
            await page.read(grievance_deadlines, page.scope, grievance_id, page.today)),
        urgency_words=URGENCY_WORDS, departure_words=DEPARTURE_WORDS, learned_on=agg.learned_on,
        step_choices=[(s.code, s.name) for s in steps],
        version=agg.version, notice=notice, **nav(collective_id, "grievances"))


async def _procedure_steps(page: Page, collective_id: UUID, procedure_id: UUID | None) -> list:
    """The steps of the procedure the grievance follows: its own choice, else its collective's."""
    found = await page.read(collective_procedures, page.scope, collective_id)
    chosen = [p for p in found if (p.id == procedure_id if procedure_id else p.agreement_id is None)]
    return chosen[0].steps if chosen else []


async def agreed_clauses(page: Page, collective_id: UUID) -> list[tuple[str, str]]:
    """The clauses of the collective's agreements (in force or ended) a grievance may cite,
    as (``bargaining id:clause id``, its words · the counterpart) choices; none for a
    reader who does not read their words."""
    if not page.organize.reads_personal_data:
        return []
    out = []
    for r in await page.read(list_rounds, page.scope, collective_id=collective_id):
        if r.status not in ("in_force", "ended"):
            continue
        found = await page.read(one_round, page.scope, r.id, words=True)
        for x in found.clauses if found else ():
            if x.agreed:
                out.append((f"{r.id}:{x.clause_id}", f"{x.wording} · {r.counterpart}"))
    return out


@get("/{collective_id:uuid}/grievances/{grievance_id:uuid}", name="pages:grievance")
async def grievance(collective_id: FromPath[UUID], grievance_id: FromPath[UUID],
                    page: NamedDependency[Page]) -> Response:
    await page.settle(GRIEVANCE_VIEWS)
    return await grievance_page(page, collective_id, grievance_id)


@post("/{collective_id:uuid}/grievances/{grievance_id:uuid}/{action:str}",
      name="pages:grievance-action", status_code=200)
async def grievance_action(collective_id: FromPath[UUID], grievance_id: FromPath[UUID],
                           action: FromPath[str], page: NamedDependency[Page]) -> Response:
    spec = ACTIONS.get(action)
    if spec is None:
        raise NotFound("No such action.", code="not_found")
    await page.collective(collective_id)  # its today, for the date checks
    agg = await _grievance(page, collective_id, grievance_id)
    form = await read_form(page.request)
    fixed: dict[str, Any] = {"grievance_id": grievance_id}
    if action == "breach":  # one choice names the round and its clause
        bargaining_id, _sep, clause_id = form.get("clause").partition(":")
        form.set("bargaining_id", bargaining_id or None)
        form.set("clause_id", clause_id or None)
    if action == "refer":
        organisation = form.get("organisation_id")
        people = await members(page, collective_id)
        consents = {m.id: m.consents for m in people}
        agreed = tuple(w for w in agg.worker_ids
                       if f"referral:{organisation}" in consents.get(w, ()))
        if organisation and not agreed:
            form.errors["organisation_id"] = error_message("no_consent", page.lang)
        fixed["worker_ids"] = agreed
    command = decode(spec.command, form, page.lang, zone=page.zone, fixed=fixed) if form.ok else None
    if action == "breach":  # its two ids are one choice on the form, which says what is wrong
        for name in ("bargaining_id", "clause_id"):
            form.values.pop(name, None)
            if name in form.errors:
                form.errors.setdefault("clause", form.errors.pop(name))
    if command is not None:
        try:
            result = await page.execute(command, form)
        except CommandError as e:  # stale: someone changed the grievance meanwhile
            return await stale(page, collective_id, grievance_id, action, form, e)
        if result is not None:
            return page.go(f"/c/{collective_id}/grievances/{grievance_id}", result)
    return await grievance_page(page, collective_id, grievance_id, posted={action: form},
                                open_key=action, status=422)


async def stale(page: Page, collective_id: UUID, grievance_id: UUID, action: str, form: Form,
                _error: CommandError) -> Response:
    """Her form was made from an older version: show what changed since, keep what she
    typed, and let her send it again against the version she now sees."""
    changes, version = await stale_edit(page, grievance_id, form)
    return await grievance_page(page, collective_id, grievance_id, posted={action: form},
                                open_key=action, status=409, changes=changes, since=version,
                                notice=stale_notice(page))


ROUTES = [grievance_list, grievance_search, record_start, record_step, grievance, grievance_action]
