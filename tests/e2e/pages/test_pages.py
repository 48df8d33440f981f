"""The leaders' pages through Litestar's test client, against the real database: every page
renders for a leader of the collective, another collective's ids answer 404, and each form
works as a plain POST (and the record flow with htmx), keeps what was typed when it is
refused (with each field's message in her language), does nothing twice, and shows what
changed when her copy was stale."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from organize import commands as c
from organize.domain import Grievance, Meeting, Worker
from tests.e2e.pages.conftest import World
from tests.e2e.pages.support import (
    form_of,
    form_state,
    fresh_grievance,
    get,
    grievance_action,
    hidden,
    max_id,
    pages,
    post,
    send_action,
    today,
    with_fields,
)

pytestmark = pytest.mark.integration

NE_REQUIRED = "कृपया यो भर्नुहोस्।"  # "Please fill this in." in Nepali
UUID_RE = re.compile(r"^[0-9a-f-]{36}$")


# -- every page, and scope -------------------------------------------------------------------------


async def test_every_page_renders_for_a_leader(client, world):
    for name, path in pages(world).items():
        r = await get(client, path, world)
        assert r.status_code == 200, (name, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("text/html"), name
        assert r.headers["cache-control"] == "no-store", name
        html = r.text
        assert '<a href="/exit" class="quick-exit">' in html, name
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), name  # no inline script
        assert not re.search(r"<[^>]*\sstyle\s*=|<style\b|\son[a-z]+\s*=", html), name
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), (name, sorted({i for i in ids if ids.count(i) > 1}))
        for href in re.findall(r'(?:href|action)="(/[^"]*)"', html):
            for part in urlsplit(href).path.split("/")[1:]:  # opaque ids and words only
                assert UUID_RE.match(part) or re.fullmatch(r"[a-z0-9._-]*", part), (name, href)


async def test_the_collective_list_leads_a_leader_to_her_collective(client, world):
    r = await get(client, "/c", world)
    assert r.status_code == 303 and r.headers["location"] == f"/c/{world.ours.collective}"


async def test_home_shows_indicators_with_inline_sparklines_and_our_own_view(client, world):
    html = (await get(client, f"/c/{world.ours.collective}", world)).text
    assert html.count('<svg class="spark') == 8
    assert "Collective voice" in html and "Safety climate" in html
    assert "Our own view" in html and "the agencies still scare us" in html
    assert "Upcoming meetings" in html and "Live campaigns" in html and "Recent grievances" in html
    assert "icons.svg#money" in html or "icons.svg#clock" in html  # category icons


async def test_pages_are_in_her_language(client, world):
    html = (await get(client, f"/c/{world.ours.collective}", world, lang="ar")).text
    assert '<html lang="ar" dir="rtl">' in html
    worker = (await get(client, f"/c/{world.ours.collective}/workers/{world.ours.workers[2]}",
                        world, lang="ne")).text
    assert '<html lang="ne" dir="ltr">' in worker and "सहमति" in worker  # "consent"


async def test_another_collectives_ids_answer_404(client, world, app):
    o, t = world.ours, world.theirs
    theirs = [f"/c/{t.collective}", f"/c/{t.collective}/grievances", f"/c/{t.collective}/workers",
              f"/c/{t.collective}/grievances/new", f"/c/{t.collective}/assessment",
              f"/c/{t.collective}/meetings/{t.meetings[0]}"]
    # Their things under our collective's path: not found either.
    theirs += [f"/c/{o.collective}/grievances/{t.grievances[0]}",
               f"/c/{o.collective}/meetings/{t.meetings[0]}",
               f"/c/{o.collective}/campaigns/{t.campaigns[0]}",
               f"/c/{o.collective}/workers/{t.workers[0]}",
               f"/c/{o.collective}/workers/{t.workers[0]}/erase",
               f"/c/{o.collective}/grievances/{uuid.uuid4()}"]
    for path in theirs:
        r = await get(client, path, world)
        assert r.status_code == 404, (path, r.status_code)
        assert "text/html" in r.headers["content-type"] and "Page not found" in r.text, path
        assert "Shirin" not in r.text and "Dhaka Garment" not in r.text, path
    # And the other leader cannot reach ours.
    r = await get(client, f"/c/{o.collective}/grievances/{o.grievances[0]}", world, who=world.other)
    assert r.status_code == 404
    # Nor change anything of theirs by posting.
    before = max_id(app)
    for path, data in (
        (f"/c/{o.collective}/grievances/{t.grievances[0]}/escalate",
         {"target": "court", "on": today().isoformat()}),
        (f"/c/{t.collective}/grievances/{t.grievances[0]}/escalate",
         {"target": "court", "on": today().isoformat()}),
        (f"/c/{t.collective}/workers/{t.workers[0]}/erase", {"word": "erase"}),
        (f"/c/{o.collective}/meetings/{t.meetings[0]}/cancel", {}),
    ):
        r = await post(client, path, world, {"command_id": uuid.uuid4(), **data})
        assert r.status_code == 404, (path, r.status_code)
    assert max_id(app) == before


async def test_anonymous_is_sent_to_log_in(client, world):
    client.cookies.clear()
    r = await client.get(f"/c/{world.ours.collective}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


async def test_a_form_without_its_csrf_token_is_refused(client, world, app):
    client.cookies.clear()
    before = max_id(app)
    r = await client.post(f"/c/{world.ours.collective}/assessment", headers=world.leader.headers(),
                          data={"narrative": "x", "level.leadership": "1"}, follow_redirects=False)
    assert r.status_code == 403 and max_id(app) == before
    assert 'name="narrative"' in r.text  # what she typed, offered to send again


# -- recording a grievance -------------------------------------------------------------------------


async def _walk_to_consent(client, world: World, new_pseudonym: str) -> tuple[str, dict]:
    o = world.ours
    action = f"/c/{o.collective}/grievances/new"
    start = await get(client, action, world)
    assert start.status_code == 200
    state = form_state(start.text)
    assert state["step"] == ["1"] and UUID_RE.match(state["command_id"][0])
    # Step 1: one worker she knows, and a new one added inline.
    r = await post(client, action, world, with_fields(state, go="add_worker", add_pseudonym=new_pseudonym,
                                                worker_ids=str(o.workers[5])))
    assert r.status_code == 200 and new_pseudonym in r.text
    state = form_state(r.text)
    assert state["new_pseudonym"] == [new_pseudonym]
    r = await post(client, action, world, with_fields(state, go="next", worker_ids=str(o.workers[5])))
    assert r.status_code == 200 and 'name="category"' in r.text, r.text[-2000:]
    state = form_state(r.text)
    assert state["step"] == ["2"] and state["worker_ids"] == [str(o.workers[5])]
    # Step 2: what.
    r = await post(client, action, world, with_fields(
        state, go="next", category="documents_confiscated",
        description="The agency kept both passports since March."))
    assert r.status_code == 200 and 'name="stage"' in r.text, r.text[-3000:]
    # Step 3: where and when.
    state = form_state(r.text)
    r = await post(client, action, world, with_fields(
        state, go="next", place="HK", occurred_on=(today() - timedelta(days=3)).isoformat(),
        stage="destination", sector="domestic_care", organisation_ids=str(o.organisations[11])))
    assert r.status_code == 200 and 'name="consent_contact"' in r.text, r.text[-3000:]
    state = form_state(r.text)
    return action, state


async def test_record_a_grievance_for_two_workers_one_new_without_javascript(client, world, app):
    o = world.ours
    action, state = await _walk_to_consent(client, world, "Nirmala")
    final = with_fields(state, go="submit", consent_contact=["new:0"], consent_research=["new:0"])
    r = await post(client, action, world, final)
    assert r.status_code == 303, r.text[-3000:]
    location = r.headers["location"]
    assert "Nirmala" not in location and "passport" not in location
    path, _, query = location.partition("?")
    assert re.fullmatch(rf"/c/{o.collective}/grievances/[0-9a-f-]{{36}}", path)
    assert re.fullmatch(r"n=\d+", query)  # read-your-writes: the page waits for this event
    page = await get(client, location, world)
    assert page.status_code == 200
    assert "Saved." in page.text, "read-your-writes: the views did not reach the event"
    assert "Nirmala" in page.text and "The agency kept both passports since March." in page.text
    grievance = app.repository.get(uuid.UUID(path.rsplit("/", 1)[1]))
    assert isinstance(grievance, Grievance) and len(grievance.worker_ids) == 2
    new_worker = app.repository.get(grievance.worker_ids[1])
    assert isinstance(new_worker, Worker)
    assert new_worker.has_consent("contact") and new_worker.has_consent("research")
    # The home page shows it at once.
    home = await get(client, f"/c/{o.collective}", world)
    assert path in home.text


async def test_a_double_submit_records_one_grievance(client, world, app):
    action, state = await _walk_to_consent(client, world, "Pushpa")
    final = with_fields(state, go="submit", consent_contact=["new:0"])
    first = await post(client, action, world, final)
    assert first.status_code == 303
    after_first = max_id(app)
    second = await post(client, action, world, final)
    assert second.status_code == 303
    assert second.headers["location"].split("?")[0] == first.headers["location"].split("?")[0]
    assert max_id(app) == after_first, "the second submit appended events"


async def test_record_steps_swap_just_the_form_with_htmx(client, world):
    action = f"/c/{world.ours.collective}/grievances/new"
    state = form_state((await get(client, action, world)).text)
    r = await post(client, action, world,
                   with_fields(state, go="next", worker_ids=str(world.ours.workers[1])),
                   **{"HX-Request": "true"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith("<form") and "<html" not in r.text
    assert 'hx-post="' + action + '"' in r.text and 'name="category"' in r.text
    # A refusal comes back as the form with its messages (htmx swaps 2xx answers only).
    state = form_state(r.text)
    refused = await post(client, action, world, with_fields(state, go="next"), lang="ne",
                         **{"HX-Request": "true"})
    assert refused.status_code == 200 and NE_REQUIRED in refused.text


async def test_an_invalid_step_keeps_what_she_typed_and_says_why_in_nepali(client, world, app):
    action = f"/c/{world.ours.collective}/grievances/new"
    state = form_state((await get(client, action, world)).text)
    # No worker chosen.
    r = await post(client, action, world, with_fields(state, go="next"), lang="ne")
    assert r.status_code == 422 and 'name="worker_ids"' in r.text
    # A new worker whose phone is not a phone number: her pseudonym stays.
    r = await post(client, action, world, with_fields(state, go="add_worker", add_pseudonym="Sumitra",
                                                add_phone="call me"), lang="ne")
    assert r.status_code == 422
    assert 'value="Sumitra"' in r.text and 'value="call me"' in r.text
    assert 'id="f-add_phone-error"' in r.text and "add_phone" not in form_state(r.text)
    # Step 2: a description too long and no category.
    r = await post(client, action, world,
                   with_fields(state, go="next", worker_ids=str(world.ours.workers[1])))
    state = form_state(r.text)
    long_text = "वर्णन " * 400
    r = await post(client, action, world, with_fields(state, go="next", description=long_text), lang="ne")
    assert r.status_code == 422
    assert long_text.strip() in r.text  # kept
    assert NE_REQUIRED in r.text  # the category
    assert "२,०००" in r.text or "२०००" in r.text  # "at most 2,000 characters", in Nepali digits
    assert 'id="f-description-error"' in r.text and 'aria-invalid="true"' in r.text
    assert r.text.count('class="field-error"') >= 2


# -- the grievance page ----------------------------------------------------------------------------


async def test_grievance_actions_follow_its_status(client, world, app):
    o = world.ours
    # workers[0] agreed to be referred to the NGO (every fourth worker did); workers[1] did not.
    gid = await fresh_grievance(app, world, [o.workers[0], o.workers[1]])
    path = f"/c/{o.collective}/grievances/{gid}"
    html = (await get(client, path, world)).text
    for key in ("join", "evidence", "refer", "escalate", "negotiation", "outcome", "retaliation",
                "withdraw"):
        assert f'action="{path}/{key}"' in html, key
    assert f'action="{path}/reopen"' not in html
    # Refer offers only organisations someone here agreed to, for those who agreed.
    refer = form_of(html, f"{path}/refer")
    assert str(o.referral_org) in refer and str(o.organisations[0]) not in refer
    on = today().isoformat()
    for key, data in (("join", {"worker_ids": [o.workers[3]]}),
                      ("refer", {"organisation_id": o.referral_org, "on": on}),
                      ("escalate", {"target": "labour_office", "on": on}),
                      ("negotiation", {"with_organisation_id": o.organisations[0], "held_on": on,
                                       "notes": "They offered half."}),
                      ("evidence", {"note": "Bank statements.", "on": on}),
                      ("retaliation", {"details": "Threatened with a false theft charge.", "on": on}),
                      ("outcome", {"outcome": "wages_recovered", "amount": "4,500.50",
                                   "currency": "hkd", "on": on})):
        r = await grievance_action(client, world, gid, key, data)
        assert r.status_code == 303, (key, r.status_code, r.text[-1500:])
    grievance = app.repository.get(gid)
    assert grievance.status == "resolved" and str(grievance.outcome.amount) == "4500.50"
    assert grievance.referrals[0].worker_ids == (o.workers[0],)
    html = (await get(client, path, world)).text
    for text in ("They offered half.", "Bank statements.", "Threatened with a false theft charge.",
                 "Referred", "Escalated", "HK$4,500.50"):
        assert text in html, text
    assert f'action="{path}/reopen"' in html and f'action="{path}/withdraw"' not in html
    r = await grievance_action(client, world, gid, "reopen", {"on": on})
    assert r.status_code == 303
    r = await grievance_action(client, world, gid, "withdraw", {"on": on})
    assert r.status_code == 303 and app.repository.get(gid).status == "withdrawn"


async def test_refer_explains_when_nobody_agreed(client, world, app):
    o = world.ours
    gid = await fresh_grievance(app, world, [o.workers[1]])  # she gave no referral consent
    html = (await get(client, f"/c/{o.collective}/grievances/{gid}", world)).text
    refer = form_of(html, f"/c/{o.collective}/grievances/{gid}/refer")
    assert "No one in this grievance has agreed to be referred yet" in refer
    assert f"/c/{o.collective}/workers/{o.workers[1]}#consent" in refer
    before = max_id(app)
    r = await grievance_action(client, world, gid, "refer", {"organisation_id": o.referral_org,
                                                    "on": today().isoformat()})
    assert r.status_code == 422 and max_id(app) == before


async def test_a_refused_action_keeps_her_values_with_messages_in_her_language(client, world, app):
    o = world.ours
    gid = await fresh_grievance(app, world, [o.workers[1]])
    before = max_id(app)
    r = await grievance_action(client, world, gid, "outcome",
                      {"outcome": "wages_recovered", "amount": "a lot", "currency": "HKD",
                       "on": "yesterday"}, lang="ne")
    assert r.status_code == 422 and max_id(app) == before
    form = form_of(r.text, f"/c/{o.collective}/grievances/{gid}/outcome")
    assert 'value="a lot"' in form and 'value="yesterday"' in form and 'value="HKD"' in form
    assert "कृपया सङ्ख्या दिनुहोस्।" in form  # "Please give a number."
    assert "कृपया मिति दिनुहोस्।" in form  # "Please give a date."
    assert '<details class="action" id="do-outcome" open>' in r.text
    # A rule of the domain: an amount where the outcome takes none.
    r = await grievance_action(client, world, gid, "outcome",
                      {"outcome": "documents_returned", "amount": "100", "currency": "HKD",
                       "on": today().isoformat()}, lang="ne")
    assert r.status_code == 422 and max_id(app) == before
    assert "रकम" in form_of(r.text, f"/c/{o.collective}/grievances/{gid}/outcome")


async def test_a_stale_edit_shows_what_changed_and_keeps_her_words(client, world, app):
    o = world.ours
    gid = await fresh_grievance(app, world, [o.workers[1]])
    path = f"/c/{o.collective}/grievances/{gid}"
    form = form_of((await get(client, path, world)).text, f"{path}/evidence")
    version = int(hidden(form, "expected_version")[0])
    # Meanwhile someone else escalates it.
    app.execute(c.EscalateGrievance(command_id=uuid.uuid4(), grievance_id=gid, target="court",
                                    on=today()))
    sent = {"command_id": hidden(form, "command_id")[0], "expected_version": version,
            "note": "Her diary of hours.", "on": today().isoformat()}
    r = await post(client, f"{path}/evidence", world, sent)
    assert r.status_code == 409
    assert "Someone else changed this while you were working on it" in r.text
    assert '<ul class="changes">' in r.text and "Escalated" in r.text.split('<ul class="changes">')[1]
    again = form_of(r.text, f"{path}/evidence")
    assert "Her diary of hours." in again  # kept
    assert hidden(again, "expected_version") == [str(version + 1)]
    assert '<li class="new">' in r.text  # the newer event is marked in the timeline
    sent["expected_version"] = version + 1
    r = await post(client, f"{path}/evidence", world, sent)
    assert r.status_code == 303


async def test_a_stale_consent_shows_what_changed(client, world, app):
    o = world.ours
    worker_id = o.workers[7]
    path = f"/c/{o.collective}/workers/{worker_id}"
    page = (await get(client, path, world)).text
    form = next(f for f in re.split(r"(?=<form )", page) if 'name="purpose" value="research"' in f)
    version = int(hidden(form, "expected_version")[0])
    app.execute(c.StartSpell(command_id=uuid.uuid4(), worker_id=worker_id, sector="garment",
                             occupation="Packer", place="HK", relationship="informal", paid=True,
                             started_on=today()))
    r = await post(client, f"{path}/consent", world, {
        "command_id": hidden(form, "command_id")[0], "expected_version": version,
        "purpose": "research", "give": "1"}, lang="bn")
    assert r.status_code == 409
    assert "কাজের সময়কাল যোগ হয়েছে" in r.text  # "Work period added", in Bengali
    assert not app.repository.get(worker_id).has_consent("research")


# -- meetings --------------------------------------------------------------------------------------


async def test_plan_a_meeting_then_take_attendance(client, world, app):
    o = world.ours
    base = f"/c/{o.collective}/meetings"
    new = (await get(client, f"{base}/new", world)).text
    when = (today() + timedelta(days=2)).isoformat() + "T18:30"
    r = await post(client, f"{base}/new", world, {
        "command_id": hidden(new, "command_id")[0], "kind": "committee", "scheduled_for": when,
        "language": "ne"})
    assert r.status_code == 303
    path = r.headers["location"].split("?")[0]
    meeting_id = uuid.UUID(path.rsplit("/", 1)[1])
    html = (await get(client, path, world)).text
    assert "Take attendance" in html and str(o.workers[10]) in html
    form = form_of(html, f"{path}/held")
    r = await post(client, f"{path}/held", world, {
        "command_id": hidden(form, "command_id")[0],
        "expected_version": hidden(form, "expected_version")[0],
        "attendee_ids": [o.workers[10], o.workers[11]],
        "facilitator_ids": [o.workers[10]],
        "speaker_ids": [o.workers[12]],  # she spoke, so she was there
        "held_at": today().isoformat() + "T09:30", "language": "ne",
        "decisions": "Go to the labour office on Sunday.\n\nAsk the NGO for a lawyer.\n"})
    assert r.status_code == 303, r.text[-2000:]
    meeting = app.repository.get(meeting_id)
    assert isinstance(meeting, Meeting) and meeting.status == "held"
    assert set(meeting.attendee_ids) == {o.workers[10], o.workers[11], o.workers[12]}
    from organize.application.reading import meeting_decisions

    assert meeting.decisions == ()  # sealed under the meeting's key, never in the clear
    assert meeting_decisions(app, meeting) == ("Go to the labour office on Sunday.",
                                               "Ask the NGO for a lawyer.")
    html = (await get(client, path, world)).text
    assert "Ask the NGO for a lawyer." in html and "Kamala" in html  # workers[10]
    nid = r.headers["location"].split("?n=")[1]
    home = (await get(client, f"/c/{o.collective}?n={nid}", world)).text
    assert "Saved." in home and path not in home  # held: no longer upcoming


async def test_attendance_needs_someone_to_lead(client, world, app):
    o = world.ours
    path = f"/c/{o.collective}/meetings/{o.upcoming[1]}"
    form = form_of((await get(client, path, world)).text, f"{path}/held")
    before = max_id(app)
    r = await post(client, f"{path}/held", world, {
        "command_id": hidden(form, "command_id")[0],
        "expected_version": hidden(form, "expected_version")[0],
        "attendee_ids": [o.workers[10]], "held_at": "", "language": "ne"}, lang="bn")
    assert r.status_code == 422 and max_id(app) == before
    assert "দয়া করে এটি পূরণ করুন।" in r.text  # "Please fill this in." in Bengali
    assert f'value="{o.workers[10]}" checked' in r.text  # her ticks are kept


async def test_cancel_a_meeting(client, world, app):
    o = world.ours
    path = f"/c/{o.collective}/meetings/{o.upcoming[2]}"
    form = form_of((await get(client, path, world)).text, f"{path}/cancel")
    r = await post(client, f"{path}/cancel", world, {
        "command_id": hidden(form, "command_id")[0],
        "expected_version": hidden(form, "expected_version")[0], "reason": "Typhoon warning"})
    assert r.status_code == 303 and app.repository.get(o.upcoming[2]).status == "cancelled"


# -- campaigns -------------------------------------------------------------------------------------


async def test_campaign_forms(client, world, app):
    o = world.ours
    base = f"/c/{o.collective}/campaigns"
    new = (await get(client, f"{base}/new", world)).text
    r = await post(client, f"{base}/new", world, {
        "command_id": hidden(new, "command_id")[0], "issue": "Passports back",
        "demands": "Return every passport\nNo more fees", "launched_on": today().isoformat()})
    assert r.status_code == 303
    path = r.headers["location"].split("?")[0]
    campaign_id = uuid.UUID(path.rsplit("/", 1)[1])

    async def act(key: str, data: dict, lang=None):
        return await send_action(client, world, path, key, data, lang=lang)

    assert (await act("demand", {"text": "A day off each week"})).status_code == 303
    assert (await act("action", {"kind": "delegation", "taken_on": today().isoformat(),
                                 "participant_ids": [o.workers[0], o.workers[1]]})).status_code == 303
    demand = app.repository.get(campaign_id).demands
    first = next(iter(demand))
    assert (await act("resolve", {"demand_id": first, "result": "won",
                                  "on": today().isoformat()})).status_code == 303
    refused = await act("agreement", {"with_organisation_id": o.organisations[12],
                                      "signed_on": today().isoformat(), "clauses": ""}, lang="ar")
    assert refused.status_code == 422 and "يُرجى ملء هذا الحقل." in refused.text
    assert (await act("agreement", {"with_organisation_id": o.organisations[12],
                                    "signed_on": today().isoformat(),
                                    "clauses": "Passports stay with the workers\nNo fees"})
            ).status_code == 303
    html = (await get(client, path, world)).text
    for text in ("A day off each week", "Delegation", "Asha", "Won", "Passports stay with the workers"):
        assert text in html, text


# -- workers ---------------------------------------------------------------------------------------


async def test_add_a_worker_then_consent_and_a_work_period(client, world, app):
    o = world.ours
    base = f"/c/{o.collective}/workers"
    listing = (await get(client, base, world)).text
    form = form_of(listing, f"{base}/new")
    r = await post(client, f"{base}/new", world, {
        "command_id": hidden(form, "command_id")[0], "profile.pseudonym": "Lalita",
        "profile.phone": "+852 5555 0101", "joined_on": today().isoformat()})
    assert r.status_code == 303 and "Lalita" not in r.headers["location"]
    path = r.headers["location"].split("?")[0]
    worker_id = uuid.UUID(path.rsplit("/", 1)[1])
    html = (await get(client, path, world)).text
    assert "Lalita" in html

    async def consent(purpose: str | None, give: bool, **extra):
        page = (await get(client, path, world)).text
        forms = [f for f in re.split(r"(?=<form )", page) if f'/workers/{worker_id}/consent"' in f]
        wanted = f'value="{purpose}"' if purpose else 'name="organisation_id"'
        chosen = next(f for f in forms if wanted in f)
        return await post(client, f"{path}/consent", world, {
            "command_id": hidden(chosen, "command_id")[0],
            "expected_version": hidden(chosen, "expected_version")[0],
            "purpose": purpose, "give": "1" if give else "0", **extra})

    assert (await consent("contact", True)).status_code == 303
    assert (await consent(None, True, organisation_id=o.referral_org)).status_code == 303
    worker = app.repository.get(worker_id)
    assert worker.has_consent("contact") and worker.has_consent(f"referral:{o.referral_org}")
    assert (await consent("contact", False)).status_code == 303
    assert not app.repository.get(worker_id).has_consent("contact")

    form = form_of((await get(client, path, world)).text, f"{path}/spell")
    for started in ("2024-01-01", "2024-06-01"):  # two at once: side by side
        form = form_of((await get(client, path, world)).text, f"{path}/spell")
        r = await post(client, f"{path}/spell", world, {
            "command_id": hidden(form, "command_id")[0],
            "expected_version": hidden(form, "expected_version")[0], "sector": "garment",
            "occupation": "Machinist", "place": "HK", "relationship": "agency", "paid": "on",
            "started_on": started})
        assert r.status_code == 303, r.text[-1500:]
    html = (await get(client, path, world)).text
    assert '<svg class="trajectory"' in html and html.count('<g class="bar') == 2
    lanes = re.findall(
        r'<g class="bar[^"]*"><title>[^<]*</title><clipPath[^>]*><rect x="[^"]*" y="(\d+)"', html)
    assert len(set(lanes)) == 2  # overlapping spells in two lanes


async def test_erasing_asks_for_the_word_first(client, world, app):
    o = world.ours
    worker_id = o.workers[49]
    path = f"/c/{o.collective}/workers/{worker_id}/erase"
    page = await get(client, path, world, lang="ne")
    assert page.status_code == 200 and '<strong class="word">' in page.text
    word = re.search(r'<strong class="word">([^<]+)</strong>', page.text).group(1)
    form = form_of(page.text, path)
    sent = {"command_id": hidden(form, "command_id")[0],
            "expected_version": hidden(form, "expected_version")[0]}
    before = max_id(app)
    r = await post(client, path, world, {**sent, "word": "yes"}, lang="ne")
    assert r.status_code == 422 and max_id(app) == before and 'value="yes"' in r.text
    r = await post(client, path, world, {**sent, "word": f" {word} "}, lang="ne")
    assert r.status_code == 303 and r.headers["location"].startswith(f"/c/{o.collective}/workers")
    assert app.repository.get(worker_id).erased
    html = (await get(client, f"/c/{o.collective}/workers/{worker_id}", world)).text
    assert "[erased]" in html and "Lestari" not in html


# -- self-assessment -------------------------------------------------------------------------------


async def test_record_the_collectives_own_assessment(client, world):
    o = world.ours
    path = f"/c/{o.collective}/assessment"
    page = (await get(client, path, world, lang="bn")).text
    assert page.count('type="radio"') == 8 * 5
    form = form_of(page, path)
    assert 'name="level.leadership" value="2" checked' in form  # starts from the last one
    r = await post(client, path, world, {"command_id": hidden(form, "command_id")[0],
                                         "assessed_on": today().isoformat(), "narrative": ""},
                   lang="bn")
    assert r.status_code == 422 and "দয়া করে এটি পূরণ করুন।" in r.text
    r = await post(client, path, world, {
        "command_id": hidden(form, "command_id")[0], "assessed_on": today().isoformat(),
        "level.leadership": "3", "level.safety_climate": "1",
        "narrative": "New women chair our meetings."})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/c/{o.collective}?n=")
    home = (await get(client, r.headers["location"], world)).text
    assert "New women chair our meetings." in home
