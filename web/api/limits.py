"""Bad input is refused before it is decoded: a JSON body nested deeper than any command
needs is a 400 with a plain message, not a recursion deep inside the decoder (a 500).

The size is bounded by Litestar's ``request_max_body_size`` (``web.app.MAX_BODY``); the depth
here. The deepest command (a grievance's parties inside a body) is four levels deep.
"""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import ClientException

MAX_DEPTH = 32
TOO_DEEP = f"The JSON body is nested too deeply (at most {MAX_DEPTH} levels)."
_OPEN, _CLOSE, _QUOTE, _ESCAPE = frozenset(b"[{"), frozenset(b"]}"), ord('"'), ord("\\")


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in ``body``, brackets in strings ignored."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _ESCAPE:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in _CLOSE:
            depth -= 1
    return deepest


async def refuse_deep_json(request: Request) -> None:
    """A ``before_request`` hook: a JSON body deeper than ``MAX_DEPTH`` is a 400."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        return
    body = await request.body()
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:  # cannot be deeper: skip the walk
        return
    if json_depth(body) > MAX_DEPTH:
        raise ClientException(detail=TOO_DEEP, status_code=400)
