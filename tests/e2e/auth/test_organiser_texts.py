"""Organisers read a campaign's issue and its demands on the boards, and never an agreement's
clauses or a closing summary: whichever route asks. The record read-back
(``/api/v1/campaigns/{id}``) withholds them; the campaign board's JSON routes
(``/api/v1/views/campaigns``) must too, for a token and a session alike."""

from __future__ import annotations

import uuid
from datetime import date

from organize import commands as c
from tests.e2e.auth.conftest import call
from tests.support import settle_views


async def test_organisers_never_read_clauses_or_summaries_on_any_route(client, app, runtime, world,
                                                                      people):
    a, tag = world.a, uuid.uuid4().hex[:8]
    clause, summary = f"Clause{tag} back pay for Asha", f"Summary{tag}"
    campaign = app.execute(c.LaunchCampaign(
        command_id=uuid.uuid4(), issue=f"Issue{tag}", demands=(f"Demand{tag}",),
        collective_ids=(a.collective,), launched_on=date(2025, 2, 1))).id
    app.execute(c.SignAgreement(command_id=uuid.uuid4(), campaign_id=campaign,
                                with_organisation_id=world.organisation,
                                signed_on=date(2025, 5, 1), clauses=(clause,)))
    app.execute(c.CloseCampaign(command_id=uuid.uuid4(), campaign_id=campaign,
                                on=date(2025, 5, 2), summary=summary))
    settle_views(runtime)
    routes = ("/api/v1/views/campaigns", f"/api/v1/views/campaigns/{campaign}",
              f"/api/v1/campaigns/{campaign}", f"/api/v1/federations/{a.federation}/board",
              "/o/campaigns")
    for path in routes:
        for via in ("token", "session"):
            r = await call(client, "GET", path, people["organiser"], via=via)
            assert r.status_code == 200, (path, via, r.status_code)
            assert clause not in r.text and summary not in r.text, (path, via)
    board = (await call(client, "GET", f"/api/v1/views/campaigns/{campaign}",
                        people["organiser"])).json()
    assert board["issue"] == f"Issue{tag}"  # the board keeps what organisers coordinate on
    assert [d["text"] for d in board["demands"]] == [f"Demand{tag}"]
    assert board["agreements"][0]["clauses"] == ["[withheld]"]
    for who in ("leader_a", "admin"):  # who reads free text still reads the clauses
        r = await call(client, "GET", f"/api/v1/views/campaigns/{campaign}", people[who])
        assert r.json()["agreements"][0]["clauses"] == [clause], who


async def test_organisers_never_read_a_self_assessments_narrative(client, app, runtime, world,
                                                                 people):
    """The record read-back withholds a narrative from organisers; the indicators, which show
    the collective's own assessment beside the computed one, must too (its levels stay)."""
    a, narrative = world.a, f"Narrative{uuid.uuid4().hex[:8]} about Bina's employer"
    app.execute(c.RecordAssessment(
        command_id=uuid.uuid4(), collective_id=a.collective, assessed_on=date(2025, 4, 1),
        levels=(c.Level(dimension="collective_voice", level=3),), narrative=narrative))
    settle_views(runtime)
    routes = (f"/api/v1/indicators/collectives/{a.collective}",
              f"/api/v1/indicators/federations/{a.federation}", "/o")
    for path in routes:
        for via in ("token", "session"):
            r = await call(client, "GET", path, people["organiser"], via=via)
            assert r.status_code == 200, (path, via, r.status_code)
            assert narrative not in r.text, (path, via)
    own = (await call(client, "GET", routes[0], people["organiser"])).json()["self_assessment"]
    assert own["narrative"] == "[withheld]" and own["levels"]
    for who in ("leader_a", "admin"):
        r = await call(client, "GET", routes[0], people[who])
        assert narrative in r.text, who
