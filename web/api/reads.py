"""GET routes that read one aggregate by id (``/api/v1/<area>/<id>``), and its history
(``/api/v1/<area>/<id>/history``, ``organize.application.history``)."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from organize.application import Organize
from organize.application.history import Entry, record_history
from organize.application.reading import VIEWS
from web.api.errors import ERROR_RESPONSES


def _route(area: str, cls, view, view_type):
    noun = area.rstrip("s")

    def handler(aggregate_id: UUID, organize: Organize):
        return view(organize, organize.load(cls, aggregate_id, field="id"))

    handler.__annotations__ = {"aggregate_id": FromPath[UUID], "organize": NamedDependency[Organize],
                               "return": view_type}
    operation_id = f"get{noun.capitalize()}"
    handler.__name__ = operation_id
    return get(f"/{area}/{{aggregate_id:uuid}}", sync_to_thread=True, operation_id=operation_id,
               summary=f"Read one {noun}", tags=[area],
               responses={404: ERROR_RESPONSES[404]})(handler)


def _history_route(area: str, cls):
    noun = area.rstrip("s")

    def handler(aggregate_id: UUID, organize: Organize) -> list[Entry]:
        return record_history(organize, cls, aggregate_id, field="id")

    handler.__annotations__ = {"aggregate_id": FromPath[UUID], "organize": NamedDependency[Organize],
                               "return": list[Entry]}
    operation_id = f"get{noun.capitalize()}History"
    handler.__name__ = operation_id
    return get(f"/{area}/{{aggregate_id:uuid}}/history", sync_to_thread=True,
               operation_id=operation_id, summary=f"What changed in one {noun}, when, by which role",
               tags=[area], responses={404: ERROR_RESPONSES[404]})(handler)


def read_router() -> Router:
    return Router(path="/api/v1", route_handlers=[
        *(_route(area, *spec) for area, spec in VIEWS.items()),
        *(_history_route(area, spec[0]) for area, spec in VIEWS.items()),
    ])
