"""Corrections to check: the review list of correction conflicts in one collective.

When two corrections made from one version of a grievance or a meeting changed the same
field (a phone that was offline, two leaders at once), the later one was applied and a flag
was raised (``organize.application.conflicts``). Here a leader sees, in her language, both
values of each field and the record they belong to, and marks the flag resolved; to keep the
other value she corrects the record itself, where its history shows every version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.application.reading import ERASED
from organize.projections.views.conflict_flags import open_flags
from web.pages.common import Page, nav
from web.pages.forms import Form, read_form
from web.pages.grievances import members

# How each field's value is shown: a vocabulary's label, a place, a day or a time.
SHOWN_AS = {"category": "categories", "sector": "sectors", "stage": "stages",
            "kind": "meeting_kinds", "place": "place", "occurred_on": "day",
            "scheduled_for": "time", "held_at": "time",
            # A meeting's attendance: ids, shown as the pseudonyms she can read; its
            # decisions: how many each version had (the words stay sealed on the meeting).
            "attendee_ids": "people", "facilitator_ids": "people", "speaker_ids": "people",
            "decisions": "count"}
RESOLVE = {"grievance": (c.ResolveGrievanceConflict, "grievance_id"),
           "meeting": (c.ResolveMeetingConflict, "meeting_id")}


def _value(field: str, text: str, names: dict[str, str]) -> Any:
    how = SHOWN_AS.get(field, "text")
    if how == "count":
        return int(text) if text.isdigit() else None
    if not text:
        return None
    if how == "people":
        return [names.get(i, ERASED) for i in text.split(",")]
    if how == "day":
        return date.fromisoformat(text)
    if how == "time":
        return datetime.fromisoformat(text)
    return text


def _rows(flags: list[Any], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"flag": f, "form": Form.blank(), "fields": [
        {"name": name, "how": SHOWN_AS.get(name, "text"), "theirs": _value(name, old, names),
         "ours": _value(name, new, names)}
        for name, old, new in zip(f.fields, f.overwritten, f.applied, strict=True)]}
        for f in flags]


async def _page(page: Page, collective_id: UUID, form: Form, status: int = 200) -> Response:
    collective = await page.collective(collective_id)
    await page.settle(("conflict_flags",))
    flags = await page.read(open_flags, collective_id)
    people = any(SHOWN_AS.get(n) == "people" for f in flags for n in f.fields)
    names = {str(m.id): m.pseudonym for m in await members(page, collective_id)} if people else {}
    return page.html("pages/conflicts.html", status=status, collective=collective, form=form,
                     rows=_rows(flags, names), notice=page.notice, **nav(collective_id, "home"))


@get("/{collective_id:uuid}/conflicts", name="pages:conflicts")
async def conflicts(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    return await _page(page, collective_id, Form.blank())


@post("/{collective_id:uuid}/conflicts/{conflict_id:uuid}/resolve",
      name="pages:conflict-resolve", status_code=200)
async def resolve(collective_id: FromPath[UUID], conflict_id: FromPath[UUID],
                  page: NamedDependency[Page]) -> Response:
    await page.collective(collective_id)
    form = await read_form(page.request)
    kind = RESOLVE.get(form.get("record_kind") or "")
    try:
        record_id, command_id = UUID(form.get("record_id")), UUID(form.get("command_id"))
    except ValueError:
        kind = None
    if kind is not None:
        command_type, field = kind
        command = command_type(command_id=command_id, conflict_id=conflict_id,
                               **{field: record_id})
        result = await page.execute(command, form)
        if result is not None:
            return page.go(f"/c/{collective_id}/conflicts", result)
    else:
        form.message = page._("This conflict could not be found. Reload the list.")
    return await _page(page, collective_id, form, status=422)


ROUTES = [conflicts, resolve]
