"""Dates a leader types are checked against the calendar before anything is recorded:
nothing after today (a planned meeting excepted, within five years), nothing before a
plausible first day (1990; 1950 for a worker's own work history), an end not before its
start; each refusal on its field, in her language, with what she typed kept."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from tests.e2e.pages.support import (
    form_of,
    fresh_grievance,
    get,
    grievance_action,
    hidden,
    max_id,
    post,
    today,
)
from web.i18n import error_message, get_translations

pytestmark = pytest.mark.integration

FUTURE = "Choose a date no later than today."
EARLY = "Choose a date after %(first)s."
AHEAD = "Choose a date within the next %(years)s years."


def said(lang: str, message: str, **params) -> str:
    text = get_translations(lang).gettext(message)
    return text % params if params else text


async def test_a_grievance_dated_ahead_or_long_ago_is_refused_in_her_language(client, world, app):
    gid = await fresh_grievance(app, world, [world.ours.workers[3]])
    ahead = (today() + timedelta(days=400)).isoformat()
    for day, message, params in ((ahead, FUTURE, {}), ("1900-05-01", EARLY, {"first": "1990"})):
        before = max_id(app)
        r = await grievance_action(client, world, gid, "evidence", {"note": "Payslips", "on": day}, lang="ar")
        assert r.status_code == 422 and max_id(app) == before
        assert said("ar", message, **params) in r.text
        assert f'value="{day}"' in r.text and "Payslips" in r.text  # kept
    r = await grievance_action(client, world, gid, "evidence",
                               {"note": "Payslips", "on": today().isoformat()})
    assert r.status_code == 303


async def test_the_record_flow_refuses_a_date_ahead_on_its_step(client, world):
    action = f"/c/{world.ours.collective}/grievances/new"
    r = await post(client, action, world, [
        ("command_id", str(uuid.uuid4())), ("started", today().isoformat()), ("step", "3"),
        ("go", "next"), ("worker_ids", str(world.ours.workers[1])), ("category", "wages_unpaid_late"),
        ("description", "Unpaid"), ("place", "HK"), ("stage", "destination"),
        ("sector", "domestic_care"), ("occurred_on", "2999-01-01")], lang="ne")
    assert r.status_code == 422
    assert said("ne", FUTURE) in r.text and 'id="f-occurred_on-error"' in r.text


async def test_a_meeting_may_be_planned_ahead_but_not_held_ahead(client, world, app):
    base = f"/c/{world.ours.collective}/meetings"

    async def plan(when: str, lang="en"):
        new = (await get(client, f"{base}/new", world)).text
        return await post(client, f"{base}/new", world, {
            "command_id": hidden(new, "command_id")[0], "kind": "assembly",
            "scheduled_for": when, "language": "ne"}, lang=lang)

    assert (await plan((today() + timedelta(days=300)).isoformat() + "T18:30")).status_code == 303
    r = await plan("2070-01-01T10:00", lang="bn")
    assert r.status_code == 422 and said("bn", AHEAD, years="৫") in r.text  # in Bengali digits
    r = await plan("1900-01-01T10:00", lang="ne")
    assert r.status_code == 422 and said("ne", EARLY, first="1990") in r.text

    path = f"{base}/{world.ours.upcoming[3]}"
    form = form_of((await get(client, path, world)).text, f"{path}/held")
    before = max_id(app)
    r = await post(client, f"{path}/held", world, {
        "command_id": hidden(form, "command_id")[0],
        "expected_version": hidden(form, "expected_version")[0],
        "attendee_ids": [world.ours.workers[10]], "facilitator_ids": [world.ours.workers[10]],
        "held_at": (today() + timedelta(days=30)).isoformat() + "T10:00", "language": "ne"})
    assert r.status_code == 422 and max_id(app) == before
    assert said("en", FUTURE) in r.text


async def test_a_work_history_reaches_back_further_and_ends_after_it_starts(client, world, app):
    path = f"/c/{world.ours.collective}/workers/{world.ours.workers[20]}"

    async def spell(started: str):
        form = form_of((await get(client, path, world)).text, f"{path}/spell")
        return await post(client, f"{path}/spell", world, {
            "command_id": hidden(form, "command_id")[0],
            "expected_version": hidden(form, "expected_version")[0], "sector": "garment",
            "occupation": "Machinist", "place": "HK", "relationship": "agency", "paid": "on",
            "started_on": started})

    assert (await spell("1975-03-01")).status_code == 303  # before 1990: her own history
    r = await spell("1930-03-01")
    assert r.status_code == 422 and said("en", EARLY, first="1950") in r.text
    r = await spell((today() + timedelta(days=40)).isoformat())
    assert r.status_code == 422 and said("en", FUTURE) in r.text

    # Ending the spell that started in 1975 on a day before it began: the domain's rule, in
    # her language, on the field.
    html = (await get(client, path, world)).text
    form = form_of(html, f"{path}/end-spell")
    before = max_id(app)
    r = await post(client, f"{path}/end-spell", world, {
        "command_id": hidden(form, "command_id")[0],
        "expected_version": hidden(form, "expected_version")[0],
        "spell_id": re.search(r'name="spell_id" value="([^"]+)"', form).group(1),
        "ended_on": "1960-01-01"}, lang="ne")
    assert r.status_code == 422 and max_id(app) == before
    assert error_message("date_order", "ne") in r.text
