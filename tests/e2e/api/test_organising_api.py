"""Organisers over real HTTP (issue 6): from a common-grievance cluster to a joint campaign
in one POST, a leader of another collective accepting it, the cross-collective board, the
k-suppressed flows and the federation overview; each in the account's scope, with 404 for
a federation or id out of scope exactly as for one that does not exist, and no worker's
personal field in any answer."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import httpx
import pytest

from organize.accounts import AccountService

pytestmark = pytest.mark.integration

DATE = "2025-05-01"


def _post(http, path, body, status=(200, 201)):
    r = http.post(f"/api/v1/{path}", json={"command_id": str(uuid.uuid4()), **body})
    assert r.status_code in status, r.text
    return r.json()


@pytest.fixture
def world(http, runtime, base_url):
    tag = uuid.uuid4().hex[:8]
    federation, elsewhere = f"Federation {tag}", f"Elsewhere {tag}"
    ids = {}
    for key, fed in (("hk", federation), ("kl", federation), ("far", elsewhere)):
        ids[key] = _post(http, "collectives/create", {
            "name": f"{key} {tag}", "kind": "union_branch", "federation": fed})["id"]
    recruiter = _post(http, "organisations/create", {"name": f"Agency {tag}", "kind": "recruiter"})["id"]
    grievances = []
    for key, sector in (("hk", "domestic_care"), ("kl", "manufacturing"), ("kl", "manufacturing")):
        w = _post(http, "workers/register", {"profile": {"pseudonym": f"Secret{tag}"},
                                             "collective_id": ids[key], "joined_on": "2025-01-01"})["id"]
        grievances.append(_post(http, "grievances/raise", {
            "collective_id": ids[key], "worker_ids": [w], "category": "recruitment_fees_debt",
            "sector": sector, "place": "HK", "stage": "destination", "organisation_ids": [recruiter],
            "occurred_on": "2025-03-01", "description": f"Private{tag} story"})["id"])
        _post(http, "workers/start-spell", {"worker_id": w, "sector": sector, "occupation": "Helper",
                                            "place": "HK", "relationship": "direct_employer",
                                            "paid": True, "started_on": "2025-01-02"})
    accounts = AccountService(runtime.app)
    clients = {}
    for role, spec in {
        "organiser": dict(role="organiser", federation=federation),
        "leader_kl": dict(role="leader", collective_ids=(uuid.UUID(ids["kl"]),)),
        "leader_hk": dict(role="leader", collective_ids=(uuid.UUID(ids["hk"]),)),
        "leader_far": dict(role="leader", collective_ids=(uuid.UUID(ids["far"]),)),
        "organiser_far": dict(role="organiser", federation=elsewhere),
    }.items():
        account = accounts.create_account(f"{role.replace('_', '-')}-{tag}", uuid.uuid4().hex, **spec)
        _, token = accounts.create_token(account, "tests")
        clients[role] = httpx.Client(base_url=base_url, timeout=30,
                                     headers={"Authorization": f"Bearer {token}"})
    yield dict(tag=tag, federation=federation, elsewhere=elsewhere, ids=ids, recruiter=recruiter,
               grievances=grievances, clients=clients)
    for client in clients.values():
        client.close()


def _fed(federation: str) -> str:
    return f"/api/v1/federations/{quote(federation)}"


def test_organiser_launches_from_a_cluster_and_a_leader_accepts(world):
    organiser, leader_kl = world["clients"]["organiser"], world["clients"]["leader_kl"]
    # Organisers coordinate; they never touch a grievance (organize.application.policy).
    r = organiser.post("/api/v1/grievances/note-evidence", json={
        "command_id": str(uuid.uuid4()), "grievance_id": world["grievances"][0],
        "note": "Receipts kept", "on": DATE})
    assert r.status_code == 403 and r.json()["error"] == "role", r.text
    last = _post(world["clients"]["leader_hk"], "grievances/note-evidence", {
        "grievance_id": world["grievances"][0], "note": "Receipts kept", "on": DATE})
    r = organiser.get(f"{_fed(world['federation'])}/clusters",
                      params={"min_collectives": 2, "wait_for": last["notification_id"]})
    assert r.status_code == 200, r.text
    (cluster,) = [x for x in r.json() if x["organisation_id"] == world["recruiter"]]
    assert sorted(cluster["sectors"]) == ["domestic_care", "manufacturing"]
    assert cluster["collectives"] == 2

    # A leader may not launch a joint campaign; an organiser elsewhere gets 404 for the grievances.
    body = {"issue": "Refund the fees", "demands": ["Refund every fee"],
            "grievance_ids": cluster["grievance_ids"], "launched_on": "2025-04-01"}
    r = leader_kl.post("/api/v1/campaigns/launch-joint", json={"command_id": str(uuid.uuid4()), **body})
    assert r.status_code == 403, r.text
    r = world["clients"]["organiser_far"].post("/api/v1/campaigns/launch-joint",
                                               json={"command_id": str(uuid.uuid4()), **body})
    assert r.status_code == 404 and r.json()["error"] == "not_found", r.text
    launched = _post(organiser, "campaigns/launch-joint", body)
    campaign = launched["id"]

    r = leader_kl.get(f"/api/v1/collectives/{world['ids']['kl']}/invitations",
                      params={"wait_for": launched["notification_id"]})
    assert r.status_code == 200, r.text
    (invitation,) = r.json()
    assert invitation["campaign_id"] == campaign and invitation["state"] == "pending"

    # Nobody else answers for kl: a leader of another collective gets 404, nothing appended.
    r = world["clients"]["leader_far"].post("/api/v1/campaigns/accept-invitation", json={
        "command_id": str(uuid.uuid4()), "campaign_id": campaign,
        "collective_id": world["ids"]["kl"], "on": DATE})
    assert r.status_code == 404, r.text
    accepted = _post(leader_kl, "campaigns/accept-invitation", {
        "campaign_id": campaign, "collective_id": world["ids"]["kl"], "on": DATE})
    r = leader_kl.post("/api/v1/campaigns/accept-invitation", json={
        "command_id": str(uuid.uuid4()), "campaign_id": campaign,
        "collective_id": world["ids"]["kl"], "on": DATE})
    assert r.status_code == 422 and r.json()["error"] == "already_accepted", r.text
    answered = leader_kl.get(f"/api/v1/collectives/{world['ids']['kl']}/invitations",
                             params={"state": "accepted", "wait_for": accepted["notification_id"]})
    assert [(i["campaign_id"], i["state"]) for i in answered.json()] == [(campaign, "accepted")]
    assert leader_kl.get(f"/api/v1/collectives/{world['ids']['kl']}/invitations",
                         params={"state": "bogus"}).status_code == 400
    # Invited but not joined: a leader sees the campaign, yet cannot act in its name.
    leader_hk = world["clients"]["leader_hk"]
    assert leader_hk.get(f"/api/v1/campaigns/{campaign}").status_code == 200
    r = leader_hk.post("/api/v1/campaigns/add-demand", json={
        "command_id": str(uuid.uuid4()), "campaign_id": campaign, "text": "Something else"})
    assert r.status_code == 404 and r.json()["error"] == "not_found", r.text
    r = world["clients"]["organiser"].get(f"/api/v1/campaigns/{campaign}/invitations",
                                          params={"wait_for": accepted["notification_id"]})
    assert [(i["collective_id"], i["state"]) for i in r.json()] == [
        (world["ids"]["hk"], "pending"), (world["ids"]["kl"], "accepted")]

    r = organiser.get(f"{_fed(world['federation'])}/board", params={"wait_for": accepted["notification_id"]})
    assert r.status_code == 200, r.text
    (item,) = [b for b in r.json()["campaigns"] if b["id"] == campaign]
    assert item["stage"] == "organising" and [c["id"] for c in item["collectives"]] == [world["ids"]["kl"]]
    assert item["tally"] == {"won": 0, "partly_won": 0, "lost": 0, "open": 1}
    assert {n["kind"] for n in item["next_actions"]} == {"answer_invitation", "open_demand"}
    # A cross-sector coordination meeting across the two collectives, the campaign on its agenda.
    _post(organiser, "meetings/schedule", {
        "kind": "cross_sector", "collective_ids": [world["ids"]["hk"], world["ids"]["kl"]],
        "scheduled_for": "2025-05-10T10:00:00+08:00", "language": "en",
        "agenda_campaign_ids": [campaign]})
    before = organiser.get(f"{_fed(world['federation'])}/board", params={"as_of": "2025-03-31"}).json()
    assert all(b["id"] != campaign for b in before["campaigns"])


def test_flows_overview_and_scope(world):
    organiser = world["clients"]["organiser"]
    fed = _fed(world["federation"])
    flows = organiser.get(f"{fed}/flows", params={"k": 5})
    assert flows.status_code == 200, flows.text
    body = flows.json()
    assert body["k"] == 5 and body["workers_with_trajectories"] is None  # 3 workers < k
    assert organiser.get(f"{fed}/flows", params={"k": 2}).json()["k"] == 5  # the floor
    assert organiser.get(f"{fed}/flows", params={"k": 0}).status_code == 400
    r = organiser.get(f"{fed}/overview", params={"as_of": "2025-06-01"})
    assert r.status_code == 200, r.text
    assert {c["collective_id"] for c in r.json()["collectives"]} == {world["ids"]["hk"], world["ids"]["kl"]}

    # Out of scope answers exactly as missing: another federation, or one that does not exist.
    missing = organiser.get(f"{_fed('No such federation ' + world['tag'])}/board")
    for path in ("overview", "clusters", "board", "flows"):
        other = organiser.get(f"{_fed(world['elsewhere'])}/{path}")
        assert other.status_code == 404, (path, other.text)
        assert other.json()["message"] == missing.json()["message"]
    far = world["clients"]["leader_far"]
    assert far.get(f"/api/v1/collectives/{world['ids']['kl']}/invitations").status_code == 404
    assert far.get(f"{fed}/board").status_code == 404
    # A leader sees her federation only through her own collective.
    mine = world["clients"]["leader_kl"].get(f"{fed}/overview").json()
    assert [c["collective_id"] for c in mine["collectives"]] == [world["ids"]["kl"]]

    # No worker's personal field, nor grievance text, in any organiser answer.
    for path in ("overview", "clusters", "board", "flows"):
        text = organiser.get(f"{fed}/{path}").text
        assert f"Secret{world['tag']}" not in text and f"Private{world['tag']}" not in text
