"""The collective's grievance procedure: its steps, each with a time limit in days and the
day its clock starts (the incident, the day she learned of it, or the step before). Leaders
set it up and change it here; every grievance's deadlines follow (``grievance_deadlines``).

A step's code is kept from row to row (hidden), so a step already taken on a grievance is
still the same step after the procedure is changed; a new row gets a new code. Rows left
empty are ignored; a half-filled row is an error on its fields, and everything typed stays.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.application.procedures import procedure_id
from organize.domain import Procedure
from organize.errors import CommandError
from organize.projections.views.grievance_deadlines import collective_procedures
from web.i18n import error_message, field_message
from web.i18n.messages import N_
from web.pages.common import Page, nav
from web.pages.forms import Form, latin_digits, read_form

ROWS = 8  # step rows on the form: more than any procedure we have seen
CLOCK_WORDS = {"incident": N_("From the day it happened"),
               "knowledge": N_("From the day she learned of it"),
               "previous_step": N_("From the step before")}
PROCEDURE_VIEWS = ("grievance_deadlines",)


def _blank(name: str, steps: list[Any], version: int | None) -> Form:
    form = Form.blank(name=name, expected_version=version)
    for i, s in enumerate(steps, start=1):
        form.set(f"steps.{i}.code", s.code)
        form.set(f"steps.{i}.name", s.name)
        form.set(f"steps.{i}.days", s.days)
        form.set(f"steps.{i}.clock", s.clock)
    return form


async def _page(page: Page, collective_id: UUID, form: Form | None = None, *,
                status: int = 200) -> Response:
    collective = await page.collective(collective_id)
    found = await page.read(collective_procedures, page.scope, collective_id)
    own = next((p for p in found if p.agreement_id is None), None)
    version = None
    if own is not None:
        version = (await page.load(Procedure, own.id, "procedure_id")).version
    if form is None:
        form = _blank(own.name if own else page._("Our grievance procedure"),
                      own.steps if own else [], version)
    return page.html("pages/procedure.html", status=status, collective=collective, form=form,
                     rows=range(1, ROWS + 1), own=own,
                     others=[p for p in found if p.agreement_id is not None],
                     clocks=[(k, page._(w)) for k, w in CLOCK_WORDS.items()],
                     clock_words=CLOCK_WORDS, **nav(collective_id, "home"))


@get("/{collective_id:uuid}/procedure", name="pages:procedure")
async def procedure(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    await page.settle(PROCEDURE_VIEWS)
    return await _page(page, collective_id)


def _steps(form: Form, lang: str) -> list[dict[str, Any]]:
    """The filled rows as step dicts; a half-filled row marks its empty fields."""
    steps, used = [], {form.get(f"steps.{i}.code") for i in range(1, ROWS + 1)}
    for i in range(1, ROWS + 1):
        key = f"steps.{i}."
        name, days = form.get(key + "name").strip(), latin_digits(form.get(key + "days").strip())
        if not name and not days:
            continue
        if not name:
            form.errors[key + "name"] = field_message("required", lang)
        if not days:
            form.errors[key + "days"] = field_message("required", lang)
        elif not days.isdigit() or not 1 <= int(days) <= 3650:
            form.errors[key + "days"] = error_message("out_of_range", lang)
        code = form.get(key + "code")
        if not code:
            code = next(f"step_{n}" for n in range(1, 100) if f"step_{n}" not in used)
            used.add(code)
            form.set(key + "code", code)
        steps.append({"code": code, "name": name, "clock": form.get(key + "clock") or "incident",
                      "days": int(days) if days.isdigit() else 0, "row": i})
    return steps


@post("/{collective_id:uuid}/procedure", name="pages:procedure-save", status_code=200)
async def save(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    await page.collective(collective_id)
    form = await read_form(page.request)
    steps = _steps(form, page.lang)
    if not steps:
        form.errors["steps.1.name"] = field_message("required", page.lang)
    if not form.get("name").strip():
        form.errors["name"] = field_message("required", page.lang)
    if not form.ok:
        return await _page(page, collective_id, form, status=422)
    body: dict[str, Any] = {"command_id": form.get("command_id"), "name": form.get("name").strip(),
                            "steps": [{k: v for k, v in s.items() if k != "row"} for s in steps]}
    version = form.get("expected_version")
    try:
        if version:
            command: c.Command = msgspec.convert(
                {**body, "procedure_id": str(procedure_id(collective_id)),
                 "expected_version": int(version)}, c.ReviseProcedure)
        else:
            command = msgspec.convert({**body, "collective_id": str(collective_id)},
                                      c.DefineProcedure)
    except (msgspec.ValidationError, ValueError):
        form.message = error_message("invalid_input", page.lang)
        return await _page(page, collective_id, form, status=422)
    try:
        result = await page.execute(command, form)
    except CommandError:  # stale: someone changed it meanwhile; what she typed stays
        form.message = error_message("stale_version", page.lang)
        return await _page(page, collective_id, form, status=409)
    if result is None:  # the refusal, in her language, above the form
        return await _page(page, collective_id, form, status=422)
    return page.go(f"/c/{collective_id}/procedure", result)


ROUTES = [procedure, save]
