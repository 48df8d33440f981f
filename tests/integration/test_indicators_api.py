"""The indicators' JSON routes over a real PostgreSQL, in-process (Litestar's test client),
with the dependencies the app factory provides: ``db_pool``, ``reader_scope``, ``rubric``."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from urllib.parse import quote

import asyncpg
import pytest
from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.testing import AsyncTestClient

from organize import commands as c
from organize.persistence.reveal import opened_with
from organize.projections import registry
from organize.projections.indicators.rubric import load_rubric
from organize.projections.reads import Scope
from organize.projections.runner import BatchedRunner
from tests.integration import support as h
from web.api import errors
from web.api.indicators import UPDATING_HEADER, indicators_router

pytestmark = [pytest.mark.integration, pytest.mark.api]

SCOPE_HEADER = "x-test-collective"  # test only: the real app builds the scope from the account
RUBRIC = load_rubric()


class _Reveal:
    """As organize.persistence.reveal.Revealer.open: the issue and narratives the view keeps sealed."""

    def __init__(self, app):
        self.app = app

    async def open(self, found):
        return await asyncio.to_thread(opened_with, self.app.keys, found)


def build_app(database, app) -> Litestar:
    async def open_pool(server: Litestar) -> None:
        server.state.pool = await asyncpg.create_pool(database.asyncpg_dsn(), min_size=1, max_size=2)

    async def close_pool(server: Litestar) -> None:
        await server.state.pool.close()

    def reader_scope(request: Request) -> Scope:
        collective_id = request.headers.get(SCOPE_HEADER)
        return Scope.everything() if collective_id is None else \
            Scope(collective_ids=frozenset({uuid.UUID(collective_id)}))

    def db_pool(state: State) -> asyncpg.Pool:
        return state.pool

    return Litestar(
        route_handlers=[indicators_router()],
        dependencies={"db_pool": Provide(db_pool, sync_to_thread=False),
                      "reader_scope": Provide(reader_scope, sync_to_thread=False),
                      "rubric": Provide(lambda: RUBRIC, sync_to_thread=False),
                      "reveal": Provide(lambda: _Reveal(app), sync_to_thread=False)},
        on_startup=[open_pool], on_shutdown=[close_pool],
        exception_handlers=errors.HANDLERS,
    )


@pytest.fixture(scope="module")
def recorded(app):
    federation = f"fed-api-{uuid.uuid4().hex[:6]} Women's Network"
    collective = app.execute(h.create_collective(name="Tsuen Wan collective", federation=federation)).id
    worker = app.execute(h.register_worker(collective)).id
    scheduled = app.execute(c.ScheduleMeeting(
        command_id=h.cid(), kind="assembly", collective_ids=(collective,),
        scheduled_for=datetime(2025, 3, 3, 10, tzinfo=UTC), language="en"))
    held = app.execute(c.RecordMeetingHeld(
        command_id=h.cid(), meeting_id=scheduled.id, held_at=datetime(2025, 3, 3, 10, tzinfo=UTC),
        attendee_ids=(worker,), facilitator_ids=(worker,), language="en", decisions=("Meet again",)))
    launched = app.execute(c.LaunchCampaign(
        command_id=h.cid(), issue="Rest days", collective_ids=(collective,), launched_on=date(2025, 3, 4)))
    views = registry.open_views(app.recorder.datastore, ["indicators"], rubric=RUBRIC)
    BatchedRunner(app.recorder, app.mapper, views).catch_up()
    return {"federation": federation, "collective": collective, "campaign": launched.id,
            "held": held.notification_id}


@pytest.fixture
async def client(app, database):
    async with AsyncTestClient(app=build_app(database, app)) as test_client:
        yield test_client


async def test_a_collective_as_json(client, recorded):
    response = await client.get(f"/api/v1/indicators/collectives/{recorded['collective']}",
                                params={"as_of": "2025-03-05"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["week"] == "2025-03-03" and body["rubric_digest"] == RUBRIC.digest
    leadership = {d["dimension"]: d for d in body["dimensions"]}["leadership"]
    assert leadership["level"] == 1 and leadership["label"] == "emerging"
    assert leadership["reasons"][0] == {
        "code": "facilitators", "params": {"n": 1, "meetings": 1, "new": 1},
        "evidence": [recorded["held"]]}
    assert leadership["trend"]["word"] == "growing" and len(leadership["sparkline"]) == 12
    assert body["self_assessment"] is None
    ancient = await client.get(f"/api/v1/indicators/collectives/{recorded['collective']}",
                               params={"as_of": "0001-01-01"})
    assert ancient.status_code == 200
    assert all(d["level"] == 0 for d in ancient.json()["dimensions"])


async def test_unknown_or_out_of_scope_is_404(client, recorded):
    missing = await client.get(f"/api/v1/indicators/collectives/{uuid.uuid4()}")
    assert missing.status_code == 404
    hidden = await client.get(f"/api/v1/indicators/collectives/{recorded['collective']}",
                              headers={SCOPE_HEADER: str(uuid.uuid4())})
    assert hidden.status_code == 404
    assert (await client.get(f"/api/v1/indicators/campaigns/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/api/v1/indicators/federations/nowhere")).status_code == 404
    bad_date = await client.get(f"/api/v1/indicators/collectives/{recorded['collective']}",
                                params={"as_of": "soon"})
    assert bad_date.status_code == 400


async def test_a_campaign_and_a_federation(client, recorded):
    campaign = await client.get(f"/api/v1/indicators/campaigns/{recorded['campaign']}",
                                params={"as_of": "2025-03-05"})
    assert campaign.status_code == 200
    assert campaign.json()["issue"] == "Rest days"
    assert "alliances" not in {d["dimension"] for d in campaign.json()["dimensions"]}
    federation = await client.get(f"/api/v1/indicators/federations/{quote(recorded['federation'])}",
                                  params={"as_of": "2025-03-05"})
    assert federation.status_code == 200
    assert [x["name"] for x in federation.json()["collectives"]] == ["Tsuen Wan collective"]


async def test_the_rubric_in_use(client):
    response = await client.get("/api/v1/indicators/rubric")
    assert response.status_code == 200
    body = response.json()
    assert body["window_weeks"] == 12 and body["digest"] == RUBRIC.digest
    assert body["dimensions"]["alliances"]["levels"][1]["thresholds"] == {"active_alliances": 1}


async def test_wait_for_says_when_the_indicators_are_still_updating(client, recorded):
    caught_up = await client.get(f"/api/v1/indicators/collectives/{recorded['collective']}",
                                 params={"wait_for": recorded["held"]})
    assert caught_up.status_code == 200 and UPDATING_HEADER not in caught_up.headers
    ahead = await client.get(f"/api/v1/indicators/collectives/{recorded['collective']}",
                             params={"wait_for": 10**12})
    assert ahead.status_code == 200 and ahead.headers[UPDATING_HEADER] == "true"
