"""The organisers' pages (``/o``) through Litestar's test client, against the real database:
an organiser sees her own federation's collectives side by side (never ranked, never a
membership count, never a worker's pseudonym), the common grievances across collectives
and sectors, launches a joint campaign from one in one step, the leaders of the invited
collectives accept or decline it on their own pages, the board shows where it stands, and
a cross-sector coordination meeting is scheduled. The overview, board and flows answer as
of a date, and two dates side by side. Leaders are refused; another federation is a 404.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from organize.application import new_id
from organize.domain import Campaign, Meeting
from tests.e2e.pages.conftest import PSEUDONYMS, Federation, World
from tests.e2e.pages.support import get, hidden, max_id, post, today

pytestmark = pytest.mark.integration

PAGES = ("/o", "/o/grievances", "/o/campaigns", "/o/flows")
SISTER_NAMES = ("Lin", "Mei", "Ruth", "Ana")


def words(html: str) -> set[str]:
    return set(re.findall(r"[\w'’-]+", re.sub(r"<[^>]+>", " ", html)))


def personal_fields(html: str, world: World, federation: Federation) -> list[str]:
    """Pseudonyms (and worker ids) of every worker the fixtures made, found on a page."""
    found = [p for p in (*PSEUDONYMS, *SISTER_NAMES) if p in words(html)]
    return found + [str(w) for side in (world.ours, world.theirs, federation.sister)
                    for w in side.workers if str(w) in html]


def cluster_form(html: str, federation: Federation) -> str:
    """The launch form of the common grievance ours and the sister share."""
    for form in html.split("<form ")[1:]:
        form = form.split("</form>")[0]
        if f'name="key" value="{federation.organisation}"' in form \
                and f'name="category" value="{federation.category}"' in form:
            return form
    raise AssertionError("the cross-sector common grievance has no launch form")


async def follow(client, r, world, who):
    """Where a command led (its ``?n=`` waits for the views to apply it)."""
    assert r.status_code == 303, (r.status_code, r.text[:400])
    return await get(client, r.headers["location"], world, who=who)


# -- who sees what -----------------------------------------------------------------------------


async def test_every_organiser_page_renders_for_her_federation_only(client, world, federation):
    for path in PAGES:
        r = await get(client, path, world, who=federation.organiser)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert r.headers["cache-control"] == "no-store"
        assert personal_fields(r.text, world, federation) == [], path
        assert str(world.theirs.collective) not in r.text, path  # another federation's
        assert "Dhaka Garment" not in r.text, path
        for lang in ("ne", "ar"):
            assert (await get(client, path, world, who=federation.organiser, lang=lang)
                    ).status_code == 200, (path, lang)


async def test_another_organiser_sees_her_own_federation_and_never_this_one(client, world, federation):
    theirs = await get(client, "/o", world, who=federation.other_organiser)
    assert theirs.status_code == 200 and "Dhaka Garment" in theirs.text
    assert "Kowloon Sisters" not in theirs.text and "Ap Lei Chau" not in theirs.text
    for path in PAGES:  # naming this federation: the same 404 as a federation that does not exist
        r = await get(client, f"{path}?f={quote(federation.name)}", world, who=federation.other_organiser)
        missing = await get(client, f"{path}?f=No+such+federation", world, who=federation.other_organiser)
        assert r.status_code == missing.status_code == 404, path
        assert "Kowloon Sisters" not in r.text


async def test_leaders_are_refused_and_an_admin_picks_a_federation(client, world, federation):
    for path in PAGES:
        r = await get(client, path, world)  # a leader of ours
        assert r.status_code == 403, path
        assert "Kowloon Sisters" not in r.text
    listing = await get(client, "/o", world, who=federation.admin)
    assert listing.status_code == 200
    assert f"/o?f={quote(federation.name).replace('%20', '+')}" in listing.text.replace("%20", "+")
    for path in PAGES:
        r = await get(client, f"{path}?f={quote(federation.name)}", world, who=federation.admin)
        assert r.status_code == 200, path
        assert personal_fields(r.text, world, federation) == [], path
        # Her links keep the federation she picked.
        assert re.search(r'href="/o/campaigns\?f=', r.text), path


async def test_anonymous_is_sent_to_log_in(client, world):
    client.cookies.clear()
    for path in PAGES:
        r = await client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"


# -- the overview --------------------------------------------------------------------------------


async def test_the_overview_puts_collectives_side_by_side_by_name(client, world, federation):
    html = (await get(client, "/o", world, who=federation.organiser)).text
    names = re.findall(r'<th scope="col">([^<]+)</th>', html)[1:]
    assert len(names) == 2 and names == sorted(names), names  # by name, never by score
    assert "not a ranking" in html and "not a membership count" in html
    for dimension in ("Issue dynamism", "Collective voice", "Cross-sector solidarity",
                      "Safety climate"):
        assert dimension in html
    assert html.count("<details><summary>Why</summary>") >= 8  # the reasons behind the levels
    # Growing or stalling, where there is any, is said first with its reasons.
    if "t-growing" in html or "t-stalling" in html:
        assert "Where organising is moving" in html


async def test_the_reasons_are_worded_in_the_readers_language(client, world, federation):
    english = (await get(client, "/o", world, who=federation.organiser)).text
    said = re.findall(r'<ul class="why">(.*?)</ul>', english, re.S)
    assert said and "in the last 12 weeks" in " ".join(said)
    for lang, words in (("ne", "पछिल्ला"), ("bn", "গত"), ("ar", "في آخر")):
        html = (await get(client, "/o", world, who=federation.organiser, lang=lang)).text
        reasons = " ".join(re.findall(r'<ul class="why">(.*?)</ul>', html, re.S))
        assert words in reasons, lang
        assert "in the last" not in reasons and "No meeting" not in reasons, lang  # no English left


async def test_the_overview_as_of_a_date_and_two_dates_compared(client, world, federation):
    long_ago = "2001-01-01"
    then = await get(client, f"/o?as_of={long_ago}", world, who=federation.organiser)
    assert then.status_code == 200
    assert "As of Jan 1, 2001" in then.text
    assert "strong" not in words(then.text) and "established" not in words(then.text)
    now = (await get(client, "/o", world, who=federation.organiser)).text
    assert "established" in words(now) or "growing" in words(now) or "strong" in words(now)
    both = await get(client, f"/o?as_of={today().isoformat()}&compare={long_ago}", world,
                     who=federation.organiser)
    html = both.text
    assert "What changed from Jan 1, 2001 to" in html  # the earlier date first
    assert html.index("cap-1") < html.index("cap-2")
    assert "Kowloon Sisters" in html.split("What changed")[1]
    bad = await get(client, "/o?as_of=not-a-date", world, who=federation.organiser)
    assert bad.status_code == 200 and "form-error" in bad.text  # says so, shows today


# -- common grievances and the joint campaign ---------------------------------------------------------


async def test_launch_a_joint_campaign_from_a_cross_sector_common_grievance(
        client, app, world, federation):
    """The organiser finds the grievance ours (domestic care) and the sister (hospitality)
    share, launches a joint campaign in one step; both leaders see the invitation, the
    sister's leader accepts and ours declines; the board says so."""
    org = federation.organiser
    page = await get(client, "/o/grievances?across=collectives", world, who=org)
    assert page.status_code == 200
    form = cluster_form(page.text, federation)
    assert "Across collectives and sectors" in page.text
    data = {"command_id": hidden(form, "command_id")[0], "category": federation.category,
            "key_kind": "organisation", "key": str(federation.organisation),
            "issue": "Wages held back by Household 1", "demands": "Pay every month\nNo deductions",
            "launched_on": today().isoformat()}
    before = max_id(app)
    r = await post(client, "/o/grievances/launch", world, data, who=org)
    board = await follow(client, r, world, org)
    again = await post(client, "/o/grievances/launch", world, data, who=org)  # a double submit
    assert again.status_code == 303
    campaign_id = new_id(data["command_id"], "campaign")
    campaign = app.repository.get(campaign_id)
    assert isinstance(campaign, Campaign)
    assert set(campaign.grievance_ids) >= set(federation.sister.grievances)
    assert world.ours.grievances[0] in campaign.grievance_ids
    assert max_id(app) > before
    assert "Wages held back by Household 1" in board.text and "Saved." in board.text
    assert board.text.count("invited, no answer yet") >= 2
    assert personal_fields(board.text, world, federation) == []

    # Launched: the cluster now points to the campaign instead of offering the form again.
    page = (await get(client, "/o/grievances?across=collectives", world, who=org)).text
    assert "A joint campaign was launched:" in page

    # The sister's leader sees it on her home and her campaigns page, and accepts.
    sister = federation.sister.collective
    home = (await get(client, f"/c/{sister}", world, who=federation.sister_leader)).text
    assert "Invitations to joint campaigns" in home and "Wages held back by Household 1" in home
    listing = (await get(client, f"/c/{sister}/campaigns", world, who=federation.sister_leader)).text
    action = f"/c/{sister}/invitations/{campaign_id}/accept"
    assert f'action="{action}"' in listing
    accept_form = listing.split(f'action="{action}"')[1].split("</form>")[0]
    r = await post(client, action, world, {"command_id": hidden(accept_form, "command_id")[0]},
                   who=federation.sister_leader)
    assert r.headers["location"].startswith(f"/c/{sister}/campaigns/{campaign_id}")
    joined = await follow(client, r, world, federation.sister_leader)
    assert joined.status_code == 200 and "Wages held back by Household 1" in joined.text
    assert sister in app.repository.get(campaign_id).collective_ids

    # Ours' leader declines, with a reason.
    ours = world.ours.collective
    mine = (await get(client, f"/c/{ours}", world)).text
    decline = f"/c/{ours}/invitations/{campaign_id}/decline"
    decline_form = mine.split(f'action="{decline}"')[1].split("</form>")[0]
    r = await post(client, decline, world, {"command_id": hidden(decline_form, "command_id")[0],
                                            "reason": "no_capacity_now"}, lang="ne")
    await follow(client, r, world, world.leader)
    assert ours not in app.repository.get(campaign_id).collective_ids
    twice = await post(client, decline, world, {"command_id": str(new_id(data["command_id"], "x"))})
    assert twice.status_code == 422 and "form-error" in twice.text  # already answered

    board = (await get(client, "/o/campaigns", world, who=org)).text
    card = board.split(f'id="p-{campaign_id}"')[1].split('<li class="campaign"')[0]
    assert "Ap Lei Chau Hotel Workers" in card.split("Demands won")[0]  # joined
    assert "Kowloon Sisters" in card and "declined (No capacity now)" in card
    assert "Hospitality" in card and "Domestic" in card  # the sectors taking part


async def test_a_leader_cannot_launch_and_cannot_answer_for_another_collective(
        client, app, world, federation):
    page = (await get(client, "/o/grievances", world, who=federation.organiser)).text
    form = cluster_form(page, federation) if "A joint campaign was launched" not in page else ""
    before = max_id(app)
    r = await post(client, "/o/grievances/launch", world, {
        "command_id": hidden(form, "command_id")[0] if form else "x", "category": federation.category,
        "key_kind": "organisation", "key": str(federation.organisation), "issue": "Mine",
        "launched_on": today().isoformat()})  # as ours' leader
    assert r.status_code == 403 and max_id(app) == before
    # The sister's leader answering for ours: ours is not hers, the same 404 as no collective.
    r = await post(client, f"/c/{world.ours.collective}/invitations/{world.ours.campaigns[0]}/accept",
                   world, {"command_id": "00000000-0000-4000-8000-000000000001"},
                   who=federation.sister_leader)
    assert r.status_code == 404 and max_id(app) == before


async def test_a_launch_that_is_refused_keeps_what_she_typed(client, app, world, federation):
    org = federation.organiser
    page = (await get(client, "/o/grievances", world, who=org)).text
    form = page.split('action="/o/grievances/launch"')[1].split("</form>")[0]
    values = {n: hidden(form, n)[0] for n in ("command_id", "category", "key_kind", "key")}
    before = max_id(app)
    r = await post(client, "/o/grievances/launch", world, {
        **values, "issue": "", "demands": "Keep this demand", "launched_on": "someday"}, who=org,
        lang="ne")
    assert r.status_code == 422 and max_id(app) == before
    assert "Keep this demand" in r.text and "कृपया यो भर्नुहोस्।" in r.text
    gone = await post(client, "/o/grievances/launch", world, {
        **values, "key": "nowhere", "issue": "x", "launched_on": today().isoformat()}, who=org)
    assert gone.status_code == 422 and "not on the list any more" in gone.text


# -- the board, meetings, flows -------------------------------------------------------------------


async def test_schedule_a_cross_sector_coordination_meeting(client, app, world, federation):
    org = federation.organiser
    board = (await get(client, "/o/campaigns", world, who=org)).text
    form = board.split('action="/o/meetings/new"')[1].split("</form>")[0]
    when = (datetime.now(UTC) + timedelta(days=9)).replace(hour=11, minute=0, second=0, microsecond=0)
    data = {"command_id": hidden(form, "command_id")[0],
            "collective_ids": [world.ours.collective, federation.sister.collective],
            "scheduled_for": when.strftime("%Y-%m-%dT%H:%M"), "language": "en"}
    refused = await post(client, "/o/meetings/new", world, {**data, "collective_ids": []}, who=org)
    assert refused.status_code == 422 and 'id="do-meeting" open' in refused.text
    r = await post(client, "/o/meetings/new", world, data, who=org)
    shown = await follow(client, r, world, org)
    meeting = app.repository.get(new_id(data["command_id"], "meeting"))
    assert isinstance(meeting, Meeting) and meeting.kind == "cross_sector"
    assert set(meeting.collective_ids) == {world.ours.collective, federation.sister.collective}
    section = shown.text.split("Cross-sector coordination meetings")[1]
    assert "Kowloon Sisters" in section and "Ap Lei Chau" in section
    # The leaders see it among their meetings.
    mine = (await get(client, f"/c/{world.ours.collective}/meetings", world)).text
    assert "Cross-sector coordination" in mine
    # Another federation's collective cannot be named: refused, nothing appended.
    before = max_id(app)
    other = await post(client, "/o/meetings/new", world, {
        **data, "command_id": str(new_id(data["command_id"], "again")),
        "collective_ids": [world.theirs.collective]}, who=org)
    assert other.status_code == 422 and max_id(app) == before


async def test_the_board_as_of_a_date_and_compared(client, world, federation):
    org = federation.organiser
    then = await get(client, "/o/campaigns?as_of=2001-01-01", world, who=org)
    assert then.status_code == 200 and "A weekly rest day" not in then.text
    both = await get(client, f"/o/campaigns?as_of=2001-01-01&compare={today().isoformat()}",
                     world, who=org)
    assert both.status_code == 200 and "A weekly rest day" in both.text
    assert both.text.count('aria-labelledby="h-board-') == 2


async def test_flows_are_drawn_with_a_table_and_small_cells_suppressed(client, world, federation):
    html = (await get(client, "/o/flows", world, who=federation.organiser)).text
    assert '<svg class="heat"' in html and 'role="img"' in html
    assert "<table class=\"flows\">" in html  # the same numbers, as text
    k = int(re.search(r"fewer than (\d+) workers", html).group(1))
    assert k >= 5
    for cell in re.findall(r"<tr><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td></tr>", html):
        assert int(cell.replace(",", "")) >= k, cell  # a shown count is never below k
    assert "style=" not in html and "<script>" not in html
    then = await get(client, "/o/flows?as_of=2001-01-01&compare=" + today().isoformat(), world,
                     who=federation.organiser)
    assert then.status_code == 200 and then.text.count('id="h-flows-') == 2
