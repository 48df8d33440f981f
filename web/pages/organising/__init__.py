"""The organisers' pages: server-rendered HTML under ``/o``, for an organiser's federation
(an admin picks one). Every form is a plain POST that htmx may enhance.

- ``overview``: the collectives side by side on the eight indicator dimensions, what is
  growing and what is stalling, with their reasons; as of a date, or two dates compared;
- ``grievances``: common grievances across collectives and sectors, and launching a joint
  campaign from one in a single step;
- ``board``: the campaign coordination board (stage, demands won, next actions, sectors,
  collectives and their invitations), and a cross-sector coordination meeting to schedule;
- ``flows``: how work moves between sectors, drawn on the server, with a table beside it;
- ``common``: whose federation, the dates, the navigation.

Leaders answer their invitations on their own pages (``web.pages.invitations``).
No page here shows a worker's pseudonym or any personal field, nor a membership count.
"""

from __future__ import annotations

from litestar import Router

from web.pages.common import EXCEPTION_HANDLERS, PAGE_DEPENDENCIES
from web.pages.organising.common import PREFIX


def route_handlers() -> list:
    from web.pages.organising import board, flows, grievances, overview

    return [*overview.ROUTES, *grievances.ROUTES, *board.ROUTES, *flows.ROUTES]


def organising_router() -> Router:
    """Every organiser's page, for ``Litestar(route_handlers=[..., organising_router()])``."""
    return Router(path=PREFIX, route_handlers=route_handlers(), dependencies=PAGE_DEPENDENCIES,
                  exception_handlers=EXCEPTION_HANDLERS, include_in_schema=False)


__all__ = ["PREFIX", "organising_router"]
