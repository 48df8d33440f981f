"""Bargaining through the leader's pages, over real HTTP: a round from the mandate to the
agreement in force, a breach counted on its clause, the renewal reminder on the home page, a
refused step in Nepali with what she typed kept, and what others see (an organiser of the
federation: stages and counts, no words and no forms; another collective's leader: 404)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from organize import commands as c
from tests.e2e.pages.conftest import Leader, Side
from tests.e2e.pages.support import form_of, get, hidden, max_id, post, send_action, today
from tests.support import settle_views

pytestmark = pytest.mark.integration

WORDING = "Wages paid in full by the 7th"
NOTE = "Their manager said the 10th"


def _held(app, collective: uuid.UUID, workers, when: datetime) -> uuid.UUID:
    meeting = app.execute(c.ScheduleMeeting(
        command_id=uuid.uuid4(), kind="assembly", collective_ids=(collective,),
        scheduled_for=when, language="en")).id
    app.execute(c.RecordMeetingHeld(
        command_id=uuid.uuid4(), meeting_id=meeting, held_at=when, attendee_ids=tuple(workers),
        facilitator_ids=tuple(workers[:1]), language="en"))
    return meeting


def _meeting_today(app, world) -> uuid.UUID:
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    return _held(app, world.ours.collective, world.ours.workers, now)


@pytest.fixture(scope="module")
def us(client, app, world, runtime, page_accounts):
    """A collective and a federation of their own (the other page tests count ours' meetings,
    grievances and federation), with members, employers, a held meeting, its leader and an
    organiser of the federation."""
    tag = uuid.uuid4().hex[:6]
    federation = f"Bargaining federation {tag}"
    coll = app.execute(c.CreateCollective(
        command_id=uuid.uuid4(), name=f"Bargainers {tag}", kind="union_branch",
        sectors=("domestic_care",), places=("HK",), languages=("en", "ne"),
        federation=federation)).id
    side = Side(collective=coll)
    for name in ("Asha", "Bina", "Chandra", "Devi"):
        side.workers.append(app.execute(c.RegisterWorker(
            command_id=uuid.uuid4(), profile=c.Profile(pseudonym=f"{name} {tag}"),
            collective_id=coll, joined_on=today() - timedelta(days=500))).id)
    for name in ("Star Placement", "Harbour Agency"):
        side.organisations.append(app.execute(c.CreateOrganisation(
            command_id=uuid.uuid4(), name=f"{name} {tag}", kind="recruiter",
            collective_id=coll)).id)
    side.meetings.append(_held(app, coll, side.workers,
                               datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)))
    account = page_accounts.create_account(f"bargainer-{tag}", f"pass-{tag}", role="leader",
                                           collective_ids=(coll,))
    session = page_accounts.start_session(account)
    organiser = page_accounts.start_session(page_accounts.create_account(
        f"bargaining-organiser-{tag}", f"pass-o-{tag}", role="organiser", federation=federation))
    settle_views(runtime)
    return SimpleNamespace(ours=side, leader=Leader(session=session.token,
                                                   csrf=session.csrf_token),
                           organiser=Leader(session=organiser.token, csrf=organiser.csrf_token),
                           other=world.other)


@pytest.fixture(scope="module")
async def story(client, us, app):
    """A round walked through its pages: the path of its page and its id."""
    world = us
    o = world.ours
    base = f"/c/{o.collective}/bargaining"
    listing = (await get(client, base, world)).text
    counterpart = o.organisations[0]
    assert f'value="{counterpart}"' in form_of(listing, base)
    r = await post(client, base, world, {
        "command_id": hidden(form_of(listing, base), "command_id")[0],
        "counterpart_id": counterpart, "team_ids": o.workers[:2],
        "opened_on": (today() - timedelta(days=400)).isoformat()})
    assert r.status_code == 303, r.text
    path = r.headers["location"].split("?")[0]
    round_id = uuid.UUID(path.rsplit("/", 1)[1])

    async def act(key, data, lang=None):
        response = await send_action(client, world, path, key, data, lang=lang)
        assert response.status_code == 303, (key, response.text[-3000:])
        await get(client, response.headers["location"], world)  # waits for the view

    page = (await get(client, r.headers["location"], world)).text  # waits for the view
    assert f"{path}/table-clause" not in page  # nothing but the mandate before the mandate
    mandate_meeting = next(m for m in map(str, o.meetings) if f'value="{m}"' in page)
    await act("adopt-mandate", {"meeting_id": mandate_meeting,
                                "demands": f"{WORDING}\nA rest day every week"})
    await act("table-clause", {"wording": WORDING, "on": today().isoformat()})
    (clause,) = app.repository.get(round_id).clauses
    await act("record-session", {"held_on": today().isoformat(), "our_attendee_ids": o.workers[:1],
                                 "their_attendees": "Operations manager",
                                 f"note-{clause}": NOTE})
    await act("propose", {"clause_id": clause, "side": "theirs", "text": "By the 10th",
                          "on": today().isoformat()})
    await act("reach-tentative", {"clause_ids": [clause], "on": today().isoformat()})
    await act("ratify", {"meeting_id": _meeting_today(app, world), "votes_for": "2",
                         "against": "1", "abstaining": "1", "rule": "two_thirds"})
    await act("bring-into-force", {"starts_on": today().isoformat(),
                                   "expires_on": (today() + timedelta(days=60)).isoformat()})
    grievance = app.execute(c.RaiseGrievance(
        command_id=uuid.uuid4(), collective_id=o.collective, worker_ids=(o.workers[0],),
        category="wages_unpaid_late", sector="domestic_care", place="HK", stage="destination",
        occurred_on=today(), description="Paid on the 20th.")).id
    cited = app.execute(c.CiteBreach(command_id=uuid.uuid4(), grievance_id=grievance,
                                     bargaining_id=round_id, clause_id=clause))
    await get(client, f"{path}?n={cited.notification_id}", world)  # waits for the view
    return path, round_id, clause


async def test_the_round_reads_from_mandate_to_breach(client, us, app, story):
    world = us
    path, round_id, _clause = story
    assert app.repository.get(round_id).status == "in_force"
    page = (await get(client, path, world)).text
    for text in (WORDING, NOTE, "Operations manager", "A rest day every week"):
        assert text in page
    assert "Breaches 1" in " ".join(page.split()).replace("</strong>", "")
    assert f"{path}/end" in page and f"{path}/ratify" not in page  # the step that applies now
    assert len(page.encode()) <= 60_000
    assert "<script" not in page.split("</head>")[1]  # every step is a plain form
    home = (await get(client, f"/c/{world.ours.collective}", world)).text
    assert f'href="{path}"' in home  # expires within 90 days: the renewal reminder


async def test_a_session_before_the_mandate_is_refused_in_nepali_and_kept(client, us, app):
    world = us
    o = world.ours
    base = f"/c/{o.collective}/bargaining"
    listing = (await get(client, base, world)).text
    r = await post(client, base, world, {
        "command_id": hidden(form_of(listing, base), "command_id")[0],
        "counterpart_id": o.organisations[1], "team_ids": o.workers[:1],
        "opened_on": (today() - timedelta(days=400)).isoformat()})
    path = r.headers["location"].split("?")[0]
    page = (await get(client, r.headers["location"], world)).text
    meeting = next(m for m in map(str, o.meetings) if f'value="{m}"' in page)
    r = await send_action(client, world, path, "adopt-mandate",
                          {"meeting_id": meeting, "demands": "Pay on time"})
    assert r.status_code == 303
    await get(client, r.headers["location"], world)
    held_on = app.repository.get(uuid.UUID(path.rsplit("/", 1)[1])).mandate_on - timedelta(days=3)
    before = max_id(app)
    r = await send_action(client, world, path, "record-session",
                          {"held_on": held_on.isoformat(), "our_attendee_ids": o.workers[:1],
                           "their_attendees": "Typed by her"}, lang="ne")
    assert r.status_code == 422 and max_id(app) == before
    assert "Typed by her" in r.text  # what she typed stays
    assert "This date is before the members adopted the mandate" not in r.text  # in Nepali
    assert 'lang="ne"' in r.text


async def test_an_organiser_sees_stages_and_counts_never_words_nor_forms(client, us,
                                                                         federation, story):
    world = us
    path, _round_id, _ = story
    r = await get(client, path, world, who=us.organiser)
    assert r.status_code == 200
    for text in (WORDING, NOTE, "Operations manager", "\x1esealed"):
        assert text not in r.text
    assert f'action="{path}/' not in r.text  # no step to take
    assert "Breaches 1" in " ".join(r.text.split()).replace("</strong>", "")


@pytest.mark.parametrize("who", ["other", "other_organiser"])
async def test_another_collective_or_federation_gets_not_found(client, us, federation, story,
                                                               who):
    world = us
    path, _round_id, _ = story
    account = world.other if who == "other" else federation.other_organiser
    r = await get(client, path, world, who=account)
    ghost = await get(client, path.rsplit("/", 1)[0] + f"/{uuid.uuid4()}", world, who=account)
    assert r.status_code == ghost.status_code == 404
    assert WORDING not in r.text


async def test_another_leader_cannot_post_a_step(client, us, app, story):
    world = us
    path, round_id, _ = story
    before = max_id(app)
    r = await post(client, f"{path}/end", world, {
        "command_id": str(uuid.uuid4()), "on": today().isoformat(), "reason": "terminated"},
        who=world.other)
    assert r.status_code == 404 and max_id(app) == before
    assert app.repository.get(round_id).status == "in_force"


async def test_a_grievance_cites_a_breached_clause_from_its_page(client, us, app, story):
    world = us
    path, round_id, clause = story
    o = world.ours

    def raised(day) -> uuid.UUID:
        return app.execute(c.RaiseGrievance(
            command_id=uuid.uuid4(), collective_id=o.collective, worker_ids=(o.workers[1],),
            category="wages_unpaid_late", sector="domestic_care", place="HK",
            stage="destination", occurred_on=day, description="Paid late again.")).id

    async def cite(gid, lang=None):
        g = f"/c/{o.collective}/grievances/{gid}"
        page = (await get(client, g, world)).text
        form = form_of(page, f"{g}/breach")
        assert f'value="{round_id}:{clause}"' in form and WORDING in form
        return await send_action(client, world, g, "breach", {"clause": f"{round_id}:{clause}"},
                                 lang=lang)

    early = raised(today() - timedelta(days=30))  # before the agreement started
    before = max_id(app)
    r = await cite(early, lang="ne")
    assert r.status_code == 422 and max_id(app) == before
    assert 'lang="ne"' in r.text and "That clause was not in force" not in r.text
    good = raised(today())
    r = await cite(good)
    assert r.status_code == 303
    assert app.repository.get(good).breaches == ((round_id, clause),)
    page = (await get(client, r.headers["location"], world)).text
    assert WORDING in page  # the grievance says which clause it cites
    assert (round_id, clause) in app.repository.get(good).breaches


async def test_a_campaign_page_shows_the_bargaining_it_grew_into(client, us, app, runtime):
    """A campaign can end in an agreement: the round opened from it shows on its page, by its
    stage, linked; another collective's leader reads the campaign nowhere."""
    world = us
    o = world.ours
    campaign = app.execute(c.LaunchCampaign(
        command_id=uuid.uuid4(), issue="Pay on time", demands=("Pay by the 7th",),
        collective_ids=(o.collective,), launched_on=today() - timedelta(days=30))).id
    page = f"/c/{o.collective}/campaigns/{campaign}"
    settle_views(runtime)
    assert "/bargaining/" not in (await get(client, page, world)).text
    opened = app.execute(c.OpenBargaining(
        command_id=uuid.uuid4(), collective_id=o.collective, counterpart_id=o.organisations[1],
        team_ids=tuple(o.workers[:1]), opened_on=today() - timedelta(days=2),
        campaign_id=campaign)).id
    settle_views(runtime)
    r = await get(client, page, world)
    assert r.status_code == 200
    assert f'href="/c/{o.collective}/bargaining/{opened}"' in r.text
    assert (await get(client, page, world, who=world.other)).status_code == 404


async def test_every_counterpart_is_offered_past_the_first_two_hundred(client, us, app, runtime):
    """A registry of hundreds: the "start bargaining" picker offers every organisation one
    bargains with (the phone searches them), not the first page of the registry by name."""
    world = us
    o = world.ours
    last = None
    for i in range(210):
        last = app.execute(c.CreateOrganisation(
            command_id=uuid.uuid4(), name=f"Zz agency {i:03d} {uuid.uuid4().hex[:4]}",
            kind="recruiter", collective_id=o.collective)).id
    settle_views(runtime)
    r = await get(client, f"/c/{o.collective}/bargaining", world)
    assert r.status_code == 200 and f'value="{last}"' in r.text
