"""The outbox's per-device order across processes (``Devices.turn``, ``web/outbox.py``).

Two web processes on one database (as ``serve --workers 2`` or two hosts behind a balancer
run it) receive one phone's envelopes at once, each envelope sent to both of them together,
as a phone does when its service worker and a reloaded page replay the same queue. Each
envelope is applied once, and in the order the phone recorded them. Beneath that, the lock
itself: a second turn of a device, on another connection (for PostgreSQL, another process),
waits until the first has committed its place, and a device id of another account is refused.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from urllib.parse import urlencode

import httpx
import msgspec
import pytest

from organize.accounts import AccountService
from organize.outbox import Devices, Sealed, seal_for
from tests.integration import support as h
from tests.integration.support import (  # noqa: F401 - deployment_fixture
    CLI,
    Process,
    deployment_fixture,
    free_port,
    healthy,
    wait_until,
)

pytestmark = pytest.mark.integration

ENVELOPES = 12
PASSWORD = "outbox-processes-password"


async def test_a_devices_second_turn_waits_until_the_first_has_committed(app):
    device, account = uuid.uuid4(), uuid.uuid4()
    entered = asyncio.Event()

    async def elsewhere() -> int | None:
        async with Devices.of(app).turn(device, account) as turn:
            entered.set()
            return turn.last

    async with Devices.of(app).turn(device, account) as new:  # a device seen before: its
        assert new.last == 0                                     # row is there, committed
        await new.applied(1)
    async with Devices.of(app).turn(device, account) as first:
        assert first.last == 1
        other = asyncio.create_task(elsewhere())
        await asyncio.sleep(1.0)
        assert not entered.is_set(), "a second turn ran while the first held the device"
        await first.applied(2)
    assert await asyncio.wait_for(other, 30) == 2  # it saw the first one's place, committed


async def test_a_device_id_of_another_account_gets_no_turn(app):
    device = uuid.uuid4()
    async with Devices.of(app).turn(device, uuid.uuid4()) as turn:
        await turn.applied(3)
    async with Devices.of(app).turn(device, uuid.uuid4()) as theirs:
        assert theirs.last is None


def test_two_web_processes_apply_one_phones_envelopes_once_and_in_order(deployment):
    runtime, env = deployment
    app = runtime.app
    collective = app.execute(h.create_collective()).id
    username = f"phone-{uuid.uuid4().hex[:6]}"
    account = AccountService(app).create_account(username, PASSWORD, role="leader",
                                                 collective_ids=(collective,))
    bases = []
    webs = []
    try:
        for _ in range(2):
            port = free_port()
            webs.append(Process([*CLI, "serve", "--port", str(port)], env))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            wait_until(lambda base=base: healthy(base), f"{base} to answer")
        _phone_sends_to_both(app, collective, username, account, bases)
    finally:
        for web in webs:
            web.stop()


def _phone_sends_to_both(app, collective, username, account, bases) -> None:
    cookies = httpx.Client(base_url=bases[0], timeout=30)
    answer = cookies.post("/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    key = cookies.get("/outbox/key").json()["key"]
    device = uuid.uuid4()
    envelopes = []
    for seq in range(1, ENVELOPES + 1):
        command_id = uuid.uuid4()
        body = urlencode({"command_id": str(command_id), "kind": "assembly",
                          "scheduled_for": f"2026-03-{seq + 1:02d}T10:00", "language": "en"})
        sealed = Sealed(route=f"/c/{collective}/meetings/new", command_id=command_id, body=body)
        envelopes.append(msgspec.json.encode(seal_for(key, device, seq, sealed)))
    before = app.recorder.max_notification_id() or 0
    errors: list[str] = []

    def deliver(base: str, envelope: bytes) -> None:
        # Cookies are not per port: the device token from the login reaches both processes.
        with httpx.Client(base_url=base, cookies=cookies.cookies, timeout=60) as http:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                r = http.post("/outbox", content=envelope,
                              headers={"Content-Type": "application/json"})
                if r.status_code == 200 and r.json()["outcome"] == "applied":
                    return
                if r.status_code not in (409, 503):
                    errors.append(f"{base} {r.status_code} {r.text[:200]}")
                    return
                time.sleep(0.05)
            errors.append(f"{base}: not applied in time")

    threads = [threading.Thread(target=deliver, args=(base, envelope), daemon=True)
               for envelope in envelopes for base in bases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not errors, errors[:5]

    scheduled = []
    for n in app.recorder.select_notifications(before + 1, 10_000):
        event = app.mapper.to_domain_event(n)
        if type(event).__qualname__ == "Meeting.Scheduled" and collective in event.collective_ids:
            scheduled.append(event.scheduled_for)
    assert len(scheduled) == ENVELOPES  # each once, though every one was sent twice
    assert scheduled == sorted(scheduled)  # in the order the phone recorded them

    async def place() -> int | None:
        async with Devices.of(app).turn(device, account) as turn:
            return turn.last

    assert asyncio.run(place()) == ENVELOPES
