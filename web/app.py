"""The app factory: a composition root. It takes a built runtime and wires routes,
dependencies, accounts (authentication, the access guard, scope), security headers, error
handlers, logging and the OpenAPI schema (served at ``/schema``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import asyncpg
import structlog
from litestar import Litestar, MediaType, Request, Response, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Receive, Send
from litestar.types import Scope as ASGIScope

from infra.database import Database, check_reachable
from organize.accounts import SESSION_WAIT, AccountService
from organize.application import Organize
from organize.outbox import Devices, OutboxKey
from organize.persistence.reveal import Revealer
from organize.projections.replica import ReadPools
from organize.runtime import Runtime
from web.api import errors
from web.api.commands import command_router
from web.api.deadlines_money import deadlines_money_router
from web.api.indicators import indicators_router
from web.api.limits import refuse_deep_json
from web.api.organising import organising_router as organising_api_router
from web.api.reads import read_router
from web.api.views import views_router
from web.auth import errors as auth_errors
from web.auth import routes as auth_routes
from web.auth.access import ACCESS, PUBLIC, enforce_access
from web.auth.dependencies import dependencies as auth_dependencies
from web.auth.headers import security_headers
from web.auth.middleware import authentication
from web.auth.openapi import COMPONENTS, document_auth
from web.i18n.routes import set_language
from web.outbox import ROUTES as OUTBOX_ROUTES
from web.outbox import Outbox
from web.pages import pages_router
from web.pages.common import NOTICE_PARAM
from web.pages.organising import organising_router
from web.research import research_routes

STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY = 256 * 1024  # a grievance with notes is a few KB; anything near this is abuse
SESSION_POOL_SIZE = 3  # connections for session look-ups, each held for one statement

log = structlog.get_logger("web.access")


def request_logging(app: ASGIApp) -> ASGIApp:
    """JSON access log with a request id. Paths hold opaque ids only; bodies are never logged."""

    async def middleware(scope: ASGIScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            log.info("request", method=scope.get("method"), path=scope.get("path"),
                     status_code=status["code"],
                     ms=round((time.perf_counter() - started) * 1000, 1))
            structlog.contextvars.unbind_contextvars("request_id")

    return middleware


@get("/healthz", sync_to_thread=True, tags=["health"], operation_id="health")
def healthz(state: State) -> Response[dict[str, str]]:
    ok = check_reachable(state.runtime.database)
    body = {"status": "ok" if ok else "degraded", "database": "reachable" if ok else "unreachable"}
    return Response(body, status_code=200 if ok else 503, media_type=MediaType.JSON)


def _routers() -> list:
    """Every router and route of the app, named here once."""
    static = [create_static_files_router(path="/static", directories=[STATIC_DIR],
                                         opt={ACCESS: PUBLIC}, include_in_schema=False)
              ] if STATIC_DIR.is_dir() else []
    return [healthz, command_router(), read_router(), *auth_routes.ROUTES, set_language,
            pages_router(), organising_router(), *research_routes(), *static, views_router(),
            indicators_router(), organising_api_router(),
            deadlines_money_router(), *OUTBOX_ROUTES]


async def keep_session(conn: asyncpg.Connection) -> None:
    """How the web's pools reset a connection given back: asyncpg has already rolled back a
    transaction left open (and dropped its listeners) before it calls this, and nothing more
    is needed. Its default, ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``,
    is one more round trip on every release (every page gives back at least one), for
    session state these pools never take: they hold reads, and transactions whose
    ``SET LOCAL`` and ``pg_advisory_xact_lock`` end with them. Session advisory locks,
    ``LISTEN`` and session settings are taken on psycopg connections of their own (the
    views' runner, rebuilds, migrations), never here."""


async def _replica_pool(runtime: Runtime) -> asyncpg.Pool | None:
    """A pool on ``DATABASE_READ_URL``, or None. A replica that cannot be reached at start
    is left out (pages read the primary) rather than keeping the app from serving."""
    url = runtime.settings.database_read_url
    if not url:
        return None
    try:
        return await asyncpg.create_pool(Database(url=url, embedded=False).asyncpg_dsn(),
                                         min_size=0, max_size=max(2, runtime.settings.pool_size),
                                         timeout=5, reset=keep_session)
    except (OSError, asyncpg.PostgresError, TimeoutError) as e:
        log.warning("replica_unreachable", error=type(e).__name__)
        return None


def create_app(runtime: Runtime, accounts: AccountService | None = None) -> Litestar:
    organize: Organize = runtime.app
    accounts = accounts or AccountService(
        organize, session_idle=timedelta(minutes=runtime.settings.session_idle_minutes))
    holder: dict[str, object] = {}

    @asynccontextmanager
    async def database_pool(app: Litestar):
        pool = await asyncpg.create_pool(runtime.database.asyncpg_dsn(), min_size=1,
                                         max_size=max(2, runtime.settings.pool_size),
                                         reset=keep_session)
        holder["pool"] = pool
        # Sessions are looked up on a pool of their own: its connections are held for one
        # statement, so its bounded wait (``SESSION_WAIT``) runs out only when the database
        # is away, never because pages hold every connection of the main pool under load.
        sessions = await asyncpg.create_pool(runtime.database.asyncpg_dsn(), min_size=1,
                                             max_size=SESSION_POOL_SIZE, reset=keep_session,
                                             timeout=SESSION_WAIT)
        holder["session_pool"] = sessions
        holder["reveal"] = Revealer(pool, organize.keys)
        replica = await _replica_pool(runtime)
        holder["read_pools"] = ReadPools(pool, replica)
        try:
            yield
        finally:
            if replica is not None:
                replica.terminate()
            sessions.terminate()  # one statement at a time: nothing to wait for
            try:
                await asyncio.wait_for(pool.close(), timeout=5)
            except (asyncio.CancelledError, TimeoutError):
                pool.terminate()  # a second Ctrl-C: close at once, without a traceback

    def provide(key: str):
        return Provide(lambda: holder[key], use_cache=True, sync_to_thread=False)

    async def read_pool(request: Request) -> asyncpg.Pool:
        """``db_pool``, per request: the replica for a GET that follows no write of this
        session (no ``?n=`` or ``wait_for``) while it is close to the primary
        (``ReadPools.current``); the primary for everything else."""
        after_write = request.method != "GET" or any(
            p in request.query_params for p in (NOTICE_PARAM, "wait_for"))
        return await holder["read_pools"].for_read(after_write=after_write)

    app = Litestar(
        route_handlers=_routers(),
        lifespan=[database_pool],
        dependencies={
            # ``organize``, ``reader_scope``, ``principal``, ``accounts``, ``csrf_token``: the
            # application and the scope as the account asking may use them.
            **auth_dependencies(organize, accounts),
            "db_pool": Provide(read_pool),
            "reveal": provide("reveal"),
            "read_pools": provide("read_pools"),
            "rubric": Provide(lambda: runtime.rubric, use_cache=True, sync_to_thread=False),
        },
        guards=[enforce_access],
        before_request=refuse_deep_json,
        exception_handlers={**errors.HANDLERS, **auth_errors.HANDLERS},
        middleware=[request_logging, authentication(accounts, pool=lambda: holder.get("session_pool"))],
        before_send=[security_headers],
        request_max_body_size=MAX_BODY,
        # zlib's default level, not Litestar's 9: on the three main pages 9 costs a quarter
        # more CPU (0.44 -> 0.61 ms for the home, 0.92 -> 1.22 ms for a worker) for 0.3 to
        # 1 % fewer bytes (6,293 -> 6,233 and 14,803 -> 14,758 bytes of 35 and 59 KB).
        compression_config=CompressionConfig(backend="gzip", gzip_compress_level=6),
        state=State({"runtime": runtime, "outbox": Outbox(
            OutboxKey.in_keyring(runtime.settings.keyring_dir),
            Devices.of(organize))}),
        openapi_config=OpenAPIConfig(
            title="organize API",
            version="1",
            description=(
                "Every command is a POST with a `command_id`; resubmitting it returns the first "
                "result. Ids travel in bodies, never in paths with personal meaning. Every "
                "`/api/v1/` route needs `Authorization: Bearer <token>` (or a session with its "
                "`X-CSRF-Token`) and answers within the account's scope."
            ),
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(), RedocRenderPlugin()],
            components=COMPONENTS,
        ),
        debug=False,
        # Our structlog JSON lines (infra/logging.py), not Litestar's default text handler.
        logging_config=None,
    )
    document_auth(app)
    return app
