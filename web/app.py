"""The app factory: a composition root. It takes a built runtime and wires routes,
dependencies, error handlers, logging and the OpenAPI schema (served at ``/schema``).
"""

from __future__ import annotations

import time
import uuid

import structlog
from litestar import Litestar, MediaType, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.types import ASGIApp, Receive, Scope, Send

from infra.database import check_reachable
from organize.application import Organize
from organize.runtime import Runtime
from web.api import errors
from web.api.commands import command_router
from web.api.reads import read_router

MAX_BODY = 256 * 1024  # a grievance with notes is a few KB; anything near this is abuse

log = structlog.get_logger("web.access")


def request_logging(app: ASGIApp) -> ASGIApp:
    """JSON access log with a request id. Paths hold opaque ids only; bodies are never logged."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
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


def create_app(runtime: Runtime) -> Litestar:
    organize: Organize = runtime.app
    return Litestar(
        route_handlers=[healthz, command_router(), read_router()],
        dependencies={"organize": Provide(lambda: organize, use_cache=True, sync_to_thread=False)},
        exception_handlers=errors.HANDLERS,
        middleware=[request_logging],
        request_max_body_size=MAX_BODY,
        state=State({"runtime": runtime}),
        openapi_config=OpenAPIConfig(
            title="organize API",
            version="1",
            description=(
                "Every command is a POST with a `command_id`; resubmitting it returns the first "
                "result. Ids travel in bodies, never in paths with personal meaning."
            ),
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(), RedocRenderPlugin()],
        ),
        debug=False,
    )
