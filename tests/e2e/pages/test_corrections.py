"""Corrections of a held meeting, as events with their reason: attendance after the fact
(who came, led and spoke), its time or kind (the date checks run again, in the collective's
zone), its decisions (sealed again). A missing reason, an unchanged form or a date ahead is
refused on its field with what she ticked kept and nothing recorded; the list of meetings a
worker attended follows the correction; another collective's leader cannot correct ours."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from organize.application.reading import campaign_view
from tests.e2e.pages.support import form_of, get, hidden, max_id, post
from web.i18n import error_message, field_message

pytestmark = pytest.mark.integration
HK = ZoneInfo("Asia/Hong_Kong")


def _fields(html: str, action: str) -> dict:
    form = form_of(html, action)
    return {
        "command_id": hidden(form, "command_id")[0],
        "expected_version": hidden(form, "expected_version")[0],
    }


async def test_attendance_is_corrected_after_the_fact_with_its_reason(client, world, app):
    meeting_id = world.ours.meetings[5]
    base = f"/c/{world.ours.collective}/meetings/{meeting_id}"
    action = f"{base}/attendance"
    before = app.repository.get(meeting_id)
    absent = next(w for w in world.ours.workers if w not in before.attendee_ids)
    dropped = before.attendee_ids[-1]
    keep = [w for w in before.attendee_ids if w != dropped] + [absent]
    html = (await get(client, base, world)).text
    body = {
        **_fields(html, action),
        "attendee_ids": keep,
        "facilitator_ids": list(before.facilitator_ids),
        "speaker_ids": [absent],
    }

    # No reason: refused on its field, her ticks kept, nothing recorded.
    n = max_id(app)
    r = await post(client, action, world, body, lang="ne")
    assert r.status_code == 422 and max_id(app) == n
    assert field_message("required", "ne") in form_of(r.text, action)
    assert f'value="{absent}" checked' in form_of(r.text, action)

    # Another collective's leader: the same answer as an unknown meeting.
    r = await post(client, action, world, {**body, "reason": "wrong_person"}, who=world.other)
    assert r.status_code == 404 and max_id(app) == n

    r = await post(client, action, world, {**body, "reason": "wrong_person"})
    assert r.status_code == 303
    after = app.repository.get(meeting_id)
    assert absent in after.attendee_ids and dropped not in after.attendee_ids
    assert after.speaker_ids == (absent,)
    events = [type(e).__name__ for e in app.repository.event_store.get(meeting_id)]
    assert events[-1] == "AttendanceCorrected"
    last = list(app.repository.event_store.get(meeting_id))[-1]
    assert last.reason == "wrong_person"
    await get(client, r.headers["location"], world)  # waits for the views (read-your-writes)
    # The list of meetings she attended follows the view.
    listed = (await get(client, f"/c/{world.ours.collective}/meetings?worker={absent}", world)).text
    assert str(meeting_id) in listed
    listed = (await get(client, f"/c/{world.ours.collective}/meetings?worker={dropped}", world)).text
    assert str(meeting_id) not in listed

    # The same lists again: nothing changed, said so, nothing recorded.
    html = (await get(client, base, world)).text
    n = max_id(app)
    r = await post(
        client,
        action,
        world,
        {
            **_fields(html, action),
            "attendee_ids": keep,
            "facilitator_ids": list(before.facilitator_ids),
            "speaker_ids": [absent],
            "reason": "other",
        },
    )
    assert r.status_code == 422 and max_id(app) == n
    assert error_message("nothing_changed", "en") in r.text


async def test_the_time_and_decisions_are_corrected_and_checked_again(client, world, app):
    meeting_id = world.ours.meetings[6]
    base = f"/c/{world.ours.collective}/meetings/{meeting_id}"
    held = app.repository.get(meeting_id).held_at.astimezone(HK)
    html = (await get(client, base, world)).text
    ahead = (datetime.now(HK) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    n = max_id(app)
    r = await post(
        client,
        f"{base}/correct",
        world,
        {
            **_fields(html, f"{base}/correct"),
            "kind": "committee",
            "scheduled_for": held.strftime("%Y-%m-%dT%H:%M"),
            "held_at": ahead,
            "reason": "wrong_day_or_time",
        },
        lang="bn",
    )
    assert r.status_code == 422 and max_id(app) == n
    assert field_message("in_the_future", "bn") in r.text and f'value="{ahead}"' in r.text
    earlier = (held - timedelta(days=1)).replace(hour=18, minute=30)
    r = await post(
        client,
        f"{base}/correct",
        world,
        {
            **_fields(html, f"{base}/correct"),
            "kind": "committee",
            "scheduled_for": earlier.strftime("%Y-%m-%dT%H:%M"),
            "held_at": earlier.strftime("%Y-%m-%dT%H:%M"),
            "reason": "wrong_day_or_time",
        },
    )
    assert r.status_code == 303
    agg = app.repository.get(meeting_id)
    assert agg.kind == "committee" and agg.held_at == earlier

    html = (await get(client, base, world)).text
    r = await post(
        client,
        f"{base}/decisions",
        world,
        {
            **_fields(html, f"{base}/decisions"),
            "decisions": "Ask the agency for the passports back",
            "reason": "typing_mistake",
        },
    )
    assert r.status_code == 303
    agg = app.repository.get(meeting_id)
    assert agg.decision_count == 1 and agg.sealed_decisions and not agg.decisions
    page = (await get(client, base, world)).text
    assert "Ask the agency for the passports back" in page


async def test_a_demand_is_corrected_or_withdrawn_with_its_reason(client, world, app, runtime):
    from datetime import date

    from organize import commands as c
    from tests.e2e.pages.support import send_action
    from tests.support import settle_views

    campaign_id = app.execute(
        c.LaunchCampaign(
            command_id=uuid4(),
            issue="Rest days",
            demands=("A rest day evry week", "Wrong one"),
            collective_ids=(world.ours.collective,),
            launched_on=date(2025, 2, 1),
        )
    ).id
    settle_views(runtime)
    path = f"/c/{world.ours.collective}/campaigns/{campaign_id}"
    typo, wrong = list(app.repository.get(campaign_id).demands)
    n = max_id(app)
    r = await send_action(
        client, world, path, "correct-demand", {"demand_id": typo, "text": "A rest day every week"}, lang="ar"
    )
    assert r.status_code == 422 and max_id(app) == n
    assert field_message("required", "ar") in r.text and 'value="A rest day every week"' in r.text
    r = await send_action(
        client,
        world,
        path,
        "correct-demand",
        {"demand_id": typo, "text": "A rest day every week", "reason": "typing_mistake"},
    )
    assert r.status_code == 303
    r = await send_action(client, world, path, "withdraw-demand", {"demand_id": wrong, "reason": "other"})
    assert r.status_code == 303
    agg = app.repository.get(campaign_id)  # demands are sealed: read them opened
    assert [d.text for d in campaign_view(app, agg).demands] == ["A rest day every week"]
    assert b"A rest day every week" not in b"".join(  # sealed, as every demand's text
        bytes(e.demand.sealed_text) for e in app.repository.event_store.get(campaign_id)
        if type(e).__name__ == "DemandCorrected")
    kinds = [type(e).__name__ for e in app.repository.event_store.get(campaign_id)]
    assert kinds[-2:] == ["DemandCorrected", "DemandWithdrawn"]
    page = (await get(client, r.headers["location"], world)).text
    shown = page.split("<h1", 1)[1]
    assert "A rest day every week" in shown and "evry" not in shown and "Wrong one" not in shown


async def test_a_work_period_is_corrected_checked_again_or_removed(client, world, app):
    worker_id = world.ours.workers[30]
    path = f"/c/{world.ours.collective}/workers/{worker_id}"
    spells = list(app.repository.get(worker_id).spells.values())
    first = spells[0]
    html = (await get(client, path, world)).text
    assert 'action="' + path + '/correct-spell"' in html

    async def correct(data: dict, lang=None):
        html = (await get(client, path, world)).text
        start = html.index(f'value="{first.spell_id}"', html.index(f"{path}/correct-spell"))
        form = html[html.rindex("<form", 0, start) : html.index("</form>", start)]
        return await post(
            client,
            f"{path}/correct-spell",
            world,
            {
                "command_id": hidden(form, "command_id")[0],
                "expected_version": hidden(form, "expected_version")[0],
                "spell_id": first.spell_id,
                "sector": "garment",
                "place": "HK",
                "reason": "wrong_day_or_time",
                **data,
            },
            lang=lang,
        )

    n = max_id(app)
    r = await correct({"started_on": "2020-03-01", "ended_on": "2019-01-01"}, lang="ne")
    assert r.status_code == 422 and max_id(app) == n  # an end before its start
    r = await correct({"started_on": (datetime.now(HK).date() + timedelta(days=30)).isoformat()}, lang="bn")
    assert r.status_code == 422 and max_id(app) == n
    assert field_message("in_the_future", "bn") in r.text
    r = await correct({"started_on": "2020-03-01", "ended_on": "2021-06-30", "occupation": "Machinist"})
    assert r.status_code == 303
    spell = app.repository.get(worker_id).spells[first.spell_id]
    assert (spell.sector, spell.started_on.isoformat(), spell.ended_on.isoformat()) == (
        "garment",
        "2020-03-01",
        "2021-06-30",
    )
    page = (await get(client, r.headers["location"], world)).text
    assert "Machinist" in page
    last = list(app.repository.event_store.get(worker_id))[-1]
    assert type(last).__name__ == "SpellCorrected" and b"Machinist" not in (last.sealed_occupation or b"")

    html = (await get(client, path, world)).text
    start = html.index(f'value="{first.spell_id}"', html.index(f"{path}/withdraw-spell"))
    form = html[html.rindex("<form", 0, start) : html.index("</form>", start)]
    r = await post(
        client,
        f"{path}/withdraw-spell",
        world,
        {
            "command_id": hidden(form, "command_id")[0],
            "expected_version": hidden(form, "expected_version")[0],
            "spell_id": first.spell_id,
            "reason": "other",
        },
    )
    assert r.status_code == 303
    assert first.spell_id not in app.repository.get(worker_id).spells


async def test_a_grievances_fields_are_corrected_and_its_lists_follow(client, world, app):
    from tests.e2e.pages.support import send_action

    grievance_id = world.ours.grievances[7]
    path = f"/c/{world.ours.collective}/grievances/{grievance_id}"
    before = app.repository.get(grievance_id)
    fields = {
        "category": "documents_confiscated",
        "sector": "hospitality",
        "place": "HK-KLN",
        "stage": "exit",
        "occurred_on": "2025-04-02",
    }
    if before.category == fields["category"]:
        fields["category"] = "wages_unpaid_late"
    n = max_id(app)
    ahead = (datetime.now(HK).date() + timedelta(days=2)).isoformat()
    r = await send_action(
        client,
        world,
        path,
        "correct",
        {**fields, "occurred_on": ahead, "reason": "typing_mistake"},
        lang="ar",
    )
    assert r.status_code == 422 and max_id(app) == n
    assert field_message("in_the_future", "ar") in r.text
    r = await send_action(
        client,
        world,
        path,
        "correct",
        {**fields, "description": "The agency kept both passports.", "reason": "came_to_light"},
    )
    assert r.status_code == 303
    agg = app.repository.get(grievance_id)
    assert (agg.category, agg.sector, agg.place, agg.stage, agg.occurred_on.isoformat()) == tuple(
        fields.values()
    )
    page = (await get(client, r.headers["location"], world)).text
    assert "The agency kept both passports." in page
    listed = (
        await get(
            client,
            f"/c/{world.ours.collective}/grievances?category={fields['category']}"
            f"&from=2025-04-02&to=2025-04-02",
            world,
        )
    ).text
    assert str(grievance_id) in listed


async def test_an_organisations_kind_is_corrected_and_a_mistaken_one_withdrawn(client, world, app):
    from organize import commands as c
    from tests.e2e.pages.support import send_action

    org_ids = [
        app.execute(
            c.CreateOrganisation(
                command_id=uuid4(),
                name=f"Agency {i} {uuid4().hex[:4]}",
                kind="employer",
                place="HK",
                collective_id=world.ours.collective,
            )
        ).id
        for i in range(2)
    ]
    path = f"/c/{world.ours.collective}/organisations/{org_ids[0]}"
    n = max_id(app)
    r = await send_action(client, world, path, "correct-kind", {"kind": "recruiter"}, lang="bn")
    assert r.status_code == 422 and max_id(app) == n
    assert field_message("required", "bn") in r.text
    r = await send_action(
        client, world, path, "correct-kind", {"kind": "recruiter", "reason": "typing_mistake"}
    )
    assert r.status_code == 303 and app.repository.get(org_ids[0]).kind == "recruiter"
    history = (await get(client, path, world)).text.split("History", 1)[-1]
    assert "Correction" in history  # its page's history says it was put right
    # Another collective's leader reaches neither the page nor its forms.
    other = await get(
        client, f"/c/{world.theirs.collective}/organisations/{org_ids[1]}", world, who=world.other
    )
    assert other.status_code == 404
    path = f"/c/{world.ours.collective}/organisations/{org_ids[1]}"
    r = await send_action(client, world, path, "withdraw", {"reason": "other"})
    assert r.status_code == 303 and app.repository.get(org_ids[1]).withdrawn
    page = (await get(client, path, world)).text
    assert f"{path}/withdraw" not in page  # nothing more to correct


async def test_an_organisation_page_offers_its_corrections_to_its_recorder_only(
    client, world, app, federation
):
    """A sister collective's leader reads an employer ours recorded (her federation's), but
    only the recorder may correct it: she gets no forms she could not send."""
    from organize import commands as c

    org = app.execute(
        c.CreateOrganisation(
            command_id=uuid4(), name=f"Factory {uuid4().hex[:4]}", kind="employer", place="HK",
            collective_id=world.ours.collective,
        )
    ).id
    path = f"/c/{federation.sister.collective}/organisations/{org}"
    sister = await get(client, path, world, who=federation.sister_leader)
    assert sister.status_code == 200
    for action in ("rename", "correct-kind", "withdraw"):
        assert f"{path}/{action}" not in sister.text
        assert 'name="reason"' not in sister.text and 'name="kind"' not in sister.text
    ours = f"/c/{world.ours.collective}/organisations/{org}"
    page = (await get(client, ours, world)).text
    assert all(f"{ours}/{action}" in page for action in ("rename", "correct-kind", "withdraw"))
