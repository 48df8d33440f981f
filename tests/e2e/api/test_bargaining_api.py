"""Bargaining over the JSON API, real HTTP: a round from the mandate to a cited breach through
the command routes, read back from the view route with exact amounts, the refusals named by
code with nothing appended, and what an organiser's token reads (stages and counts, never
the words)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from organize.accounts import AccountService

pytestmark = pytest.mark.api


def new() -> str:
    return str(uuid.uuid4())


def post(http, path: str, **body):
    r = http.post(f"/api/v1/{path}", json={"command_id": new(), **body})
    return r


def ok(http, path: str, **body) -> dict:
    r = post(http, path, **body)
    assert r.status_code in (200, 201), (path, r.text)
    return r.json()


def _held(http, collective: str, day: str, attendees: list[str]) -> str:
    at = datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=UTC).isoformat()
    meeting = ok(http, "meetings/schedule", kind="assembly", collective_ids=[collective],
                 scheduled_for=at, language="en")["id"]
    ok(http, "meetings/record-held", meeting_id=meeting, held_at=at, attendee_ids=attendees,
       facilitator_ids=attendees[:1], language="en")
    return meeting


def test_a_round_through_the_api(http, app, runtime, base_url):
    federation = f"fed-api-{uuid.uuid4().hex[:6]}"
    coll = ok(http, "collectives/create", name="Api branch", kind="union_branch",
              places=["HK"], federation=federation)["id"]
    workers = [ok(http, "workers/register", collective_id=coll, joined_on="2025-01-05",
                  profile={"pseudonym": f"P{i}"})["id"] for i in range(3)]
    agency = ok(http, "organisations/create", name="Api Agency", kind="recruiter",
                collective_id=coll)["id"]
    round_id = ok(http, "bargaining/open", collective_id=coll, counterpart_id=agency,
                  team_ids=workers[:1], opened_on="2026-01-20")["id"]

    before = app.recorder.max_notification_id()
    r = post(http, "bargaining/record-session", bargaining_id=round_id, held_on="2026-01-25",
             our_attendee_ids=workers[:1])
    assert r.status_code == 422 and r.json()["error"] == "no_mandate"
    r = post(http, "bargaining/ratify", bargaining_id=round_id,
             meeting_id=_held(http, coll, "2026-01-30", workers), votes_for=3, against=0,
             abstaining=0, rule="simple_majority")
    assert r.status_code == 422 and r.json()["error"] == "no_tentative"
    assert "Pay" not in r.text

    ok(http, "bargaining/adopt-mandate", bargaining_id=round_id,
       meeting_id=_held(http, coll, "2026-02-01", workers), demands=["Pay by the 7th"])
    tabled = {"command_id": new(), "bargaining_id": round_id, "wording": "Monthly wage",
              "on": "2026-02-03"}
    assert http.post("/api/v1/bargaining/table-clause", json=tabled).status_code == 200
    clause = str(next(iter(app.repository.get(uuid.UUID(round_id)).clauses)))
    ok(http, "bargaining/propose", bargaining_id=round_id, clause_id=clause, side="theirs",
       text="4800", on="2026-02-10", amount="4800.50", currency="HKD")
    ok(http, "bargaining/propose", bargaining_id=round_id, clause_id=clause, side="ours",
       text="5000", on="2026-02-11", amount="5000.10", currency="HKD")
    bad = post(http, "bargaining/propose", bargaining_id=round_id, clause_id=clause, side="ours",
               text="x", on="2026-02-11", amount="12.5", currency="HDK")
    assert bad.status_code == 422 and bad.json()["field"] == "currency"
    ok(http, "bargaining/reach-tentative", bargaining_id=round_id, clause_ids=[clause],
       on="2026-03-20")
    ok(http, "bargaining/ratify", bargaining_id=round_id,
       meeting_id=_held(http, coll, "2026-04-02", workers), votes_for=2, against=1,
       abstaining=0, rule="two_thirds")
    ok(http, "bargaining/bring-into-force", bargaining_id=round_id, starts_on="2026-05-01",
       expires_on="2027-04-30")
    early = ok(http, "grievances/raise", collective_id=coll, worker_ids=workers[:1],
               category="wages_unpaid_late", sector="domestic_care", place="HK",
               stage="destination", occurred_on="2026-04-20", description="Paid late.")["id"]
    r = post(http, "grievances/cite-breach", grievance_id=early, bargaining_id=round_id,
             clause_id=clause)
    assert r.status_code == 422 and r.json()["error"] == "clause_not_in_force"
    late = ok(http, "grievances/raise", collective_id=coll, worker_ids=workers[:1],
              category="wages_unpaid_late", sector="domestic_care", place="HK",
              stage="destination", occurred_on="2026-06-20", description="Paid late.")["id"]
    cited = ok(http, "grievances/cite-breach", grievance_id=late, bargaining_id=round_id,
               clause_id=clause)
    assert app.recorder.max_notification_id() > before

    one = http.get(f"/api/v1/views/bargaining/{round_id}?wait_for={cited['notification_id']}")
    assert one.status_code == 200 and one.headers.get("x-views-updating") != "true"
    found = one.json()
    assert found["round"]["status"] == "in_force" and found["round"]["demands"] == ["Pay by the 7th"]
    (c,) = found["clauses"]
    assert (c["wording"], c["agreed_amount"], c["agreed_currency"], c["breaches"]) == (
        "Monthly wage", "5000.10", "HKD", 1)
    listed = http.get(f"/api/v1/views/bargaining?collective_id={coll}").json()
    assert [x["id"] for x in listed] == [round_id]

    # An organiser of the federation: stages and counts, never the words.
    accounts = AccountService(runtime.app)
    organiser = accounts.create_account(f"org-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex,
                                        role="organiser", federation=federation)
    _, token = accounts.create_token(organiser, "bargaining api test")
    with httpx.Client(base_url=base_url, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as theirs:
        seen = theirs.get(f"/api/v1/views/bargaining/{round_id}")
        assert seen.status_code == 200
        for words in ("Pay by the 7th", "Monthly wage", "sealed"):
            assert words not in seen.text
        assert seen.json()["clauses"][0]["breaches"] == 1
        r = theirs.post("/api/v1/bargaining/end", json={
            "command_id": new(), "bargaining_id": round_id, "on": "2026-09-01",
            "reason": "terminated"})
        assert r.status_code == 403
    # Another federation's organiser: as missing as an id nobody has.
    stranger = accounts.create_account(f"org-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex,
                                       role="organiser", federation=f"{federation}-other")
    _, token = accounts.create_token(stranger, "bargaining api test")
    with httpx.Client(base_url=base_url, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as other:
        mine = other.get(f"/api/v1/views/bargaining/{round_id}")
        ghost = other.get(f"/api/v1/views/bargaining/{uuid.uuid4()}")
        assert mine.status_code == ghost.status_code == 404 and mine.text == ghost.text
