"""The view routes over real HTTP: a Litestar app built here around ``views_router()`` (the
real app factory wires the same dependencies), served by uvicorn in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest
import uvicorn
from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.di import Provide

from organize import commands as c
from organize.persistence.keys import Sealer
from organize.persistence.reveal import opened_with
from organize.projections import registry
from organize.projections.reads import Scope
from organize.projections.runner import BatchedRunner
from tests.integration import support as h
from tests.integration.support import (
    VIEWS,
    at,
    catch_up,
    collective,
    fed,
    grievance,
    organisation,
    spell,
    worker,
)
from web.api import errors
from web.api.views import ERASED, UPDATING_HEADER, views_router

pytestmark = [pytest.mark.integration, pytest.mark.api]

SCOPE_HEADER = "x-test-collective"  # test only: the real app builds the scope from the account


def build_app(app, database) -> Litestar:
    async def open_pool(server: Litestar) -> None:
        server.state.pool = await asyncpg.create_pool(database.asyncpg_dsn(), min_size=1, max_size=4)

    async def close_pool(server: Litestar) -> None:
        await server.state.pool.close()

    async def reveal(items: list[tuple[UUID, bytes | None]]) -> dict[UUID, str]:
        keys = await asyncio.to_thread(app.keys.get_many, [i for i, _ in items])
        names = {}
        for worker_id, sealed in items:
            plain = Sealer.open_with(keys.get(worker_id), worker_id, sealed)
            names[worker_id] = (ERASED if plain is None
                                else msgspec.json.decode(plain, type=c.Profile).pseudonym)
        return names

    async def open_texts(found: Any) -> Any:  # the collective texts the views keep sealed
        return await asyncio.to_thread(opened_with, app.keys, found)

    reveal.open = open_texts  # as organize.persistence.reveal.Revealer.open

    def reader_scope(request: Request) -> Scope:
        collective_id = request.headers.get(SCOPE_HEADER)
        if collective_id is None:
            return Scope.everything()
        return Scope(collective_ids=frozenset({UUID(collective_id)}))

    def db_pool(state: State) -> asyncpg.Pool:
        return state.pool

    def reveal_dependency() -> Any:
        return reveal

    return Litestar(
        route_handlers=[views_router()],
        dependencies={
            "db_pool": Provide(db_pool, sync_to_thread=False),
            "reader_scope": Provide(reader_scope, sync_to_thread=False),
            "reveal": Provide(reveal_dependency, sync_to_thread=False),
        },
        on_startup=[open_pool], on_shutdown=[close_pool],
        exception_handlers=errors.HANDLERS,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def http(app, database):
    registry.open_views(app.recorder.datastore, [*VIEWS, "organisations"], taxonomy=app.taxonomy)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(build_app(app, database), host="127.0.0.1", port=port,
                                           log_config=None, access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1/views", timeout=30) as client:
        yield client
    server.should_exit = True
    thread.join(timeout=10)


def test_grievance_routes_filter_count_and_refuse_bad_params(app, http):
    coll = collective(app, federation=fed())
    w = worker(app, coll)
    employer = organisation(app)
    g = grievance(app, coll, [w], organisation_ids=(employer,), occurred_on=date(2025, 2, 1))
    grievance(app, coll, [w], category="verbal_abuse", occurred_on=date(2024, 2, 1))
    catch_up(app, [*VIEWS, "organisations"])

    r = http.get("/grievances", params={"collective_id": str(coll), "organisation_id": str(employer),
                                        "period_from": "2025-01-01", "status": "open"})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store" and UPDATING_HEADER.lower() not in r.headers
    (row,) = r.json()
    assert row["id"] == str(g) and row["category_group"] == "pay" and "description" not in row
    r = http.get("/grievances/count", params={"collective_id": str(coll), "group": "violence"})
    assert r.json() == {"count": 1}
    assert len(http.get("/grievances", params={"collective_id": str(coll), "limit": 1}).json()) == 1
    for bad in ({"status": "closed"}, {"limit": 0}, {"collective_id": "nope"},
                {"period_from": "yesterday"}, {"category": "Not A Code"}):
        r = http.get("/grievances", params=bad)
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["error"] == "invalid_input"

    r = http.get("/common-grievances", params={"min_grievances": 1, "limit": 1000})
    assert r.status_code == 200
    assert any(x["organisation_id"] == str(employer) for x in r.json())
    orgs = http.get("/organisations", params={"kind": "employer", "limit": 1000}).json()
    assert str(employer) in {o["id"] for o in orgs}


def test_worker_meeting_and_campaign_routes_reveal_pseudonyms_only(app, http):
    federation = f"{fed()} Kowloon"  # a name with a space travels percent-encoded
    coll = collective(app, federation=federation)
    rina, mala = worker(app, coll, "Rina"), worker(app, coll, "Mala")
    spell(app, rina, "garment", date(2020, 1, 1))
    spell(app, rina, "domestic_care", date(2021, 1, 1))
    meeting = app.execute(c.ScheduleMeeting(command_id=h.cid(), kind="assembly", collective_ids=(coll,),
                                            scheduled_for=at(date(2025, 2, 1)), language="en")).id
    app.execute(c.RecordMeetingHeld(command_id=h.cid(), meeting_id=meeting, held_at=at(date(2025, 2, 1)),
                                    attendee_ids=(rina, mala), facilitator_ids=(mala,), language="en"))
    campaign = app.execute(c.LaunchCampaign(command_id=h.cid(), issue="Day off", demands=("Sundays",),
                                            collective_ids=(coll,), launched_on=date(2025, 1, 1))).id
    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=rina))
    catch_up(app)

    r = http.get(f"/collectives/{coll}/workers")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert [(x["id"], x["pseudonym"], x["erased"]) for x in body] == [
        (str(rina), ERASED, True), (str(mala), "Mala", False)]
    assert all("sealed_profile" not in x for x in body)
    assert [s["sector"] for s in body[0]["spells"]] == ["garment", "domestic_care"]
    r = http.get(f"/workers/{mala}/trajectory")
    assert r.json()["pseudonym"] == "Mala" and r.json()["memberships"][0]["collective_id"] == str(coll)

    r = http.get(f"/meetings/{meeting}/attendance")
    assert [(x["pseudonym"], x["facilitated"])
            for x in r.json()["attendees"]] == [(ERASED, False), ("Mala", True)]
    assert r.json()["elsewhere"] == []
    meetings = http.get("/meetings", params={"collective_id": str(coll)}).json()
    assert [m["id"] for m in meetings] == [str(meeting)]
    assert meetings[0]["attendee_ids"] == [str(rina), str(mala)]

    r = http.get(f"/campaigns/{campaign}")
    assert r.json()["demands"][0]["text"] == "Sundays"
    assert str(campaign) in {x["id"] for x in http.get("/campaigns", params={"status": "active"}).json()}

    flows = http.get(f"/sector-flows/{federation}").json()
    # One worker moved: a count below k is never shown, only that a flow exists.
    assert flows["cells"] == [{"from_sector": "garment", "to_sector": "domestic_care", "workers": None}]
    assert flows["k"] == 10 and flows["workers_with_trajectories"] is None

    # Unknown ids, and ids out of the reader's scope, are 404 alike.
    elsewhere = {SCOPE_HEADER: str(h.cid())}
    for path in (f"/campaigns/{h.cid()}", f"/meetings/{h.cid()}/attendance",
                 f"/collectives/{h.cid()}/workers", f"/workers/{h.cid()}/trajectory",
                 f"/sector-flows/{fed()}"):
        assert http.get(path).status_code == 404, path
    for path in (f"/campaigns/{campaign}", f"/meetings/{meeting}/attendance",
                 f"/collectives/{coll}/workers", f"/workers/{mala}/trajectory",
                 f"/sector-flows/{federation}"):
        assert http.get(path, headers=elsewhere).status_code == 404, path
        assert http.get(path, headers={SCOPE_HEADER: str(coll)}).status_code == 200, path
    assert http.get("/grievances", headers=elsewhere).json() == []


def test_wait_for_reads_your_writes_or_says_the_views_are_updating(app, http):
    views = registry.open_views(app.recorder.datastore, ["grievance_register"], taxonomy=app.taxonomy)
    runner = BatchedRunner(app.recorder, app.mapper, views)
    runner.catch_up()
    coll = collective(app, federation=fed())
    raised = app.execute(h.raise_grievance(coll, [worker(app, coll)]))
    # Not caught up yet: the bounded wait gives up and says so.
    r = http.get("/grievances/count", params={"collective_id": str(coll),
                                              "wait_for": raised.notification_id})
    assert r.headers[UPDATING_HEADER] == "true" and r.json() == {"count": 0}
    # A runner following the log: the answer includes the write.
    runner.start()
    try:
        more = app.execute(h.raise_grievance(coll, [worker(app, coll)]))
        r = http.get("/grievances/count", params={"collective_id": str(coll),
                                                  "wait_for": more.notification_id})
        assert UPDATING_HEADER.lower() not in r.headers and r.json() == {"count": 2}
    finally:
        runner.stop()
