"""The leaders' pages: server-rendered HTML under ``/c/{collective_id}``, every form a plain
POST that htmx may enhance, light enough for a cheap phone on prepaid data.

- ``home``: the collective's home (indicators with sparklines, our own view, what is next);
- ``grievances``: the grievance list, the record flow (who, what, where and when,
  consent) and the grievance page with the actions that apply now;
- ``meetings``: plan one, take attendance, record who led and spoke and what was decided;
- ``campaigns``: demands, actions with who took part, results and agreements, and the
  answer to an invitation to a joint campaign;
- ``invitations``: the invitations still to answer, with their forms;
- ``workers``: pseudonyms, consent, the trajectory in lanes, erasure with a confirmation;
- ``assessment``: the collective's own assessment;
- ``settings``: the collective's time zone;
- ``conflicts``: corrections to check, both values of each, and marking them resolved;
- ``procedures``: the collective's grievance procedure (steps and their time limits);
- ``imports``: upload Kobo / ODK Central / spreadsheet rows, check them, import them;
- ``duplicates``: possible duplicate workers, merging two records after a confirmation, undo;
- ``organisations``: one organisation, to rename, correct its kind or withdraw it;
- ``bargaining``: rounds with a counterpart, from the mandate to the agreement in force;
- ``forms``: a posted form to a command, with each field's message in her language;
- ``svg``: sparklines and the trajectory, drawn on the server;
- ``common``: the ``page`` dependency, scope, read-your-writes, rendering, error pages.

Access and scope come from ``web.auth``: these routes declare no ``access`` opt, so they are
for leaders, organisers and admins, and read through ``reader_scope`` and ``organize``.
"""

from __future__ import annotations

from litestar import Router

from web.pages.common import EXCEPTION_HANDLERS, PAGE_DEPENDENCIES

PREFIX = "/c"


def route_handlers() -> list:
    from web.pages import (
        assessment,
        bargaining,
        campaigns,
        conflicts,
        duplicates,
        grievances,
        home,
        imports,
        meetings,
        organisations,
        procedures,
        settings,
        workers,
    )

    return [*home.ROUTES, *grievances.ROUTES, *meetings.ROUTES, *campaigns.ROUTES,
            *workers.ROUTES, *assessment.ROUTES, *settings.ROUTES, *organisations.ROUTES,
            *conflicts.ROUTES, *procedures.ROUTES,
            *bargaining.ROUTES, *imports.ROUTES,
            *duplicates.ROUTES]


def pages_router() -> Router:
    """Every leaders' page, for ``Litestar(route_handlers=[..., pages_router()])``. Needs the
    app's ``organize``, ``db_pool``, ``reveal``, ``reader_scope``, ``rubric`` and
    ``csrf_token`` dependencies."""
    return Router(path=PREFIX, route_handlers=route_handlers(), dependencies=PAGE_DEPENDENCIES,
                  exception_handlers=EXCEPTION_HANDLERS, include_in_schema=False)


__all__ = ["PREFIX", "pages_router"]
