"""The collective's own assessment: a level for each of the eight dimensions, in the level
words of her language, and a narrative. The records' level is shown beside each dimension;
where the two differ, that difference is worth talking about (it is not an error)."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize import commands as c
from organize.domain import DIMENSIONS
from organize.projections.indicators.reads import collective_indicators
from web.i18n import dimension_label, field_message, level_label
from web.pages.common import Page, nav
from web.pages.forms import Form, decode, read_form

LEVELS = range(5)


async def _page(page: Page, collective_id: UUID, form: Form, status: int = 200) -> Response:
    collective = await page.collective(collective_id)
    found = await page.read(collective_indicators, page.scope, collective_id, rubric=page.rubric)
    computed = {d.dimension: d for d in found.dimensions} if found else {}
    rows = []
    for dimension in DIMENSIONS:
        d = computed.get(dimension)
        rows.append({
            "name": f"level.{dimension}",
            "title": dimension_label(dimension, page.lang, d.title if d else None),
            "choices": [(level, level_label(dimension, level, page.lang)) for level in LEVELS],
            "records": level_label(dimension, d.level, page.lang) if d else None,
        })
    return page.html("pages/assessment.html", status=status, collective=collective, form=form,
                     rows=rows, **nav(collective_id, "home"))


@get("/{collective_id:uuid}/assessment", name="pages:assessment")
async def assessment(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    await page.collective(collective_id)
    found = await page.read(collective_indicators, page.scope, collective_id, rubric=page.rubric)
    form = Form.blank(assessed_on=page.today.isoformat())
    if found is not None and found.self_assessment is not None:  # start from the last one
        for dimension, level in found.self_assessment.levels.items():
            form.set(f"level.{dimension}", level)
    return await _page(page, collective_id, form)


@post("/{collective_id:uuid}/assessment", name="pages:assessment-record", status_code=200)
async def record(collective_id: FromPath[UUID], page: NamedDependency[Page]) -> Response:
    await page.collective(collective_id)
    form = await read_form(page.request)
    levels = []
    for dimension in DIMENSIONS:
        raw = form.get(f"level.{dimension}")
        if not raw:
            continue
        if raw not in {str(x) for x in LEVELS}:
            form.errors[f"level.{dimension}"] = field_message("unknown_choice", page.lang)
            continue
        levels.append(c.Level(dimension=dimension, level=int(raw)))
    if not levels and not form.errors:
        form.errors["levels"] = field_message("required", page.lang)
    command = decode(c.RecordAssessment, form, page.lang, zone=page.zone,
                     fixed={"collective_id": collective_id, "levels": tuple(levels)})
    if command is not None and not form.errors:
        result = await page.execute(command, form)
        if result is not None:
            return page.go(f"/c/{collective_id}", result)
    return await _page(page, collective_id, form, status=422)


ROUTES = [assessment, record]
