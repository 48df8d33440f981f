"""The outbox endpoint over real HTTP, as the adversary tries it: a valid envelope carrying
another collective's form, a device token that expired or was revoked at logout or quick
exit, a tampered ciphertext, an oversized envelope, envelopes out of order and a device id
that is another account's. Each is refused clearly and nothing is written (the event log's
last notification id does not move). An envelope replayed ten times records once, and a
command id reused for another payload is refused with 422.
"""

from __future__ import annotations

import html
import uuid
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import httpx
import msgspec
import pytest
from argon2 import PasswordHasher

from organize import commands as c
from organize.accounts import AccountService
from organize.outbox import Devices, Sealed, seal_for
from tests.support import live_server
from web.app import create_app
from web.i18n.catalogues import gettext
from web.i18n.labels import taxonomy_label

HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="module")
def site(runtime, app):
    tag = uuid.uuid4().hex[:6]
    accounts = AccountService(app, hasher=HASHER)
    out = {}
    for side in ("ours", "theirs"):
        coll = app.execute(c.CreateCollective(
            command_id=uuid.uuid4(), name=f"Outbox {side} {tag}", kind="worker_collective",
            sectors=("domestic_care",), places=("HK",), languages=("en",),
            federation=f"fed-outbox-{side}-{tag}")).id
        username = f"outbox-{side}-{tag}"
        accounts.create_account(username, "outbox-test-password", role="leader",
                                collective_ids=[coll])
        out[side] = {"collective": coll, "username": username}
    with live_server(create_app(runtime, accounts)) as base:
        out["base"] = base
        yield out


def head(app) -> int:
    return app.recorder.max_notification_id() or 0


def login(site, side: str) -> httpx.Client:
    client = httpx.Client(base_url=site["base"], timeout=30)
    answer = client.post("/login", json={"username": site[side]["username"],
                                         "password": "outbox-test-password"})
    assert answer.status_code == 200, answer.text
    assert "organize_device" in client.cookies
    return client


def server_key(client: httpx.Client) -> str:
    return client.get("/outbox/key").json()["key"]


def meeting_form(collective, command_id=None, kind="assembly") -> Sealed:
    command_id = command_id or uuid.uuid4()
    body = urlencode({"command_id": str(command_id), "kind": kind,
                      "scheduled_for": "2026-03-02T10:00", "language": "en"})
    return Sealed(route=f"/c/{collective}/meetings/new", command_id=command_id, body=body)


def send(client: httpx.Client, envelope) -> httpx.Response:
    return client.post("/outbox", content=msgspec.json.encode(envelope),
                       headers={"Content-Type": "application/json"})


def test_an_envelope_records_its_form_once_however_often_it_is_replayed(site, app):
    client = login(site, "ours")
    envelope = seal_for(server_key(client), uuid.uuid4(), 1, meeting_form(site["ours"]["collective"]))
    before = head(app)
    first = send(client, envelope)
    assert first.status_code == 200 and first.json()["outcome"] == "applied", first.text
    recorded = head(app)
    assert recorded > before
    for _ in range(9):
        again = send(client, envelope)
        assert again.status_code == 200 and again.json()["outcome"] == "applied"
    assert head(app) == recorded  # ten sends, one record


def test_another_collectives_form_in_a_valid_envelope_is_refused(site, app):
    client = login(site, "ours")
    envelope = seal_for(server_key(client), uuid.uuid4(), 1,
                        meeting_form(site["theirs"]["collective"]))
    before = head(app)
    answer = send(client, envelope)
    assert answer.status_code == 422 and answer.json()["outcome"] == "refused"
    assert answer.json()["status"] == 404  # the same "no such collective" as a normal post
    assert str(site["theirs"]["collective"]) not in answer.text
    assert head(app) == before


def test_a_refused_item_is_named_in_her_language_and_nothing_else_of_it_is_said(site, app):
    client = login(site, "ours")
    key = server_key(client)
    theirs = site["theirs"]["collective"]
    for lang, name in (("en", "Plan a meeting"), ("ar", gettext("ar", "Plan a meeting"))):
        answer = client.post("/outbox", content=msgspec.json.encode(seal_for(
            key, uuid.uuid4(), 1, meeting_form(theirs))), headers={
            "Content-Type": "application/json", "Accept-Language": lang})
        assert answer.status_code == 422 and answer.json()["item"] == name
        assert name != "Plan a meeting" or lang == "en"  # translated, not the English
        assert str(theirs) not in answer.text
    page = client.get(f"/c/{site['ours']['collective']}/meetings",
                      headers={"Accept-Language": "ne"}).text
    shown = html.unescape(page.split('data-refused-item="', 1)[1].split('"', 1)[0])
    assert shown == gettext("ne", "The server refused something this phone kept (%(item)s). "
                                  "Record it again.") and "%(item)s" in shown  # JS fills it


def test_an_expired_or_revoked_device_token_is_refused(site, app, runtime):
    key = server_key(httpx.Client(base_url=site["base"]))
    before = head(app)
    # Expired.
    client = login(site, "ours")
    Devices.of(app).expire(client.cookies["organize_device"])
    answer = send(client, seal_for(key, uuid.uuid4(), 1, meeting_form(site["ours"]["collective"])))
    assert answer.status_code == 401 and answer.json()["outcome"] == "login"
    # Revoked by logout: the old token, replayed by someone who copied it.
    for leave in ("logout", "exit"):
        client = login(site, "ours")
        device = client.cookies["organize_device"]
        if leave == "logout":
            csrf = client.post("/login", json={"username": site["ours"]["username"],
                                               "password": "outbox-test-password"})
            device = client.cookies["organize_device"]
            assert client.post("/logout", headers={"X-CSRF-Token": csrf.json()["csrf_token"],
                                                   "Accept": "application/json"}).status_code == 200
        else:
            assert client.get("/exit").status_code in (200, 303)
        thief = httpx.Client(base_url=site["base"], cookies={"organize_device": device})
        thief.cookies.set("organize_device", device, path="/outbox")
        answer = send(thief, seal_for(key, uuid.uuid4(), 1,
                                      meeting_form(site["ours"]["collective"])))
        assert answer.status_code == 401, leave
    # No token and no session at all.
    anonymous = httpx.Client(base_url=site["base"])
    answer = send(anonymous, seal_for(key, uuid.uuid4(), 1, meeting_form(site["ours"]["collective"])))
    assert answer.status_code == 401
    assert head(app) == before


def test_a_tampered_ciphertext_is_refused(site, app):
    client = login(site, "ours")
    envelope = seal_for(server_key(client), uuid.uuid4(), 1, meeting_form(site["ours"]["collective"]))
    before = head(app)
    ct = bytearray(envelope.ct.encode())
    ct[10] = ord("A") if ct[10] != ord("A") else ord("B")
    for tampered in (msgspec.structs.replace(envelope, ct=ct.decode()),
                     msgspec.structs.replace(envelope, seq=2),  # bound as associated data
                     msgspec.structs.replace(envelope, device=uuid.uuid4()),
                     msgspec.structs.replace(envelope, epk=envelope.epk[:-4] + "AAAA")):
        answer = send(client, tampered)
        assert answer.status_code == 400 and answer.json()["outcome"] == "refused"
    assert send(client, {"v": 1}).status_code == 400
    assert head(app) == before


def test_an_oversized_envelope_is_refused(site, app):
    client = login(site, "ours")
    sealed = meeting_form(site["ours"]["collective"])
    big = Sealed(route=sealed.route, command_id=sealed.command_id,
                 body=sealed.body + "&note=" + "x" * 70_000)
    before = head(app)
    answer = send(client, seal_for(server_key(client), uuid.uuid4(), 1, big))
    assert answer.status_code == 413 and answer.json()["outcome"] == "refused"
    assert head(app) == before


def test_a_device_is_applied_in_the_order_it_recorded(site, app):
    client = login(site, "ours")
    key, device = server_key(client), uuid.uuid4()
    coll = site["ours"]["collective"]
    before = head(app)
    third = send(client, seal_for(key, device, 3, meeting_form(coll)))
    assert third.status_code == 409 and third.json()["expected"] == 1
    assert head(app) == before
    for seq in (1, 2, 3):
        assert send(client, seal_for(key, device, seq, meeting_form(coll))).status_code == 200
    assert head(app) > before
    # The same device id from another account: refused, that queue is not hers.
    other = login(site, "theirs")
    answer = send(other, seal_for(key, device, 4, meeting_form(site["theirs"]["collective"])))
    assert answer.status_code == 404


def test_an_envelope_reaches_nothing_but_the_leaders_forms(site, app):
    client = login(site, "ours")
    key = server_key(client)
    before = head(app)
    for route in ("/account/tokens", "/logout", "/api/v1/commands/schedule-meeting",
                  f"/c/{site['ours']['collective']}/../../account/tokens"):
        sealed = meeting_form(site["ours"]["collective"])
        answer = send(client, seal_for(key, uuid.uuid4(), 1, Sealed(
            route=route, command_id=sealed.command_id, body=sealed.body)))
        assert answer.status_code == 400, route
    assert head(app) == before


def test_a_command_id_reused_for_another_payload_is_refused_with_422(site, app):
    client = login(site, "ours")
    key, coll = server_key(client), site["ours"]["collective"]
    command_id = uuid.uuid4()
    assert send(client, seal_for(key, uuid.uuid4(), 1, meeting_form(coll, command_id))
                ).json()["outcome"] == "applied"
    before = head(app)
    answer = send(client, seal_for(key, uuid.uuid4(), 1,
                                   meeting_form(coll, command_id, kind="committee")))
    assert answer.status_code == 422 and answer.json()["status"] == 422
    assert head(app) == before
    # The JSON API says so with its own status: 422, not the 409 of a stale version.
    csrf = client.post("/login", json={"username": site["ours"]["username"],
                                       "password": "outbox-test-password"}).json()["csrf_token"]
    body = {"command_id": str(uuid.uuid4()), "kind": "assembly", "collective_ids": [str(coll)],
            "scheduled_for": "2026-03-02T10:00:00Z", "language": "en"}
    api = {"X-CSRF-Token": csrf}
    assert client.post("/api/v1/meetings/schedule", json=body, headers=api).status_code == 201
    assert client.post("/api/v1/meetings/schedule", json=body, headers=api).json()["replayed"]
    before = head(app)
    reused = client.post("/api/v1/meetings/schedule", json={**body, "kind": "committee"},
                         headers=api)
    assert reused.status_code == 422 and reused.json()["field"] == "command_id", reused.text
    assert head(app) == before


def correction(collective, grievance, base: int, **changed) -> Sealed:
    command_id = uuid.uuid4()
    fields = {"command_id": str(command_id), "expected_version": str(base),
              "category": "wages_unpaid_late", "sector": "domestic_care", "place": "HK",
              "stage": "destination", "occurred_on": "2026-01-05", "description": "",
              "reason": "typing_mistake", **changed}
    return Sealed(route=f"/c/{collective}/grievances/{grievance}/correct", command_id=command_id,
                  body=urlencode(fields))


def test_two_devices_correcting_one_field_from_one_base_raise_one_flag_and_lose_nothing(
        site, app, runtime):
    coll = site["ours"]["collective"]
    worker = app.execute(c.RegisterWorker(command_id=uuid.uuid4(), collective_id=coll,
                                          profile=c.Profile(pseudonym="Rumi"),
                                          joined_on=date(2025, 1, 5))).id
    grievance = app.execute(c.RaiseGrievance(
        command_id=uuid.uuid4(), collective_id=coll, worker_ids=(worker,),
        category="wages_unpaid_late", sector="domestic_care", place="HK", stage="destination",
        occurred_on=date(2026, 1, 5), description="Unpaid since January.")).id
    base = app.repository.get(grievance).version
    phone_a, phone_b = login(site, "ours"), login(site, "ours")
    key = server_key(phone_a)
    first = send(phone_a, seal_for(key, uuid.uuid4(), 1,
                                   correction(coll, grievance, base, category="pay_below_rate")))
    second = send(phone_b, seal_for(key, uuid.uuid4(), 1, correction(
        coll, grievance, base, category="illegal_deductions", place="SG")))
    assert first.json()["outcome"] == second.json()["outcome"] == "applied", second.text
    record = app.repository.get(grievance)
    assert (record.category, record.place) == ("illegal_deductions", "SG")  # the later, merged
    history = [e for e in app.repository.event_store.get(grievance)
               if type(e).__name__ == "Corrected"]
    assert [e.category for e in history] == ["pay_below_rate", "illegal_deductions"]  # both kept

    runner = runtime.runner(["conflict_flags"])
    runner.catch_up()
    page = phone_a.get(f"/c/{coll}/conflicts", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert page.text.count('class="card conflict"') == 1
    for code in ("pay_below_rate", "illegal_deductions"):  # both values, in her language
        for lang in ("en", "ar"):
            shown = phone_a.get(f"/c/{coll}/conflicts", headers={"Accept-Language": lang}).text
            assert html.escape(taxonomy_label("categories", code, lang)) in shown, (code, lang)
    # Another collective's leader sees none of it and cannot resolve it.
    other = login(site, "theirs")
    assert other.get(f"/c/{coll}/conflicts").status_code == 404


def meeting_fix(collective, meeting, action: str, base: int, **fields) -> Sealed:
    command_id = uuid.uuid4()
    body = urlencode({"command_id": str(command_id), "expected_version": str(base),
                      "reason": "typing_mistake", **fields}, doseq=True)
    return Sealed(route=f"/c/{collective}/meetings/{meeting}/{action}", command_id=command_id,
                  body=body)


def test_two_phones_correcting_attendance_and_decisions_from_one_base_are_flagged_not_refused(
        site, app, runtime):
    coll = site["ours"]["collective"]
    rumi, mina = (app.execute(c.RegisterWorker(
        command_id=uuid.uuid4(), collective_id=coll, profile=c.Profile(pseudonym=name),
        joined_on=date(2025, 1, 5))).id for name in (f"Rumi{uuid.uuid4().hex[:4]}",
                                                     f"Mina{uuid.uuid4().hex[:4]}"))
    meeting = app.execute(c.ScheduleMeeting(
        command_id=uuid.uuid4(), kind="assembly", collective_ids=(coll,),
        scheduled_for=datetime(2026, 2, 1, 10, tzinfo=UTC), language="en")).id
    app.execute(c.RecordMeetingHeld(
        command_id=uuid.uuid4(), meeting_id=meeting, held_at=datetime(2026, 2, 1, 10, tzinfo=UTC),
        attendee_ids=(rumi, mina), facilitator_ids=(rumi,), language="en",
        decisions=("Meet monthly", "Ask for pay slips")))
    base = app.repository.get(meeting).version
    phone_a, phone_b = login(site, "ours"), login(site, "ours")
    key = server_key(phone_a)
    sent = [
        send(phone_a, seal_for(key, uuid.uuid4(), 1, meeting_fix(
            coll, meeting, "attendance", base, attendee_ids=[str(rumi)],
            facilitator_ids=[str(rumi)]))),
        send(phone_b, seal_for(key, uuid.uuid4(), 1, meeting_fix(
            coll, meeting, "attendance", base, attendee_ids=[str(mina), str(rumi)],
            facilitator_ids=[str(rumi)]))),
        send(phone_a, seal_for(key, uuid.uuid4(), 1, meeting_fix(
            coll, meeting, "decisions", base, decisions="Meet weekly"))),
        send(phone_b, seal_for(key, uuid.uuid4(), 1, meeting_fix(
            coll, meeting, "decisions", base, decisions="Meet monthly\nAsk for pay slips\nVote"))),
    ]
    assert [r.json()["outcome"] for r in sent] == ["applied"] * 4, [r.text for r in sent]
    record = app.repository.get(meeting)
    assert set(record.attendee_ids) == {rumi, mina} and record.decision_count == 3  # the later

    runtime.runner(["conflict_flags", "worker_directory"]).catch_up()  # the names it shows
    for lang, one, three in (("en", "1 decision", "3 decisions"), ("ar", None, None)):
        page = phone_a.get(f"/c/{coll}/conflicts", headers={"Accept-Language": lang})
        assert page.status_code == 200
        shown = page.text
        assert shown.count(f"/meetings/{meeting}") == 2  # two flags: attendance, decisions
        for name in ("Rumi", "Mina"):  # who came, by the pseudonyms she can read
            assert name in shown
        assert str(rumi) not in shown.replace(f"/{rumi}", "")  # ids are not what she reads
        assert "Meet weekly" not in shown and "Vote" not in shown  # no words of a decision
        if one:
            assert one in shown and three in shown and "Present" in shown


def test_every_other_role_is_refused_as_on_a_normal_post(site, app):
    """A researcher, an organiser of another federation, and the other collective's leader,
    each with a valid device token and a valid envelope for our collective's form."""
    accounts = AccountService(app, hasher=HASHER)
    tag = uuid.uuid4().hex[:6]
    extra = {"researcher": {"role": "researcher"},
             "organiser": {"role": "organiser", "federation": f"elsewhere-{tag}"}}
    for role, grant in extra.items():
        site[role] = {"username": f"outbox-{role}-{tag}"}
        accounts.create_account(site[role]["username"], "outbox-test-password", **grant)
    coll = site["ours"]["collective"]
    before = head(app)
    for who, status in (("researcher", 403), ("organiser", 404), ("theirs", 404)):
        client = login(site, who)
        answer = send(client, seal_for(server_key(client), uuid.uuid4(), 1, meeting_form(coll)))
        assert answer.status_code == 422 and answer.json() == {
            "outcome": "refused", "status": status, "item": "Plan a meeting",
            "message": "The server refused this item; record it again online."}, who
    assert head(app) == before
