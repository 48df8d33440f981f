"""Procedures, deadlines and money through the API over real HTTP: commands beside the pages,
reads that answer JSON with exact amounts as strings, and the insider's probes: a leader of
another collective and an organiser get 404 word for word as for an id nobody has, and every
byte of their answers is searched for what they must not learn."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from organize.accounts import AccountService
from tests.integration import support as h

pytestmark = pytest.mark.integration


def _token(runtime, role: str, **grant) -> dict[str, str]:
    accounts = AccountService(runtime.app)
    account = accounts.create_account(f"dm-{role}-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex,
                                      role=role, **grant)
    _, token = accounts.create_token(account, "deadline tests")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def setting(runtime):
    app = runtime.app
    federation = f"fed-{uuid.uuid4().hex[:6]}"
    coll = app.execute(h.create_collective(federation=federation, places=("HK",))).id
    sister = app.execute(h.create_collective(federation=federation, places=("HK",))).id
    worker = app.execute(h.register_worker(coll)).id
    today = datetime.now(UTC).date()
    g = app.execute(h.raise_grievance(coll, [worker], occurred_on=today - timedelta(days=25))).id
    return {"coll": coll, "sister": sister, "worker": worker, "g": g, "federation": federation,
            "leader": _token(runtime, "leader", collective_ids=(coll,)),
            "sister_leader": _token(runtime, "leader", collective_ids=(sister,)),
            "organiser": _token(runtime, "organiser", federation=federation),
            "researcher": _token(runtime, "researcher")}


def test_commands_and_reads_beside_the_pages(base_url, setting):
    s = setting
    with httpx.Client(base_url=base_url, timeout=30, headers=s["leader"]) as http:
        r = http.post("/api/v1/procedures/define", json={
            "command_id": str(uuid.uuid4()), "collective_id": str(s["coll"]), "name": "Ours",
            "steps": [{"code": "complaint", "name": "Written complaint", "days": 30}]})
        assert r.status_code == 201, r.text
        n = r.json()["notification_id"]
        for kind, amount in (("owed", "0.10"), ("recovered", "0.20")):
            r = http.post("/api/v1/grievances/state-amount", json={
                "command_id": str(uuid.uuid4()), "grievance_id": str(s["g"]), "kind": kind,
                "amount": amount, "currency": "HKD", "on": datetime.now(UTC).date().isoformat()})
            assert r.status_code == 200, r.text
            n = r.json()["notification_id"]
        # A JSON number is read as the decimal it spells, never through a float.
        r = http.post("/api/v1/grievances/state-amount", json={
            "command_id": str(uuid.uuid4()), "grievance_id": str(s["g"]), "kind": "claimed",
            "amount": 0.3, "currency": "HKD", "on": datetime.now(UTC).date().isoformat()})
        assert r.status_code == 200, r.text
        # More digits after the point than any currency has: refused, nothing written.
        r = http.post("/api/v1/grievances/state-amount", json={
            "command_id": str(uuid.uuid4()), "grievance_id": str(s["g"]), "kind": "offered",
            "amount": "0.000001", "currency": "HKD", "on": datetime.now(UTC).date().isoformat()})
        assert r.status_code == 422 and r.json()["error"] == "too_precise", r.text
        r = http.post("/api/v1/workers/plan-departure", json={
            "command_id": str(uuid.uuid4()), "worker_id": str(s["worker"]),
            "leaves_on": (datetime.now(UTC).date() + timedelta(days=3)).isoformat()})
        assert r.status_code == 200, r.text
        n = r.json()["notification_id"]
        due = http.get(f"/api/v1/views/collectives/{s['coll']}/deadlines",
                       params={"wait_for": n}).json()
        assert [d["step"] for d in due] == ["departure", "complaint"]
        # Opened for her leader: the day itself, never the view's sealed token.
        leaves = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
        assert due[0]["due_on"] == leaves and due[0]["met_on"] is None
        raw = http.get(f"/api/v1/views/collectives/{s['coll']}/deadlines").content
        assert b"sealed" not in raw and b"\\u001e" not in raw and b"\x1e" not in raw
        assert {d["urgency"] for d in due} == {"due_soon"}
        money = http.get(f"/api/v1/views/collectives/{s['coll']}/money",
                         params={"wait_for": n}).json()
        assert money == [{"kind": "owed", "currency": "HKD", "amount": "0.10", "grievances": 1},
                         {"kind": "claimed", "currency": "HKD", "amount": "0.3", "grievances": 1},
                         {"kind": "recovered", "currency": "HKD", "amount": "0.20",
                          "grievances": 1}]
        one = http.get(f"/api/v1/views/grievances/{s['g']}/deadlines").json()
        assert [d["step"] for d in one] == ["complaint", "departure"]
        procedures = http.get(f"/api/v1/views/collectives/{s['coll']}/procedures").json()
        assert procedures[0]["steps"][0]["days"] == 30


@pytest.mark.parametrize("who", ["sister_leader", "organiser"])
def test_out_of_scope_answers_like_an_id_nobody_has(base_url, setting, who):
    s = setting
    nobody = uuid.uuid4()
    with httpx.Client(base_url=base_url, timeout=30, headers=s[who]) as http:
        for template in ("/api/v1/views/collectives/{}/deadlines",
                         "/api/v1/views/collectives/{}/money",
                         "/api/v1/views/collectives/{}/procedures"):
            # Her federation's collective too: its casework is its leaders' alone.
            real = http.get(template.format(s["coll"]))
            fake = http.get(template.format(nobody))
            assert real.status_code == fake.status_code == 404
            assert real.text.replace(str(s["coll"]), "ID") == fake.text.replace(str(nobody), "ID")
        real = http.get(f"/api/v1/views/grievances/{s['g']}/deadlines")
        fake = http.get(f"/api/v1/views/grievances/{nobody}/deadlines")
        assert real.status_code == fake.status_code == 404
        assert real.text.replace(str(s["g"]), "ID") == fake.text.replace(str(nobody), "ID")
        assert "complaint" not in real.text and "departure" not in real.text


def test_an_organiser_reads_bands_only_and_others_nothing(base_url, setting):
    s = setting
    with httpx.Client(base_url=base_url, timeout=30, headers=s["organiser"]) as http:
        r = http.get(f"/api/v1/views/federations/{s['federation']}/money-bands")
        assert r.status_code == 200
        body = r.json()
        assert body["k"] >= 5 and all(c["grievances"] is None or c["grievances"] >= body["k"]
                                      for c in body["cells"])
        assert "0.1" not in r.text and "0.2" not in r.text
    for who in ("leader", "researcher"):
        with httpx.Client(base_url=base_url, timeout=30, headers=s[who]) as http:
            r = http.get(f"/api/v1/views/federations/{s['federation']}/money-bands")
            assert r.status_code in (403, 404), (who, r.status_code)
