"""A record's history over real HTTP: every area has ``/api/v1/<area>/<id>/history``, scoped
like the record (an id out of scope is a 404, exactly as an unknown one), with roles and no
free text."""

from __future__ import annotations

import uuid

import httpx

from organize.accounts import AccountService
from tests.integration import support as h


def _token(app, role: str, **scope) -> dict[str, str]:
    accounts = AccountService(app)
    account_id = accounts.create_account(f"hist-{role}-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex,
                                         role=role, **scope)
    _, token = accounts.create_token(account_id, "history tests")
    return {"Authorization": f"Bearer {token}"}


def test_history_over_http_is_scoped_like_the_record(base_url, app):
    collective = app.execute(h.create_collective()).id
    other = app.execute(h.create_collective(name="Not hers")).id
    worker = app.execute(h.register_worker(collective, pseudonym="Api")).id
    org = app.execute(h.create_organisation(name="Agency History", kind="recruiter")).id
    mine = _token(app, "leader", collective_ids=[collective])
    with httpx.Client(base_url=base_url, timeout=30, headers=mine) as http:
        raised = http.post("/api/v1/grievances/raise", json={
            "command_id": str(uuid.uuid4()), "collective_id": str(collective),
            "worker_ids": [str(worker)], "category": "wages_unpaid_late",
            "sector": "domestic_care", "place": "HK", "stage": "destination",
            "occurred_on": "2025-03-01", "description": "Free text nobody else reads"})
        assert raised.status_code == 201, raised.text
        g = raised.json()["id"]
        got = http.get(f"/api/v1/grievances/{g}/history")
        assert got.status_code == 200
        (entry,) = got.json()
        assert entry["event"] == "Raised" and entry["role"] == "leader" and entry["zone"] == "UTC"
        assert "Free text" not in got.text and "hist-leader" not in got.text
        assert http.get(f"/api/v1/organisations/{org}/history").status_code == 200
        assert http.get(f"/api/v1/collectives/{collective}/history").status_code == 200
    theirs = _token(app, "leader", collective_ids=[other])
    with httpx.Client(base_url=base_url, timeout=30, headers=theirs) as http:
        hidden = http.get(f"/api/v1/grievances/{g}/history")
        unknown = http.get(f"/api/v1/grievances/{uuid.uuid4()}/history")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json()["error"] == unknown.json()["error"]
        assert http.get(f"/api/v1/workers/{worker}/history").status_code == 404
