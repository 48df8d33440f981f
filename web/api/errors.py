"""One error shape for every 4xx, naming the field, and no 5xx for bad input.

Messages never echo what was sent: a value in an error could be a name or a phone number.
"""

from __future__ import annotations

import re

import msgspec
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from organize.errors import CommandError

log = structlog.get_logger("web.errors")

STATUS = {"invalid": 422, "not_found": 404, "conflict": 409, "forbidden": 403}


class ErrorBody(msgspec.Struct, kw_only=True):
    error: str
    message: str
    field: str | None = None
    status_code: int


def _respond(status: int, error: str, message: str, field: str | None) -> Response:
    body = ErrorBody(error=error, message=message, field=field, status_code=status)
    return Response(content=body, status_code=status, media_type=MediaType.JSON)


def command_error(_: Request, exc: CommandError) -> Response:
    return _respond(STATUS.get(exc.kind, 422), exc.code, exc.message, exc.field)


_NAMED_FIELD = re.compile(r"field `([^`]+)`")


def _field(key: str | None, message: str) -> str | None:
    """The dotted field name: from the error's key, plus the field msgspec names in its
    message for unknown or missing fields (whose key is the enclosing object)."""
    key = (key or "").removeprefix("$.")
    key = "" if key == "data" else key
    named = _NAMED_FIELD.search(message)
    if named:
        return f"{key}.{named.group(1)}" if key else named.group(1)
    return key or None


UNKNOWN_FIELD = "The request has a field this action does not take."


def validation_error(_: Request, exc: ValidationException) -> Response:
    extra = exc.extra if isinstance(exc.extra, list) else []
    first = extra[0] if extra and isinstance(extra[0], dict) else {}
    message = first.get("message") or exc.detail or "The request is not valid."
    if "unknown field" in message:  # its name is what was sent: never echoed back
        return _respond(400, "invalid_input", UNKNOWN_FIELD, None)
    field = _field(first.get("key"), message)
    if field:
        message = f"{field}: {message}"
    return _respond(400, "invalid_input", message, field)


def http_error(_: Request, exc: HTTPException) -> Response:
    if exc.status_code == 503:  # views not built yet: honest, and worth retrying
        return _respond(503, "unavailable", str(exc.detail), None)
    if exc.status_code >= 500:
        return internal_error(_, exc)
    return _respond(exc.status_code, "http_error", str(exc.detail), None)


def internal_error(request: Request, exc: Exception) -> Response:
    # The exception type only: its text could contain data from the request.
    log.error("unhandled", error=type(exc).__name__, path=request.url.path)
    return _respond(500, "internal", "Something went wrong on our side; nothing was saved.", None)


HANDLERS = {
    CommandError: command_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: internal_error,
}

ERROR_RESPONSES = {
    400: ResponseSpec(data_container=ErrorBody, description="The body is malformed or a field is invalid."),
    404: ResponseSpec(data_container=ErrorBody, description="An id does not exist."),
    409: ResponseSpec(data_container=ErrorBody, description="A stale version: the record moved on."),
    413: ResponseSpec(data_container=ErrorBody, description="The body is too large."),
    422: ResponseSpec(data_container=ErrorBody, description="A rule was broken, or a command id reused."),
    503: ResponseSpec(data_container=ErrorBody, description="The views are still being built."),
}
