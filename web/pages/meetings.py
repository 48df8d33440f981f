"""Meetings: plan one; then, on the day, take attendance by tapping the list of the
collective's workers, mark who led and who spoke, and write the decisions a line each.

Who led and who spoke were there: ticking "led" or "spoke" counts her as present too, so a
leader never meets the "must also be marked as present" refusal for a missed tap.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.application.reading import ERASED, WITHHELD, meeting_view
from organize.domain import Meeting
from organize.errors import CommandError, NotFound
from organize.projections.views.meeting_log import (
    CANCELLED,
    HELD,
    SCHEDULED,
    MeetingCursor,
    MeetingFilter,
    MeetingMatch,
    list_meetings,
)
from web.i18n import LOCALE_NAMES, LOCALES, taxonomy_label
from web.pages import listing
from web.pages.common import Page, correction_reasons, nav, stale_edit, stale_notice
from web.pages.forms import Form, decode, read_form
from web.pages.grievances import members
from web.pages.history import history_rows

MEETING_VIEWS = ("meeting_log",)
STATUSES = (SCHEDULED, HELD, CANCELLED)
# The list's URL parameters; a search's own (its result) are replaced by a new search.
MATCH_PARAMS = ("m", "mw", "mk")
LIST_PARAMS = ("status", "kind", "from", "to", "worker", *MATCH_PARAMS)
UPCOMING = 50  # scheduled meetings listed above the past ones, soonest first


def _local(value: datetime, zone: tzinfo | None) -> str:
    """A datetime for ``<input type="datetime-local">``: the collective's clock, to the
    minute (the form reads it back in the same zone)."""
    return value.astimezone(zone or UTC).strftime("%Y-%m-%dT%H:%M")


def _languages(collective: Any) -> list[tuple[str, str]]:
    codes = list(dict.fromkeys([*collective.languages, *LOCALES]))
    return [(code, LOCALE_NAMES.get(code, code)) for code in codes]


def soonest_from(day: date, zone: tzinfo | None) -> MeetingCursor:
    """A keyset place just before the start of ``day`` in the collective's time zone: the
    list read ``before`` it runs forward from there, so its first rows are the soonest (the
    latest-first read of a page of them missed the soonest once more were planned)."""
    return MeetingCursor(datetime.combine(day, time.min, tzinfo=zone or UTC), UUID(int=0))


@get("/{collective_id:uuid}/meetings", name="pages:meetings")
async def meeting_list(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    """Upcoming meetings, then the past ones a page at a time; or, filtered (status, kind,
    period, a worker who attended, a search), every meeting that matches."""
    collective = await page.collective(collective_id)
    await page.settle(MEETING_VIEWS)
    return await _list_page(page, collective)


@post("/{collective_id:uuid}/meetings/search", name="pages:meeting-search", status_code=200)
async def meeting_search(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    """Her words to the workers who attended and the kinds of meeting they name (in memory,
    over what she may read), then to the list filtered by those: the words never reach a URL."""
    collective = await page.collective(collective_id)
    s = await listing.search(page, f"/c/{collective_id}/meetings", LIST_PARAMS, MATCH_PARAMS)
    if not s.typed:
        return s.go(page, None)
    workers = listing.matching(s.typed, ((m.id, m.pseudonym) for m in await members(page, collective_id)))
    if len(workers) > listing.MAX_MATCHES:
        return await _list_page(page, collective, status=422, search=s.said,
                                search_error=page._(listing.TOO_MANY, words=s.typed))
    return s.go(page, [*(("mw", str(w)) for w in workers),
                       *(("mk", code) for code in listing.codes_matching(page, s.typed, "meeting_kinds"))])


async def _list_page(page: Page, collective: Any, *, status: int = 200, search: str = "",
                     search_error: str | None = None) -> Response:
    collective_id = collective.id
    raw = listing.params(page)
    q = listing.Query()
    people = await members(page, collective_id)
    taxonomy = page.organize.taxonomy
    period_from, period_to = listing.dates(page, raw, q, future=True)
    f = MeetingFilter(
        collective_id=collective_id,
        status=listing.choice(raw, q, "status", STATUSES),
        kind=listing.choice(raw, q, "kind", taxonomy.codes("meeting_kinds")),
        worker_id=listing.one_id(raw, q, "worker", {m.id for m in people}),
        period_from=period_from, period_to=period_to, time_zone=str(page.zone))
    if raw.get("m"):
        q.keep("m", "1")
        f = msgspec.structs.replace(f, match=MeetingMatch(
            worker_ids=listing.ids(raw, q, "mw", {m.id for m in people}),
            kinds=tuple(k for k in raw.get("mk", [])[:listing.MAX_IDS] if taxonomy.has("meeting_kinds", k))))
        q.keep("mk", list(f.match.kinds))
    after, before = listing.cursor(raw, MeetingCursor.decode)
    upcoming = []
    if not q.filtered:  # the first view: what is coming, then what was
        if not (after or before):
            upcoming = await page.read(list_meetings, page.scope, collective_id=collective_id,
                                       status="scheduled", period_from=page.today,
                                       time_zone=str(page.zone), limit=UPCOMING,
                                       before=soonest_from(page.today, page.zone))
        f = msgspec.structs.replace(f, period_to=page.today)
    found = await page.read(list_meetings, page.scope, f, limit=listing.PAGE_SIZE + 1,
                            after=after, before=before)
    shown, more = listing.page_of(found, listing.PAGE_SIZE, before)
    base = f"/c/{collective_id}/meetings"
    paging = listing.pages(q, base, shown, more=more, after=after, before=before,
                           key=lambda mt: MeetingCursor(mt.held_at or mt.scheduled_for, mt.id))
    names = {m.id: m.pseudonym for m in people}
    chips = ([(names.get(f.worker_id, ERASED), q.url(base, worker=None))] if f.worker_id else [])
    if f.match is not None:
        said = [*(names.get(w, ERASED) for w in f.match.worker_ids),
                *(taxonomy_label("meeting_kinds", k, page.lang, taxonomy=taxonomy) for k in f.match.kinds)]
        chips.append((", ".join(said[:8]) + (" …" if len(said) > 8 else ""),
                      q.url(base, m=None, mw=None, mk=None)))
    return page.html("pages/meetings.html", status=status, collective=collective,
                     upcoming=list(reversed(upcoming)), past=shown, q=q, base=base,
                     paging=paging, chips=chips, statuses=STATUSES,
                     search=search, search_error=search_error,
                     nothing_found=bool(f.match) and not (f.match.worker_ids or f.match.kinds),
                     kinds=[(k, taxonomy_label("meeting_kinds", k, page.lang, taxonomy=taxonomy))
                            for k in taxonomy.codes("meeting_kinds")],
                     **nav(collective_id, "meetings"))


def _plan_page(page: Page, collective: Any, form: Form, status: int = 200) -> Response:
    return page.html("pages/meeting_new.html", status=status, collective=collective, form=form,
                     languages=_languages(collective), **nav(collective.id, "meetings"))


@get("/{collective_id:uuid}/meetings/new", name="pages:meeting-new")
async def plan(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    when = datetime.combine(page.today, time(10, 0), tzinfo=page.zone)
    form = Form.blank(kind="assembly", scheduled_for=_local(when, page.zone),
                      language=collective.languages[0] if collective.languages else page.lang)
    return _plan_page(page, collective, form)


@post("/{collective_id:uuid}/meetings/new", name="pages:meeting-plan", status_code=200)
async def plan_post(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    collective = await page.collective(collective_id)
    form = await read_form(page.request)
    command = decode(c.ScheduleMeeting, form, page.lang, zone=page.zone,
                     fixed={"collective_ids": (collective_id,)})
    if command is not None:
        result = await page.execute(command, form)
        if result is not None:
            return page.go(f"/c/{collective_id}/meetings/{result.id}", result)
    return _plan_page(page, collective, form, status=422)


async def _meeting(page: Page, collective_id: UUID, meeting_id: UUID) -> Meeting:
    agg = await page.load(Meeting, meeting_id, "meeting_id")
    if collective_id not in agg.collective_ids:
        raise NotFound("No meeting with this id in this collective.", code="not_found")
    return agg


async def meeting_page(page: Page, collective_id: UUID, meeting_id: UUID, *,
                       posted: dict[str, Form] | None = None, status: int = 200,
                       changes: list | None = None, notice: str | None = None) -> Response:
    collective = await page.collective(collective_id)
    # The meeting as this reader may see it: others' attendees counted, decisions opened.
    agg = await page.call(meeting_view, page.organize, await _meeting(page, collective_id, meeting_id))
    people = [m for m in await members(page, collective_id) if m.current]
    names = {m.id: m.pseudonym for m in people}
    involved = [*agg.attendee_ids, *agg.facilitator_ids, *agg.speaker_ids]
    missing = [w for w in involved if w not in names]
    if missing:
        names.update(await page.pseudonyms(missing))
    posted = posted or {}
    held = posted.get("held") or Form.blank(held_at=_local(agg.scheduled_for, page.zone),
                                            language=agg.language)
    cancel = (posted.get("cancel") or Form.blank()).keyed("cancel")
    decisions = agg.decisions  # opened for this reader, never stored
    current = {p.id for p in people}
    roster = [*people, *(SimpleNamespace(id=w, pseudonym=names.get(w, ERASED))
                         for w in dict.fromkeys(involved) if w not in current)]
    return page.html(
        "pages/meeting.html", status=status, collective=collective, mt=agg, decisions=decisions,
        people=people, roster_people=roster,
        names=names, held=held, cancel=cancel, languages=_languages(collective),
        fixes=_fixes(page, agg, posted) if agg.status == HELD else None,
        open_key=next(iter(posted), None),
        reasons=correction_reasons(page),
        version=agg.version, changes=changes, notice=notice,
        history=await history_rows(page, Meeting, meeting_id, "meeting_id", collective),
        **nav(collective_id, "meetings"))


def _fixes(page: Page, agg: Any, posted: dict[str, Form]) -> dict[str, Form]:
    """The correction forms of a held meeting, filled with what is recorded now (or what
    she posted). Decisions she cannot read are not hers to correct."""
    fixes = {
        "attendance": posted.get("attendance") or Form.blank(
            attendee_ids=agg.attendee_ids, facilitator_ids=agg.facilitator_ids,
            speaker_ids=agg.speaker_ids),
        "correct": posted.get("correct") or Form.blank(
            kind=agg.kind, scheduled_for=_local(agg.scheduled_for, page.zone),
            held_at=_local(agg.held_at, page.zone) if agg.held_at else None),
    }
    if not any(d in (WITHHELD, ERASED) for d in agg.decisions):
        fixes["decisions"] = posted.get("decisions") or Form.blank(decisions="\n".join(agg.decisions))
    return {key: form.keyed(key) for key, form in fixes.items()}


@get("/{collective_id:uuid}/meetings/{meeting_id:uuid}", name="pages:meeting")
async def meeting(collective_id: FromPath[UUID], meeting_id: FromPath[UUID],
                  page: NamedDependency[Page]) -> Response:
    await page.settle(MEETING_VIEWS)
    return await meeting_page(page, collective_id, meeting_id)


COMMANDS = {"held": c.RecordMeetingHeld, "cancel": c.CancelMeeting,
            "attendance": c.CorrectAttendance, "correct": c.CorrectMeeting,
            "decisions": c.CorrectDecisions}


@post("/{collective_id:uuid}/meetings/{meeting_id:uuid}/{action:str}",
      name="pages:meeting-action", status_code=200)
async def meeting_action(collective_id: FromPath[UUID], meeting_id: FromPath[UUID],
                         action: FromPath[str], page: NamedDependency[Page]) -> Response:
    command_type = COMMANDS.get(action)
    if command_type is None:
        raise NotFound("No such action.", code="not_found")
    await page.collective(collective_id)  # its zone: times are typed in it
    agg = await _meeting(page, collective_id, meeting_id)
    form = await read_form(page.request)
    if action in ("held", "attendance"):
        # Who led or spoke was there.
        present = [*form.all("attendee_ids"), *form.all("facilitator_ids"), *form.all("speaker_ids")]
        form.set("attendee_ids", list(dict.fromkeys(present)))
    if action == "attendance":
        # Attendees this reader may not name (other collectives') stay as they were.
        shown = await page.call(meeting_view, page.organize, agg)
        for name in ("attendee_ids", "facilitator_ids", "speaker_ids"):
            kept = [str(w) for w in getattr(agg, name) if w not in getattr(shown, name)]
            form.set(name, [*form.all(name), *kept])
    command = decode(command_type, form, page.lang, zone=page.zone, fixed={"meeting_id": meeting_id},
                     lines=("decisions",))
    if command is not None:
        try:
            result = await page.execute(command, form,
                                       fields=("attendee_ids", "facilitator_ids", "speaker_ids"))
        except CommandError:  # stale
            changes, _ = await stale_edit(page, meeting_id, form)
            return await meeting_page(page, collective_id, meeting_id, posted={action: form},
                                      status=409, changes=changes, notice=stale_notice(page))
        if result is not None:
            return page.go(f"/c/{collective_id}/meetings/{meeting_id}", result)
    return await meeting_page(page, collective_id, meeting_id, posted={action: form}, status=422)


ROUTES = [meeting_list, meeting_search, plan, plan_post, meeting, meeting_action]
