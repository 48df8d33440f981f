"""A collective's time zone: a meeting typed at 18:30 in Hong Kong is stored at 18:30+08:00
(10:30 UTC) and shown at 18:30, labelled, whoever reads it; a leader changes the zone on the
settings page (an unknown zone is refused on its field, nothing recorded); collectives from
before zones get one from their country and their meetings' typed clocks are read again in
it, once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from organize import commands as c
from organize.domain import Collective, Meeting
from organize.migrations import zone_collectives
from tests.e2e.pages.support import form_of, get, hidden, max_id, post
from tests.support import settle_views
from web.i18n import error_message
from web.i18n.formatting import format_datetime
from web.pages.forms import calendar_problem

pytestmark = pytest.mark.integration
HK = ZoneInfo("Asia/Hong_Kong")


async def _plan(client, world, base: str, when: str, who=None):
    new = (await get(client, f"{base}/new", world, who=who)).text
    return await post(
        client,
        f"{base}/new",
        world,
        {
            "command_id": hidden(new, "command_id")[0],
            "kind": "assembly",
            "scheduled_for": when,
            "language": "ne",
        },
        who=who,
    )


async def test_a_meeting_typed_at_1830_in_hong_kong_is_stored_with_its_offset_and_shown_at_1830(
    client, world, app, runtime
):
    base = f"/c/{world.ours.collective}/meetings"  # places ("HK",): Asia/Hong_Kong
    day = datetime.now(HK).date() + timedelta(days=20)
    r = await _plan(client, world, base, f"{day.isoformat()}T18:30")
    assert r.status_code == 303
    meeting_id = uuid.UUID(r.headers["location"].split("?")[0].rsplit("/", 1)[1])
    stored = app.repository.get(meeting_id).scheduled_for
    assert stored.utcoffset() == timedelta(hours=8)
    assert stored.astimezone(UTC) == datetime.combine(day, datetime.min.time(), UTC) + timedelta(
        hours=10, minutes=30
    )
    shown = format_datetime(stored, "en", "short", tzinfo=HK)
    assert "6:30" in shown
    wrong = format_datetime(stored, "en", "short", tzinfo=UTC)  # what it used to show
    page = (await get(client, f"{base}/{meeting_id}", world)).text
    assert shown in page and "Hong Kong Time" in page and wrong not in page
    await asyncio.to_thread(settle_views, runtime)  # the list reads the meetings' view
    listed = (await get(client, f"{base}?status=scheduled&from={day}&to={day}", world)).text
    assert shown in listed and "Hong Kong Time" in listed
    # In Nepali: the same clock, the zone named in Nepali.
    page = (await get(client, f"{base}/{meeting_id}", world, lang="ne")).text
    assert format_datetime(stored, "ne", "short", tzinfo=HK) in page and "हङकङ समय" in page
    # The attendance form starts from the same clock.
    assert f'value="{day.isoformat()}T18:30"' in form_of(
        (await get(client, f"{base}/{meeting_id}", world)).text, f"{base}/{meeting_id}/held"
    )


async def test_a_leader_changes_the_zone_and_an_unknown_one_is_refused(client, world, app):
    cid = world.theirs.collective  # places ("BD-DHA",): Asia/Dhaka
    path = f"/c/{cid}/settings"
    html = (await get(client, path, world, who=world.other)).text
    assert "Bangladesh Time" in html and 'required aria-required="true"' in html
    assert app.repository.get(cid).time_zone == "Asia/Dhaka"

    async def choose(zone: str, lang: str = "en"):
        form = form_of((await get(client, path, world, who=world.other)).text, f"{path}/time-zone")
        return await post(
            client,
            f"{path}/time-zone",
            world,
            {
                "command_id": hidden(form, "command_id")[0],
                "expected_version": hidden(form, "expected_version")[0],
                "time_zone": zone,
            },
            who=world.other,
            lang=lang,
        )

    before = max_id(app)
    r = await choose("Mars/Olympus_Mons", lang="bn")
    assert r.status_code == 422 and max_id(app) == before
    assert error_message("unknown_time_zone", "bn") in r.text and 'aria-invalid="true"' in r.text
    # Another collective's leader cannot change ours (the same answer as an unknown id).
    form = form_of((await get(client, path, world, who=world.other)).text, f"{path}/time-zone")
    r = await post(
        client,
        f"/c/{world.ours.collective}/settings/time-zone",
        world,
        {"command_id": hidden(form, "command_id")[0], "time_zone": "UTC"},
        who=world.other,
    )
    assert r.status_code in (403, 404) and app.repository.get(world.ours.collective).time_zone == (
        "Asia/Hong_Kong"
    )
    try:
        assert (await choose("Asia/Kathmandu")).status_code == 303
        assert app.repository.get(cid).time_zone == "Asia/Kathmandu"
        r = await _plan(
            client,
            world,
            f"/c/{cid}/meetings",
            f"{(date.today() + timedelta(days=9)).isoformat()}T18:30",
            who=world.other,
        )
        assert r.status_code == 303
        meeting_id = uuid.UUID(r.headers["location"].split("?")[0].rsplit("/", 1)[1])
        assert app.repository.get(meeting_id).scheduled_for.utcoffset() == timedelta(hours=5, minutes=45)
    finally:
        await choose("Asia/Dhaka")
    assert app.repository.get(cid).time_zone == "Asia/Dhaka"


def test_today_is_the_collectives_today():
    # 23:30 UTC on 1 March is 2 March in Kathmandu: her today, not the server's.
    kathmandu = date(2026, 3, 2)
    assert calendar_problem(kathmandu, "occurred_on", today=kathmandu) is None
    assert calendar_problem(kathmandu, "occurred_on", today=date(2026, 3, 1)) == ("in_the_future", {})


def test_collectives_from_before_zones_get_one_and_their_meetings_keep_their_typed_clock(app):
    # Written as the code before zones wrote it: no zone, a typed 18:30 stored as 18:30 UTC.
    with_country = Collective.create(
        id=uuid.uuid4(),
        name="Old HK",
        kind="worker_collective",
        sectors=(),
        places=("HK-KLN",),
        languages=("en",),
        federation=None,
        taxonomy=app.taxonomy,
    )
    nowhere = Collective.create(
        id=uuid.uuid4(),
        name="Old nowhere",
        kind="worker_collective",
        sectors=(),
        places=(),
        languages=("en",),
        federation=None,
        taxonomy=app.taxonomy,
    )
    typed = datetime(2025, 6, 1, 18, 30, tzinfo=UTC)
    meeting = Meeting.schedule(
        id=uuid.uuid4(),
        kind="assembly",
        collective_ids=(with_country.id,),
        scheduled_for=typed,
        language="en",
        agenda_grievance_ids=(),
        agenda_campaign_ids=(),
        taxonomy=app.taxonomy,
    )
    elsewhere = Meeting.schedule(
        id=uuid.uuid4(),
        kind="assembly",
        collective_ids=(nowhere.id,),
        scheduled_for=typed,
        language="en",
        agenda_grievance_ids=(),
        agenda_campaign_ids=(),
        taxonomy=app.taxonomy,
    )
    app.save(with_country, nowhere, meeting, elsewhere)
    with app.recorder.datastore.transaction(commit=True) as curs:
        curs.execute("DELETE FROM organize_migrations WHERE name = 'zone_collectives'")
    assert zone_collectives(app) >= 3
    hk, utc = app.repository.get(with_country.id), app.repository.get(nowhere.id)
    assert (hk.time_zone, hk.time_zone_source) == ("Asia/Hong_Kong", "place")
    assert (utc.time_zone, utc.time_zone_source) == ("UTC", "default")
    moved = app.repository.get(meeting.id).scheduled_for
    assert moved == datetime(2025, 6, 1, 18, 30, tzinfo=timezone(timedelta(hours=8)))
    assert moved.utcoffset() == timedelta(hours=8)
    assert app.repository.get(elsewhere.id).version == 1  # UTC: the same clock, nothing added
    assert zone_collectives(app) == 0  # once
    # A collective created now always has its zone, so the upgrade never touches it again.
    new = app.execute(
        c.CreateCollective(command_id=uuid.uuid4(), name="New", kind="worker_collective", places=("NP-KTM",))
    )
    assert app.repository.get(new.id).time_zone == "Asia/Kathmandu"
