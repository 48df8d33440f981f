"""The outbox's routes: the key phones encrypt to, the service worker, and the endpoint that
takes an envelope a phone queued while offline (``organize/outbox.py`` says why and how).

An envelope is never a second way in. Once opened, the form it holds is run through the app
itself, as an internal POST to the very route the page would have posted to, with the
account the device token vouches for: the same parsing, access guard, scope checks, policy,
command log and messages. Only CSRF is not asked for there, since the device token (an
HttpOnly, SameSite=strict cookie limited to ``/outbox``) and the encryption stand for it.

Envelopes from one device are applied in the order they were recorded: the next one in
line, or one already applied (replayed harmlessly: the command log answers with the first
result). One that skips ahead is refused until the ones before it arrive. The order holds
across web processes: each envelope runs while its device's row is locked in PostgreSQL.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio
import msgspec
from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency

from organize.accounts import AccountService, Principal
from organize.outbox import (
    DEVICE_TTL,
    MAX_ENVELOPE,
    Devices,
    Envelope,
    EnvelopeRefused,
    OutboxKey,
    Sealed,
)
from web.auth.access import ACCESS, PUBLIC
from web.auth.middleware import INTERNAL_PRINCIPAL
from web.i18n.catalogues import gettext
from web.i18n.locales import locale_from_request
from web.i18n.messages import N_
from web.pages.grievances import ACTIONS as GRIEVANCE_ACTIONS

DEVICE_COOKIE = "organize_device"
OUTBOX_PATH = "/outbox"
WORKER_FILE = Path(__file__).parent / "static" / "sw.js"


class Outbox:
    """What the routes need: the key, the device tokens, one lock per device in this process
    and a bound on the envelopes in flight here (each holds a database connection of its own
    while its device's row is locked)."""

    IN_FLIGHT = 4

    def __init__(self, key: OutboxKey, devices: Devices):
        self.key = key
        self.devices = devices
        self._locks: dict[UUID, asyncio.Lock] = {}
        self.turns = asyncio.Semaphore(self.IN_FLIGHT)

    def lock(self, device: UUID) -> asyncio.Lock:
        if len(self._locks) > 10_000:
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}
        return self._locks.setdefault(device, asyncio.Lock())


# What a refused item was, named as the page's own button names it (its form's route; the
# phone keeps the route beside the ciphertext anyway, and a route holds no personal data).
ITEMS = {("grievances", "new"): N_("Record a grievance"), ("meetings", "new"): N_("Plan a meeting"),
         ("meetings", "held"): N_("Mark as held"), ("meetings", "cancel"): N_("Cancel"),
         ("meetings", "attendance"): N_("Correct attendance"),
         ("meetings", "correct"): N_("Correct the time or kind"),
         ("meetings", "decisions"): N_("Correct the decisions"),
         **{("grievances", name): a.text for name, a in GRIEVANCE_ACTIONS.items()}}


def item_name(route: str, lang: str) -> str | None:
    """``/c/{collective}/{noun}/new`` or ``/c/{collective}/{noun}/{id}/{action}``, named in
    ``lang``; None for a route the list does not name."""
    parts = route.strip("/").split("/")
    key = (parts[2], parts[-1]) if len(parts) in (4, 5) else None
    text = ITEMS.get(key) if key else None
    return gettext(lang, text) if text else None


def outbox_of(request: Request) -> Outbox | None:
    return request.app.state.get("outbox")


def device_cookie(outbox: Outbox, account_id: UUID, session_token: str, *, secure: bool) -> Cookie:
    """Issued at login, beside the session cookie."""
    token = outbox.devices.issue(account_id, session_token)
    return Cookie(key=DEVICE_COOKIE, value=token, path=OUTBOX_PATH, httponly=True,
                  samesite="strict", secure=secure, max_age=int(DEVICE_TTL.total_seconds()))


def cleared_device_cookie(*, secure: bool) -> Cookie:
    return Cookie(key=DEVICE_COOKIE, value="", path=OUTBOX_PATH, httponly=True,
                  samesite="strict", secure=secure, max_age=0)


def _answer(code: int, outcome: str, message: str, **extra: Any) -> Response:
    return Response({"outcome": outcome, "message": message, **extra}, status_code=code,
                    media_type=MediaType.JSON)


@get(f"{OUTBOX_PATH}/key", opt={ACCESS: PUBLIC}, include_in_schema=False)
async def outbox_key(request: Request) -> Response:
    outbox = outbox_of(request)
    if outbox is None:
        return _answer(404, "refused", "There is no outbox here.")
    return Response({"alg": "ECDH-P256+HKDF-SHA256+A256GCM", "key": outbox.key.public_raw},
                    media_type=MediaType.JSON)


@get("/sw.js", opt={ACCESS: PUBLIC}, include_in_schema=False)
async def service_worker() -> Response:
    """Served from the root so that its scope is the whole site; it touches command posts
    only (``web/static/sw.js``)."""
    return Response(WORKER_FILE.read_bytes(), media_type="text/javascript")


async def _sender(request: Request, accounts: AccountService, outbox: Outbox) -> Principal | None:
    token = request.cookies.get(DEVICE_COOKIE)
    if token:  # a device token, when sent, decides: a revoked one is not rescued by a session
        account_id = await anyio.to_thread.run_sync(outbox.devices.account_of, token)
        if account_id is None:
            return None
        return await anyio.to_thread.run_sync(
            lambda: accounts.principal(account_id, via="device"))
    principal = request.scope.get("user")
    if principal is None or principal.via != "session":
        return None
    return Principal(**{**principal.__dict__, "via": "device"})


async def _run_form(request: Request, principal: Principal, sealed: Sealed) -> int:
    """POST the sealed form to its route inside this app; the status it answered."""
    body = sealed.body.encode()
    headers = [(b"content-type", b"application/x-www-form-urlencoded"),
               (b"content-length", str(len(body)).encode())]
    language = request.headers.get("accept-language")
    if language:
        headers.append((b"accept-language", language.encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1", "method": "POST", "scheme": request.scope.get("scheme", "http"),
        "server": request.scope.get("server"), "client": request.scope.get("client"),
        "root_path": "", "path": sealed.route, "raw_path": sealed.route.encode(),
        # A state of its own: Litestar keeps a request's progress there.
        "query_string": b"", "headers": headers, "state": {},
        INTERNAL_PRINCIPAL: principal,
    }
    delivered = False
    answer: dict[str, int] = {}

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    await request.app(scope, receive, send)  # type: ignore[arg-type]
    return answer.get("status", 500)


@post(OUTBOX_PATH, opt={ACCESS: PUBLIC}, include_in_schema=False, status_code=200)
async def receive_envelope(request: Request, accounts: NamedDependency[Any]) -> Response:
    outbox = outbox_of(request)
    if outbox is None:
        return _answer(404, "refused", "There is no outbox here.")
    declared = request.headers.get("content-length") or "0"
    if not declared.isdigit() or int(declared) > MAX_ENVELOPE:
        return _answer(413, "refused", "This envelope is too large.")
    raw = await request.body()
    if len(raw) > MAX_ENVELOPE:
        return _answer(413, "refused", "This envelope is too large.")
    if not request.headers.get("content-type", "").startswith("application/json"):
        return _answer(415, "refused", "Send the envelope as JSON.")
    principal = await _sender(request, accounts, outbox)
    if principal is None:
        return _answer(401, "login", "Log in again on this phone to send what it kept.")
    try:
        envelope = msgspec.json.decode(raw, type=Envelope)
        sealed = outbox.key.open(envelope)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return _answer(400, "refused", "The envelope could not be read.")
    except EnvelopeRefused as e:
        return _answer(400, "refused", e.message, reason=e.code)
    # One envelope of a device at a time: the asyncio lock queues this process's own, the
    # device's row lock (Devices.turn) queues them across processes and hosts.
    async with outbox.lock(envelope.device), outbox.turns, outbox.devices.turn(
            envelope.device, principal.account_id) as turn:
        if turn.last is None:
            return _answer(404, "refused", "This phone's queue is not yours.")
        if envelope.seq > turn.last + 1:
            return _answer(409, "wait", "An earlier item from this phone has not arrived yet.",
                           expected=turn.last + 1)
        status = await _run_form(request, principal, sealed)
        if status >= 500:
            return _answer(503, "retry", "The server could not record it now; it will retry.")
        if envelope.seq == turn.last + 1:
            await turn.applied(envelope.seq)
    if status < 400:
        return _answer(200, "applied", "Recorded.", status=status)
    return _answer(422, "refused", "The server refused this item; record it again online.",
                   status=status, item=item_name(sealed.route, locale_from_request(request)))


ROUTES = [outbox_key, service_worker, receive_envelope]
