"""The JSON API over real HTTP: happy paths, and every kind of bad input getting a 4xx that
names the field, with nothing appended."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.api


def new() -> str:
    return str(uuid.uuid4())


def max_id(app) -> int:
    return app.recorder.max_notification_id() or 0


def create_collective(http, **kw):
    body = {"command_id": new(), "name": "Bangla garment collective", "kind": "worker_collective",
            "sectors": ["garment"], "places": ["BD-DHA"], "languages": ["bn"]}
    body.update(kw)
    return http.post("/api/v1/collectives/create", json=body)


def test_health_and_schema(http):
    r = http.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": "reachable"}
    schema = http.get("/schema/openapi.json").json()
    assert "/api/v1/grievances/raise" in schema["paths"]
    assert "/api/v1/workers/{aggregate_id}" in schema["paths"]


def test_create_read_and_resubmit(http, app):
    body = {"command_id": new(), "name": "Hong Kong branch", "kind": "union_branch",
            "sectors": ["domestic_care"], "places": ["HK"], "languages": ["en", "tl"]}
    r = http.post("/api/v1/collectives/create", json=body)
    assert r.status_code == 201, r.text
    result = r.json()
    assert result["notification_id"] == max_id(app) and result["replayed"] is False
    again = http.post("/api/v1/collectives/create", json=body)
    assert again.status_code == 201 and again.json()["replayed"] is True
    assert again.json()["id"] == result["id"]
    read = http.get(f"/api/v1/collectives/{result['id']}")
    assert read.status_code == 200 and read.json()["name"] == "Hong Kong branch"
    assert r.headers["x-request-id"]


def test_worker_round_trip_and_erasure_over_http(http):
    collective = create_collective(http).json()["id"]
    r = http.post("/api/v1/workers/register", json={
        "command_id": new(), "collective_id": collective, "joined_on": "2025-02-01",
        "profile": {"pseudonym": "Asha", "phone": "+880 1555 0101"}})
    assert r.status_code == 201, r.text
    worker = r.json()["id"]
    assert http.get(f"/api/v1/workers/{worker}").json()["profile"]["pseudonym"] == "Asha"
    r = http.post("/api/v1/workers/erase", json={"command_id": new(), "worker_id": worker})
    assert r.status_code == 200
    view = http.get(f"/api/v1/workers/{worker}").json()
    assert view["erased"] is True and view["profile"] == {
        "pseudonym": "[erased]", "legal_name": None, "phone": None, "document_number": None,
        "note": None}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ('{"command_id": ', 400, None),                                     # malformed JSON
        ({"command_id": new(), "name": 7, "kind": "union_branch"}, 400, "name"),  # wrong type
        ({"command_id": new(), "name": "x" * 121, "kind": "union_branch"}, 400, "name"),  # oversized
        ({"command_id": new(), "name": "ok", "kind": "police"}, 422, "kind"),   # unknown code
        ({"command_id": "not-a-uuid", "name": "ok", "kind": "union_branch"}, 400, "command_id"),
        # an unknown field: refused, its name never echoed (it could be anything typed)
        ({"command_id": new(), "name": "ok", "kind": "union_branch", "extra": 1}, 400, None),
        ({"name": "ok", "kind": "union_branch"}, 400, "command_id"),          # missing field
        ({}, 400, "command_id"),
        ([], 400, None),
    ],
)
def test_bad_input_gets_4xx_naming_the_field(http, app, body, status, field):
    before = max_id(app)
    kwargs = {"content": body, "headers": {"content-type": "application/json"}} if isinstance(
        body, str) else {"json": body}
    r = http.post("/api/v1/collectives/create", **kwargs)
    assert r.status_code == status, r.text
    error = r.json()
    assert error["status_code"] == status and error["message"]
    if field:
        assert error["field"] == field
        assert field in error["message"] or status == 422
    assert max_id(app) == before


def test_unknown_id_stale_version_and_oversized_body(http, app):
    r = http.post("/api/v1/collectives/rename", json={
        "command_id": new(), "collective_id": new(), "name": "x"})
    assert r.status_code == 404 and r.json()["field"] == "collective_id"
    created = create_collective(http).json()["id"]
    ok = http.post("/api/v1/collectives/rename", json={
        "command_id": new(), "collective_id": created, "expected_version": 2, "name": "Two"})
    assert ok.status_code == 200
    before = max_id(app)
    stale = http.post("/api/v1/collectives/rename", json={
        "command_id": new(), "collective_id": created, "expected_version": 1, "name": "Three"})
    assert stale.status_code == 409 and stale.json()["field"] == "expected_version"
    huge = http.post("/api/v1/collectives/create", content=b'{"name": "' + b"x" * 400_000 + b'"}',
                     headers={"content-type": "application/json"})
    assert huge.status_code == 413
    assert max_id(app) == before
    assert http.get(f"/api/v1/workers/{new()}").status_code == 404


def test_referral_needs_consent_over_http(http):
    collective = create_collective(http).json()["id"]
    org = http.post("/api/v1/organisations/create", json={
        "command_id": new(), "name": "Shelter North", "kind": "shelter"}).json()["id"]
    worker = http.post("/api/v1/workers/register", json={
        "command_id": new(), "profile": {"pseudonym": "Mina"}}).json()["id"]
    grievance = http.post("/api/v1/grievances/raise", json={
        "command_id": new(), "collective_id": collective, "worker_ids": [worker],
        "category": "documents_confiscated", "sector": "garment", "place": "BD-DHA",
        "stage": "destination", "occurred_on": "2025-04-01", "description": "ID kept"}).json()["id"]
    refer = {"grievance_id": grievance, "organisation_id": org, "worker_ids": [worker],
             "on": "2025-04-03"}
    r = http.post("/api/v1/grievances/refer", json={"command_id": new(), **refer})
    assert r.status_code == 422 and r.json()["error"] == "no_consent"
    consent = http.post("/api/v1/workers/give-consent", json={
        "command_id": new(), "worker_id": worker, "purpose": f"referral:{org}"})
    assert consent.status_code == 200, consent.text
    r = http.post("/api/v1/grievances/refer", json={"command_id": new(), **refer})
    assert r.status_code == 200, r.text


def test_without_a_token_every_api_route_is_401_but_health_stays_open(base_url):
    import httpx

    with httpx.Client(base_url=base_url, timeout=30) as anonymous:
        assert anonymous.get("/healthz").status_code == 200
        assert anonymous.get("/schema/openapi.json").status_code == 200
        r = anonymous.post("/api/v1/collectives/create", json={"command_id": new(), "name": "x",
                                                               "kind": "union_branch"})
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"
        assert anonymous.get(f"/api/v1/workers/{new()}").status_code == 401
        assert anonymous.get("/api/v1/views/grievances").status_code == 401
        schema = anonymous.get("/schema/openapi.json").json()
    operation = schema["paths"]["/api/v1/grievances/raise"]["post"]
    assert {"401", "403"} <= set(operation["responses"]) and operation["security"] == [{"bearer": []}]
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
