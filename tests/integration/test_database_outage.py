"""A database outage answers 503 with ``Retry-After``, never a 500, and loses nothing typed.

The app reaches PostgreSQL through a TCP relay that the test can cut: every open connection
is reset and new ones are refused, as when the server restarts or fails over. Over real
HTTP: an API read, a login and a leader's form post each get a 503 with ``Retry-After``;
the form's answer carries what she typed, in her language; nothing was written. When the
relay comes back, the same requests work again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import socket
import threading
import uuid

import httpx
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.database import Database, create_database
from organize.accounts import AccountService
from organize.runtime import open_runtime
from tests.integration import support as h
from tests.support import live_server
from web.app import create_app

pytestmark = pytest.mark.integration


class Relay:
    """A TCP relay to PostgreSQL that can be cut (connections reset, new ones refused)."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = _free_port()
        self.live: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.open()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.live += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        assert self.listener is not None
        self.listener.close()
        with self.lock:
            for s in self.live:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.live = []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def relayed(database, settings):
    params = conninfo_to_dict(database.url)
    name = f"organize_outage_{uuid.uuid4().hex[:8]}"
    create_database(database.url, name)
    relay = Relay((params.get("host") or "127.0.0.1", int(params.get("port") or 5432)))
    url = make_conninfo(database.url, dbname=name, host="127.0.0.1", port=str(relay.port))
    own = Database(url=url, embedded=False)
    runtime = open_runtime(dataclasses.replace(settings, database_url=url), own)
    yield runtime, relay
    runtime.app.close()
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_outage_answers_503_with_retry_after_and_keeps_her_words(relayed):
    runtime, relay = relayed
    accounts = AccountService(runtime.app)
    collective = runtime.app.execute(h.create_collective()).id
    leader = accounts.create_account(f"leader-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex,
                                     role="leader", collective_ids=(collective,))
    _, token = accounts.create_token(leader, "outage")
    session = accounts.start_session(leader)
    before = runtime.app.recorder.max_notification_id()
    words = "She was not paid for March and April"
    form = {"csrf_token": session.csrf_token, "command_id": str(uuid.uuid4()),
            "title": words, "kind": "general", "on": "2026-11-01"}

    with live_server(create_app(runtime, accounts)) as base, httpx.Client(base_url=base) as http:
        api = {"Authorization": f"Bearer {token}"}
        assert http.get(f"/api/v1/collectives/{collective}", headers=api).status_code == 200
        login_form = http.get("/login")  # its token and cookie come before the outage
        login_token = re.search(r'name="csrf_token" value="([^"]+)"', login_form.text).group(1)
        relay.cut()

        r = http.get(f"/api/v1/collectives/{collective}", headers=api)
        assert r.status_code == 503, r.text
        assert r.headers["retry-after"] == "5"
        assert r.json()["error"] == "database_unavailable"

        r = http.post("/login", data={"username": "someone", "password": "secret",
                                      "csrf_token": login_token},
                      headers={"Accept": "text/html", "Accept-Language": "ne"})
        assert r.status_code == 503, r.text[:300]
        assert r.headers["retry-after"] == "5"
        assert "text/html" in r.headers["content-type"]
        assert 'lang="ne"' in r.text
        assert "अहिले अभिलेखहरूमा पुग्न सकिँदैन" in r.text  # her language, not English
        assert "secret" not in r.text

        http.cookies.clear()
        r = http.post(f"/c/{collective}/meetings/new", data=form,
                      headers={"Accept": "text/html", "Accept-Language": "en",
                               "Cookie": f"organize_session={session.token}",
                               "X-CSRF-Token": session.csrf_token})
        assert r.status_code == 503, r.text[:300]
        assert r.headers["retry-after"] == "5"
        assert words in r.text, "what she typed must come back to her"
        assert "Internal" not in r.text and "Traceback" not in r.text

        relay.open()
        ok = None
        for _ in range(20):  # pools notice the broken connections and open new ones
            ok = http.get(f"/api/v1/collectives/{collective}", headers=api)
            if ok.status_code == 200:
                break
        assert ok is not None and ok.status_code == 200
    assert runtime.app.recorder.max_notification_id() == before, "nothing was written"


async def test_a_session_lookup_waits_for_the_web_pool_no_longer_than_its_bound(
        runtime, database, monkeypatch):
    """Every connection of the web's pool taken (or the database away): the session's look-up
    gives up within ``SESSION_WAIT`` with a TimeoutError, which answers 503 with
    ``Retry-After`` (web/auth/errors.py), instead of queueing the request on the pool."""
    import asyncio
    import time

    import asyncpg

    from organize import accounts as accounts_module
    from web.auth.errors import DATABASE_DOWN

    monkeypatch.setattr(accounts_module, "SESSION_WAIT", 0.5)
    accounts = AccountService(runtime.app)
    collective = runtime.app.execute(h.create_collective()).id
    leader = accounts.create_account(f"leader-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex,
                                     role="leader", collective_ids=(collective,))
    session = accounts.start_session(leader)
    pool = await asyncpg.create_pool(database.asyncpg_dsn(), min_size=1, max_size=1)
    try:
        assert (await accounts.session_principal_on(pool, session.token)) is not None
        async with pool.acquire():  # the pool's only connection, held
            started = time.monotonic()
            with pytest.raises(TimeoutError) as raised:
                await asyncio.wait_for(accounts.session_principal_on(pool, session.token), 3)
            assert time.monotonic() - started < 2, "it waited for the pool past its bound"
        assert isinstance(raised.value, DATABASE_DOWN)
    finally:
        await pool.close()
